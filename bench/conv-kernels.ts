/**
 * The SIMD convolution kernels alone, at ResNet-32's three 3×3 layer shapes (batch 128, same padding,
 * stride 1): wasm's Conv2D (tailstream's forward kernel, which also computes input gradients) and the
 * filter-gradient kernel, each on fresh random inputs, with the median and fastest call and GFLOP/s.
 *
 * Usage: npx tsx bench/conv-kernels.ts [--threads N] [--calls 25] [--batch 128]
 * A call's time is the kernel's own (wasm runs kernels synchronously; no read-back is timed).
 * The first 3 calls of each shape are warm-up. Compare kernel changes by running this before and
 * after on the same machine, back to back: single calls move by ±5% on a shared host.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { defaultWasmThreads, initBackend, shutdownBackend } from '../src/backend/index.js';
import { simdConv2DCount } from '../src/backend/simd/conv-forward-kernel.js';
import { simdFilterGradient } from '../src/backend/simd/filter-gradient-kernel.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(defaultWasmThreads()) },
    calls: { type: 'string', default: '25' },
    batch: { type: 'string', default: '128' },
  },
});
const threads = Number(values.threads);
const calls = Number(values.calls);
const batch = Number(values.batch);
for (const [name, value, least] of [
  ['threads', threads, 1],
  ['calls', calls, 4],
  ['batch', batch, 1],
] as const) {
  if (!(Number.isInteger(value) && value >= least)) {
    console.error(`--${name}: expected a whole number of at least ${least}, got ${values[name]}`);
    process.exit(2);
  }
}

/** ResNet-32's (CIFAR layout) 3×3 layers: [height, width, channels in = channels out]. */
const SHAPES: readonly (readonly [number, number, number])[] = [
  [32, 32, 16],
  [16, 16, 32],
  [8, 8, 64],
];

const WARM_UP = 3;

/** Median and fastest of the timed calls of `run` (after the warm-up), each on fresh inputs from `make`. */
const time = <T>(make: () => T, run: (input: T) => tf.Tensor, free: (input: T) => void): { median: number; fastest: number } => {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const input = make();
    const t0 = performance.now();
    const out = run(input);
    const ms = performance.now() - t0;
    out.dispose();
    free(input);
    if (i >= WARM_UP) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1]!, fastest: times[0]! };
};

await initBackend('wasm', { threads });
try {
  console.log(`SIMD conv kernels, batch ${batch}, ${threads} thread(s), ${calls - WARM_UP} timed calls per shape`);
  console.log('kernel            | input          | median ms | fastest ms | GFLOP/s (median)');
  for (const [h, w, c] of SHAPES) {
    const gflop = (2 * batch * h * w * 9 * c * c) / 1e9;
    const x = tf.randomUniform([batch, h, w, c], -1, 1, 'float32', 1) as tf.Tensor4D;
    const before = simdConv2DCount();
    const forward = time(
      () => tf.randomUniform([3, 3, c, c], -1, 1, 'float32') as tf.Tensor4D,
      (filter) => tf.conv2d(x, filter, 1, 'same'),
      (filter) => filter.dispose(),
    );
    if (simdConv2DCount() - before !== calls) throw new Error(`Conv2D [${batch},${h},${w},${c}] did not run on the SIMD kernel`);
    const gradient = time(
      () => tf.randomUniform([batch, h, w, c], -1, 1, 'float32') as tf.Tensor4D,
      (dy) => {
        const g = simdFilterGradient(x, dy, { filterShape: [3, 3, c, c], strideH: 1, strideW: 1, top: 1, left: 1 });
        if (g === undefined) throw new Error('the SIMD filter-gradient kernel is not running');
        return g;
      },
      (dy) => dy.dispose(),
    );
    const shape = `[${batch},${h},${w},${c}]`.padEnd(14);
    for (const [name, t] of [
      ['Conv2D          ', forward],
      ['filter gradient ', gradient],
    ] as const) {
      console.log(`${name}  | ${shape} | ${t.median.toFixed(2).padStart(9)} | ${t.fastest.toFixed(2).padStart(10)} | ${(gflop / (t.median / 1000)).toFixed(1)}`);
    }
    x.dispose();
  }
} finally {
  await shutdownBackend();
}
