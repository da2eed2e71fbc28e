/**
 * What a recipe is: a paper's method as named registry entries (loss, sampler, head, schedules) with
 * the defaults its official code uses, applied on top of the run defaults. A recipe never brings a
 * training loop of its own; flags and config files override anything it sets.
 */
import type { Named } from '../core/registry.js';
import type { RunConfig } from './run-config.js';

/** A named composition of registry entries. */
export interface Recipe extends Named {
  /** Authors, title, venue. */
  readonly paper: string;
  /** The official code file the defaults come from (or what stands in for it). */
  readonly code: string;
  /** What the recipe sets, for a run of `epochs` epochs (schedules scale with the budget). */
  overrides(epochs: number): Partial<RunConfig>;
}

/** Identity helper that checks a recipe's shape. */
export const defineRecipe = (r: Recipe): Recipe => r;

/** The config of `recipe` for a run: defaults, then the recipe, then `rest` (a config file and flags). */
export const applyRecipe = (base: RunConfig, recipe: Recipe, rest: Partial<RunConfig> = {}): RunConfig => {
  const epochs = rest.epochs ?? base.epochs;
  return { ...base, ...recipe.overrides(epochs), ...rest, recipe: recipe.name };
};

/** DRW switches re-weighting on at 80% of the epochs (epoch 160 of 200 in LDAM-DRW's `cifar_train.py`). */
export const drwEpoch = (epochs: number): number => Math.floor(epochs * 0.8);
