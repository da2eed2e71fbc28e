#!/usr/bin/env node
/**
 * The `tailstream` command. Every failure a user can cause ends in one sentence on stderr and a
 * non-zero exit code (2 for bad input, 3 for a diverging loss, 130 for an interrupt), never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { describeError, isUserError } from '../core/errors.js';
import { reportCommand } from './report-command.js';
import { trainCommand } from './train-command.js';
import { recipesCommand } from './recipes-command.js';
import { doctorCommand } from './doctor-command.js';
import { evalCommand } from './eval-command.js';
import { shardCommand } from './shard-command.js';
import { calibrateCommand } from './calibrate-command.js';
import { lossesCommand } from './losses-command.js';
import { verifyLossCommand } from './verify-loss-command.js';
import { transformsCommand } from './transforms-command.js';

/** Runs the CLI on `argv` (process.argv shape) and resolves to the exit code. */
export const main = async (argv: readonly string[]): Promise<number> => {
  const program = new Command('tailstream')
    .description('deep learning on class-imbalanced and long-tailed data')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addCommand(trainCommand().exitOverride())
    .addCommand(recipesCommand().exitOverride())
    .addCommand(doctorCommand().exitOverride())
    .addCommand(evalCommand().exitOverride())
    .addCommand(calibrateCommand().exitOverride())
    .addCommand(reportCommand().exitOverride())
    .addCommand(shardCommand().exitOverride())
    .addCommand(lossesCommand().exitOverride())
    .addCommand(verifyLossCommand().exitOverride())
    .addCommand(transformsCommand().exitOverride());
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its one-line error otherwise.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isUserError(e)) {
      process.stderr.write(`tailstream: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`tailstream: internal error: ${describeError(e)}\n`);
    if (process.env.TAILSTREAM_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return 1;
  }
};

const isEntryPoint = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/tailstream');
if (isEntryPoint) {
  main(process.argv).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`tailstream: ${describeError(e)}\n`);
      process.exit(1);
    },
  );
}
