import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The CLI from source, as a separate process (tsx compiles it on the fly). */
const CLI = ['--import', 'tsx', path.resolve('src/cli/main.ts')];
const FLAGS = ['train', '--epochs', '2', '--max-steps-per-epoch', '12', '--ratio', '200', '--no-progress', '--backend', 'wasm', '--checkpoint-every', '3'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kill -9 during training, then --resume', () => {
  it('ends with the metrics of an uninterrupted run (same seed, same backend)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-kill-'));
    const reference = spawnSync(process.execPath, [...CLI, ...FLAGS, '--out', path.join(dir, 'reference')], { encoding: 'utf8' });
    expect(reference.status, reference.stderr).toBe(0);

    const out = path.join(dir, 'killed');
    const child = spawn(process.execPath, [...CLI, ...FLAGS, '--out', out], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Wait for the first checkpoint, then kill at a moment that varies with the run.
    for (let i = 0; i < 600 && !existsSync(path.join(out, 'checkpoint.bin')); i++) await sleep(50);
    expect(existsSync(path.join(out, 'checkpoint.bin'))).toBe(true);
    await sleep(200 + (Date.now() % 1000));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).status).toBe('running');
    expect(existsSync(path.join(out, 'metrics.json'))).toBe(false);

    const resumed = spawnSync(process.execPath, [...CLI, 'train', '--resume', out, '--no-progress', '--backend', 'wasm'], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming at epoch [12], step \d+/);
    expect(readFileSync(path.join(out, 'metrics.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'reference', 'metrics.json'), 'utf8'));
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).status).toBe('complete');
  });

  it('on SIGINT writes a checkpoint, exits 130 and says how to resume', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ts-int-')), 'run');
    const child = spawn(process.execPath, [...CLI, ...FLAGS, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 600 && !existsSync(path.join(out, 'checkpoint.bin')); i++) await sleep(50);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(new RegExp(`tailstream: Interrupted at epoch [12], step \\d+ of 2 epochs\\. A checkpoint is saved; continue with: tailstream train --resume ${out}\\n$`));
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).status).toBe('interrupted');
  });

  it('refuses config flags beside --resume', () => {
    const r = spawnSync(process.execPath, [...CLI, 'train', '--resume', '/nonexistent', '--epochs', '3'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("tailstream: --resume: the run's own config.json defines it; drop --epochs.\n");
  });

  it('says when there is no run to resume', () => {
    const r = spawnSync(process.execPath, [...CLI, 'train', '--resume', '/nonexistent', '--backend', 'cpu'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('tailstream: --resume: /nonexistent holds no run (no config.json).\n');
  });
});
