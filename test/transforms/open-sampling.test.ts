import { describe, expect, it } from 'vitest';
import { lastValueFrom, take, toArray } from 'rxjs';
import {
  complementaryDistribution,
  openSampling,
  openSamplingDefaults,
  openSamplingWith,
} from '../../src/transforms/open-sampling.js';
import { countingPullSource, expectUntouched, plain, recordingSource, seeded, tagged } from './fixtures.js';

describe('complementaryDistribution', () => {
  it('is (α − π_i)/(Kα − 1) with α = max π + min π by default: counts 6, 3, 1 give 1/11, 4/11, 6/11', () => {
    const g = complementaryDistribution([6, 3, 1]);
    [1 / 11, 4 / 11, 6 / 11].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 12));
  });

  it('takes an explicit α ≥ max π and refuses a smaller one', () => {
    const g = complementaryDistribution([6, 3, 1], 1);
    [0.4 / 2, 0.7 / 2, 0.9 / 2].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 12));
    expect(() => complementaryDistribution([6, 3, 1], 0.5)).toThrow('complementaryDistribution: alpha must be ≥ the largest class prior 0.6, got 0.5');
    expect(() => complementaryDistribution([2, 2], 0.5)).toThrow('complementaryDistribution: K·alpha − 1 must be positive, got 0');
  });
});

describe('openSampling', () => {
  const counts = [6, 3, 1];
  const setup = { classCounts: counts };

  it('appends the open batch with fresh labels, keeping the in-distribution rows first and untouched', () => {
    const inBatch = tagged(3, 2, 2, 1, [0, 1, 2]);
    const open = tagged(5, 2, 2, 1, [99, 99, 99, 99, 99], 0.5);
    const out = expectUntouched([inBatch, open], () => openSampling(openSamplingDefaults, setup)(inBatch, open, seeded(0)));
    expect([...out.x]).toEqual([...inBatch.x, ...open.x]);
    expect([...out.y.subarray(0, 3)]).toEqual([0, 1, 2]);
    expect([...out.y.subarray(3)].every((y) => y >= 0 && y < 3)).toBe(true);
    expect([...out.index]).toEqual([...inBatch.index, ...open.index]);
    expect(out.shape).toEqual(inBatch.shape);
  });

  it('draws open labels from the complementary distribution Γ', () => {
    const inBatch = tagged(1, 1, 1);
    const open = tagged(500, 1, 1);
    const hits = [0, 0, 0];
    for (let s = 0; s < 20; s++) for (const y of openSampling(openSamplingDefaults, setup)(inBatch, open, seeded(s)).y.subarray(1)) hits[y]!++;
    const gamma = complementaryDistribution(counts);
    hits.forEach((h, k) => {
      const p = gamma[k]!;
      expect(Math.abs(h / 10_000 - p)).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / 10_000));
    });
  });

  it("weights rows so that the mean reduction equals the official loss CE_in + η·Σ w_ỹ CE_open / Σ w_ỹ with w = K·Γ", () => {
    const inBatch = { ...tagged(4, 1, 1, 1, [0, 0, 1, 2]), weight: Float32Array.of(1, 1, 2, 1) };
    const open = tagged(6, 1, 1);
    for (const eta of [1, 0.5]) {
      const out = openSampling({ alpha: null, eta }, setup)(inBatch, open, seeded(eta * 10));
      const gamma = complementaryDistribution(counts);
      const loss = Array.from({ length: 10 }, (_, i) => 0.3 + Math.sin(i) ** 2);
      const meanReduced = loss.reduce((s, l, i) => s + l * out.weight![i]!, 0) / 10;
      const inTerm = (loss[0]! + loss[1]! + 2 * loss[2]! + loss[3]!) / 4;
      const w = [...out.y.subarray(4)].map((y) => 3 * gamma[y]!);
      const openTerm = w.reduce((s, wj, j) => s + wj * loss[4 + j]!, 0) / w.reduce((s, wj) => s + wj, 0);
      expect(meanReduced).toBeCloseTo(inTerm + eta * openTerm, 5);
    }
  });

  it('extends mixed targets and noise marks to the open rows (λ = 1, not noise)', () => {
    const inBatch = {
      ...tagged(2, 1, 1),
      mix: { y: Int32Array.of(1, 0), lambda: Float32Array.of(0.25, 0.75) },
      noise: Uint8Array.of(1, 0),
    };
    const out = openSampling(openSamplingDefaults, setup)(inBatch, tagged(2, 1, 1), seeded(1));
    expect([...out.mix!.y.subarray(0, 2)]).toEqual([1, 0]);
    expect([...out.mix!.y.subarray(2)]).toEqual([...out.y.subarray(2)]);
    expect([...out.mix!.lambda]).toEqual([0.25, 0.75, 1, 1]);
    expect([...out.noise!]).toEqual([1, 0, 0, 0]);
  });

  it('is a function of the Rng and refuses an empty in-distribution batch or another sample shape', () => {
    const f = openSampling(openSamplingDefaults, setup);
    const a = tagged(3, 2, 2);
    const o = tagged(8, 2, 2);
    expect(plain(f(a, o, seeded(5)))).toEqual(plain(f(a, o, seeded(5))));
    expect(plain(f(a, o, seeded(5)))).not.toEqual(plain(f(a, o, seeded(6))));
    expect(() => f(tagged(0, 2, 2), o, seeded(0))).toThrow('openSampling: the in-distribution batch is empty');
    expect(() => f(a, tagged(2, 2, 3), seeded(0))).toThrow('openSampling: sample shapes differ');
  });
});

describe('openSamplingWith', () => {
  it('appends the next open batch to each batch and stops both streams after take(3)', async () => {
    const open = countingPullSource(() => tagged(4, 2, 2, 1, undefined, 0.5));
    const main = recordingSource(() => tagged(2, 2, 2));
    const out = await lastValueFrom(main.source$.pipe(openSamplingWith(openSamplingDefaults, { classCounts: [6, 3, 1] }, open.source, seeded(0)), take(3), toArray()));
    expect(out.map((b) => b.y.length)).toEqual([6, 6, 6]);
    expect(main.emitted).toEqual([0, 1, 2]);
    expect(open.calls.next).toBe(3);
    expect(open.calls.return).toBe(1);
  });
});
