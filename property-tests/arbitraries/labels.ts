/** Integer class labels for property tests: exactly `rows` labels in [0, classes) (one definition, in src, shared with verifyLoss). */
export { labelsArb } from '../../src/losses/verification/loss-problem-arbitrary.js';
