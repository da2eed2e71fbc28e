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
export const resolveTransforms = (config: RunConfig, setup: TransformSetup): FitTransform[] =>
  config.transforms.map(({ name, config: given }, i) => {
    const spec = transforms.get(name);
    const decoded = decodeWith(spec.configCodec, { ...(spec.defaults as object), ...given }, `transforms.${i}.config`);
    if (E.isLeft(decoded)) throw new UserError('bad-config', `${decoded.left}.`);
    switch (spec.kind) {
      case 'batch':
        return { name, transform: spec.create(decoded.right, setup) };
      case 'paired': {
        const second = SECOND_SAMPLERS[name];
        if (second === undefined) {
          throw new UserError('bad-config', `transforms.${i}: '${name}' needs ${spec.second}, which a training run cannot provide yet.`);
        }
        return { name, paired: spec.create(decoded.right, setup), secondSampler: second() };
      }
      case 'bilateral':
        throw new UserError('bad-config', `transforms.${i}: '${name}' feeds a two-branch model, which a training run cannot provide yet.`);
    }
  });
