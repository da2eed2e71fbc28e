/**
 * cRT (classifier re-training, Decoupling): stage 1 learns the representation with plain cross-entropy
 * and instance-balanced sampling; stage 2 freezes the backbone (batch norm in inference mode),
 * re-initialises the linear classifier and re-trains only it with class-balanced sampling.
 *
 * Defaults from `facebookresearch/classifier-balancing: config/ImageNet_LT/stage_2_crt.yaml`: stage 2
 * takes 10 epochs after 90 (here ⌈epochs/9⌉), with the stage-1 learning rate (0.2 at batch 512 there; the
 * run default 0.02 at batch 64 here) and the run's momentum and weight decay, sampled by class-aware
 * cycling (`ClassAwareSampler`, here the `class-aware` sampler: every class visited equally often).
 * Deliberate deviations: the official cosine decay over stage 2 becomes the run's step-decay shape
 * (`defaultMilestones` of the stage-2 epochs, none below 5 epochs); the official runner keeps the frozen
 * feature model in training mode (batch-norm statistics drift), we run it in inference mode.
 */
import { defineRecipe } from './recipe.js';
import { DEFAULT_RUN_CONFIG, defaultMilestones } from './run-config.js';

/** Stage-2 epochs of cRT for a stage 1 of `epochs`: 10 of 90, at least 1. */
export const crtEpochs = (epochs: number): number => Math.max(1, Math.ceil(epochs / 9));

/** Decoupling's classifier re-training. */
export const crtRecipe = defineRecipe({
  name: 'crt',
  summary: 'two stages: CE with instance sampling, then the classifier re-initialised and re-trained on frozen features with class-aware sampling (epochs/9)',
  paper: 'Kang, Xie, Rohrbach, Yan, Gordo, Feng, Kalantidis, "Decoupling Representation and Classifier for Long-Tailed Recognition", ICLR 2020',
  code: 'facebookresearch/classifier-balancing: config/ImageNet_LT/stage_1.yaml, stage_2_crt.yaml (ClassAwareSampler, fixed feature model, 10 epochs)',
  overrides: (epochs) => ({
    loss: 'ce',
    lossConfig: {},
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
    stage2: {
      epochs: crtEpochs(epochs),
      lr: DEFAULT_RUN_CONFIG.lr,
      warmupEpochs: 0,
      milestones: defaultMilestones(crtEpochs(epochs)),
      sampler: 'class-aware',
      retrain: 'classifier',
      reinitClassifier: true,
      batchNorm: 'inference',
      transforms: [],
    },
  }),
});
