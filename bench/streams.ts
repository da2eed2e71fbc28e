/**
 * Sharded streaming at scale: 1,000,000 small records written into N TFRecord shards and N WebDataset
 * tar shards in a temporary folder, then streamed through the library's sharded source as a training
 * run composes it — `shuffledShardRecords` (this rank's shards in a seeded order, `interleave` shards
 * open at once, picks ∝ records left from the per-shard counts, a shuffle buffer of `buffer` records)
 * inside `pullThrough` (prefetch `prefetch`), batched with `bufferCount(batch)` after the credit loop
 * (`pullThrough`'s step must emit one output per input, so batching sits downstream of it) — into a
 * trivial consumer (a label histogram and a byte count per batch). Each (format, source) runs in its
 * own child process, so its peak RSS is its own: (a) local files, (b) HTTP from a server on 127.0.0.1
 * in the parent process (Node's `http`, Range requests answered with 206, files streamed from disk).
 *
 * Records: an 8×8×1 PNG (a pool of 256 distinct images encoded once with sharp; encoding 1M PNGs
 * would take minutes on two cores and is not what is measured) and a label from an exp long-tailed
 * profile (`classes` classes, imbalance `ratio`), dealt into the shards in a seeded random order
 * (class-mixed shards, as `tailstream shard` writes them). TFRecord records are `tf.Example`s with
 * the features `tailstream shard` writes; tar samples are `<key>.png` + `<key>.cls`. Images are not
 * decoded (the consumer only counts), so this measures reading, parsing, interleaving, shuffling
 * and batching.
 *
 * Reported per run: records/s over the whole stream and from the first RSS sample on, RSS (and V8
 * heap, ArrayBuffers) every `every` records, peak RSS (`process.resourceUsage().maxRSS`, the child's
 * whole life), and a check that the histogram equals the written class counts (every record exactly
 * once). RSS is called flat when it grows by less than 5% and less than 20 MiB from the second
 * sample to the last (the first sample falls in the warm-up).
 *
 * Usage: npm run bench:streams -- [--records 1000000] [--shards 64] [--interleave 8] [--buffer 1000]
 *        [--batch 128] [--prefetch 4] [--classes 10] [--ratio 100] [--every 100000]
 *        [--formats tfrecord,webdataset] [--sources local,http] [--seed 0] [--out FILE] [--keep]
 */
import { execSync, fork } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bufferCount, lastValueFrom, map, tap } from 'rxjs';
import { createRng, draw } from '../src/core/rng.js';
import { encodeTfRecord } from '../src/data/tfrecord.js';
import { encodeTfExample } from '../src/data/tf-example.js';
import { encodeTar, TAR_BLOCK } from '../src/data/tar.js';
import { encodePng } from '../src/data/sharp-codec.js';
import type { ShardFormat } from '../src/data/shard-parse.js';
import { pullThrough } from '../src/streams/pull-source.js';
import { shuffledShardRecords } from '../src/streams/shuffled-shard-records.js';

const MiB = 1024 * 1024;

/** What a child process runs. */
interface RunConfig {
  readonly format: ShardFormat;
  readonly source: 'local' | 'http';
  readonly shards: readonly string[];
  readonly shardRecordCounts: readonly number[];
  readonly classCounts: readonly number[];
  readonly interleave: number;
  readonly buffer: number;
  readonly batch: number;
  readonly prefetch: number;
  readonly every: number;
  readonly seed: number;
}

/** One point of a run's memory curve. */
interface Sample {
  readonly records: number;
  readonly seconds: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly arrayBuffersMiB: number;
}

/** What a child process reports. */
interface RunResult {
  readonly config: Omit<RunConfig, 'shards' | 'shardRecordCounts' | 'classCounts'>;
  readonly records: number;
  readonly batches: number;
  readonly seconds: number;
  readonly imageBytes: number;
  readonly startRssMiB: number;
  readonly peakRssMiB: number;
  readonly samples: readonly Sample[];
  /** Undefined when the histogram equals the written counts; the first differences otherwise. */
  readonly countMismatch?: string;
}

const usage = (): Sample & { records: 0; seconds: 0 } => {
  const u = process.memoryUsage();
  return { records: 0, seconds: 0, rssMiB: u.rss / MiB, heapMiB: u.heapUsed / MiB, arrayBuffersMiB: u.arrayBuffers / MiB };
};

/** The child: streams one (format, source) and reports. */
const runChild = async (config: RunConfig): Promise<RunResult> => {
  const start = usage();
  const histogram = new Array<number>(config.classCounts.length).fill(0);
  const samples: Sample[] = [];
  let records = 0;
  let batches = 0;
  let imageBytes = 0;
  const started = performance.now();
  const source = shuffledShardRecords({
    format: config.format,
    shards: config.shards,
    rng: createRng(config.seed),
    interleave: config.interleave,
    bufferSize: config.buffer,
    shardRecordCounts: config.shardRecordCounts,
  });
  await lastValueFrom(
    pullThrough(source, map((item) => item.record), { prefetch: config.prefetch }).pipe(
      bufferCount(config.batch),
      map((batch) => ({ y: Int32Array.from(batch, (r) => r.label), bytes: batch.reduce((s, r) => s + r.image.length, 0) })),
      tap((b) => {
        batches++;
        imageBytes += b.bytes;
        for (const y of b.y) {
          histogram[y]!++;
          records++;
          if (records % config.every === 0) samples.push({ ...usage(), records, seconds: (performance.now() - started) / 1000 });
        }
      }),
    ),
    { defaultValue: undefined },
  );
  const seconds = (performance.now() - started) / 1000;
  if (records % config.every !== 0) samples.push({ ...usage(), records, seconds });
  const diffs = histogram.flatMap((n, c) => (n === config.classCounts[c] ? [] : [`class ${c}: ${n} read, ${config.classCounts[c]} written`]));
  const { shards: _s, shardRecordCounts: _r, classCounts: _c, ...rest } = config;
  return {
    config: rest,
    records,
    batches,
    seconds,
    imageBytes,
    startRssMiB: start.rssMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    samples,
    ...(diffs.length > 0 ? { countMismatch: diffs.slice(0, 5).join('; ') } : {}),
  };
};

if (process.argv[2] === '--child') {
  process.once('message', (config: RunConfig) => {
    runChild(config).then(
      (result) => process.send!(result, () => process.exit(0)),
      (e: unknown) => {
        process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
      },
    );
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000000' },
      shards: { type: 'string', default: '64' },
      interleave: { type: 'string', default: '8' },
      buffer: { type: 'string', default: '1000' },
      batch: { type: 'string', default: '128' },
      prefetch: { type: 'string', default: '4' },
      classes: { type: 'string', default: '10' },
      ratio: { type: 'string', default: '100' },
      every: { type: 'string', default: '100000' },
      formats: { type: 'string', default: 'tfrecord,webdataset' },
      sources: { type: 'string', default: 'local,http' },
      seed: { type: 'string', default: '0' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const N = Number(values.records);
  const S = Number(values.shards);
  const C = Number(values.classes);
  const ratio = Number(values.ratio);
  const seed = Number(values.seed);
  const formats = values.formats.split(',') as ShardFormat[];
  const sources = values.sources.split(',') as Array<'local' | 'http'>;
  const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const startLoad = loadAverage();
  const benchStarted = performance.now();

  // Class counts of an exp long tail, n_c ∝ ratio^(−c/(C−1)), summing to N (the remainder to the head).
  const w = Array.from({ length: C }, (_, c) => ratio ** (C === 1 ? 0 : -c / (C - 1)));
  const wSum = w.reduce((a, b) => a + b, 0);
  const classCounts = w.map((x) => Math.floor((N * x) / wSum));
  classCounts[0]! += N - classCounts.reduce((a, b) => a + b, 0);
  const labels = new Uint8Array(N);
  for (let c = 0, at = 0; c < C; at += classCounts[c]!, c++) labels.fill(c, at, at + classCounts[c]!);
  const rng = createRng(seed);
  const [order] = draw(rng.derive('deal'), (d) => d.permutation(N));
  const pool = await Promise.all(
    Array.from({ length: 256 }, (_, i) => {
      const [pixels] = draw(rng.derive('pixels', i), (d) => Uint8Array.from({ length: 64 }, () => d.int(0, 255)));
      return encodePng(pixels, { height: 8, width: 8, channels: 1 });
    }),
  );

  const dir = mkdtempSync(path.join(os.tmpdir(), 'tailstream-bench-streams-'));
  const enc = new TextEncoder();
  const pngTag = enc.encode('png');
  const cls = Array.from({ length: C }, (_, c) => enc.encode(String(c)));
  const generated: Record<string, { seconds: number; bytes: number; paths: string[] }> = {};
  const shardRecordCounts = Array.from({ length: S }, (_, s) => Math.floor((N - s + S - 1) / S));
  for (const format of formats) {
    const t0 = performance.now();
    const paths: string[] = [];
    let bytes = 0;
    for (let s = 0; s < S; s++) {
      const file = path.join(dir, `train-${String(s).padStart(5, '0')}-of-${String(S).padStart(5, '0')}.${format === 'tfrecord' ? 'tfrecord' : 'tar'}`);
      paths.push(file);
      const fd = openSync(file, 'w');
      // Buffered appends: one write per MiB, not one per record.
      let chunk = new Uint8Array(MiB);
      let used = 0;
      const flush = () => {
        let done = 0;
        while (done < used) done += writeSync(fd, chunk, done, used - done);
        bytes += used;
        used = 0;
      };
      const append = (b: Uint8Array) => {
        if (used + b.length > chunk.length) flush();
        if (b.length > chunk.length) chunk = new Uint8Array(b.length);
        chunk.set(b, used);
        used += b.length;
      };
      for (let j = s; j < N; j += S) {
        const i = order[j]!;
        const label = labels[i]!;
        const image = pool[i & 255]!;
        if (format === 'tfrecord') {
          append(
            encodeTfRecord(
              encodeTfExample([
                ['image/encoded', { kind: 'bytes', values: [image] }],
                ['image/format', { kind: 'bytes', values: [pngTag] }],
                ['image/class/label', { kind: 'int64', values: [BigInt(label)] }],
                ['image/height', { kind: 'int64', values: [8n] }],
                ['image/width', { kind: 'int64', values: [8n] }],
                ['image/channels', { kind: 'int64', values: [1n] }],
              ]),
            ),
          );
        } else {
          const key = `train/${String(i).padStart(7, '0')}`;
          const tar = encodeTar([
            { name: `${key}.png`, data: image },
            { name: `${key}.cls`, data: cls[label]! },
          ]);
          append(tar.subarray(0, tar.length - 2 * TAR_BLOCK)); // the end marker comes once, at the end
        }
      }
      if (format === 'webdataset') append(new Uint8Array(2 * TAR_BLOCK));
      flush();
      closeSync(fd);
    }
    generated[format] = { seconds: (performance.now() - t0) / 1000, bytes, paths };
    process.stderr.write(`wrote ${S} ${format} shards (${(bytes / MiB).toFixed(1)} MiB) in ${generated[format]!.seconds.toFixed(1)} s\n`);
  }

  // A static file server with Range support, in this process (the reader runs in a child).
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname.slice(1));
    const file = path.join(dir, path.basename(name));
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range === null ? 0 : Number(range[1]);
    if (range !== null && start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    const headers: Record<string, string | number> = { 'content-length': size - start, 'accept-ranges': 'bytes', etag: `"${size}"` };
    if (range !== null) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    res.writeHead(range === null ? 200 : 206, headers);
    pipeline(createReadStream(file, { start, highWaterMark: 64 * 1024 }), res, () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const results: RunResult[] = [];
  const script = fileURLToPath(import.meta.url);
  for (const format of formats) {
    for (const source of sources) {
      const shards = generated[format]!.paths.map((p) => (source === 'local' ? p : `http://127.0.0.1:${port}/${encodeURIComponent(path.basename(p))}`));
      const config: RunConfig = {
        format,
        source,
        shards,
        shardRecordCounts,
        classCounts,
        interleave: Number(values.interleave),
        buffer: Number(values.buffer),
        batch: Number(values.batch),
        prefetch: Number(values.prefetch),
        every: Number(values.every),
        seed,
      };
      const result = await new Promise<RunResult>((resolve, reject) => {
        const child = fork(script, ['--child'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        let got: RunResult | undefined;
        child.on('message', (m) => (got = m as RunResult));
        child.on('exit', (code) => (got !== undefined ? resolve(got) : reject(new Error(`the ${format}/${source} run exited with ${code}`))));
        child.send(config);
      });
      results.push(result);
      process.stderr.write(
        `${format} ${source}: ${result.records} records in ${result.seconds.toFixed(1)} s (${(result.records / result.seconds).toFixed(0)} records/s), peak RSS ${result.peakRssMiB.toFixed(1)} MiB${result.countMismatch === undefined ? '' : `, COUNT MISMATCH ${result.countMismatch}`}\n`,
      );
    }
  }
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  const totalSeconds = (performance.now() - benchStarted) / 1000;
  const endLoad = loadAverage();

  /** Endpoints, growth and verdict of one run's RSS curve. */
  const analyse = (r: RunResult) => {
    const first = r.samples[0]!;
    const second = r.samples[Math.min(1, r.samples.length - 1)]!;
    const last = r.samples.at(-1)!;
    const growth = last.rssMiB - second.rssMiB;
    const growthPct = (100 * growth) / second.rssMiB;
    const tail = r.samples.slice(1);
    const mx = tail.reduce((a, s) => a + s.records, 0) / tail.length;
    const my = tail.reduce((a, s) => a + s.rssMiB, 0) / tail.length;
    const den = tail.reduce((a, s) => a + (s.records - mx) ** 2, 0);
    const slope = den === 0 ? 0 : (100_000 * tail.reduce((a, s) => a + (s.records - mx) * (s.rssMiB - my), 0)) / den;
    const steady = last.seconds > first.seconds ? (last.records - first.records) / (last.seconds - first.seconds) : Number.NaN;
    return { first, second, last, growth, growthPct, slope, steady, flat: growthPct < 5 && growth < 20 };
  };
  const sign = (x: number, digits = 1) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
  const summary = [
    '| format | source | records | s | records/s | records/s after the first sample | RSS at start MiB | peak RSS MiB | RSS first sample → last MiB | growth second → last sample | slope MiB / 100k records | RSS verdict | every record once |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...results.map((r) => {
      const a = analyse(r);
      return `| ${r.config.format} | ${r.config.source} | ${r.records} | ${r.seconds.toFixed(1)} | ${(r.records / r.seconds).toFixed(0)} | ${a.steady.toFixed(0)} | ${r.startRssMiB.toFixed(1)} | ${r.peakRssMiB.toFixed(1)} | ${a.first.rssMiB.toFixed(1)} → ${a.last.rssMiB.toFixed(1)} | ${sign(a.growth)} MiB (${sign(a.growthPct)}%) | ${sign(a.slope, 2)} | ${a.flat ? 'flat' : 'NOT FLAT'} | ${r.countMismatch === undefined ? 'yes' : `NO: ${r.countMismatch}`} |`;
    }),
  ].join('\n');
  const curve = [
    `| records | ${results.map((r) => `${r.config.format} ${r.config.source}: RSS / heap / ArrayBuffers MiB, s`).join(' | ')} |`,
    `|---:|${results.map(() => '---:').join('|')}|`,
    ...results[0]!.samples.map(
      (_, i) =>
        `| ${results[0]!.samples[i]!.records} | ${results
          .map((r) => {
            const s = r.samples[i];
            return s === undefined ? '' : `${s.rssMiB.toFixed(1)} / ${s.heapMiB.toFixed(1)} / ${s.arrayBuffersMiB.toFixed(1)}, ${s.seconds.toFixed(1)}`;
          })
          .join(' | ')} |`,
    ),
  ].join('\n');
  process.stdout.write(`${summary}\n\n${curve}\n`);

  if (values.out !== undefined) {
    let commit = 'unknown';
    try {
      commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    } catch {
      // Not a git checkout.
    }
    const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
    const argv = process.argv.slice(2).join(' ');
    const gen = formats
      .map((f) => `${f}: ${(generated[f]!.bytes / MiB).toFixed(1)} MiB in ${S} shards, written in ${generated[f]!.seconds.toFixed(1)} s`)
      .join('; ');
    const md = `# Streaming ${N.toLocaleString('en-US')} records from shards, ${new Date().toISOString().slice(0, 10)}

Command: \`npm run bench:streams${argv === '' ? '' : ` -- ${argv}`}\`
Commit: ${commit}; machine: ${cpu}, ${os.availableParallelism()} logical CPUs, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB memory, Node ${process.version}, ${os.type()} ${os.release()}.
Load average (1, 5, 15 min): ${startLoad} at the start, ${endLoad} at the end; ${totalSeconds.toFixed(0)} s in all (generation included).

What runs: ${N.toLocaleString('en-US')} records (an 8×8×1 PNG from a pool of 256, a label of ${C} classes with an exp long tail of ratio ${ratio}:
${classCounts.join(', ')}) dealt in a seeded random order into ${S} shards per format (${gen}), in ${os.tmpdir()} (freshly written, so read from the page cache).
Each run, in its own child process: \`shuffledShardRecords\` (interleave ${values.interleave}, shuffle buffer ${values.buffer}, per-shard counts given) →
\`pullThrough(…, map(record), {prefetch: ${values.prefetch}})\` → \`bufferCount(${values.batch})\` → a consumer that builds the batch's label array and counts labels and bytes.
HTTP: a Node \`http\` server on 127.0.0.1 in the parent process (Range → 206, files streamed from disk), read with \`openHttpShard\` (one streamed GET per shard).
Images are not decoded. RSS sampled every ${Number(values.every).toLocaleString('en-US')} records; peak RSS is \`process.resourceUsage().maxRSS\` of the child (its whole life).

## Results

${summary}

## RSS curves

${curve}
`;
    mkdirSync(path.dirname(values.out), { recursive: true });
    writeFileSync(values.out, md);
    process.stderr.write(`wrote ${values.out}\n`);
  }
}
