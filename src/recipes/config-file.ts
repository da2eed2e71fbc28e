/**
 * Run configuration files (YAML or JSON): any subset of the run config's fields, decoded with the
 * dotted path of a bad field, unknown fields named with a suggestion.
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { parse } from 'yaml';
import { closestName } from '../core/registry.js';
import { decodeWith } from '../config/report.js';
import { RunConfig } from './run-config.js';

const PartialRunConfig = t.partial(RunConfig.props);

/** Decodes a parsed config document; Left is one sentence fragment (without the file name). */
export const decodeConfigDocument = (doc: unknown): E.Either<string, Partial<RunConfig>> => {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return E.left('expected a mapping of run settings at the top level');
  const known = Object.keys(RunConfig.props);
  for (const key of Object.keys(doc)) {
    if (!known.includes(key)) {
      const guess = closestName(key, known);
      return E.left(`unknown setting '${key}'${guess !== undefined ? ` (did you mean '${guess}'?)` : ''}`);
    }
  }
  // Keep only the settings the document names: a field that decodes a missing value as null must not
  // appear (as null) and override what the recipe sets.
  return E.map((c: Partial<RunConfig>) => Object.fromEntries(Object.entries(c).filter(([k]) => k in doc)) as Partial<RunConfig>)(
    decodeWith(PartialRunConfig, doc) as E.Either<string, Partial<RunConfig>>,
  );
};

/** Reads and decodes a YAML or JSON config file; Left is one sentence naming the file. */
export const readConfigFile = (file: string): E.Either<string, Partial<RunConfig>> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return E.left(`--config: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (e) {
    return E.left(`${file}: not valid YAML or JSON (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
  }
  return E.mapLeft((why: string) => `${file}: ${why}`)(decodeConfigDocument(doc));
};
