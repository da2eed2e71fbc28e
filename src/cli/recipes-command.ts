/**
 * `tailstream recipes`: every recipe with its paper, official code and the settings it applies.
 */
import { Command } from 'commander';
import { recipes } from '../recipes/registry.js';
import { DEFAULT_RUN_CONFIG } from '../recipes/run-config.js';

/** The recipes as text, one block each (settings shown for a run of `epochs` epochs). */
export const formatRecipes = (epochs = DEFAULT_RUN_CONFIG.epochs): string =>
  recipes
    .list()
    .map((r) => {
      const settings = Object.entries(r.overrides(epochs))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ');
      return `${r.name}\n  ${r.summary}\n  paper: ${r.paper}\n  code:  ${r.code}\n  sets (for ${epochs} epochs): ${settings}`;
    })
    .join('\n\n');

/** Builds the `recipes` command. */
export const recipesCommand = (): Command =>
  new Command('recipes')
    .description('list the recipes (papers) tailstream can run, with their defaults')
    .option('--json', 'print them as JSON', false)
    .action((flags: { json: boolean }) => {
      if (flags.json) {
        const list = recipes.list().map((r) => ({ name: r.name, summary: r.summary, paper: r.paper, code: r.code, sets: r.overrides(DEFAULT_RUN_CONFIG.epochs) }));
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatRecipes()}\n`);
      }
    });
