/**
 * `tailstream doctor`: what this machine offers a run. Node and tfjs versions, the backend `auto` starts
 * (and why each faster one did not), wasm SIMD and threads, GPU visibility (tfjs-node-gpu, `nvidia-smi`,
 * CUDA and cuDNN versions), a throughput probe (the small CNN trained on random data at batch 64 for
 * `--seconds` seconds, in images/s) and whether tailstream's SIMD kernels ran it, on how many threads.
 */
import { Command, Option } from 'commander';
import { createRng } from '../core/rng.js';
import { BACKEND_NAMES, initBackend, parseBackendName, shutdownBackend, type BackendInfo, type BackendName } from '../backend/select-backend.js';
import {
  probeBackendPackages,
  probeGpu,
  probeRuntime,
  probeWasmFeatures,
  startLikeAuto,
  TFJS_NODE_GPU_LIBRARIES,
  type BackendPackageProbe,
  type GpuProbe,
  type RuntimeProbe,
  type StartAttempt,
  type WasmFeatures,
} from '../backend/doctor.js';
import { simdKernelStatus, type SimdKernelStatus } from '../backend/simd/simd-kernels.js';
import { smallCnnThroughput, type ThroughputResult } from '../train/throughput-probe.js';
import { parseInteger, parseNumber } from './parse-flags.js';

/** Flags of `tailstream doctor`. */
interface DoctorFlags {
  backend: BackendName | 'auto';
  threads?: number;
  seconds: number;
  batchSize: number;
  json: boolean;
}

/** One backend in the report: installed or not, and what starting it did. */
export interface DoctorBackendLine extends BackendPackageProbe {
  /** True for the backend that runs. */
  readonly started: boolean;
  /** False where nothing tried to start it (after auto's choice, or besides a named backend). */
  readonly tried: boolean;
}

/** Everything `tailstream doctor` reports (its `--json` document). */
export interface DoctorReport {
  readonly runtime: RuntimeProbe;
  readonly backend: BackendInfo & { readonly requested: BackendName | 'auto' };
  readonly backends: readonly DoctorBackendLine[];
  readonly wasm: WasmFeatures;
  readonly gpu: GpuProbe;
  /** Null with `--seconds 0`. */
  readonly throughput: ThroughputResult | null;
  /** tailstream's SIMD kernels (wasm only) after the probe, with the calls the probe made: they show it used them. */
  readonly simdKernels: SimdKernelStatus;
}

const threadsText = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;
const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** The report as text, one finding a line. */
export const formatDoctorReport = (r: DoctorReport): string => {
  const lines: string[] = [];
  const { runtime: rt } = r;
  lines.push(`node        ${rt.node} (${rt.platform} ${rt.arch}, ${rt.cpus} core${rt.cpus === 1 ? '' : 's'}${rt.cpuModel === null ? '' : `: ${rt.cpuModel}`})`);
  lines.push(`tfjs        ${rt.tfjs ?? 'not found'}`);
  lines.push(
    `backend     ${r.backend.name} (tfjs '${r.backend.tfName}', ${threadsText(r.backend.threads)}), ${r.backend.requested === 'auto' ? 'chosen by auto' : 'as requested'}`,
  );
  for (const b of r.backends) {
    const state = b.started
      ? `${b.version ?? ''} started`.trim()
      : !b.installed
        ? b.problem ?? 'not installed.'
        : b.problem !== null
          ? `installed ${b.version ?? ''} but did not start: ${b.problem}`
          : `installed ${b.version ?? ''}, not tried${r.backend.requested === 'auto' ? ' (auto stops at the first that starts)' : ''}`;
    lines.push(`  ${b.name.padEnd(9)} ${state}`);
  }
  lines.push(`wasm        SIMD ${yesNo(r.wasm.simd)}, threads ${yesNo(r.wasm.threads)} (up to ${r.wasm.maxThreads}; --threads defaults to ${r.wasm.defaultThreads} here)`);
  const g = r.gpu;
  lines.push(`gpu         tfjs-node-gpu ${g.tfjsNodeGpu.installed ? `${g.tfjsNodeGpu.version ?? ''} installed`.replace('  ', ' ') : 'not installed'}`);
  if (g.gpus.length > 0) {
    for (const d of g.gpus) lines.push(`  GPU ${d.index}     ${d.name}, driver ${d.driverVersion}${d.memoryMiB === null ? '' : `, ${d.memoryMiB} MiB`}`);
  }
  lines.push(`  CUDA      driver supports ${g.driverCuda ?? '(no nvidia-smi)'}; toolkit (nvcc) ${g.cudaToolkit ?? 'not found'}; cuDNN ${g.cudnn ?? 'header not found'}`);
  const libs = Object.keys(g.libraries.found).sort();
  lines.push(`  libraries ${libs.length === 0 ? 'no libcudart / libcudnn found' : libs.join(', ')}`);
  lines.push(
    `  tfjs-node-gpu 4.22 opens ${TFJS_NODE_GPU_LIBRARIES.cudart} (${g.libraries.forTfjsNodeGpu.cudart ? 'found' : 'missing'}) and ${TFJS_NODE_GPU_LIBRARIES.cudnn} (${g.libraries.forTfjsNodeGpu.cudnn ? 'found' : 'missing'}); see docs/gpu.md`,
  );
  for (const p of g.problems) lines.push(`  note      ${p}`);
  const t = r.throughput;
  lines.push(
    t === null
      ? 'throughput  skipped (--seconds 0)'
      : `throughput  ${t.model}, batch ${t.batchSize}, random data: ${t.imagesPerSecond.toFixed(1)} images/s (${
          t.fromWarmup ? `one step of ${t.medianStepMs.toFixed(0)} ms, the warm-up, overran --seconds` : `median step ${t.medianStepMs.toFixed(1)} ms, ${t.timedSteps} steps`
        } in ${t.seconds.toFixed(1)} s)`,
  );
  const k = r.simdKernels;
  lines.push(
    !k.running
      ? `kernels     tailstream SIMD kernels not running (they run on the wasm backend only; this is ${r.backend.name})`
      : `kernels     tailstream SIMD kernels on ${threadsText(k.threads)}; ${
          t === null ? 'no probe ran' : `the probe called conv2d ${k.calls.conv2d}, filter gradient ${k.calls.filterGradient}, batch-norm backward ${k.calls.batchNormBackward} times`
        }`,
  );
  return lines.join('\n');
};

/** `after` with its calls counted from `before` on: the probe's own calls, whatever ran earlier in the process. */
const callsSince = (before: SimdKernelStatus, after: SimdKernelStatus): SimdKernelStatus => ({
  ...after,
  calls: {
    conv2d: after.calls.conv2d - before.calls.conv2d,
    filterGradient: after.calls.filterGradient - before.calls.filterGradient,
    batchNormBackward: after.calls.batchNormBackward - before.calls.batchNormBackward,
  },
});

/** Runs every probe: starts the backend (`auto` or the named one), probes, stops it again. */
export const runDoctor = async (flags: Omit<DoctorFlags, 'json'>): Promise<DoctorReport> => {
  const options = flags.threads === undefined ? {} : { threads: flags.threads };
  const packages = probeBackendPackages();
  const gpu = probeGpu();
  let info: BackendInfo;
  let attempts: readonly StartAttempt[];
  try {
    if (flags.backend === 'auto') {
      ({ info, attempts } = await startLikeAuto(options));
    } else {
      info = await initBackend(flags.backend, options);
      attempts = BACKEND_NAMES.map((name) => ({ name, started: name === flags.backend, problem: null, tried: name === flags.backend }));
    }
  } catch (e) {
    await gpu; // Let the external commands finish (or time out) before the error is reported.
    throw e;
  }
  try {
    const backends = packages.map((p, i): DoctorBackendLine => {
      const a = attempts[i]!;
      return { ...p, problem: p.problem ?? a.problem, started: a.started, tried: a.tried };
    });
    const kernelsBefore = simdKernelStatus();
    const throughput = flags.seconds > 0 ? smallCnnThroughput({ seconds: flags.seconds, batchSize: flags.batchSize, rng: createRng(0) }) : null;
    const simdKernels = callsSince(kernelsBefore, simdKernelStatus());
    return { runtime: probeRuntime(), backend: { ...info, requested: flags.backend }, backends, wasm: probeWasmFeatures(), gpu: await gpu, throughput, simdKernels };
  } finally {
    await shutdownBackend();
  }
};

/** Builds the `doctor` command. */
export const doctorCommand = (): Command =>
  new Command('doctor')
    .description('report Node, the tfjs backend auto picks, wasm SIMD/threads, GPU and CUDA visibility, and a throughput probe')
    .addOption(new Option('--backend <name>', `auto, ${BACKEND_NAMES.join(', ')}`).argParser(parseBackendName).default('auto'))
    .addOption(new Option('--threads <n>', 'threads for the wasm backend (default: the cores available, at most 8)').argParser(parseInteger('--threads', 1)))
    .addOption(new Option('--seconds <s>', 'length of the throughput probe (0 skips it)').argParser(parseNumber('--seconds', 0)).default(10))
    .addOption(new Option('--batch-size <n>', 'batch size of the throughput probe').argParser(parseInteger('--batch-size', 1)).default(64))
    .option('--json', 'print the report as JSON', false)
    .action(async (flags: DoctorFlags) => {
      const report = await runDoctor(flags);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`);
    });
