/**
 * `tailstream transforms`: every registered batch operator with its kind, summary, source and
 * defaults (what `train --transform NAME[:json]` starts from).
 */
import { Command } from 'commander';
import { transforms } from '../transforms/registry.js';
import type { TransformSpec } from '../transforms/transform-spec.js';

const kindLine = (t: TransformSpec): string =>
  t.kind === 'batch'
    ? 'one batch in, one batch out'
    : t.kind === 'paired'
      ? `combines the batch with a second stream: ${t.second}`
      : 'turns a pair of batches into the two branches of a bilateral model';

/** The operators as text, one block each. */
export const formatTransforms = (): string =>
  transforms
    .list()
    .map((t) => `${t.name} (${t.kind})\n  ${t.summary}\n  ${kindLine(t)}\n  source:   ${t.source}\n  defaults: ${JSON.stringify(t.defaults)}`)
    .join('\n\n');

/** Builds the `transforms` command. */
export const transformsCommand = (): Command =>
  new Command('transforms')
    .description('list the batch operators (train --transform NAME), with their papers and defaults')
    .option('--json', 'print them as JSON', false)
    .action((flags: { json: boolean }) => {
      const text = flags.json
        ? JSON.stringify(
            transforms.list().map((t) => ({ name: t.name, kind: t.kind, summary: t.summary, source: t.source, defaults: t.defaults })),
            null,
            2,
          )
        : formatTransforms();
      process.stdout.write(`${text}\n`);
    });
