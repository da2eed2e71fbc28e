/**
 * Errors a user can cause (bad flags, unreadable files, missing packages) as values with one sentence.
 *
 * Intuition: a `UserError` is the one line a person reads; the CLI prints its `message` and exits
 * with `exitCode`, never a stack trace. Programmer errors stay ordinary `Error`s with an `fnName: ` prefix.
 */

/** What kind of user-facing failure happened; drives the exit code and lets tests match precisely. */
export type UserErrorKind = 'bad-argument' | 'bad-file' | 'missing-package' | 'bad-config' | 'interrupted' | 'numeric' | 'check-failed';

/** An error caused by input a user controls; `message` is one complete sentence. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly kind: UserErrorKind,
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** True when `e` is a `UserError`. */
export const isUserError = (e: unknown): e is UserError => e instanceof UserError;

/** The first line of any thrown value's message, for printing to a user. */
export const describeError = (e: unknown): string => {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e);
};
