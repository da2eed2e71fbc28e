import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { simdKernelThreads } from '../../src/backend/simd/simd-kernels.js';
import { runCli } from '../helpers/run-cli.js';

const NODE_MISSING = 'The node backend needs the package @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node).';

describe('tailstream doctor', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('reports the cpu backend and a throughput probe as JSON, and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    // Batch 2: tfjs-backend-cpu's own Conv2DBackpropFilter makes a batch-64 step of the small CNN take minutes.
    const r = await runCli('doctor', '--backend', 'cpu', '--seconds', '1', '--batch-size', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.runtime.node).toBe(process.version);
    expect(doc.runtime.cpus).toBeGreaterThanOrEqual(1);
    expect(doc.runtime.tfjs).toBe(tf.version_core);
    expect(doc.backend).toEqual({ requested: 'cpu', name: 'cpu', tfName: 'cpu', threads: 1 });
    expect(doc.backends.map((b: { name: string }) => b.name)).toEqual(['node-gpu', 'node', 'wasm', 'cpu']);
    const node = doc.backends[1];
    expect(node).toMatchObject({ installed: false, version: null, problem: NODE_MISSING, started: false, tried: false });
    expect(doc.backends[3]).toMatchObject({ name: 'cpu', installed: true, started: true, tried: true });
    expect(typeof doc.wasm.simd).toBe('boolean');
    expect(doc.wasm.defaultThreads).toBeGreaterThanOrEqual(1);
    expect(doc.wasm.defaultThreads).toBeLessThanOrEqual(doc.wasm.maxThreads);
    expect(Array.isArray(doc.gpu.gpus)).toBe(true);
    expect(doc.gpu.tfjsNodeGpu.installed).toBe(false);
    const t = doc.throughput;
    expect(t).toMatchObject({ model: 'small-cnn', batchSize: 2, backend: 'cpu' });
    expect(t.imagesPerSecond).toBeGreaterThan(0);
    // images/s is the batch over the median step, recomputed here.
    expect(t.imagesPerSecond).toBeCloseTo((2 * 1000) / t.medianStepMs, 6);
    if (t.fromWarmup) {
      expect(t.timedSteps).toBe(0);
      expect(t.medianStepMs).toBe(t.warmupMs);
      expect(t.warmupMs).toBeGreaterThanOrEqual(1000);
    } else {
      expect(t.timedSteps).toBeGreaterThanOrEqual(1);
      // At least half the timed steps take the median or longer, and they all fit in the wall time.
      expect((t.warmupMs + t.medianStepMs * Math.ceil(t.timedSteps / 2)) / 1000).toBeLessThanOrEqual(t.seconds + 1e-6);
    }
    // tailstream's SIMD kernels run on wasm only.
    expect(doc.simdKernels).toEqual({ running: false, threads: 0, calls: { conv2d: 0, filterGradient: 0, batchNormBackward: 0 } });
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs the probe on wasm with the thread count asked for', async () => {
    const r = await runCli('doctor', '--backend', 'wasm', '--threads', '2', '--seconds', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.backend).toMatchObject({ requested: 'wasm', name: 'wasm', tfName: 'wasm' });
    expect(doc.backend.threads).toBe(2);
    expect(doc.throughput.backend).toBe('wasm');
    expect(doc.throughput.imagesPerSecond).toBeGreaterThan(0);
    expect(doc.throughput.imagesPerSecond).toBeCloseTo((64 * 1000) / doc.throughput.medianStepMs, 6);
    // A wasm step of the small CNN at batch 64 takes well under a second: the probe timed steps after the warm-up.
    expect(doc.throughput.fromWarmup).toBe(false);
    expect(doc.throughput.timedSteps).toBeGreaterThanOrEqual(1);
    expect(doc.throughput.seconds).toBeGreaterThanOrEqual(1);
    expect(doc.wasm.simd).toBe(true); // Node 20's V8 has wasm SIMD and threads.
    expect(doc.wasm.threads).toBe(true);
    // The probe trained on tailstream's SIMD kernels, on the threads asked for. The small CNN has 2 convolutions
    // (32 and 64 output channels) and no batch norm: each step runs conv2d forward twice and one filter gradient
    // per convolution, and the second's input gradient is a conv2d too (the first's is never needed): 3 and 2 a step.
    const k = doc.simdKernels;
    expect(k.running).toBe(true);
    expect(k.threads).toBe(2);
    const steps = doc.throughput.timedSteps + 1; // and the warm-up
    expect(k.calls.filterGradient).toBe(2 * steps);
    expect(k.calls.conv2d).toBe(3 * steps);
    expect(k.calls.batchNormBackward).toBe(0);
  });

  it('counts only the calls of its own probe, and none without one', async () => {
    const r = await runCli('doctor', '--backend', 'wasm', '--threads', '1', '--seconds', '0', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).simdKernels).toEqual({ running: true, threads: 1, calls: { conv2d: 0, filterGradient: 0, batchNormBackward: 0 } });
  });

  it('under auto, says why each faster backend did not start and which one runs', async () => {
    const r = await runCli('doctor', '--seconds', '0', '--threads', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.backend).toMatchObject({ requested: 'auto', name: 'wasm', threads: 1 });
    expect(doc.backends.map((b: { started: boolean; tried: boolean }) => [b.started, b.tried])).toEqual([
      [false, true],
      [false, true],
      [true, true],
      [false, false],
    ]);
    expect(doc.backends[0].problem).toBe(
      'The node-gpu backend needs the package @tensorflow/tfjs-node-gpu, which is not installed (npm install @tensorflow/tfjs-node-gpu).',
    );
    expect(doc.backends[1].problem).toBe(NODE_MISSING);
    expect(doc.throughput).toBeNull();
  });

  it('does not count kernels left running by an earlier wasm backend in the same process for cpu', async () => {
    // As another test file in the same worker leaves them: wasm started, never shut down.
    await initBackend('wasm', { threads: 2 });
    expect(simdKernelThreads()).toBe(2);
    const r = await runCli('doctor', '--backend', 'cpu', '--seconds', '0', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).simdKernels).toEqual({ running: false, threads: 0, calls: { conv2d: 0, filterGradient: 0, batchNormBackward: 0 } });
  });

  it('prints one line per finding as text', async () => {
    const r = await runCli('doctor', '--backend', 'cpu', '--seconds', '0');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]!.startsWith(`node        ${process.version} (${process.platform} ${process.arch}, `)).toBe(true);
    expect(lines).toContain("backend     cpu (tfjs 'cpu', 1 thread), as requested");
    expect(lines).toContain(`  node      ${NODE_MISSING}`);
    expect(lines.some((l) => l.startsWith('  tfjs-node-gpu 4.22 opens libcudart.so.11.0'))).toBe(true);
    expect(lines.at(-2)).toBe('throughput  skipped (--seconds 0)');
    expect(lines.at(-1)).toBe('kernels     tailstream SIMD kernels not running (they run on the wasm backend only; this is cpu)');
  });

  it('names a missing backend package in one sentence and exits 2', async () => {
    const r = await runCli('doctor', '--backend', 'node', '--seconds', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tailstream: ${NODE_MISSING}\n`);
    expect(r.stdout).toBe('');
  });

  it('rejects a negative --seconds in one sentence', async () => {
    const r = await runCli('doctor', '--seconds', '-1');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("tailstream: --seconds: expected a number ≥ 0, got '-1'.\n");
  });
});
