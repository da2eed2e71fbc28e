/**
 * Turns the run config's `transforms` (names and configs) into the operators of the training stream.
 */
import * as E from 'fp-ts/lib/Either.js';
import { UserError } from '../core/errors.js';
import { decodeWith } from '../config/report.js';
import { transforms } from '../transforms/registry.js';
import type { TransformSetup } from '../transforms/transform-spec.js';
import type { PairedTransform } from '../transforms/paired-transform.js';
import type { HostBatch } from '../core/host-batch.js';
import { minoritySampler } from '../streams/samplers/minority-sampler.js';
import { instanceSampler } from '../streams/samplers/instance-sampler.js';
import type { Sampler } from '../streams/samplers/sampler.js';
import type { BatchTransform } from '../transforms/batch-transform.js';
import { openSetNoise } from '../transforms/open-set-noise.js';
import type { FitTransform } from '../train/fit.js';
import type { RunConfig } from './run-config.js';

/**
 * Where a paired operator's second batch comes from: a sampler over the training subset, and
 * optionally an operator that turns that batch into the second input (with the pair's Rng stream
 * `rng.derive('second-source')`).
 */
interface SecondSource {
  readonly sampler: () => Sampler;
  readonly prepare?: (setup: TransformSetup) => BatchTransform;
}

/** The second stream of each paired operator the training stream can build on its own. */
const SECOND_SOURCES: Readonly<Record<string, SecondSource>> = {
  // CMO's foreground: per-sample weight 1/n_y (α = 1), naver-ai/cmo's minority sampler.
  cmo: { sampler: () => minoritySampler({ alpha: 1 }) },
  // Open-Sampling's open set: generated noise images (`openSetNoise`) stand in for the paper's
  // 300K random images / 80M TinyImages; one open image per batch image (officially 4: 512 for 128),
  // which leaves the objective unchanged (the open term is a weighted mean) and raises its variance.
  'open-sampling': { sampler: () => instanceSampler, prepare: (setup) => openSetNoise(setup) },
};

/**
 * Checks the configured operators without building them: known names, configs that decode, at most
 * one operator that mixes targets. Runs before a run touches the disk.
 * @throws UserError naming the transform and field at fault
 */
export const checkTransforms = (config: Pick<RunConfig, 'transforms'>): void => {
  const mixing = config.transforms.filter(({ name }) => transforms.get(name).mixesTargets === true).map(({ name }) => name);
  if (mixing.length > 1) {
    throw new UserError('bad-config', `transforms: ${mixing.join(' and ')} each mix targets, and a batch takes one mixing operator; keep one.`);
  }
  config.transforms.forEach(({ name, config: given }, i) => {
    decodeTransformConfig(name, given, i);
    const spec = transforms.get(name);
    if (spec.kind === 'paired' && SECOND_SOURCES[name] === undefined) {
      throw new UserError('bad-config', `transforms.${i}: '${name}' needs ${spec.second}, which a training run cannot provide yet.`);
    }
    if (spec.kind === 'bilateral') {
      throw new UserError('bad-config', `transforms.${i}: '${name}' mixes the pair of a two-branch run; set dbnMix instead (the dbn-mix recipe), which applies it to the pair stream.`);
    }
  });
};

const decodeTransformConfig = (name: string, given: Record<string, unknown>, i: number): unknown => {
  const spec = transforms.get(name);
  const decoded = decodeWith(spec.configCodec, { ...(spec.defaults as object), ...given }, `transforms.${i}.config`);
  if (E.isLeft(decoded)) throw new UserError('bad-config', `${decoded.left}.`);
  return decoded.right;
};

/**
 * The configured operators, decoded against their codecs (defaults fill what the config leaves out).
 * @throws UserError naming the transform and field at fault, or an operator the training stream cannot feed
 */
export const resolveTransforms = (config: Pick<RunConfig, 'transforms'>, setup: TransformSetup): FitTransform[] => {
  checkTransforms(config);
  return config.transforms.flatMap(({ name, config: given }, i): FitTransform[] => {
    const spec = transforms.get(name);
    const decoded = decodeTransformConfig(name, given, i);
    if (spec.kind === 'batch') return [{ name, transform: spec.create(decoded, setup) }];
    if (spec.kind === 'paired') {
      const source = SECOND_SOURCES[name]!;
      const operator = spec.create(decoded, setup);
      const prepare = source.prepare?.(setup);
      const paired: PairedTransform<HostBatch> =
        prepare === undefined ? operator : (first, second, rng, ctx) => operator(first, prepare(second, rng.derive('second-source'), ctx), rng, ctx);
      return [{ name, paired, secondSampler: source.sampler() }];
    }
    return []; // bilateral operators are refused by checkTransforms
  });
};
