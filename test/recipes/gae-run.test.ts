import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { runTraining, type RunEvent } from '../../src/recipes/run-training.js';
import { DEFAULT_RUN_CONFIG } from '../../src/recipes/run-config.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('a run with the GAE operator', () => {
  it('gets a gradient oracle of the run’s model: tail-class adversarial examples are appended to the batches', async () => {
    const steps: Array<{ size: number }> = [];
    const onEvent = (e: RunEvent) => {
      if (e.kind === 'step') steps.push({ size: e.result.size });
    };
    const result = await runTraining(
      { ...DEFAULT_RUN_CONFIG, epochs: 1, maxStepsPerEpoch: 4, batchSize: 32, transforms: [{ name: 'gae', config: {} }] },
      { onEvent, evalEveryEpoch: false },
    );
    expect(steps).toHaveLength(4);
    // An untrained model misclassifies tail images at some PGD step, so GAE appends them (size > 32).
    expect(steps.some((s) => s.size > 32)).toBe(true);
    expect(result.report.perClass).toHaveLength(10);
  });
});
