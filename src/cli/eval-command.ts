/**
 * `tailstream eval RUN`: evaluates a run's saved model on its test (or training) split.
 */
import { Command, Option } from 'commander';
import { initBackend, parseBackendName, BACKEND_NAMES, type BackendName } from '../backend/select-backend.js';
import { evaluateRun, type EvalSplit } from '../recipes/evaluate-run.js';
import { metricsDocument } from '../recipes/run-training.js';
import { formatReport } from '../eval/format-report.js';
import { parseChoice } from './parse-flags.js';

/** Builds the `eval` command. */
export const evalCommand = (): Command =>
  new Command('eval')
    .description("evaluate a run's saved model on its test or training split")
    .argument('<run>', 'run folder (with config.json and checkpoint.bin)')
    .addOption(new Option('--checkpoint <file>', 'a checkpoint other than the run folder\'s checkpoint.bin'))
    .addOption(new Option('--split <split>', 'test or train').argParser(parseChoice('--split', ['test', 'train'] as const)).default('test'))
    .addOption(new Option('--backend <name>', `auto, ${BACKEND_NAMES.join(', ')}`).argParser(parseBackendName).default('auto'))
    .option('--json', 'print the metrics as JSON on stdout', false)
    .action(async (run: string, flags: { checkpoint?: string; split: EvalSplit; backend: BackendName | 'auto'; json: boolean }) => {
      await initBackend(flags.backend);
      const { config, report, file } = await evaluateRun(run, { split: flags.split, ...(flags.checkpoint !== undefined ? { checkpoint: flags.checkpoint } : {}) });
      if (flags.json) process.stdout.write(`${JSON.stringify(metricsDocument(config, { trainCounts: report.perClass.map((c) => c.trainCount) }, report), null, 2)}\n`);
      else process.stdout.write(`${formatReport(report)}\n`);
      if (file !== undefined) process.stderr.write(`written: ${file}\n`);
    });
