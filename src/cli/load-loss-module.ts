/**
 * Loads the loss specs a user's module exports, for `tailstream verify-loss FILE`: .js/.mjs through
 * Node's import, .ts/.mts through tsx when it is installed. Fails with one sentence otherwise.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError, UserError } from '../core/errors.js';
import type { LossSpec } from '../losses/loss-spec.js';

/** A loss spec found in a module, with the name it was exported under. */
export interface ExportedLoss {
  readonly exportName: string;
  readonly spec: LossSpec<unknown, unknown>;
}

/** True when `v` has the shape of a `LossSpec` (name, summary, source, configCodec, defaults, prepare, perExample). */
export const isLossSpec = (v: unknown): v is LossSpec<unknown, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const codec = o.configCodec as { decode?: unknown } | undefined;
  return (
    typeof o.name === 'string' &&
    typeof o.prepare === 'function' &&
    typeof o.perExample === 'function' &&
    typeof codec === 'object' &&
    codec !== null &&
    typeof codec.decode === 'function' &&
    'defaults' in o
  );
};

const TYPESCRIPT = /\.(ts|mts|cts)$/;

const importModule = async (file: string): Promise<Record<string, unknown>> => {
  const url = pathToFileURL(file).href;
  if (!TYPESCRIPT.test(file)) return (await import(url)) as Record<string, unknown>;
  let tsx: { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  try {
    tsx = (await import('tsx/esm/api')) as typeof tsx;
  } catch {
    throw new UserError('missing-package', `${file} is TypeScript: install tsx (npm install --save-dev tsx) or compile it to .js first.`);
  }
  return (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>;
};

/**
 * The loss specs `file` exports (all of them, or the one exported as `exportName`).
 * @throws UserError when the file is missing, fails to load, or exports no loss spec
 */
export const loadLossModule = async (file: string, exportName?: string): Promise<ExportedLoss[]> => {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) throw new UserError('bad-argument', `verify-loss: ${file} does not exist.`);
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(resolved);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError('bad-file', `verify-loss: ${file} could not be loaded: ${describeError(e)}`);
  }
  const found = Object.entries(namespace)
    .filter(([, v]) => isLossSpec(v))
    .map(([name, v]) => ({ exportName: name, spec: v as LossSpec<unknown, unknown> }));
  if (found.length === 0) {
    throw new UserError(
      'bad-file',
      `verify-loss: ${file} exports no loss spec (an object with name, configCodec, defaults, prepare and perExample, e.g. made with losses.defineLoss).`,
    );
  }
  if (exportName === undefined) return found;
  const chosen = found.filter((f) => f.exportName === exportName || f.spec.name === exportName);
  if (chosen.length === 0) {
    throw new UserError('bad-argument', `--export: ${file} exports no loss named '${exportName}' (it exports ${found.map((f) => f.exportName).join(', ')}).`);
  }
  return chosen;
};
