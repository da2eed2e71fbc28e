/**
 * io-ts codecs of the run-folder files a report reads, as `tailstream train` writes them
 * (src/recipes/run-training.ts): metrics.json (`metricsDocument`), log.jsonl (one record per epoch),
 * config.json (the resolved config; only the fields a report shows are read) and run.json (the status).
 *
 * Intuition: every failure becomes one sentence naming the file and the dotted field —
 * `runs/a/metrics.json: perClass.3.accuracy: expected a number in [0, 1] or null, got 2`.
 * Fields added later (macro-F1, ECE, …) are optional, so reports still open older runs.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { FiniteNumber, Integer, NonNegative, NonNegativeInt, Probability } from '../../config/codecs.js';
import { errorPath } from '../../config/report.js';

const failIf = (expected: string, ok: (u: unknown) => boolean) =>
  new t.Type<unknown, unknown, unknown>(expected, (u): u is unknown => ok(u), (u, c) => (ok(u) ? t.success(u) : t.failure(u, c, `expected ${expected}`)), t.identity);

/** A codec that first checks the JSON kind (so the sentence says "expected an object", not io-ts's type name). */
const kind = <A>(expected: string, ok: (u: unknown) => boolean, codec: t.Type<A, unknown, unknown>) =>
  new t.Type<A, unknown, unknown>(
    codec.name,
    codec.is,
    (u, c) => E.chain(() => codec.validate(u, c))(failIf(expected, ok).validate(u, c)),
    codec.encode,
  );

const isRecord = (u: unknown) => typeof u === 'object' && u !== null && !Array.isArray(u);

/** An object with these fields (extra fields are allowed). */
export const object = <P extends t.Props>(props: P) => kind('an object', isRecord, t.type(props));
/** An array of `codec`. */
export const list = <A>(codec: t.Type<A, unknown, unknown>) => kind('an array', Array.isArray, t.array(codec) as unknown as t.Type<A[], unknown, unknown>);
/** A string. */
export const Text = failIf('a string', (u) => typeof u === 'string') as t.Type<string, unknown, unknown>;
/** true or false. */
export const Flag = failIf('true or false', (u) => typeof u === 'boolean') as t.Type<boolean, unknown, unknown>;

/** `codec` or null (a missing value written by JSON.stringify for null or NaN). */
export const nullable = <A>(codec: t.Type<A, unknown, unknown>) =>
  new t.Type<A | null, unknown, unknown>(
    `${codec.name} | null`,
    (u): u is A | null => u === null || codec.is(u),
    (u, c) =>
      u === null
        ? t.success(null)
        : E.mapLeft((errors: t.Errors) =>
            errors.map((e) => (e.context.length === c.length && e.message !== undefined ? { ...e, message: `${e.message} or null` } : e)),
          )(codec.validate(u, c)),
    t.identity,
  );

/** `codec`, or an absent field. */
export const optional = <A>(codec: t.Type<A, unknown, unknown>) =>
  new t.Type<A | undefined, unknown, unknown>(`${codec.name} | undefined`, (u): u is A | undefined => u === undefined || codec.is(u), (u, c) => (u === undefined ? t.success(undefined) : codec.validate(u, c)), t.identity);

const Fraction = nullable(Probability as t.Type<number, unknown, unknown>);
const Count = NonNegativeInt as t.Type<number, unknown, unknown>;

const ShotGroupResult = object({ accuracy: Fraction, classes: list(Count) });

/** One reliability bin as metrics.json stores it. */
export const ReliabilityBinRecord = object({
  lower: Probability as t.Type<number, unknown, unknown>,
  upper: Probability as t.Type<number, unknown, unknown>,
  count: Count,
  meanConfidence: Fraction,
  accuracy: Fraction,
});

/** metrics.json, as `metricsDocument` writes it. */
export const MetricsFile = object({
  dataset: Text,
  seed: Integer as t.Type<number, unknown, unknown>,
  epochs: Count,
  overallAccuracy: Fraction,
  balancedAccuracy: Fraction,
  macroF1: optional(Fraction),
  macroPrecision: optional(Fraction),
  top5: optional(Fraction),
  ece: optional(Fraction),
  reliability: optional(nullable(list(ReliabilityBinRecord))),
  shotGroups: object({ many: ShotGroupResult, medium: ShotGroupResult, few: ShotGroupResult }),
  shotThresholds: object({ many: NonNegative as t.Type<number, unknown, unknown>, manyInclusive: Flag, few: NonNegative as t.Type<number, unknown, unknown>, fewInclusive: Flag }),
  perClass: list(
    object({
      class: Count,
      name: Text,
      trainCount: Count,
      testCount: Count,
      accuracy: Fraction,
      precision: optional(Fraction),
      f1: optional(Fraction),
    }),
  ),
  trainCounts: list(Count),
  confusion: list(list(Count)),
});
/** A decoded metrics.json. */
export type MetricsFile = t.TypeOf<typeof MetricsFile>;

/** One line of log.jsonl (an epoch's record); fields the report does not draw are ignored. */
export const LogRecord = object({
  epoch: Count,
  trainLoss: optional(nullable(FiniteNumber as t.Type<number, unknown, unknown>)),
  trainAccuracy: optional(Fraction),
  testAccuracy: optional(Fraction),
  testBalancedAccuracy: optional(Fraction),
  testShotGroups: optional(nullable(object({ many: optional(Fraction), medium: optional(Fraction), few: optional(Fraction) }))),
});
/** A decoded log.jsonl record. */
export type LogRecord = t.TypeOf<typeof LogRecord>;

const OptionalText = optional(Text);
const OptionalNumber = optional(FiniteNumber as t.Type<number, unknown, unknown>);

/** The part of config.json a report shows (all optional; `recipe` names the baseline `ce`). */
export const ConfigSummary = object({
  recipe: optional(nullable(Text)),
  dataset: OptionalText,
  ratio: OptionalNumber,
  profile: OptionalText,
  model: OptionalText,
  loss: OptionalText,
  sampler: OptionalText,
  epochs: OptionalNumber,
  batchSize: OptionalNumber,
  lr: OptionalNumber,
  seed: OptionalNumber,
});
/** A decoded config.json summary. */
export type ConfigSummary = t.TypeOf<typeof ConfigSummary>;

/** run.json: the run's status. */
export const RunStatusFile = object({ status: Text });

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? 'an array' : 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
};

/**
 * Decodes `json` with `codec`; Left is one sentence (no final period) naming `file` and the dotted field of
 * the first problem.
 */
export const decodeFile = <A>(codec: t.Type<A, unknown, unknown>, json: unknown, file: string): E.Either<string, A> =>
  E.mapLeft((errors: t.Errors) => {
    const first = errors[0];
    if (first === undefined) return `${file}: invalid content`;
    const field = errorPath(first);
    const last = first.context[first.context.length - 1];
    const expected = first.message ?? `expected ${last?.type.name ?? 'a valid value'}`;
    return `${file}: ${field === '' ? '' : `${field}: `}${expected}, got ${show(first.value)}`;
  })(codec.validate(json, [{ key: '', type: codec, actual: json }]));
