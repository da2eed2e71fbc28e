/**
 * BBN: a bilateral-branch network (shared trunk, a conventional and a re-balancing last block, one FC on
 * their concatenated features) trained on pairs of batches — the instance sampler's and the reversed
 * sampler's (class probability ∝ n_max/n_c) — with the cumulative-learning weight α = 1 − (e/T_max)²
 * on the loss α·CE(z, y_c) + (1 − α)·CE(z, y_r); evaluated with both branches on the test image.
 *
 * The model is BBN on the small CNN (for the digit datasets); pass `--model bbn-resnet32` for CIFAR.
 * Deliberate deviations: BBN's learning-rate schedule (×0.01 at 60% and 80%, `bbnLearningRate`) and
 * weight decay 2e-4 are not set, the run's stay; T_max follows `bbnDivisorEpoch`.
 */
import { defineRecipe } from './recipe.js';

/** BBN with cumulative learning. */
export const bbnRecipe = defineRecipe({
  name: 'bbn',
  summary: 'Bilateral-branch network (bbn-small-cnn; bbn-resnet32 for CIFAR): instance + reversed sampler pairs, α = 1 − (e/T_max)²',
  paper: 'Zhou, Cui, Wei, Chen, "BBN: Bilateral-Branch Network with Cumulative Learning for Long-Tailed Visual Recognition", CVPR 2020',
  code: 'Megvii-Nanjing/BBN: lib/core/combiner.py bbn_mix, lib/dataset/imbalance_cifar.py (reversed sampler), lib/backbone/resnet_cifar.py, configs/cifar10.yaml',
  overrides: () => ({
    model: 'bbn-small-cnn',
    loss: 'ce',
    lossConfig: {},
    sampler: 'instance',
    head: 'linear',
    classWeights: null,
    reduction: 'mean',
    transforms: [],
    sam: null,
    absgd: null,
    bbn: { rebalancingSampler: 'reversed', divisorEpoch: null },
  }),
});
