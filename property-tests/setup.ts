/**
 * fast-check's global settings for every property test: runs from FC_NUM_RUNS (default 100), and a
 * time limit per property so a slow backend cannot stall the suite.
 */
import fc from 'fast-check';

fc.configureGlobal({
  numRuns: Number(process.env.FC_NUM_RUNS ?? 100),
  interruptAfterTimeLimit: 20_000,
  markInterruptAsFailure: false,
});
