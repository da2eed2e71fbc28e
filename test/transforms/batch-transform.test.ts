import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, take, toArray } from 'rxjs';
import { liftTransform, type BatchTransform, type TransformContext } from '../../src/transforms/batch-transform.js';
import { recordingSource, seeded, tagged } from './fixtures.js';

describe('liftTransform', () => {
  it('gives batch k the child rng.derive(firstIndex + k) and every batch the context', async () => {
    const seen: Array<{ state: readonly number[]; ctx: TransformContext | undefined }> = [];
    const record: BatchTransform = (batch, rng, ctx) => {
      seen.push({ state: rng.state, ctx });
      return batch;
    };
    const ctx = { epoch: 1, epochs: 3 };
    await lastValueFrom(from([tagged(1, 1, 1), tagged(1, 1, 1)]).pipe(liftTransform(record, seeded(1), 7, ctx), toArray()));
    expect(seen).toEqual([
      { state: seeded(1).derive(7).state, ctx },
      { state: seeded(1).derive(8).state, ctx },
    ]);
  });

  it('counts batches per subscription', async () => {
    const states: Array<readonly number[]> = [];
    const lifted$ = from([tagged(1, 1, 1)]).pipe(liftTransform((b, rng) => (states.push(rng.state), b), seeded(0)));
    await lastValueFrom(lifted$);
    await lastValueFrom(lifted$);
    expect(states[1]).toEqual(states[0]);
  });

  it('stops a synchronous upstream after take(3)', async () => {
    const { emitted, source$ } = recordingSource(() => tagged(1, 1, 1));
    await lastValueFrom(source$.pipe(liftTransform((b) => b, seeded(0)), take(3), toArray()));
    expect(emitted).toEqual([0, 1, 2]);
  });
});
