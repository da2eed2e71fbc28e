/**
 * Turns the JSON lines of bench/run-speed.sh (tfjs-wasm and PyTorch runs, several rounds) into a
 * table: median images/s per engine and model, the tfjs/PyTorch ratio (median of the per-round
 * ratios, each from runs back to back), and effective GFLOP/s. Prints it and writes
 * bench/results/<date>-train-speed.md (-2, -3, … when the day has one already).
 *
 * Usage: npx tsx bench/speed-report.ts <results.jsonl> [notes]
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_MODELS } from './bench-models.js';
import { freshResultPath } from './results-file.js';

/** One line of run-speed.sh's output. */
interface Run {
  readonly round: number;
  readonly engine: 'tfjs-wasm' | 'pytorch-cpu';
  readonly model: string;
  readonly batch: number;
  readonly threads: number;
  readonly channelsLast?: boolean;
  readonly torch?: string;
  /** The BLAS library PyTorch's process had mapped (peer_train_speed.py). */
  readonly blas?: string;
  readonly steps: number;
  readonly medianStepMs: number;
  readonly imagesPerSecond: number;
}

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const [file, notes = ''] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: speed-report.ts <results.jsonl> [notes]');
const runs = fs
  .readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim().startsWith('{'))
  .map((l) => JSON.parse(l) as Run);

const variant = (r: Run): string => (r.engine === 'tfjs-wasm' ? 'tfjs-wasm' : r.channelsLast === true ? 'pytorch (channels-last)' : 'pytorch (NCHW)');
const models = [...new Set(runs.map((r) => r.model))];
const rows: string[] = [];
const ratioRows: string[] = [];
for (const model of models) {
  const gflop = (3 * BENCH_MODELS[model]!.forwardFlops) / 1e9;
  const forModel = runs.filter((r) => r.model === model);
  const variants = [...new Set(forModel.map(variant))];
  for (const v of variants) {
    const ips = forModel.filter((r) => variant(r) === v).map((r) => r.imagesPerSecond);
    const all = ips.map((x) => x.toFixed(1)).join(', ');
    rows.push(`| ${model} | ${v} | ${median(ips).toFixed(1)} | ${all} | ${(median(ips) * gflop).toFixed(1)} |`);
  }
  // Per round: tfjs against the faster PyTorch layout of the same round (runs back to back).
  const rounds = [...new Set(forModel.map((r) => r.round))];
  const ratios = rounds.flatMap((round) => {
    const inRound = forModel.filter((r) => r.round === round);
    const tfjs = inRound.find((r) => r.engine === 'tfjs-wasm');
    const torch = Math.max(...inRound.filter((r) => r.engine === 'pytorch-cpu').map((r) => r.imagesPerSecond));
    return tfjs === undefined || !Number.isFinite(torch) ? [] : [tfjs.imagesPerSecond / torch];
  });
  ratioRows.push(`| ${model} | ${median(ratios).toFixed(3)} | ${ratios.map((r) => r.toFixed(3)).join(', ')} |`);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const threads = [...new Set(runs.map((r) => r.threads))].join('/');
const torch = runs.find((r) => r.torch !== undefined)?.torch ?? 'n/a';
/** The BLAS paths the peer reported, one directory each: `/usr/lib/…/openblas-pthread/{libblas.so.3, libopenblasp-r0.3.21.so}`. */
const blas = ((): string => {
  const paths = [...new Set(runs.flatMap((r) => (r.blas === undefined ? [] : r.blas.split(', '))))];
  const byDir = new Map<string, string[]>();
  for (const p of paths) byDir.set(path.dirname(p), [...(byDir.get(path.dirname(p)) ?? []), path.basename(p)]);
  return [...byDir].map(([dir, names]) => (names.length === 1 ? `${dir}/${names[0]}` : `${dir}/{${names.join(', ')}}`)).join('; ') || 'not reported';
})();
/** Debian's reference BLAS (…/blas/libblas.so.3, with no OpenBLAS, MKL or BLIS mapped) makes PyTorch's dense work slow. */
const referenceBlas = /\/blas\/libblas\.so/.test(blas) && !/openblas|mkl|blis/i.test(blas);
const blasWarning = referenceBlas
  ? '\n**Warning:** PyTorch ran on the reference BLAS; install `libopenblas0-pthread` for a fair peer.\n'
  : '';
const date = new Date().toISOString().slice(0, 10);
/** The commit measured, with `+changes` when the work tree differs from it. */
const commit = ((): string => {
  try {
    const head = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    return execSync('git status --porcelain --untracked-files=no', { encoding: 'utf8' }).trim() === '' ? head : `${head}+changes`;
  } catch {
    return 'an unknown commit';
  }
})();
const text = `# Training-step speed, ${date}

Machine: ${cpu}, ${os.cpus().length} logical CPUs (shared with other jobs: load average at report time ${os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}). Node ${process.version}, tfjs 4.22 wasm (threaded SIMD build), PyTorch ${torch} (BLAS: ${blas}). Threads: ${threads}.${blasWarning}
Batch ${runs[0]?.batch ?? '?'}; a step is forward, mean cross-entropy, backward and the SGD-momentum update
(tailstream: \`trainStep\` of src/train/step.ts). Images/s from the median step time of each run.
Effective GFLOP/s = 3 × forward FLOPs (2 × multiply-adds of convolutions and dense layers) × images/s.

| model | engine | img/s (median of rounds) | img/s per round | effective GFLOP/s |
|---|---|---|---|---|
${rows.join('\n')}

tfjs-wasm ÷ PyTorch (the faster of its two layouts in the same round; median of rounds):

| model | ratio | per round |
|---|---|---|
${ratioRows.join('\n')}

${notes}
Produced by \`bench/run-speed.sh\` at ${commit}.
`;
process.stdout.write(text);
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
const out = freshResultPath(dir, `${date}-train-speed`);
fs.writeFileSync(out, text);
process.stderr.write(`wrote ${out}\n`);
