import { describe, expect, it } from 'vitest';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { decodeWith } from '../../src/config/report.js';
import { Positive, Probability, PositiveInt, Integer } from '../../src/config/codecs.js';

const Codec = t.type({
  loss: t.type({ ldam: t.type({ maxMargin: Positive }) }),
  weights: t.union([t.null, t.type({ beta: Probability, from: PositiveInt })]),
  seed: Integer,
});
const ok = { loss: { ldam: { maxMargin: 0.5 } }, weights: null, seed: 1 };

describe('one-sentence config errors', () => {
  it('name the dotted path, what was expected and what was given', () => {
    expect(decodeWith(Codec, { ...ok, loss: { ldam: { maxMargin: -1 } } })).toEqual(E.left('loss.ldam.maxMargin: expected a positive number, got -1'));
    expect(decodeWith(Codec, { ...ok, seed: 1.5 }, 'run')).toEqual(E.left('run.seed: expected an integer, got 1.5'));
    expect(decodeWith(Codec, { ...ok, seed: Number.NaN })).toEqual(E.left('seed: expected an integer, got NaN'));
  });

  it('report the union branch a value got furthest into, without counting the other branch', () => {
    expect(decodeWith(Codec, { ...ok, weights: { beta: 2, from: 3 } })).toEqual(E.left('weights.beta: expected a number in [0, 1], got 2'));
    expect(decodeWith(Codec, { ...ok, weights: { beta: 2, from: 0 } })).toEqual(
      E.left('weights.beta: expected a number in [0, 1], got 2 (and 1 more problem)'),
    );
  });

  it('say when a field is missing', () => {
    expect(decodeWith(Codec, { weights: null, seed: 1 })).toEqual(E.left('loss: expected { ldam: { maxMargin: Positive } }, got nothing'));
  });
});
