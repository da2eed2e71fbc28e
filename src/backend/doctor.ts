/**
 * `doctor` probes: what this machine offers tailstream's engine room, found without importing a backend
 * package until one is started on purpose.
 *
 * Intuition: a run is only as fast as the backend `auto` starts, and a GPU run needs four things to line up
 * (an NVIDIA driver that `nvidia-smi` can see, the tfjs-node-gpu package, the CUDA runtime and the cuDNN
 * major version its libtensorflow was built against). Each probe answers one of these, with one sentence
 * saying why not when the answer is no. External commands run with a timeout and are never waited for
 * past it (a wedged driver can leave `nvidia-smi` hanging), so the doctor itself cannot hang.
 *
 * What tfjs-node-gpu 4.22.0 loads (its `scripts/deps-constants.js`: libtensorflow 2.9.1; TensorFlow 2.9's
 * tested GPU build: CUDA 11.2, cuDNN 8.1): `libcudart.so.11.0` and `libcudnn.so.8`. docs/gpu.md has the install steps.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../core/errors.js';
import {
  BACKEND_NAMES,
  backendPackage,
  defaultWasmThreads,
  initBackend,
  isInstalled,
  missingPackageMessage,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
} from './select-backend.js';
import { MAX_WASM_THREADS } from './wasm-threads.js';

const require = createRequire(import.meta.url);

/** The CUDA runtime and cuDNN sonames that tfjs-node-gpu 4.22.0's libtensorflow 2.9.1 opens. */
export const TFJS_NODE_GPU_LIBRARIES = { cudart: 'libcudart.so.11.0', cudnn: 'libcudnn.so.8' } as const;

/** One backend tailstream knows, as installed here. */
export interface BackendPackageProbe {
  readonly name: BackendName;
  /** The npm package it needs (`@tensorflow/tfjs-backend-cpu` for cpu, which tfjs always brings). */
  readonly package: string;
  readonly installed: boolean;
  /** The installed package's version, or null. */
  readonly version: string | null;
  /** One sentence when it is not installed; null otherwise. */
  readonly problem: string | null;
}

/** The installed version of `pkg`, or null when it is not installed. */
export const packageVersion = (pkg: string): string | null => {
  try {
    const v = (require(`${pkg}/package.json`) as { version?: unknown }).version;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
};

/** Which backend packages are installed, in `auto`'s order (fastest first). */
export const probeBackendPackages = (): BackendPackageProbe[] =>
  BACKEND_NAMES.map((name) => {
    const needed = backendPackage(name);
    const pkg = needed ?? '@tensorflow/tfjs-backend-cpu';
    const installed = needed === undefined || isInstalled(needed);
    return { name, package: pkg, installed, version: packageVersion(pkg), problem: installed ? null : missingPackageMessage(name, pkg) };
  });

/** One backend `auto` tried. */
export interface StartAttempt {
  readonly name: BackendName;
  readonly started: boolean;
  /** Why it did not start (one sentence); null when it started or was not tried. */
  readonly problem: string | null;
  /** False for the backends after the one that started: `auto` stops at the first that starts. */
  readonly tried: boolean;
}

/** What `startLikeAuto` found: the running backend and every attempt, in `auto`'s order. */
export interface AutoStart {
  readonly info: BackendInfo;
  readonly attempts: readonly StartAttempt[];
}

/**
 * Starts backends in `auto`'s order exactly as `initBackend('auto')` does, but keeps each one's reason for
 * not starting (auto itself stays silent about them).
 * @throws UserError when none starts (not even cpu)
 */
export const startLikeAuto = async (options: InitBackendOptions = {}): Promise<AutoStart> => {
  const attempts: StartAttempt[] = [];
  let info: BackendInfo | undefined;
  for (const name of BACKEND_NAMES) {
    if (info !== undefined) {
      attempts.push({ name, started: false, problem: null, tried: false });
      continue;
    }
    try {
      info = await initBackend(name, options);
      attempts.push({ name, started: true, problem: null, tried: true });
    } catch (e) {
      attempts.push({ name, started: false, problem: describeError(e), tried: true });
    }
  }
  // initBackend('auto') throws the one sentence for "nothing started".
  return { info: info ?? (await initBackend('auto', options)), attempts };
};

/** The WebAssembly features the wasm backend's fast builds need, as this Node offers them. */
export interface WasmFeatures {
  /** 128-bit SIMD (the SIMD builds of tfjs-backend-wasm). */
  readonly simd: boolean;
  /** Shared memory and atomics (the threaded build; tailstream starts its workers in Node). */
  readonly threads: boolean;
  /** The most threads the threaded build runs. */
  readonly maxThreads: number;
  /** What `--threads` defaults to here: the available cores, at most `maxThreads`. */
  readonly defaultThreads: number;
}

// The feature-detection modules tfjs-backend-wasm's flags use (from GoogleChromeLabs/wasm-feature-detect):
// a function with one SIMD instruction, and one with a shared memory and an atomic instruction.
const SIMD_MODULE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11];
const THREADS_MODULE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11];

/** Node's global WebAssembly (the project's type libraries leave it out). */
const wasmGlobal = (globalThis as unknown as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

const validates = (bytes: readonly number[]): boolean => {
  try {
    return wasmGlobal?.validate(new Uint8Array(bytes)) ?? false;
  } catch {
    return false;
  }
};

/** Whether this runtime's WebAssembly has SIMD and threads (the same checks tfjs-backend-wasm makes). */
export const probeWasmFeatures = (): WasmFeatures => ({
  simd: validates(SIMD_MODULE),
  threads: typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' && validates(THREADS_MODULE),
  maxThreads: MAX_WASM_THREADS,
  defaultThreads: defaultWasmThreads(),
});

/** What a command printed, or why it could not say. */
export interface CommandOutput {
  /** Exit code 0 and this stdout; null otherwise. */
  readonly stdout: string | null;
  /** One sentence when it did not run to a zero exit: not on PATH, timed out, failed. */
  readonly problem: string | null;
}

/**
 * Runs `file args` without a shell and resolves within `timeoutMs` whatever the command does: on timeout
 * the child is sent SIGKILL and no longer waited for.
 */
export const runWithTimeout = (file: string, args: readonly string[], timeoutMs: number): Promise<CommandOutput> =>
  new Promise((resolve) => {
    let settled = false;
    const settle = (out: CommandOutput) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(out);
    };
    const child = execFile(file, [...args], { encoding: 'utf8', maxBuffer: 1 << 20, windowsHide: true }, (error, stdout) => {
      if (error === null) return settle({ stdout, problem: null });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return settle({ stdout: null, problem: `${file} is not on PATH.` });
      return settle({ stdout: null, problem: `${file} ${args.join(' ')} failed: ${describeError(error).replace(/\.$/, '')}.` });
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.unref();
      settle({ stdout: null, problem: `${file} ${args.join(' ')} did not answer within ${timeoutMs / 1000} s.` });
    }, timeoutMs);
    timer.unref();
  });

/** A GPU that `nvidia-smi` lists. */
export interface NvidiaGpu {
  readonly index: number;
  readonly name: string;
  readonly driverVersion: string;
  readonly memoryMiB: number | null;
}

/** Parses `nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader,nounits`. */
export const parseNvidiaSmiQuery = (csv: string): NvidiaGpu[] =>
  csv
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [index, name, driverVersion, memory] = line.split(',').map((f) => f.trim());
      const mib = Number(memory);
      return { index: Number(index), name: name ?? '', driverVersion: driverVersion ?? '', memoryMiB: Number.isFinite(mib) && memory !== '' ? mib : null };
    });

/** The "CUDA Version: 12.4" of `nvidia-smi`'s header: the newest CUDA runtime the driver supports. */
export const parseDriverCudaVersion = (text: string): string | null => /CUDA Version:\s*([0-9.]+)/.exec(text)?.[1] ?? null;

/** The "release 11.8" of `nvcc --version`. */
export const parseNvccRelease = (text: string): string | null => /release\s+([0-9]+\.[0-9]+)/.exec(text)?.[1] ?? null;

/** The cuDNN version of a `cudnn_version.h` (or an old `cudnn.h`): `CUDNN_MAJOR.CUDNN_MINOR.CUDNN_PATCHLEVEL`. */
export const parseCudnnHeader = (text: string): string | null => {
  const field = (name: string) => new RegExp(`#define\\s+CUDNN_${name}\\s+(\\d+)`).exec(text)?.[1];
  const major = field('MAJOR');
  if (major === undefined) return null;
  return [major, field('MINOR') ?? '0', field('PATCHLEVEL') ?? '0'].join('.');
};

/** The shared-library files `ldconfig -p` lists: soname → path. */
export const parseLdconfig = (text: string): Map<string, string> => {
  const libs = new Map<string, string>();
  for (const m of text.matchAll(/^\s*(\S+)\s+\(.*\)\s+=>\s+(\S+)\s*$/gm)) if (!libs.has(m[1]!)) libs.set(m[1]!, m[2]!);
  return libs;
};

/** Folders where CUDA and cuDNN commonly live besides the loader's cache. */
const CUDA_LIBRARY_DIRS = ['/usr/local/cuda/lib64', '/usr/local/cuda/targets/x86_64-linux/lib', '/usr/lib/x86_64-linux-gnu', '/usr/lib64'];
const CUDNN_HEADER_FILES = [
  '/usr/include/cudnn_version.h',
  '/usr/include/x86_64-linux-gnu/cudnn_version_v8.h',
  '/usr/include/x86_64-linux-gnu/cudnn_version_v9.h',
  '/usr/local/cuda/include/cudnn_version.h',
  '/usr/include/cudnn.h',
  '/usr/local/cuda/include/cudnn.h',
];

/** The CUDA and cuDNN libraries found: the loader's cache, LD_LIBRARY_PATH and the usual CUDA folders. */
export interface CudaLibraries {
  /** `libcudart.so.*` and `libcudnn.so.*` files found, by file name, with their folder. */
  readonly found: Readonly<Record<string, string>>;
  /** Whether each library tfjs-node-gpu 4.22.0 opens was found. */
  readonly forTfjsNodeGpu: { readonly [K in keyof typeof TFJS_NODE_GPU_LIBRARIES]: boolean };
}

/** Finds libcudart / libcudnn shared libraries (file names only; nothing is loaded). */
export const findCudaLibraries = (ldconfigOutput: string | null, env: NodeJS.ProcessEnv = process.env): CudaLibraries => {
  const found: Record<string, string> = {};
  const wanted = /^lib(cudart|cudnn)\.so\.[0-9.]+$/;
  if (ldconfigOutput !== null) for (const [name, file] of parseLdconfig(ldconfigOutput)) if (wanted.test(name)) found[name] ??= path.dirname(file);
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''), ...CUDA_LIBRARY_DIRS];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (wanted.test(name)) found[name] ??= dir;
  }
  return {
    found,
    forTfjsNodeGpu: { cudart: TFJS_NODE_GPU_LIBRARIES.cudart in found, cudnn: TFJS_NODE_GPU_LIBRARIES.cudnn in found },
  };
};

/** What the machine says about NVIDIA GPUs, CUDA and cuDNN. */
export interface GpuProbe {
  /** Whether @tensorflow/tfjs-node-gpu is installed, and its version. */
  readonly tfjsNodeGpu: { readonly installed: boolean; readonly version: string | null };
  /** GPUs `nvidia-smi` lists (empty when it is missing or fails; see `problems`). */
  readonly gpus: readonly NvidiaGpu[];
  /** The newest CUDA the driver supports (`nvidia-smi`'s header), or null. */
  readonly driverCuda: string | null;
  /** The CUDA toolkit's `nvcc --version` release, or null. */
  readonly cudaToolkit: string | null;
  /** cuDNN from its version header, or null. */
  readonly cudnn: string | null;
  readonly libraries: CudaLibraries;
  /** One sentence per probe that could not answer (command missing, timed out, failed). */
  readonly problems: readonly string[];
}

/** Options of `probeGpu`. */
export interface GpuProbeOptions {
  /** Per command (nvidia-smi twice, nvcc, ldconfig); default 5000 ms. */
  readonly timeoutMs?: number;
}

const readCudnnHeader = (): string | null => {
  for (const file of CUDNN_HEADER_FILES) {
    try {
      const v = parseCudnnHeader(fs.readFileSync(file, 'utf8'));
      if (v !== null) return v;
    } catch {
      // Not there: try the next place.
    }
  }
  return null;
};

/** Looks for NVIDIA GPUs and the CUDA / cuDNN versions; every command is bounded by the timeout. */
export const probeGpu = async (options: GpuProbeOptions = {}): Promise<GpuProbe> => {
  const timeout = options.timeoutMs ?? 5000;
  const [query, header, nvcc, ldconfig] = await Promise.all([
    runWithTimeout('nvidia-smi', ['--query-gpu=index,name,driver_version,memory.total', '--format=csv,noheader,nounits'], timeout),
    runWithTimeout('nvidia-smi', [], timeout),
    runWithTimeout('nvcc', ['--version'], timeout),
    runWithTimeout(fs.existsSync('/sbin/ldconfig') ? '/sbin/ldconfig' : 'ldconfig', ['-p'], timeout),
  ]);
  const problems = [query.problem, nvcc.problem, ldconfig.problem].filter((p): p is string => p !== null);
  const gpus = query.stdout === null ? [] : parseNvidiaSmiQuery(query.stdout);
  if (query.stdout !== null && gpus.length === 0) problems.push('nvidia-smi lists no GPU.');
  const pkg = backendPackage('node-gpu')!;
  return {
    tfjsNodeGpu: { installed: isInstalled(pkg), version: packageVersion(pkg) },
    gpus,
    driverCuda: header.stdout === null ? null : parseDriverCudaVersion(header.stdout),
    cudaToolkit: nvcc.stdout === null ? null : parseNvccRelease(nvcc.stdout),
    cudnn: readCudnnHeader(),
    libraries: findCudaLibraries(ldconfig.stdout),
    problems,
  };
};

/** The runtime: Node, platform, cores and the tfjs version. */
export interface RuntimeProbe {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpus: number;
  readonly cpuModel: string | null;
  readonly tfjs: string | null;
}

/** Node's version, the platform and the cores this process may use. */
export const probeRuntime = (): RuntimeProbe => ({
  node: process.version,
  platform: process.platform,
  arch: process.arch,
  cpus: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model.trim() ?? null,
  tfjs: packageVersion('@tensorflow/tfjs-core'),
});
