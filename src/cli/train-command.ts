/**
 * `tailstream train`: flags → resolved config → backend → runTraining → the final table (or JSON).
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { initBackend, parseBackendName, shutdownBackend, BACKEND_NAMES, type BackendName } from '../backend/select-backend.js';
import { DEFAULT_RUN_CONFIG, defaultMilestones, type RunConfig } from '../recipes/run-config.js';
import { metricsDocument, runTraining } from '../recipes/run-training.js';
import { formatReport } from '../eval/format-report.js';
import { datasets } from '../data/datasets.js';
import { createProgress } from './progress.js';
import { parseChoice, parseInteger, parseNumber } from './parse-flags.js';

/** Options as commander hands them over (already parsed and validated). */
interface TrainFlags {
  dataset: string;
  ratio: number;
  profile: 'exp' | 'step';
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  subsetSeed: number;
  sampler: string;
  model: string;
  out?: string;
  dataDir?: string;
  backend: BackendName | 'auto';
  threads?: number;
  json: boolean;
  progress: boolean;
}

/** The resolved run config for parsed flags. */
export const configFromFlags = (f: TrainFlags): RunConfig => ({
  ...DEFAULT_RUN_CONFIG,
  dataset: datasets.get(f.dataset).name,
  ratio: f.ratio,
  profile: f.profile,
  subsetSeed: f.subsetSeed,
  dataDir: f.dataDir ?? null,
  model: f.model,
  sampler: f.sampler,
  epochs: f.epochs,
  batchSize: f.batchSize,
  lr: f.lr,
  seed: f.seed,
  milestones: defaultMilestones(f.epochs),
  flip: f.dataset !== 'mnist-lt',
});

const timestamp = (): string => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

/** Builds the `train` command; `run` resolves to the process exit code. */
export const trainCommand = (): Command =>
  new Command('train')
    .description('train and evaluate a model on a long-tailed dataset')
    .addOption(new Option('--dataset <name>', 'mnist-lt (embedded) or fmnist-lt (Fashion-MNIST IDX files)').default(DEFAULT_RUN_CONFIG.dataset))
    .addOption(new Option('--ratio <rho>', 'imbalance ratio n_max/n_min (≥ 1)').argParser(parseNumber('--ratio', 1)).default(DEFAULT_RUN_CONFIG.ratio))
    .addOption(new Option('--profile <kind>', 'long-tail profile: exp or step').argParser(parseChoice('--profile', ['exp', 'step'] as const)).default('exp'))
    .addOption(new Option('--epochs <n>', 'training epochs (≥ 1)').argParser(parseInteger('--epochs', 1)).default(DEFAULT_RUN_CONFIG.epochs))
    .addOption(new Option('--batch-size <n>', 'batch size (≥ 1)').argParser(parseInteger('--batch-size', 1)).default(DEFAULT_RUN_CONFIG.batchSize))
    .addOption(new Option('--lr <rate>', 'base learning rate (> 0)').argParser(parseNumber('--lr', 0, true)).default(DEFAULT_RUN_CONFIG.lr))
    .addOption(new Option('--seed <s>', 'run seed: weights, batch order, augmentation').argParser(parseInteger('--seed')).default(DEFAULT_RUN_CONFIG.seed))
    .addOption(new Option('--subset-seed <s>', 'seed of the long-tailed subset (fixed at 0 as in LDAM-DRW)').argParser(parseInteger('--subset-seed')).default(0))
    .addOption(new Option('--sampler <name>', 'instance or class-balanced').default(DEFAULT_RUN_CONFIG.sampler))
    .addOption(new Option('--model <name>', 'small-cnn or resnet32').default(DEFAULT_RUN_CONFIG.model))
    .addOption(new Option('--out <dir>', 'run folder to create (default runs/<dataset>-<time>)'))
    .addOption(new Option('--data-dir <dir>', 'folder with the dataset files (fmnist-lt: IDX files)'))
    .addOption(new Option('--backend <name>', `auto, ${BACKEND_NAMES.join(', ')}`).argParser(parseBackendName).default('auto'))
    .addOption(new Option('--threads <n>', 'threads for the wasm backend (default: the cores available, at most 8)').argParser(parseInteger('--threads', 1)))
    .option('--json', 'print the final metrics as JSON on stdout', false)
    .option('--no-progress', 'no progress bar (per-epoch lines stay)')
    .action(async (flags: TrainFlags) => {
      const config = configFromFlags(flags);
      const out = flags.out ?? path.join('runs', `${config.dataset}-${timestamp()}`);
      const backend = await initBackend(flags.backend, flags.threads === undefined ? {} : { threads: flags.threads });
      process.stderr.write(`backend: ${backend.name} (tfjs '${backend.tfName}', ${backend.threads} thread${backend.threads === 1 ? '' : 's'})\n`);
      const progress = createProgress(config.epochs, { bar: flags.progress && process.stderr.isTTY === true });
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const started = performance.now();
        const result = await runTraining(config, {
          out,
          signal: controller.signal,
          onEvent: progress.onEvent,
        });
        progress.stop();
        const seconds = (performance.now() - started) / 1000;
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(metricsDocument(config, { trainCounts: result.trainCounts } as never, result.report), null, 2)}\n`);
        } else {
          process.stdout.write(`\n${formatReport(result.report)}\n\n`);
        }
        process.stderr.write(`finished in ${seconds.toFixed(1)} s; run folder: ${out}\n`);
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await shutdownBackend();
      }
    });
