/**
 * The fully resolved configuration of a training run: what the run folder records so that anyone can rerun it.
 */
import * as t from 'io-ts';
import { AtLeastOne, DefaultWhenMissing, Integer, NonNegative, NonNegativeInt, NonZero, NullWhenMissing, Positive, PositiveFraction, PositiveInt, Probability } from '../config/codecs.js';

const Milestone = t.type({ epoch: NonNegativeInt, factor: Positive });

/**
 * ABSGD's settings (`createAbsgd`): λ of stage 1 before the 0-based `switchEpoch`, λ of stage 2 from it
 * on (λ ≥ 200 is the plain mean), the moving-average rate γ and the scale α of the normaliser.
 */
/**
 * BBN's bilateral training: the re-balancing branch's sampler (the conventional branch draws from
 * `sampler`) and T_max of the cumulative-learning weight α = 1 − (e/T_max)² (null: BBN's default,
 * the number of epochs, 100 for 90 and 200 for 180).
 */
const BbnSettings = t.type({ rebalancingSampler: t.string, divisorEpoch: t.union([t.null, PositiveInt]) });

/** DBN-Mix's settings: the re-balancing sampler of the pair and the bilateral mixup's λ ~ Beta(α, α) (clamped to ≥ ½). */
const DbnMixSettings = t.type({ rebalancingSampler: t.string, alpha: Positive, clampLambda: t.boolean });

/** OT re-weighting's settings (`createOtReweighting`; defaults `OT_REWEIGHT_DEFAULTS`). */
const OtSettings = t.type({
  metaPerClass: PositiveInt,
  cost: t.keyof({ combined: null, feature: null, label: null }),
  epsilon: Positive,
  lr: Positive,
  weightDecay: NonNegative,
  beta: Probability,
  metaLossWeight: NonNegative,
});

/** AutoBalance's search settings (`createAutoBalance`; defaults `AUTOBALANCE_DEFAULTS`). */
const AutoBalanceSettings = t.type({
  valFraction: PositiveFraction,
  groupSize: PositiveInt,
  hyperLr: Positive,
  hyperMomentum: Probability,
  hyperWeightDecay: NonNegative,
  interval: PositiveInt,
  startEpoch: NonNegativeInt,
  lookahead: t.union([t.null, Positive]),
  valBatchSize: PositiveInt,
});

/**
 * Progressive re-weighting (`rampedReweighting`): effective-number class weights (β) blended in linearly
 * from uniform at the 0-based `startEpoch` to fully class-balanced at `endEpoch` (≥ `startEpoch`).
 */
const ClassWeightRamp = t.type({ beta: Probability, startEpoch: NonNegativeInt, endEpoch: NonNegativeInt });

/** Deferred re-sampling (`deferredResampling`): batches from `sampler` instead of the run's from the 0-based `fromEpoch` on. */
const DeferredResampling = t.type({ sampler: t.string, fromEpoch: NonNegativeInt });

/** A batch operator by registry name with its config (defaults fill the rest). */
const TransformEntry = t.type({ name: t.string, config: t.UnknownRecord });

/**
 * The second stage of a decoupled run, trained after the run's `epochs` through the same `fit` (a stage
 * is configuration, not a loop of its own): a fresh SGD-momentum (the run's momentum and weight decay)
 * on the variables that `retrain` names, its own sampler, operators and learning-rate schedule
 * (`warmupStepDecay` over 0-based stage-2 epochs). The run's step strategies (SAM, ABSGD, OT, class
 * weights, deferred re-sampling) and `transforms` stop at the boundary; crop/flip, loss and reduction stay.
 * The log numbers stage-2 epochs on from the run's and marks each record with its stage.
 *
 * Used by: cRT (Kang et al., ICLR 2020: classifier re-initialised and re-trained with a class-balanced
 * sampler on frozen features) and GAE's fine-tuning (Zhang et al., ICIP 2022: all weights, lr 0.001,
 * batch norm in inference mode, the `gae` operator).
 */
const Stage2 = t.type({
  /** Epochs of stage 2, after the run's `epochs`. */
  epochs: PositiveInt,
  /** Base learning rate of stage 2. */
  lr: Positive,
  /** Linear warm-up over the first stage-2 epochs. */
  warmupEpochs: NonNegativeInt,
  /** Step decay within stage 2 (0-based stage-2 epochs; absolute factors, the latest reached wins). */
  milestones: t.array(Milestone),
  /** Sampler of stage 2 by registry name ('class-balanced' for cRT). */
  sampler: t.string,
  /** What trains: 'classifier' (the backbone frozen, `freezeBackbone`) or 'all' variables. */
  retrain: t.keyof({ classifier: null, all: null }),
  /** Re-initialise the classifier before stage 2 (He-normal from the run seed, biases 0; cRT). */
  reinitClassifier: t.boolean,
  /**
   * Batch norm in stage 2: 'inference' (running statistics used and kept, the stage-1 test-time
   * network; required by 'classifier') or 'training' (batch statistics, running ones updated).
   */
  batchNorm: t.keyof({ inference: null, training: null }),
  /** Batch operators after crop/flip in stage 2, in order. */
  transforms: t.array(TransformEntry),
});

/**
 * A post-hoc calibration as the run's final step (`calibrateModel`): `metrics-<method>.json` is written
 * beside `metrics.json`, exactly what `tailstream calibrate RUN --method <method>` writes for the run.
 * `tau` is τ of logit adjustment and τ-normalisation (MARC fits its own parameters and ignores it).
 */
const Calibration = t.type({ method: t.keyof({ 'logit-adjust': null, 'tau-norm': null, marc: null }), tau: NonNegative });

const AbsgdSettings = t.type({ stage1Lambda: NonZero, stage2Lambda: NonZero, switchEpoch: NonNegativeInt, gamma: PositiveFraction, alpha: Positive });

/** io-ts codec of a run's configuration. */
export const RunConfig = t.type({
  /** The recipe the run started from (informational: the other fields say what it set). */
  recipe: t.string,
  dataset: t.string,
  ratio: AtLeastOne,
  profile: t.keyof({ exp: null, step: null }),
  subsetSeed: Integer,
  dataDir: t.union([t.string, t.null]),
  model: t.string,
  /**
   * Classifier head: 'linear' (with bias), 'cosine' (normalised, for margin losses) or 'prototypes'
   * (cosine to fixed simplex-ETF prototypes, PAL's anchored head; `createModel`).
   */
  head: t.keyof({ linear: null, cosine: null, prototypes: null }),
  loss: t.string,
  lossConfig: t.UnknownRecord,
  reduction: t.keyof({ mean: null, 'weighted-mean': null, sum: null }),
  /** Sharpness-aware minimisation: radius ρ from a 0-based epoch on, or null for plain SGD steps. */
  sam: t.union([t.null, t.type({ rho: NonNegative, startEpoch: NonNegativeInt })]),
  /** Effective-number class weights (β) from a 0-based epoch on (DRW), or null for none. */
  classWeights: t.union([t.null, t.type({ beta: Probability, fromEpoch: NonNegativeInt })]),
  /**
   * Effective-number class weights ramped in linearly between two epochs (PPL's progressive
   * re-weighting, instead of DRW's switch), or null for none. Missing decodes as null.
   */
  classWeightRamp: NullWhenMissing(ClassWeightRamp),
  /**
   * Attentional-biased SGD (Qi et al.): the batch's losses weighted by exp(ℓ/λ) over a moving-average
   * normaliser instead of the `reduction`; null for none. Older run folders without the field decode as null.
   */
  absgd: NullWhenMissing(AbsgdSettings),
  /**
   * BBN (Zhou et al.): a bilateral model (`bbn-*`) trained on pairs of batches with the cumulative-learning
   * weight, evaluated with both branches on the test image; null for ordinary training. Missing decodes as null.
   */
  bbn: NullWhenMissing(BbnSettings),
  /**
   * DBN-Mix (Baik et al.): a bilateral model trained on bilateral-mixup pairs, each branch on its own mix
   * with the run's loss (`dbn-mix`: class-wise temperatures); null for ordinary training. Missing decodes as null.
   */
  dbnMix: NullWhenMissing(DbnMixSettings),
  /**
   * OT re-weighting (Guo et al.): per-sample loss weights moved each step toward a balanced meta set of
   * class prototypes by entropic OT; null for none. Missing decodes as null.
   */
  ot: NullWhenMissing(OtSettings),
  /**
   * AutoBalance's search phase (Li et al.): the `autobalance` loss's (dy, ly) moved every `interval`
   * steps down a balanced validation loss's hypergradient, on a class-stratified split of the training
   * subset; null for none. Missing decodes as null.
   */
  autobalance: NullWhenMissing(AutoBalanceSettings),
  sampler: t.string,
  /**
   * Deferred re-sampling: another sampler from a 0-based epoch on (e.g. OPeN's class-balanced
   * oversampling from epoch 160 of 200), or null for `sampler` throughout. Missing decodes as null.
   */
  deferredResampling: NullWhenMissing(DeferredResampling),
  epochs: PositiveInt,
  batchSize: PositiveInt,
  /** At most this many steps per epoch (a budget for quick looks and smoke tests), or null for whole epochs. */
  maxStepsPerEpoch: t.union([t.null, PositiveInt]),
  lr: Positive,
  momentum: Probability,
  weightDecay: NonNegative,
  warmupEpochs: NonNegativeInt,
  milestones: t.array(Milestone),
  cropPadding: NonNegativeInt,
  /** Batch operators after crop/flip, in order, by registry name with their config (defaults fill the rest). */
  transforms: t.array(TransformEntry),
  /** A second training stage after `epochs` (cRT, GAE's fine-tuning), or null for one stage. Missing decodes as null. */
  stage2: NullWhenMissing(Stage2),
  /** A post-hoc calibration after training (MARC), or null for none. Missing decodes as null. */
  calibration: NullWhenMissing(Calibration),
  flip: t.boolean,
  seed: Integer,
  prefetch: PositiveInt,
  /**
   * Where the batch pipeline runs: 'worker' in a pipeline thread (the step never waits for data),
   * 'main-thread' between steps, 'auto' in a thread unless an operator queries the model (GAE).
   * Batches, weights and metrics are the same either way. Missing decodes as 'auto'.
   */
  pipeline: DefaultWhenMissing(t.keyof({ auto: null, worker: null, 'main-thread': null }), 'auto'),
  /**
   * How many pipeline threads make the batches when they are made in threads (thread i makes batches
   * i, i + N, …): a number, or 'auto' for 1 on wasm and cpu (the step keeps the cores busy, and one
   * thread outruns it many times) and up to 4 on tfjs-node(-gpu), one core left for the main thread
   * (`autoPipelineThreads`). Missing decodes as 'auto'.
   */
  pipelineThreads: DefaultWhenMissing(t.union([t.literal('auto'), PositiveInt]), 'auto'),
  evalBatchSize: PositiveInt,
  shotThresholds: t.type({ many: NonNegative, manyInclusive: t.boolean, few: NonNegative, fewInclusive: t.boolean }),
});
/** A run's second stage (`RunConfig.stage2`). */
export type Stage2Config = t.TypeOf<typeof Stage2>;
/** A run's post-hoc calibration (`RunConfig.calibration`). */
export type CalibrationConfig = t.TypeOf<typeof Calibration>;
/** A run's configuration. */
export type RunConfig = t.TypeOf<typeof RunConfig>;

/**
 * The main job's defaults: a small CNN with plain cross-entropy on MNIST-LT (ρ = 100), SGD-momentum
 * 0.9 with weight decay 5e-4, linear warm-up over 2 epochs then step decay (×0.1, ×0.01) at 80%/90% of the epochs (LDAM-DRW's shape),
 * crop with 2-pixel padding, and a horizontal flip wherever the dataset allows it (not for digits).
 */
export const DEFAULT_RUN_CONFIG: RunConfig = {
  recipe: 'ce',
  dataset: 'mnist-lt',
  ratio: 100,
  profile: 'exp',
  subsetSeed: 0,
  dataDir: null,
  model: 'small-cnn',
  head: 'linear',
  loss: 'ce',
  lossConfig: {},
  reduction: 'mean',
  classWeights: null,
  classWeightRamp: null,
  sam: null,
  absgd: null,
  bbn: null,
  dbnMix: null,
  ot: null,
  autobalance: null,
  sampler: 'instance',
  deferredResampling: null,
  epochs: 12,
  batchSize: 64,
  maxStepsPerEpoch: null,
  lr: 0.02,
  momentum: 0.9,
  weightDecay: 5e-4,
  warmupEpochs: 2,
  milestones: [],
  cropPadding: 2,
  transforms: [],
  stage2: null,
  calibration: null,
  flip: true,
  seed: 0,
  prefetch: 2,
  pipeline: 'auto',
  pipelineThreads: 'auto',
  evalBatchSize: 500,
  shotThresholds: { many: 100, manyInclusive: false, few: 20, fewInclusive: false },
};

/** Step-decay milestones at 80% and 90% of `epochs` (×0.1, ×0.01), LDAM-DRW's shape scaled to a short run. */
export const defaultMilestones = (epochs: number): RunConfig['milestones'] =>
  epochs >= 5
    ? [
        { epoch: Math.floor(epochs * 0.8), factor: 0.1 },
        { epoch: Math.floor(epochs * 0.9), factor: 0.01 },
      ]
    : [];
