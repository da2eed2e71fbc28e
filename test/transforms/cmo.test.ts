import { describe, expect, it } from 'vitest';
import { lastValueFrom, take, toArray } from 'rxjs';
import { cmo, cmoDefaults, cmoWith, type CmoConfig } from '../../src/transforms/cmo.js';
import { instanceSampler, minoritySampler } from '../../src/streams/samplers/index.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import { countingPullSource, expectUntouched, plain, recordingSource, seeded, tagged } from './fixtures.js';

const always: CmoConfig = { beta: 1, probability: 1, startEpoch: 0, skipLastEpochs: 0 };

describe('cmo', () => {
  it('pastes the same box of foreground row i onto background row i, with λ = 1 − area/(H·W) and the foreground label second', () => {
    let pasted = 0;
    for (let s = 0; s < 30; s++) {
      const bg = tagged(3, 5, 6, 2, [0, 0, 1]);
      const fg = tagged(3, 5, 6, 2, [7, 8, 9], 500_000);
      const out = cmo(always)(bg, fg, seeded(s));
      const lambda = out.mix!.lambda[0]!;
      expect([...out.mix!.y]).toEqual([7, 8, 9]);
      expect([...out.y]).toEqual([0, 0, 1]);
      let stray = 0;
      const boxes = [0, 1, 2].map((i) => {
        const fromFg: number[] = [];
        for (let f = 0; f < 60; f++) {
          const v = out.x[i * 60 + f]!;
          if (v === fg.x[i * 60 + f]) fromFg.push(f);
          else if (v !== bg.x[i * 60 + f]) stray++;
        }
        return fromFg;
      });
      expect(stray).toBe(0);
      expect(boxes[1]).toEqual(boxes[0]);
      expect(boxes[2]).toEqual(boxes[0]);
      // Two channels per pixel: area in pixels = floats / 2.
      expect(boxes[0]!.length / 2).toBe(Math.round((1 - lambda) * 30));
      expect(Math.abs((1 - lambda) * 30 - boxes[0]!.length / 2)).toBeLessThan(1e-4);
      pasted += boxes[0]!.length;
    }
    expect(pasted).toBeGreaterThan(0);
  });

  it('is on only in epochs startEpoch ≤ e < epochs − skipLastEpochs (official: 3 < e < epochs − 3)', () => {
    const bg = tagged(2, 4, 4);
    const fg = tagged(2, 4, 4, 1, [5, 5], 9000);
    const config = { ...cmoDefaults, probability: 1 };
    const on = (epoch: number) => cmo(config)(bg, fg, seeded(1), { epoch, epochs: 200 }) !== bg;
    expect([0, 1, 2, 3, 4, 5, 195, 196, 197, 198, 199].map(on)).toEqual([false, false, false, false, true, true, true, true, false, false, false]);
    expect(() => cmo(config)(bg, fg, seeded(1))).toThrow('cmo: needs the epoch (ctx)');
    expect(cmo(always)(bg, fg, seeded(1))).not.toBe(bg);
  });

  it('applies to a batch with probability p (one coin per batch)', () => {
    const bg = tagged(2, 4, 4);
    const fg = tagged(2, 4, 4, 1, [5, 5], 9000);
    let applied = 0;
    for (let s = 0; s < 1000; s++) if (cmo({ ...always, probability: 0.5 })(bg, fg, seeded(s)).mix !== undefined) applied++;
    expect(Math.abs(applied - 500)).toBeLessThan(95);
    expect(cmo({ ...always, probability: 0 })(bg, fg, seeded(0))).toBe(bg);
  });

  it('truncates a larger foreground batch to the background size and refuses a smaller one', () => {
    const bg = tagged(2, 4, 4);
    const out = cmo(always)(bg, tagged(5, 4, 4, 1, [4, 3, 2, 1, 0]), seeded(2));
    expect([...out.mix!.y]).toEqual([4, 3]);
    expect(() => cmo(always)(bg, tagged(1, 4, 4), seeded(2))).toThrow('cmo: the foreground batch has 1 samples for a background of 2');
    expect(() => cmo(always)(bg, tagged(2, 4, 5), seeded(2))).toThrow('cmo: sample shapes differ (4×4×1 vs 4×5×1)');
  });

  it('never mutates either batch and is a function of the Rng', () => {
    const bg = tagged(4, 6, 6);
    const fg = tagged(4, 6, 6, 1, [1, 2, 3, 4], 7000);
    const out = expectUntouched([bg, fg], () => cmo(always)(bg, fg, seeded(3)));
    expect(plain(cmo(always)(bg, fg, seeded(3)))).toEqual(plain(out));
    const outs = new Set([1, 2, 3, 4, 5].map((s) => JSON.stringify(plain(cmo(always)(bg, fg, seeded(s))))));
    expect(outs.size).toBeGreaterThan(1);
  });

  it("raises the minority classes' share of the target mass to λ̄·π_instance + (1 − λ̄)·π_minority", () => {
    const counts = [60, 15, 4, 1];
    const labels = Int32Array.from(counts.flatMap((c, y) => new Array<number>(c).fill(y)));
    const ctx = { labels, counts, epoch: 0, epochs: 1 };
    const batchOf = (positions: Int32Array): HostBatch => tagged(positions.length, 4, 4, 1, Array.from(positions, (p) => labels[p]!));
    const mass = [0, 0, 0, 0];
    let lambdaSum = 0;
    let batches = 0;
    for (let e = 0; e < 150; e++) {
      const bgOrder = instanceSampler.epochOrder(ctx, seeded(e).derive('bg'));
      const fgOrder = minoritySampler().epochOrder(ctx, seeded(e).derive('fg'));
      for (let b = 0; b < 80; b += 16) {
        const out = cmo(always)(batchOf(bgOrder.subarray(b, b + 16)), batchOf(fgOrder.subarray(b, b + 16)), seeded(e).derive(b));
        for (let i = 0; i < 16; i++) {
          const l = out.mix!.lambda[i]!;
          mass[out.y[i]!]! += l;
          mass[out.mix!.y[i]!]! += 1 - l;
        }
        lambdaSum += out.mix!.lambda[0]!;
        batches++;
      }
    }
    const share = mass.map((m) => m / (batches * 16));
    const lambdaMean = lambdaSum / batches;
    const instance = instanceSampler.classProbabilities(counts, 0, 1);
    const minority = minoritySampler().classProbabilities(counts, 0, 1);
    share.forEach((s, k) => expect(Math.abs(s - (lambdaMean * instance[k]! + (1 - lambdaMean) * minority[k]!))).toBeLessThan(0.015));
    expect(share[3]! + share[2]!).toBeGreaterThan(2 * (instance[3]! + instance[2]!));
  });
});

describe('cmoWith', () => {
  it('pairs background batch k with the k-th foreground batch, pulling one foreground batch per background batch', async () => {
    const fg = countingPullSource((k) => tagged(2, 4, 4, 1, [10 + k, 10 + k], 50_000));
    const bg = recordingSource(() => tagged(2, 4, 4), 5);
    const out = await lastValueFrom(bg.source$.pipe(cmoWith(always, fg.source, seeded(0)), toArray()));
    expect(out.map((b) => b.mix!.y[0])).toEqual([10, 11, 12, 13, 14]);
    expect(fg.calls.next).toBe(5);
  });

  it('stops both streams when unsubscribed (synchronous source, then take(3))', async () => {
    const fg = countingPullSource((k) => tagged(2, 4, 4, 1, [k, k], 50_000));
    const bg = recordingSource(() => tagged(2, 4, 4));
    const out = await lastValueFrom(bg.source$.pipe(cmoWith(always, fg.source, seeded(0)), take(3), toArray()));
    expect(out).toHaveLength(3);
    expect(bg.emitted).toEqual([0, 1, 2]);
    expect(fg.calls.next).toBe(3);
    expect(fg.calls.return).toBe(1);
  });

  it('passes the epoch context, and batch k gets the k-th child Rng from firstIndex on', async () => {
    const fg = () => countingPullSource(() => tagged(2, 4, 4, 1, [1, 1], 50_000)).source;
    const bg = () => recordingSource(() => tagged(2, 4, 4), 4).source$;
    const config = { ...cmoDefaults, probability: 1 };
    const early = await lastValueFrom(bg().pipe(cmoWith(config, fg(), seeded(0), 0, { epoch: 0, epochs: 10 }), toArray()));
    expect(early.every((b) => b.mix === undefined)).toBe(true);
    const whole = await lastValueFrom(bg().pipe(cmoWith(config, fg(), seeded(0), 0, { epoch: 5, epochs: 10 }), toArray()));
    const resumed = await lastValueFrom(bg().pipe(take(2), cmoWith(config, fg(), seeded(0), 2, { epoch: 5, epochs: 10 }), toArray()));
    expect(resumed.map(plain)).toEqual(whole.slice(2).map(plain));
  });
});
