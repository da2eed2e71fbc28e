import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { createRng } from '../../src/core/rng.js';
import type { LabeledImages, Subset } from '../../src/data/labeled-images.js';
import { createOtReweighting, metaPrototypes } from '../../src/train/ot-step.js';
import { expectClose } from '../helpers/expect-close.js';

/** 1×1 grey images: image i has pixel value i; labels 0,0,0,1,1,2 at dataset indices 0..5, index 6 unused. */
const source: LabeledImages = {
  pixels: Uint8Array.from([0, 10, 20, 30, 40, 50, 60]),
  labels: Int32Array.from([0, 0, 0, 1, 1, 2, 2]),
  shape: { height: 1, width: 1, channels: 1 },
  numClasses: 3,
  classNames: ['a', 'b', 'c'],
};
const subset: Subset = { source, indices: Int32Array.from([0, 1, 2, 3, 4, 5]) };
const normalization = { mean: [0], std: [1] };

describe('OT re-weighting meta set and weight buffer', () => {
  it('averages the normalised images of each class into one prototype (all of them when the class has fewer than metaPerClass)', () => {
    const p = metaPrototypes(subset, 3, 10, normalization, createRng(1));
    expect([...p.y]).toEqual([0, 1, 2]);
    expectClose(p.x, [10 / 255, 35 / 255, 50 / 255], 1e-6);
    // With 2 per class, class 0's prototype is the mean of two of its three images.
    const two = metaPrototypes(subset, 3, 2, normalization, createRng(1)).x[0]! * 255;
    expect([5, 10, 15]).toContainEqual(Math.round(two));
  });

  it('starts from class-balanced weights in subset order and restores only a buffer of the right length', () => {
    const ot = createOtReweighting(subset, [3, 2, 1], normalization, createRng(1), { beta: 0.9 });
    const raw = [3, 2, 1].map((n) => (1 - 0.9) / (1 - 0.9 ** n));
    const w = raw.map((r) => (3 * r) / raw.reduce((a, b) => a + b, 0));
    expectClose(ot.weights(), [w[0]!, w[0]!, w[0]!, w[1]!, w[1]!, w[2]!], 1e-6);
    expect(ot.restore([1, 2, 3])).toEqual(E.left('OT re-weighting has 6 sample weights, the checkpoint 3'));
    expect(ot.restore([1, 2, 3, 4, 5, 6])).toEqual(E.right(undefined));
    expect([...ot.weights()]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
