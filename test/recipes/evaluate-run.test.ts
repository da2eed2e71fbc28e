import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { DEFAULT_RUN_CONFIG, evaluateRun, metricsDocument, runTraining } from '../../src/recipes/index.js';
import { runCli } from '../helpers/run-cli.js';

describe('evaluateRun / tailstream eval', () => {
  let dir: string;
  let run: string;
  let trained: Awaited<ReturnType<typeof runTraining>>;
  beforeAll(async () => {
    await initBackend('wasm');
    dir = mkdtempSync(path.join(tmpdir(), 'ts-eval-'));
    run = path.join(dir, 'run');
    trained = await runTraining({ ...DEFAULT_RUN_CONFIG, recipe: 'ldam-drw', head: 'cosine', epochs: 1, maxStepsPerEpoch: 3, batchSize: 32 }, { out: run });
  });

  it("reproduces the run's own final metrics from its checkpoint", async () => {
    const { report, file } = await evaluateRun(run);
    expect(report).toEqual(trained.report);
    expect(file).toBe(path.join(run, 'eval-test.json'));
    const written = JSON.parse(readFileSync(file!, 'utf8'));
    expect(written.split).toBe('test');
    expect(written.balancedAccuracy).toBe(trained.report.balancedAccuracy);
    expect(JSON.parse(readFileSync(path.join(run, 'metrics.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(metricsDocument(trained.config, trained, report))));
  });

  it('evaluates the training split too', async () => {
    const { report } = await evaluateRun(run, { split: 'train', write: false });
    expect(report.perClass.map((c) => c.testCount)).toEqual(trained.trainCounts);
  });

  it('answers a missing run and a damaged checkpoint in one sentence (exit 2)', async () => {
    await expect(evaluateRun(path.join(dir, 'nothing'))).rejects.toThrow(`${path.join(dir, 'nothing')} holds no run (no config.json).`);
    const bad = path.join(dir, 'bad.bin');
    writeFileSync(bad, new Uint8Array(40));
    await expect(evaluateRun(run, { checkpoint: bad })).rejects.toThrow(`${bad}: not a tailstream checkpoint (bad magic).`);
    const { code, stderr } = await runCli('eval', run, '--checkpoint', bad, '--backend', 'wasm');
    expect(code).toBe(2);
    expect(stderr).toBe(`tailstream: ${bad}: not a tailstream checkpoint (bad magic).\n`);
  });
});

describe('tailstream calibrate', () => {
  it('writes metrics-<method>.json for logit adjustment and says which file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-cal-'));
    const run = path.join(dir, 'run');
    await runTraining({ ...DEFAULT_RUN_CONFIG, epochs: 1, maxStepsPerEpoch: 3, batchSize: 32 }, { out: run });
    const { code, stderr, stdout } = await runCli('calibrate', run, '--method', 'logit-adjust', '--tau', '1', '--backend', 'wasm', '--json');
    expect(code, stderr).toBe(0);
    expect(stderr).toBe(`written: ${path.join(run, 'metrics-logit-adjust.json')}\n`);
    const printed = JSON.parse(stdout);
    const written = JSON.parse(readFileSync(path.join(run, 'metrics-logit-adjust.json'), 'utf8'));
    expect(written.calibration).toEqual({ method: 'logit-adjust', tau: 1 });
    expect(written.balancedAccuracy).toBe(printed.balancedAccuracy);
  });

  it('requires a known --method', async () => {
    const { code, stderr } = await runCli('calibrate', '/nonexistent', '--method', 'platt');
    expect(code).toBe(2);
    expect(stderr).toBe("tailstream: --method: expected one of logit-adjust, tau-norm, marc, got 'platt'.\n");
  });
});
