/**
 * A training stage's batch pipeline as plain data (names and configs), and the one function that
 * builds it: the main thread and a pipeline thread both call `buildPipeline`, so both make the same
 * operators, and the plan can cross a thread boundary where closures cannot.
 */
import type { Sampler } from '../streams/samplers/sampler.js';
import { samplers } from '../streams/samplers/registry.js';
import { deferredResampling } from '../train/schedules/deferred-resampling.js';
import type { FitTransform } from '../train/epoch-pipeline.js';
import { randomCropFlip, type RandomCropFlipConfig } from '../transforms/random-crop-flip.js';
import { bilateralMixup, type BilateralMixupConfig } from '../transforms/bilateral-mixup.js';
import { transforms as transformsRegistry } from '../transforms/registry.js';
import type { TransformSetup } from '../transforms/transform-spec.js';
import { resolveTransforms } from './resolve-transforms.js';
import type { RunConfig, Stage2Config } from './run-config.js';

/** What makes a stage's batches, by registry names and configs (structured-clonable). */
export interface PipelinePlan {
  /** The main sampler's registry name. */
  readonly sampler: string;
  /** Another sampler from a 0-based epoch on (deferred re-sampling), or null. */
  readonly deferredResampling: { readonly sampler: string; readonly fromEpoch: number } | null;
  /** The second side's sampler of a bilateral run (BBN, DBN-Mix), or null for one-branch batches. */
  readonly rebalancingSampler: string | null;
  /** Random crop/flip first, or null. */
  readonly cropFlip: RandomCropFlipConfig | null;
  /** The registered operators after crop/flip, in order. */
  readonly transforms: RunConfig['transforms'];
  /** DBN-Mix's bilateral mixup on the pair, last, or null. */
  readonly bilateralMixup: BilateralMixupConfig | null;
}

/** The built pipeline: what `fit` takes. */
export interface BuiltPipeline {
  readonly sampler: Sampler;
  readonly rebalancingSampler?: Sampler;
  readonly transforms: FitTransform[];
}

/** The dataset facts that decide crop/flip. */
interface CropFlipFacts {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly flipInvariant: boolean;
}

/** The run's crop/flip (2-pixel padding by default, a flip only where the dataset allows it), or null when both are off. */
const cropFlipOf = (config: RunConfig, dataset: CropFlipFacts): RandomCropFlipConfig | null => {
  const flip = config.flip && dataset.flipInvariant;
  if (config.cropPadding === 0 && !flip) return null;
  return { padding: config.cropPadding, flip, fill: dataset.mean.map((mu, c) => -mu / dataset.std[c]!) };
};

/** Stage 1's plan: the run's sampler (and deferred or bilateral one), crop/flip, operators, DBN-Mix's mixup. */
export const stage1Plan = (config: RunConfig, dataset: CropFlipFacts): PipelinePlan => ({
  sampler: config.sampler,
  deferredResampling: config.deferredResampling,
  rebalancingSampler: config.bbn?.rebalancingSampler ?? config.dbnMix?.rebalancingSampler ?? null,
  cropFlip: cropFlipOf(config, dataset),
  transforms: config.transforms,
  bilateralMixup: config.dbnMix === null ? null : { alpha: config.dbnMix.alpha, clampLambda: config.dbnMix.clampLambda },
});

/** Stage 2's plan: its own sampler and operators after the run's crop/flip; stage 1's strategies stop at the boundary. */
export const stage2Plan = (config: RunConfig, stage2: Stage2Config, dataset: CropFlipFacts): PipelinePlan => ({
  sampler: stage2.sampler,
  deferredResampling: null,
  rebalancingSampler: null,
  cropFlip: cropFlipOf(config, dataset),
  transforms: stage2.transforms,
  bilateralMixup: null,
});

/** True when an operator of the plan queries the model (GAE), which lives on the main thread. */
export const planUsesModel = (plan: PipelinePlan): boolean => plan.transforms.some((t) => transformsRegistry.get(t.name).usesModel === true);

/**
 * The samplers and operators of a plan. `setup` is what the operators need (its `oracle` only for an
 * operator that queries the model).
 * @throws UserError for an unknown name or a config that does not decode
 */
export const buildPipeline = (plan: PipelinePlan, setup: TransformSetup): BuiltPipeline => {
  const main = samplers.get(plan.sampler);
  const sampler =
    plan.deferredResampling === null
      ? main
      : deferredResampling({ before: main, after: samplers.get(plan.deferredResampling.sampler), fromEpoch: plan.deferredResampling.fromEpoch });
  const transforms: FitTransform[] = [
    ...(plan.cropFlip !== null ? [{ name: 'random-crop-flip', transform: randomCropFlip(plan.cropFlip) }] : []),
    ...resolveTransforms({ transforms: plan.transforms }, setup),
    ...(plan.bilateralMixup !== null ? [{ name: 'bilateral-mixup', bilateral: bilateralMixup(plan.bilateralMixup) }] : []),
  ];
  return { sampler, transforms, ...(plan.rebalancingSampler !== null ? { rebalancingSampler: samplers.get(plan.rebalancingSampler) } : {}) };
};
