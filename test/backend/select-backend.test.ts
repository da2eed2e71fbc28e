import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, parseBackendName } from '../../src/backend/index.js';

describe('initBackend', () => {
  it('chooses wasm on a machine without tfjs-node (auto)', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('starts cpu when asked by name', async () => {
    expect((await initBackend('cpu')).tfName).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('names the missing package when a backend that is not installed is requested', async () => {
    await expect(initBackend('node')).rejects.toThrow(
      'The node backend needs the package @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node).',
    );
  });

  it('parses --backend values and rejects unknown ones in one sentence', () => {
    expect(parseBackendName('wasm')).toBe('wasm');
    expect(() => parseBackendName('gpu')).toThrow("--backend: expected one of auto, node-gpu, node, wasm, cpu; got 'gpu'.");
  });
});
