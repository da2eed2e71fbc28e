/**
 * `verifyLoss(spec, options)`: runs every applicable invariant against any loss spec (tailstream's
 * own or a user's) and returns a report with, for each property that failed, the shrunk
 * counterexample and the seed and path that replay it.
 *
 * Needs an initialised tfjs backend (`initBackend('cpu')` is the quickest for small problems).
 *
 * @example
 *   await initBackend('cpu');
 *   const report = verifyLoss(myLoss, { skip: ['shift-invariant'] });
 *   console.log(formatLossVerification(report));
 */
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import type { LossSpec } from '../loss-spec.js';
import { decodeWith } from '../../config/report.js';
import type { LossProblem } from './loss-problem-arbitrary.js';
import {
  LOSS_PROPERTIES,
  LOSS_PROPERTY_IDS,
  configFor,
  equivalenceProperty,
  type ConfigFor,
  type LossEquivalence,
  type LossProperty,
  type LossPropertyId,
} from './loss-properties.js';

/** Options of `verifyLoss`. */
export interface VerifyLossOptions<C> {
  /** The config to check (default: the spec's defaults), or a function of the drawn class counts. */
  readonly config?: ConfigFor<C>;
  /** Only these built-in properties (default: all of them). */
  readonly only?: readonly LossPropertyId[];
  /** Built-in properties that do not apply to this loss (e.g. 'shift-invariant' for a sigmoid loss). */
  readonly skip?: readonly LossPropertyId[];
  /** Extra equivalences against independent references, checked after the built-in properties (`only` and `skip` do not filter them). */
  readonly equivalences?: ReadonlyArray<LossEquivalence<C>>;
  /** Runs per property (default 100). */
  readonly numRuns?: number;
  /** Seed of every property's generator (default: time-based; the report gives the one used). */
  readonly seed?: number;
  /** A counterexample path from an earlier report: replays exactly that case (use with `seed` and `only`). */
  readonly path?: string;
  /** Largest batch and class count drawn (defaults 5 and 6). */
  readonly maxRows?: number;
  readonly maxClasses?: number;
}

/** The outcome of one property. */
export interface PropertyOutcome {
  readonly id: string;
  readonly statement: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Runs executed. */
  readonly runs: number;
  /** Why it failed or was skipped, in one sentence. */
  readonly message?: string;
  /** The smallest failing input fast-check found. */
  readonly counterexample?: LossProblem;
  /** Extra drawn values of the failing case (e.g. the shift c). */
  readonly extra?: readonly unknown[];
  /** Seed and path that replay the failure. */
  readonly seed?: number;
  readonly path?: string;
}

/** What `verifyLoss` returns. */
export interface LossVerification {
  readonly loss: string;
  readonly config: unknown;
  readonly seed: number;
  readonly passed: boolean;
  readonly outcomes: readonly PropertyOutcome[];
}

/** Width of the features drawn for losses that declare `needs: ['features']`. */
const FEATURE_DIM = 4;

const messageOf = (details: fc.RunDetails<unknown[]>): string => {
  const e = details.errorInstance;
  const text = e instanceof Error ? e.message : String(e ?? 'the predicate returned false');
  return text.split('\n')[0]!;
};

const runProperty = <C, P>(
  property: LossProperty,
  spec: LossSpec<C, P>,
  config: ConfigFor<C>,
  options: VerifyLossOptions<C>,
  seed: number,
): PropertyOutcome => {
  const sizes = {
    maxRows: options.maxRows ?? 5,
    maxClasses: options.maxClasses ?? 6,
    ...(spec.needs?.includes('features') === true ? { featureDim: FEATURE_DIM } : {}),
  };
  const built = property.build(spec, { config, problem: sizes });
  const details = fc.check(built as fc.IProperty<unknown[]>, {
    numRuns: options.numRuns ?? 100,
    seed,
    ...(options.path !== undefined ? { path: options.path } : {}),
    interruptAfterTimeLimit: 60_000,
    markInterruptAsFailure: false,
  }) as fc.RunDetails<unknown[]>;
  const base = { id: property.id, statement: property.statement, runs: details.numRuns };
  if (!details.failed) return { ...base, status: 'passed' };
  const [problem, ...extra] = (details.counterexample ?? []) as [LossProblem, ...unknown[]];
  return {
    ...base,
    status: 'failed',
    message: messageOf(details),
    ...(problem !== undefined ? { counterexample: problem } : {}),
    ...(extra.length > 0 ? { extra } : {}),
    seed: details.seed,
    ...(details.counterexamplePath !== null ? { path: details.counterexamplePath } : {}),
  };
};

/** Checks `spec` against the invariants of a classification loss; never throws for a failing property. */
export const verifyLoss = <C, P>(spec: LossSpec<C, P>, options: VerifyLossOptions<C> = {}): LossVerification => {
  const seed = options.seed ?? (Date.now() % 2 ** 31);
  const config: ConfigFor<C> = options.config ?? spec.defaults;
  const chosen = LOSS_PROPERTY_IDS.filter((id) => (options.only === undefined || options.only.includes(id)) && !(options.skip ?? []).includes(id));
  const properties: LossProperty[] = [
    ...chosen.map((id) => LOSS_PROPERTIES[id]),
    ...(options.equivalences ?? []).map((eq, i) => equivalenceProperty(eq, i)),
  ];
  // A config the loss's own codec rejects makes every property meaningless: say so once.
  const probe = typeof config === 'function' ? configFor(config, [10, 1]) : config;
  const decoded = decodeWith(spec.configCodec, probe, 'config');
  const outcomes: PropertyOutcome[] = [
    E.isRight(decoded)
      ? { id: 'config', statement: "the config decodes with the loss's own codec", status: 'passed', runs: 1 }
      : { id: 'config', statement: "the config decodes with the loss's own codec", status: 'failed', runs: 1, message: decoded.left },
  ];
  for (const property of properties) {
    if (E.isLeft(decoded)) {
      outcomes.push({ id: property.id, statement: property.statement, status: 'skipped', runs: 0, message: 'the config does not decode' });
      continue;
    }
    try {
      outcomes.push(runProperty(property, spec, config, options, seed));
    } catch (e) {
      outcomes.push({ id: property.id, statement: property.statement, status: 'failed', runs: 0, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return { loss: spec.name, config: probe, seed, passed: outcomes.every((o) => o.status !== 'failed'), outcomes };
};
