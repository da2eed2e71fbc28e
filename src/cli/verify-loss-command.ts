/**
 * `tailstream verify-loss FILE`: runs `verifyLoss` on every loss spec a module exports and prints the
 * report; exits 1 when a property fails, with the seed and path that replay the counterexample.
 */
import { Command, Option } from 'commander';
import { initBackend } from '../backend/select-backend.js';
import { UserError } from '../core/errors.js';
import { verifyLoss, type LossVerification } from '../losses/verification/verify-loss.js';
import { formatLossVerification } from '../losses/verification/format-verification.js';
import { LOSS_PROPERTY_IDS, type LossPropertyId } from '../losses/verification/loss-properties.js';
import { loadLossModule } from './load-loss-module.js';
import { parseChoiceList, parseInteger, parseJsonObject } from './parse-flags.js';

interface VerifyFlags {
  export?: string;
  config?: Record<string, unknown>;
  only?: LossPropertyId[];
  skip?: LossPropertyId[];
  runs: number;
  seed?: number;
  path?: string;
  maxRows: number;
  maxClasses: number;
  json: boolean;
}

/** Builds the `verify-loss` command. */
export const verifyLossCommand = (): Command =>
  new Command('verify-loss')
    .description("check a loss module's exports against the invariants of a classification loss (exit 1 if one fails)")
    .argument('<file>', 'a .js/.mjs module (or .ts with tsx installed) exporting loss specs')
    .addOption(new Option('--export <name>', 'verify only this export (or loss name)'))
    .addOption(new Option('--config <json>', "the loss config to check, merged over its defaults, e.g. '{\"gamma\": 0}'").argParser(parseJsonObject('--config')))
    .addOption(new Option('--only <ids>', `comma-separated: ${LOSS_PROPERTY_IDS.join(', ')}`).argParser(parseChoiceList('--only', LOSS_PROPERTY_IDS)))
    .addOption(new Option('--skip <ids>', 'comma-separated properties that do not apply to this loss').argParser(parseChoiceList('--skip', LOSS_PROPERTY_IDS)))
    .addOption(new Option('--runs <n>', 'runs per property').argParser(parseInteger('--runs', 1)).default(100))
    .addOption(new Option('--seed <s>', 'generator seed (a report gives the one it used)').argParser(parseInteger('--seed')))
    .addOption(new Option('--path <path>', 'replay one counterexample (with --seed and --only, from a report)'))
    .addOption(new Option('--max-rows <n>', 'largest batch drawn').argParser(parseInteger('--max-rows', 1)).default(5))
    .addOption(new Option('--max-classes <n>', 'most classes drawn').argParser(parseInteger('--max-classes', 2)).default(6))
    .option('--json', 'print the reports as JSON', false)
    .action(async (file: string, flags: VerifyFlags) => {
      const found = await loadLossModule(file, flags.export);
      await initBackend('cpu');
      const reports: LossVerification[] = found.map(({ spec }) =>
        verifyLoss(spec, {
          ...(flags.config !== undefined ? { config: { ...(spec.defaults as object), ...flags.config } } : {}),
          ...(flags.only !== undefined ? { only: flags.only } : {}),
          ...(flags.skip !== undefined ? { skip: flags.skip } : {}),
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          ...(flags.path !== undefined ? { path: flags.path } : {}),
          numRuns: flags.runs,
          maxRows: flags.maxRows,
          maxClasses: flags.maxClasses,
        }),
      );
      const cli = (i: number) => `tailstream verify-loss ${file}${found.length > 1 ? ` --export ${found[i]!.exportName}` : ''}`;
      process.stdout.write(
        flags.json ? `${JSON.stringify(reports, null, 2)}\n` : `${reports.map((r, i) => formatLossVerification(r, { cli: cli(i) })).join('\n\n')}\n`,
      );
      const failed = reports.filter((r) => !r.passed);
      if (failed.length > 0) {
        const names = failed.map((r) => r.loss).join(', ');
        throw new UserError('check-failed', `${failed.length} of ${reports.length} loss${reports.length === 1 ? '' : 'es'} broke an invariant: ${names}.`, 1);
      }
    });
