import { describe, expect, it, vi } from 'vitest';
import { composePipeline } from '../examples/compose-pipeline.js';

describe('examples/compose-pipeline.ts', () => {
  it('runs the composed pipeline on a tiny budget and reports every class', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const report = await composePipeline({ epochs: 1, maxBatches: 3 });
      expect(report.perClass).toHaveLength(10);
      expect(report.balancedAccuracy).not.toBeNull();
      expect(log.mock.calls[0]![0]).toMatch(/^epoch 1: 3 steps, mean loss \d+\.\d{4}$/);
    } finally {
      log.mockRestore();
    }
  });
});
