/**
 * `tailstream train`: flags → resolved config → backend → runTraining → the final table (or JSON).
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { initBackend, parseBackendName, shutdownBackend, BACKEND_NAMES, type BackendName } from '../backend/select-backend.js';
import { DEFAULT_RUN_CONFIG, defaultMilestones, type RunConfig } from '../recipes/run-config.js';
import { applyRecipe } from '../recipes/recipe.js';
import { recipes } from '../recipes/registry.js';
import { readConfigFile } from '../recipes/config-file.js';
import * as E from 'fp-ts/lib/Either.js';
import { metricsDocument, resumeTraining, runTraining } from '../recipes/run-training.js';
import type { NonFinitePolicy } from '../train/fit.js';
import { UserError } from '../core/errors.js';
import { formatReport } from '../eval/format-report.js';
import { datasets } from '../data/datasets.js';
import { samplers } from '../streams/samplers/registry.js';
import { createProgress } from './progress.js';
import { parseAutoOrInteger, parseChoice, parseInteger, parseJsonObject, parseNumber } from './parse-flags.js';
import { losses } from '../losses/registry.js';
import { transforms } from '../transforms/registry.js';

/** Options as commander hands them over (already parsed and validated). */
interface TrainFlags {
  dataset: string;
  ratio: number;
  profile: 'exp' | 'step';
  epochs: number;
  batchSize: number;
  maxStepsPerEpoch?: number;
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
  resume?: string;
  recipe: string;
  config?: string;
  checkpointEvery: number;
  onNan: NonFinitePolicy;
  loss?: string;
  lossConfig?: Record<string, unknown>;
  transform?: Array<{ name: string; config: Record<string, unknown> }>;
  pipeline: RunConfig['pipeline'];
  pipelineThreads: RunConfig['pipelineThreads'];
}

/** Flags that define a run; with --resume the run's own config.json defines it instead. */
const CONFIG_FLAGS = ['recipe', 'config', 'dataset', 'ratio', 'profile', 'epochs', 'batchSize', 'maxStepsPerEpoch', 'lr', 'seed', 'subsetSeed', 'sampler', 'model', 'out', 'dataDir', 'loss', 'lossConfig', 'transform', 'pipeline', 'pipelineThreads'] as const;
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Flag key → run-config field, for flags given on the command line. */
const flagOverrides = (f: TrainFlags, given: (key: keyof TrainFlags) => boolean): Partial<RunConfig> => {
  const out: Partial<Record<keyof RunConfig, unknown>> = {};
  const take = (key: keyof TrainFlags & keyof RunConfig) => {
    if (given(key)) out[key] = f[key];
  };
  (['dataset', 'ratio', 'profile', 'epochs', 'batchSize', 'lr', 'seed', 'subsetSeed', 'sampler', 'model', 'pipeline', 'pipelineThreads'] as const).forEach(take);
  if (given('dataDir')) out.dataDir = f.dataDir ?? null;
  if (given('maxStepsPerEpoch')) out.maxStepsPerEpoch = f.maxStepsPerEpoch ?? null;
  if (given('transform')) out.transforms = f.transform ?? [];
  return out as Partial<RunConfig>;
};

/**
 * `--loss` and `--loss-config` over what the recipe and file set: a new loss starts from its own
 * defaults (the recipe's lossConfig belongs to the recipe's loss); `--loss-config` alone merges over
 * the resolved one.
 */
const lossOverrides = (f: TrainFlags, given: (key: keyof TrainFlags) => boolean, resolved: RunConfig): Partial<RunConfig> => {
  if (given('loss') && f.loss !== undefined) {
    losses.get(f.loss);
    return { loss: f.loss, lossConfig: f.lossConfig ?? {} };
  }
  return given('lossConfig') && f.lossConfig !== undefined ? { lossConfig: { ...resolved.lossConfig, ...f.lossConfig } } : {};
};

/** `--transform NAME` or `--transform 'NAME:{"alpha": 1}'`, repeatable, in order. */
const parseTransformFlag = (value: string, previous: TrainFlags['transform']): NonNullable<TrainFlags['transform']> => {
  const colon = value.indexOf(':');
  const name = (colon < 0 ? value : value.slice(0, colon)).trim();
  transforms.get(name);
  const config = colon < 0 ? {} : parseJsonObject(`--transform ${name}`)(value.slice(colon + 1));
  return [...(previous ?? []), { name, config }];
};

/**
 * The resolved run config: defaults, then the recipe, then the config file, then the flags given on
 * the command line. Step-decay milestones follow the epochs unless a file sets them.
 */
export const resolveRunConfig = (f: TrainFlags, given: (key: keyof TrainFlags) => boolean): RunConfig => {
  const recipe = recipes.get(f.recipe);
  const file = f.config === undefined ? {} : E.getOrElseW((why: string): never => {
    throw new UserError('bad-config', `${why}.`);
  })(readConfigFile(f.config));
  const rest = { ...file, ...flagOverrides(f, given) };
  const epochs = rest.epochs ?? DEFAULT_RUN_CONFIG.epochs;
  const withRecipe = applyRecipe({ ...DEFAULT_RUN_CONFIG, milestones: defaultMilestones(epochs) }, recipe, rest);
  const config = { ...withRecipe, ...lossOverrides(f, given, withRecipe) };
  datasets.get(config.dataset);
  return config;
};

const timestamp = (): string => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

/** Builds the `train` command; `run` resolves to the process exit code. */
export const trainCommand = (): Command =>
  new Command('train')
    .description('train and evaluate a model on a long-tailed dataset')
    .addOption(new Option('--recipe <name>', 'a paper\'s method by name (tailstream recipes lists them)').default('ce'))
    .addOption(new Option('--config <file>', 'YAML or JSON file with run settings (overrides the recipe; flags override it)'))
    .addOption(new Option('--dataset <name>', `${datasets.list().map((d) => d.name).join(', ')} (mnist-lt is embedded; the others read --data-dir)`).default(DEFAULT_RUN_CONFIG.dataset))
    .addOption(new Option('--ratio <rho>', 'imbalance ratio n_max/n_min (≥ 1)').argParser(parseNumber('--ratio', 1)).default(DEFAULT_RUN_CONFIG.ratio))
    .addOption(new Option('--profile <kind>', 'long-tail profile: exp or step').argParser(parseChoice('--profile', ['exp', 'step'] as const)).default('exp'))
    .addOption(new Option('--epochs <n>', 'training epochs (≥ 1)').argParser(parseInteger('--epochs', 1)).default(DEFAULT_RUN_CONFIG.epochs))
    .addOption(new Option('--batch-size <n>', 'batch size (≥ 1)').argParser(parseInteger('--batch-size', 1)).default(DEFAULT_RUN_CONFIG.batchSize))
    .addOption(new Option('--max-steps-per-epoch <n>', 'end each epoch after n steps (a budget for quick looks)').argParser(parseInteger('--max-steps-per-epoch', 1)))
    .addOption(new Option('--lr <rate>', 'base learning rate (> 0)').argParser(parseNumber('--lr', 0, true)).default(DEFAULT_RUN_CONFIG.lr))
    .addOption(new Option('--seed <s>', 'run seed: weights, batch order, augmentation').argParser(parseInteger('--seed')).default(DEFAULT_RUN_CONFIG.seed))
    .addOption(new Option('--subset-seed <s>', 'seed of the long-tailed subset (fixed at 0 as in LDAM-DRW)').argParser(parseInteger('--subset-seed')).default(0))
    .addOption(new Option('--sampler <name>', `${samplers.list().map((x) => x.name).join(', ')}`).default(DEFAULT_RUN_CONFIG.sampler))
    .addOption(new Option('--loss <name>', 'a loss by name, with its own defaults (tailstream losses lists them)'))
    .addOption(new Option('--loss-config <json>', `the loss's settings as JSON, e.g. '{"gamma": 2}' (over its defaults)`).argParser(parseJsonObject('--loss-config')))
    .addOption(new Option('--transform <name[:json]>', "a batch operator after crop/flip, repeatable, in order, e.g. --transform 'mixup:{\"alpha\": 1}' (replaces the recipe's; tailstream transforms lists them)").argParser(parseTransformFlag))
    .addOption(new Option('--model <name>', 'small-cnn or resnet32').default(DEFAULT_RUN_CONFIG.model))
    .addOption(new Option('--out <dir>', 'run folder to create (default runs/<dataset>-<time>)'))
    .addOption(new Option('--data-dir <dir>', 'folder with the dataset files (fmnist-lt: IDX files)'))
    .addOption(new Option('--backend <name>', `auto, ${BACKEND_NAMES.join(', ')}`).argParser(parseBackendName).default('auto'))
    .addOption(new Option('--resume <dir>', "continue the unfinished run in <dir> from its last checkpoint (its config.json defines the run)"))
    .addOption(new Option('--checkpoint-every <steps>', 'also checkpoint every N steps (0: at epoch ends and on interrupt only)').argParser(parseInteger('--checkpoint-every', 0)).default(0))
    .addOption(new Option('--on-nan <policy>', 'when a loss is NaN/Inf: stop (keep the last checkpoint, exit 3) or skip-batch').argParser(parseChoice('--on-nan', ['stop', 'skip-batch'] as const)).default('stop'))
    .addOption(
      new Option('--pipeline <where>', "where batches are made: worker (a thread beside the step), main-thread (between steps), auto (worker unless an operator queries the model); same batches either way")
        .argParser(parseChoice('--pipeline', ['auto', 'worker', 'main-thread'] as const))
        .default(DEFAULT_RUN_CONFIG.pipeline),
    )
    .addOption(
      new Option('--pipeline-threads <n>', 'pipeline threads making batches: a number, or auto (1 on wasm/cpu, up to 4 on tfjs-node-gpu)')
        .argParser(parseAutoOrInteger('--pipeline-threads', 1))
        .default(DEFAULT_RUN_CONFIG.pipelineThreads),
    )
    .addOption(new Option('--threads <n>', 'threads for the wasm backend (default: the cores available, at most 8)').argParser(parseInteger('--threads', 1)))
    .option('--json', 'print the final metrics as JSON on stdout', false)
    .option('--no-progress', 'no progress bar (per-epoch lines stay)')
    .action(async (flags: TrainFlags, command: Command) => {
      if (flags.resume !== undefined) {
        const clash = CONFIG_FLAGS.find((k) => command.getOptionValueSource(k) === 'cli');
        if (clash !== undefined) {
          throw new UserError('bad-argument', `--resume: the run's own config.json defines it; drop ${flagName(clash)}.`);
        }
      }
      const config = resolveRunConfig(flags, (key) => command.getOptionValueSource(key) === 'cli');
      const out = flags.resume ?? flags.out ?? path.join('runs', `${config.dataset}-${timestamp()}`);
      const backend = await initBackend(flags.backend, flags.threads === undefined ? {} : { threads: flags.threads });
      process.stderr.write(`backend: ${backend.name} (tfjs '${backend.tfName}', ${backend.threads} thread${backend.threads === 1 ? '' : 's'})\n`);
      const progress = createProgress({ bar: flags.progress && process.stderr.isTTY === true });
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const started = performance.now();
        const common = {
          signal: controller.signal,
          onEvent: progress.onEvent,
          checkpointEvery: flags.checkpointEvery,
          onNonFinite: flags.onNan,
        };
        const result = flags.resume !== undefined ? await resumeTraining(flags.resume, common) : await runTraining(config, { ...common, out });
        progress.stop();
        const seconds = (performance.now() - started) / 1000;
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(metricsDocument(result.config, { trainCounts: result.trainCounts }, result.report), null, 2)}\n`);
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
