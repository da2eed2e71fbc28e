import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { decodeLog, readRun } from '../../../src/eval/report/read-run.js';
import { writeFakeRun } from '../../cli/report-fixture.js';

describe('readRun', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ts-read-run-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes the files tailstream train writes (metricsDocument, log.jsonl, config.json, run.json)', () => {
    const run = path.join(dir, 'ce');
    const written = writeFakeRun(run, { recipe: 'ce', epochs: 3 });
    const r = readRun(run);
    if (E.isLeft(r)) throw new Error(r.left);
    expect(r.right.name).toBe('ce');
    expect(r.right.status).toBe('complete');
    expect(r.right.config?.recipe).toBe('ce');
    expect(r.right.config?.dataset).toBe('fmnist-lt');
    expect(r.right.log).toHaveLength(3);
    expect(r.right.metrics.balancedAccuracy).toBe(written.balancedAccuracy);
    expect(r.right.metrics.reliability).toHaveLength(15);
    expect(r.right.metrics.perClass[0]!.name).toBe('T-shirt/top');
  });

  it('reads a run without config.json, log.jsonl or run.json', () => {
    const run = path.join(dir, 'bare');
    writeFakeRun(run);
    for (const f of ['config.json', 'log.jsonl', 'run.json']) rmSync(path.join(run, f));
    const r = readRun(run);
    expect(E.isRight(r) && [r.right.config, r.right.log, r.right.status]).toEqual([null, null, null]);
  });

  it('says why a folder without metrics.json cannot be reported', () => {
    const run = path.join(dir, 'empty');
    writeFakeRun(run);
    rmSync(path.join(run, 'metrics.json'));
    rmSync(path.join(run, 'run.json'));
    expect(readRun(run)).toEqual(E.left(`${run}/metrics.json: missing, so the run has no final metrics to report (it holds no run.json either)`));
    writeFileSync(path.join(run, 'run.json'), '{"state": 1}');
    expect(readRun(run)).toEqual(E.left(`${run}/run.json: status: expected a string, got nothing`));
  });
});

describe('decodeLog', () => {
  it('skips blank lines and names the line of a bad record', () => {
    expect(decodeLog('log.jsonl', '{"epoch":0,"trainLoss":null}\n\n{"epoch":1}\n')).toEqual(E.right([{ epoch: 0, trainLoss: null }, { epoch: 1 }]));
    expect(decodeLog('log.jsonl', '{"epoch":-1}\n')).toEqual(E.left('log.jsonl line 1: epoch: expected an integer ≥ 0, got -1'));
    expect(decodeLog('log.jsonl', '{"epoch":0,"testShotGroups":{"few":"x"}}')).toEqual(
      E.left('log.jsonl line 1: testShotGroups.few: expected a number in [0, 1] or null, got "x"'),
    );
  });
});
