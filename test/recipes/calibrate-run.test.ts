import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { DEFAULT_RUN_CONFIG, runTraining } from '../../src/recipes/index.js';
import { calibrateRun } from '../../src/recipes/calibrate-run.js';
import { UserError } from '../../src/core/errors.js';

/** A few steps of the main job (ρ = 200), enough for a checkpoint to calibrate. */
const tiny = { ...DEFAULT_RUN_CONFIG, epochs: 1, ratio: 200, batchSize: 64, maxStepsPerEpoch: 4, evalBatchSize: 500 };

describe('calibrateRun', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('writes metrics-<method>.json beside metrics.json for each method; τ = 0 adjustment reproduces the run’s metrics', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'ts-calibrate-')), 'run');
    await runTraining(tiny, { out: dir });
    const original = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    const identity = await calibrateRun(dir, { method: 'logit-adjust', tau: 0 });
    expect(identity.report.balancedAccuracy).toBe(original.balancedAccuracy);
    expect(JSON.parse(readFileSync(identity.file, 'utf8')).calibration).toEqual({ method: 'logit-adjust', tau: 0 });
    for (const method of ['tau-norm', 'marc'] as const) {
      const r = await calibrateRun(dir, { method, marc: { iterations: 50 } });
      expect(r.file).toBe(path.join(dir, `metrics-${method}.json`));
      const written = JSON.parse(readFileSync(r.file, 'utf8'));
      expect(written.calibration.method).toBe(method);
      expect(written.perClass).toHaveLength(10);
      expect(typeof written.balancedAccuracy).toBe('number');
    }
    expect(existsSync(path.join(dir, 'metrics.json'))).toBe(true);
  });

  it('refuses a folder without a run and an unknown method', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'ts-calibrate-empty-'));
    await expect(calibrateRun(empty, { method: 'marc' })).rejects.toThrow(UserError);
    await expect(calibrateRun(empty, { method: 'platt' as never })).rejects.toThrow("Unknown calibration method 'platt'; known: logit-adjust, tau-norm, marc.");
  });
});
