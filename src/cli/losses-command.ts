/**
 * `tailstream losses`: every registered loss with its summary, the paper and official code its
 * defaults come from, and the defaults (what `train --loss NAME --loss-config '{…}'` starts from).
 */
import { Command } from 'commander';
import { losses } from '../losses/registry.js';

/** The losses as text, one block each. */
export const formatLosses = (): string =>
  losses
    .list()
    .map((l) => `${l.name}\n  ${l.summary}\n  source:   ${l.source}\n  defaults: ${JSON.stringify(l.defaults)}`)
    .join('\n\n');

/** Builds the `losses` command. */
export const lossesCommand = (): Command =>
  new Command('losses')
    .description('list the losses (train --loss NAME), with their papers and defaults')
    .option('--json', 'print them as JSON', false)
    .action((flags: { json: boolean }) => {
      const text = flags.json
        ? JSON.stringify(losses.list().map((l) => ({ name: l.name, summary: l.summary, source: l.source, defaults: l.defaults })), null, 2)
        : formatLosses();
      process.stdout.write(`${text}\n`);
    });
