/**
 * `tailstream shard`: writes a dataset's long-tailed training subset and its test set into N shards
 * (TFRecord or WebDataset tar, PNG images) with a manifest.json, so users can produce shards of their
 * own and stream them (`streams.shardRecords`) or train on them (`train --dataset shards`).
 */
import { Command, Option } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { UserError } from '../core/errors.js';
import { datasets, loadDataset } from '../data/datasets.js';
import { writeDatasetShards } from '../data/write-shards.js';
import { DEFAULT_RUN_CONFIG } from '../recipes/run-config.js';
import { parseChoice, parseInteger, parseNumber } from './parse-flags.js';

interface ShardFlags {
  dataset: string;
  ratio: number;
  profile: 'exp' | 'step';
  subsetSeed: number;
  dataDir?: string;
  format: 'tfrecord' | 'wds';
  shards: number;
  out: string;
  seed: number;
  json: boolean;
}

/** Builds the `shard` command. */
export const shardCommand = (): Command =>
  new Command('shard')
    .description("write a dataset's long-tailed training subset and its test set into shards with a manifest")
    .addOption(new Option('--dataset <name>', `${datasets.list().map((d) => d.name).join(', ')}`).makeOptionMandatory())
    .addOption(new Option('--ratio <rho>', 'imbalance ratio n_max/n_min (≥ 1)').argParser(parseNumber('--ratio', 1)).default(DEFAULT_RUN_CONFIG.ratio))
    .addOption(new Option('--profile <kind>', 'long-tail profile: exp or step').argParser(parseChoice('--profile', ['exp', 'step'] as const)).default('exp'))
    .addOption(new Option('--subset-seed <s>', 'seed of the long-tailed subset').argParser(parseInteger('--subset-seed')).default(0))
    .addOption(new Option('--data-dir <dir>', 'folder with the dataset files, where it has files'))
    .addOption(new Option('--format <format>', 'tfrecord (tf.Example) or wds (WebDataset tar)').argParser(parseChoice('--format', ['tfrecord', 'wds'] as const)).makeOptionMandatory())
    .addOption(new Option('--shards <n>', 'shards per split (≥ 1)').argParser(parseInteger('--shards', 1)).makeOptionMandatory())
    .addOption(new Option('--out <dir>', 'folder to write the shards and manifest.json into').makeOptionMandatory())
    .addOption(new Option('--seed <s>', 'seed of the order images are dealt into shards').argParser(parseInteger('--seed')).default(0))
    .option('--json', 'print the manifest as JSON on stdout', false)
    .action(async (flags: ShardFlags) => {
      const entry = datasets.get(flags.dataset);
      const loaded = await loadDataset(entry, { ratio: flags.ratio, profile: flags.profile, subsetSeed: flags.subsetSeed, ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}) });
      if (E.isLeft(loaded)) throw new UserError('bad-file', `${flags.dataset}: ${loaded.left}.`);
      const started = performance.now();
      const manifest = await writeDatasetShards(loaded.right, {
        format: flags.format === 'wds' ? 'webdataset' : 'tfrecord',
        shards: flags.shards,
        out: flags.out,
        source: { ratio: flags.ratio, profile: flags.profile, subsetSeed: flags.subsetSeed },
        seed: flags.seed,
      });
      const { train, test } = manifest.splits;
      if (flags.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
      process.stderr.write(
        `wrote ${train.shards.length} training shard${train.shards.length === 1 ? '' : 's'} (${train.records} images) and ${test.shards.length} test shard${test.shards.length === 1 ? '' : 's'} (${test.records} images) of ${manifest.dataset} as ${manifest.format} to ${flags.out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
    });
