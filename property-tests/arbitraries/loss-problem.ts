/**
 * A whole loss input for property tests: logits, labels and class counts of matching sizes. One
 * definition, in src (verifyLoss uses it too).
 */
export { lossProblemArb, type LossProblem, type LossProblemOptions } from '../../src/losses/verification/loss-problem-arbitrary.js';
