/**
 * The results table: every recipe on the same data, model and budget, balanced accuracy and
 * many/medium/few with the delta over ce; several seeds (mean ± std) for the recipes the issue names.
 *
 *   npm run bench:recipes -- [--dataset fmnist-lt] [--ratio 100] [--epochs 4] [--max-steps N] [--seeds 3] [--only a,b]
 *
 * Writes bench/results/<date>-recipes-<dataset>.md (-2, -3, … when the day has one already) with the exact command, commit and machine.
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/backend/index.js';
import { freshResultPath } from './results-file.js';
import { applyRecipe, DEFAULT_RUN_CONFIG, defaultMilestones, recipes, runTraining } from '../src/recipes/index.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'fmnist-lt' },
    ratio: { type: 'string', default: '100' },
    epochs: { type: 'string', default: '4' },
    'max-steps': { type: 'string' },
    seeds: { type: 'string', default: '3' },
    'multi-seed': { type: 'string', default: 'ce,ldam-drw,cb-focal,bbn,cmo' },
    only: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
  },
});

const epochs = Number(values.epochs);
const seeds = Number(values.seeds);
const multi = new Set(values['multi-seed']!.split(','));
const chosen = values.only === undefined ? recipes.list() : values.only.split(',').map((n) => recipes.get(n));
const backend = await initBackend(values.backend as never);

type Row = { recipe: string; runs: Array<{ balanced: number; many: number; medium: number; few: number; seconds: number }> };
const rows: Row[] = [];
for (const recipe of chosen) {
  const row: Row = { recipe: recipe.name, runs: [] };
  const n = multi.has(recipe.name) ? seeds : 1;
  for (let seed = 0; seed < n; seed++) {
    const config = applyRecipe({ ...DEFAULT_RUN_CONFIG, milestones: defaultMilestones(epochs) }, recipe, {
      dataset: values.dataset!,
      ratio: Number(values.ratio),
      epochs,
      seed,
      ...(values['max-steps'] !== undefined ? { maxStepsPerEpoch: Number(values['max-steps']) } : {}),
    });
    const started = performance.now();
    const r = await runTraining(config, { evalEveryEpoch: false });
    // A recipe that calibrates after training (marc) is read by its calibrated metrics.
    const report = r.calibrated?.report ?? r.report;
    const g = report.shotGroups;
    row.runs.push({
      balanced: report.balancedAccuracy ?? Number.NaN,
      many: g.many.accuracy ?? Number.NaN,
      medium: g.medium.accuracy ?? Number.NaN,
      few: g.few.accuracy ?? Number.NaN,
      seconds: (performance.now() - started) / 1000,
    });
    process.stderr.write(`${recipe.name} seed ${seed}: balanced ${(100 * row.runs.at(-1)!.balanced).toFixed(1)}% in ${row.runs.at(-1)!.seconds.toFixed(0)} s\n`);
  }
  rows.push(row);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
/** Mean ± std in percent; an empty shot group (NaN: no class in it) prints as n/a, never as a number. */
const pct = (xs: number[]) =>
  xs.some(Number.isNaN) ? 'n/a' : xs.length > 1 ? `${(100 * mean(xs)).toFixed(1)} ± ${(100 * std(xs)).toFixed(1)}` : (100 * mean(xs)).toFixed(1);
const ce = rows.find((r) => r.recipe === 'ce');
const delta = (r: Row) => (ce === undefined ? '' : `${mean(r.runs.map((x) => x.balanced)) >= mean(ce.runs.map((x) => x.balanced)) ? '+' : '−'}${Math.abs(100 * (mean(r.runs.map((x) => x.balanced)) - mean(ce.runs.map((x) => x.balanced)))).toFixed(1)}`);

const commit = (() => {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const command = `npm run bench:recipes -- ${process.argv.slice(2).join(' ')}`.trim();
const lines = [
  `# Recipes on ${values.dataset} (ρ = ${values.ratio}), ${epochs} epochs${values['max-steps'] !== undefined ? ` × ≤ ${values['max-steps']} steps` : ''}, small CNN`,
  '',
  `Command: \`${command}\`  `,
  `Commit: ${commit}; machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, backend ${backend.name} (${backend.threads} thread${backend.threads === 1 ? '' : 's'}); ${new Date().toISOString()}`,
  '',
  'Balanced accuracy (%) on the balanced test set; many/medium/few as in Decoupling (many > 100, few < 20 training images). Seeds 0…k−1 give mean ± std.',
  '',
  '| recipe | seeds | balanced | Δ vs ce | many | medium | few | s/run |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.recipe} | ${r.runs.length} | ${pct(r.runs.map((x) => x.balanced))} | ${r.recipe === 'ce' ? '–' : delta(r)} | ${pct(r.runs.map((x) => x.many))} | ${pct(r.runs.map((x) => x.medium))} | ${pct(r.runs.map((x) => x.few))} | ${mean(r.runs.map((x) => x.seconds)).toFixed(0)} |`,
  ),
  '',
];
const file = freshResultPath(path.join('bench', 'results'), `${new Date().toISOString().slice(0, 10)}-recipes-${values.dataset}`);
writeFileSync(file, lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\nwritten: ${file}\n`);
