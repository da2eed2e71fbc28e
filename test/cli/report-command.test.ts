import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { writeFakeRun } from './report-fixture.js';

const cli = runCli;

const CHARTS = ['per-class-accuracy', 'long-tail-profile', 'confusion-matrix', 'training-curves', 'reliability-diagram'];

describe('tailstream report', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ts-report-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a self-contained report.html and one PNG per chart for a run folder', async () => {
    const run = path.join(dir, 'ce');
    writeFakeRun(run, { recipe: 'ce' });
    const r = await cli('report', run);
    expect(r.stderr).toContain('report: 1 run, 5 PNGs in');
    expect(r.code).toBe(0);
    const html = path.join(run, 'report', 'report.html');
    expect(r.stdout).toBe(`${html}\n`);
    const page = readFileSync(html, 'utf8');
    // Five inline SVG charts, no script, no external resource.
    expect(page.match(/<svg /g)).toHaveLength(5);
    expect(page).not.toMatch(/<script|<link |<img |src=|@import|url\(http/i);
    expect(page.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]+"/g, '')).not.toMatch(/https?:\/\//);
    for (const id of CHARTS) expect(page).toContain(`data-chart="run-1-${id}"`);
    expect(page).toContain('balanced accuracy');
    expect(page).toContain('macro-F1');
    expect(page).toContain('T-shirt/top');
    expect(readdirSync(path.join(run, 'report')).sort()).toEqual([...CHARTS.map((c) => `ce-${c}.png`), 'report.html'].sort());
  });

  it('compares several runs with deltas against the ce run, into --out, with comparison.png', async () => {
    writeFakeRun(path.join(dir, 'baseline'), { recipe: 'ce', skill: 0.8 });
    writeFakeRun(path.join(dir, 'ldam'), { recipe: 'ldam-drw', skill: 1, seed: 2 });
    const out = path.join(dir, 'out');
    const r = await cli('report', path.join(dir, 'baseline'), path.join(dir, 'ldam'), '--out', out, '--png-scale', '0.5');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('report: 2 runs, 11 PNGs in');
    expect(existsSync(path.join(out, 'comparison.png'))).toBe(true);
    const page = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(page).toContain('<h2>Runs compared</h2>');
    expect(page).toContain('points against <strong>baseline</strong>');
    expect(page).toMatch(/<td class="(better|worse)">\d+\.\d<span class="delta">[+−]\d+\.\d<\/span><\/td>/);
    expect(page.match(/<svg /g)).toHaveLength(10);
    // Ids are unique across the inlined charts.
    const ids = Array.from(page.matchAll(/\sid="([^"]+)"/g), (m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps two folders with the same name apart, and has no deltas without a ce run', async () => {
    writeFakeRun(path.join(dir, 'a', 'seed0'), { recipe: 'focal' });
    writeFakeRun(path.join(dir, 'b', 'seed0'), { recipe: 'focal', seed: 3 });
    const out = path.join(dir, 'out');
    const r = await cli('report', path.join(dir, 'a', 'seed0'), path.join(dir, 'b', 'seed0'), '--out', out, '--no-png');
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['report.html']);
    const page = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(page).toContain('<h2>seed0-2</h2>');
    expect(page).toContain('no deltas');
  });

  it('shows a note instead of a chart for a file the run folder lacks', async () => {
    const run = path.join(dir, 'old');
    writeFakeRun(run);
    rmSync(path.join(run, 'log.jsonl'));
    const metrics = JSON.parse(readFileSync(path.join(run, 'metrics.json'), 'utf8'));
    delete metrics.reliability;
    delete metrics.ece;
    writeFileSync(path.join(run, 'metrics.json'), JSON.stringify(metrics));
    const r = await cli('report', run, '--no-png');
    expect(r.code).toBe(0);
    const page = readFileSync(path.join(run, 'report', 'report.html'), 'utf8');
    expect(page.match(/<svg /g)).toHaveLength(3);
    expect(page).toContain('The run folder has no log.jsonl.');
    expect(page).toContain('metrics.json has no reliability table');
  });

  describe('bad input is one sentence naming the file and field, exit code 2', () => {
    const broken = (edit: (m: Record<string, any>) => void) => (run: string) => {
      const m = JSON.parse(readFileSync(path.join(run, 'metrics.json'), 'utf8'));
      edit(m);
      writeFileSync(path.join(run, 'metrics.json'), JSON.stringify(m));
    };
    it.each([
      ['a missing folder', () => undefined, (run: string) => `tailstream: ${run}-nope: no such folder.\n`, '-nope'],
      [
        'an unfinished run',
        (run: string) => {
          rmSync(path.join(run, 'metrics.json'));
          writeFileSync(path.join(run, 'run.json'), JSON.stringify({ status: 'interrupted' }));
        },
        (run: string) => `tailstream: ${run}/metrics.json: missing, so the run has no final metrics to report (run.json says the run is interrupted).\n`,
        '',
      ],
      ['metrics.json that is not JSON', (run: string) => writeFileSync(path.join(run, 'metrics.json'), '{"dataset": '), (run: string) => `tailstream: ${run}/metrics.json: not valid JSON.\n`, ''],
      [
        'an accuracy above 1',
        broken((m) => (m.perClass[3].accuracy = 2)),
        (run: string) => `tailstream: ${run}/metrics.json: perClass.3.accuracy: expected a number in [0, 1] or null, got 2.\n`,
        '',
      ],
      ['a missing field', broken((m) => delete m.trainCounts), (run: string) => `tailstream: ${run}/metrics.json: trainCounts: expected an array, got nothing.\n`, ''],
      ['a negative count', broken((m) => (m.confusion[1][2] = -1)), (run: string) => `tailstream: ${run}/metrics.json: confusion.1.2: expected an integer ≥ 0, got -1.\n`, ''],
      ['a string where a number belongs', broken((m) => (m.ece = 'low')), (run: string) => `tailstream: ${run}/metrics.json: ece: expected a number in [0, 1] or null, got "low".\n`, ''],
      [
        'a confusion matrix of the wrong size',
        broken((m) => m.confusion.pop()),
        (run: string) => `tailstream: ${run}/metrics.json: confusion: expected 10 rows (one per class of trainCounts), got 9.\n`,
        '',
      ],
      [
        'a bad log line',
        (run: string) => writeFileSync(path.join(run, 'log.jsonl'), '{"epoch":0,"trainLoss":1}\n{"epoch":1,"trainAccuracy":"high"}\n'),
        (run: string) => `tailstream: ${run}/log.jsonl line 2: trainAccuracy: expected a number in [0, 1] or null, got "high".\n`,
        '',
      ],
      ['a log line that is not JSON', (run: string) => writeFileSync(path.join(run, 'log.jsonl'), '{"epoch":0}\n{oops\n'), (run: string) => `tailstream: ${run}/log.jsonl line 2: not valid JSON.\n`, ''],
      [
        'a config.json that is not an object',
        (run: string) => writeFileSync(path.join(run, 'config.json'), '[1, 2]'),
        (run: string) => `tailstream: ${run}/config.json: expected an object, got an array.\n`,
        '',
      ],
      [
        'a config.json with a bad recipe',
        (run: string) => writeFileSync(path.join(run, 'config.json'), '{"recipe": 3}'),
        (run: string) => `tailstream: ${run}/config.json: recipe: expected a string or null, got 3.\n`,
        '',
      ],
    ])('%s', async (_what, damage, message, suffix) => {
      const run = path.join(dir, 'run');
      writeFakeRun(run);
      damage(run);
      const r = await cli('report', `${run}${suffix}`, '--no-png');
      expect(r.stderr).toBe(message(run));
      expect(r.code).toBe(2);
      expect(existsSync(path.join(run, 'report', 'report.html'))).toBe(false);
    });

    it('a file given instead of a folder', async () => {
      const file = path.join(dir, 'metrics.json');
      writeFileSync(file, '{}');
      const r = await cli('report', file);
      expect(r.stderr).toBe(`tailstream: ${file}: not a folder (a run folder written by tailstream train is expected).\n`);
      expect(r.code).toBe(2);
    });

    it('an --out that cannot be created', async () => {
      const run = path.join(dir, 'run');
      writeFakeRun(run);
      const blocker = path.join(dir, 'file');
      writeFileSync(blocker, '');
      const r = await cli('report', run, '--out', path.join(blocker, 'sub'), '--no-png');
      expect(r.stderr).toBe(`tailstream: --out: cannot create ${path.join(blocker, 'sub')} (ENOTDIR).\n`);
      expect(r.code).toBe(2);
    });

    it('no run folder, or a bad --png-scale', async () => {
      const none = await cli('report');
      expect(none.code).toBe(2);
      expect(none.stderr).toContain("missing required argument 'run'");
      mkdirSync(path.join(dir, 'x'));
      const scale = await cli('report', path.join(dir, 'x'), '--png-scale', '0');
      expect(scale.code).toBe(2);
      expect(scale.stderr).toBe("tailstream: --png-scale: expected a number > 0, got '0'.\n");
    });
  });
});
