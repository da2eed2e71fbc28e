import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { defaultWasmThreads, initBackend, MAX_WASM_THREADS, shutdownBackend } from '../../src/backend/index.js';
import { wasmWorkerCount } from '../../src/backend/wasm-threads.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { createRng } from '../../src/core/rng.js';
import { expectAllClose, lcgArray } from './close.js';

/** Conv output and small-CNN gradients for fixed inputs on the current backend. */
const workload = (): Float32Array[] =>
  tf.tidy(() => {
    const x = tf.tensor4d(lcgArray(4 * 28 * 28, 1, 0, 1), [4, 28, 28, 1]);
    const model = createSmallCnn({ shape: { height: 28, width: 28, channels: 1 }, numClasses: 10 }, createRng(3));
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.forward(x, { training: true }).logits)) as tf.Scalar);
    const out = [value.dataSync() as Float32Array, ...[...model.variables.trainable.values()].map((v) => grads[v.name]!.dataSync() as Float32Array)];
    model.dispose();
    const big = tf.conv2d(tf.tensor4d(lcgArray(8 * 16 * 16 * 8, 2), [8, 16, 16, 8]), tf.tensor4d(lcgArray(9 * 8 * 16, 3), [3, 3, 8, 16]), 1, 'same');
    return [...out, big.dataSync() as Float32Array];
  });

describe('threaded wasm in Node', () => {
  afterAll(async () => {
    await shutdownBackend();
  });

  it('defaults to the available cores, at most 8', () => {
    expect(defaultWasmThreads()).toBe(Math.min(MAX_WASM_THREADS, os.availableParallelism()));
  });

  it('honours the thread count and computes what one thread computes', async () => {
    const two = await initBackend('wasm', { threads: 2 });
    expect(two.threads).toBe(2);
    expect(wasmWorkerCount()).toBeGreaterThan(0);
    const threaded = workload();
    const one = await initBackend('wasm', { threads: 1 });
    expect(one.threads).toBe(1);
    expect(wasmWorkerCount()).toBe(0); // the single-threaded build starts no workers
    const single = workload();
    threaded.forEach((t, i) => expectAllClose(t, single[i]!, 1e-5));
  });

  it('caps large requests at 8 and rejects counts below 1', async () => {
    expect((await initBackend('wasm', { threads: 64 })).threads).toBe(MAX_WASM_THREADS);
    await expect(initBackend('wasm', { threads: 0 })).rejects.toThrow('threads: expected an integer ≥ 1, got 0.');
    await expect(initBackend('wasm', { threads: 1.5 })).rejects.toThrow('threads: expected an integer ≥ 1');
  });

  it('shutdownBackend ends the workers; a later initBackend starts afresh', async () => {
    await initBackend('wasm', { threads: 2 });
    expect(wasmWorkerCount()).toBeGreaterThan(0);
    await shutdownBackend();
    expect(wasmWorkerCount()).toBe(0);
    expect(tf.engine().backendName).not.toBe('wasm');
    await shutdownBackend(); // twice is fine
    const again = await initBackend('wasm', { threads: 2 });
    expect(again.threads).toBe(2);
    expect(tf.sum(tf.ones([3, 3])).dataSync()[0]).toBe(9);
  });

  it('does not keep Node alive: a process that never shuts down still exits', () => {
    const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'threaded-exit.ts');
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', timeout: 30_000 });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('threads=2 sum=');
  });
});
