/**
 * Turns the run config's `transforms` (names and configs) into the operators of the training stream.
 */
import * as E from 'fp-ts/lib/Either.js';
import { UserError } from '../core/errors.js';
import { decodeWith } from '../config/report.js';
import { transforms } from '../transforms/registry.js';
import type { TransformSetup } from '../transforms/transform-spec.js';
import { minoritySampler } from '../streams/samplers/minority-sampler.js';
import type { Sampler } from '../streams/samplers/sampler.js';
import type { FitTransform } from '../train/fit.js';
import type { RunConfig } from './run-config.js';

/** The second stream of each paired operator the training stream can build on its own. */
const SECOND_SAMPLERS: Readonly<Record<string, () => Sampler>> = {
  // CMO's foreground: per-sample weight 1/n_y (α = 1), naver-ai/cmo's minority sampler.
  cmo: () => minoritySampler({ alpha: 1 }),
};

/**
 * The configured operators, decoded against their codecs (defaults fill what the config leaves out).
 * @throws UserError naming the transform and field at fault, or an operator the training stream cannot feed
 */
/**
 * Checks the configured operators without building them: known names, configs that decode, at most
 * one operator that mixes targets. Runs before a run touches the disk.
 * @throws UserError naming the transform and field at fault
 */
export const checkTransforms = (config: RunConfig): void => {
  const mixing = config.transforms.filter(({ name }) => transforms.get(name).mixesTargets === true).map(({ name }) => name);
  if (mixing.length > 1) {
    throw new UserError('bad-config', `transforms: ${mixing.join(' and ')} each mix targets, and a batch takes one mixing operator; keep one.`);
  }
  config.transforms.forEach(({ name, config: given }, i) => {
    decodeTransformConfig(name, given, i);
    const spec = transforms.get(name);
    if (spec.kind === 'paired' && SECOND_SAMPLERS[name] === undefined) {
      throw new UserError('bad-config', `transforms.${i}: '${name}' needs ${spec.second}, which a training run cannot provide yet.`);
    }
    if (spec.kind === 'bilateral') {
      throw new UserError('bad-config', `transforms.${i}: '${name}' feeds a two-branch model, which a training run cannot provide yet.`);
    }
  });
};

const decodeTransformConfig = (name: string, given: Record<string, unknown>, i: number): unknown => {
  const spec = transforms.get(name);
  const decoded = decodeWith(spec.configCodec, { ...(spec.defaults as object), ...given }, `transforms.${i}.config`);
  if (E.isLeft(decoded)) throw new UserError('bad-config', `${decoded.left}.`);
  return decoded.right;
};

export const resolveTransforms = (config: RunConfig, setup: TransformSetup): FitTransform[] => {
  checkTransforms(config);
  return config.transforms.flatMap(({ name, config: given }, i): FitTransform[] => {
    const spec = transforms.get(name);
    const decoded = decodeTransformConfig(name, given, i);
    if (spec.kind === 'batch') return [{ name, transform: spec.create(decoded, setup) }];
    if (spec.kind === 'paired') return [{ name, paired: spec.create(decoded, setup), secondSampler: SECOND_SAMPLERS[name]!() }];
    return []; // bilateral operators are refused by checkTransforms
  });
};
