import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  findCudaLibraries,
  parseCudnnHeader,
  parseDriverCudaVersion,
  parseLdconfig,
  parseNvccRelease,
  parseNvidiaSmiQuery,
  probeBackendPackages,
  probeWasmFeatures,
  runWithTimeout,
} from '../../src/backend/doctor.js';

describe('doctor probes: parsers of what CUDA tools print', () => {
  it('reads the GPUs of nvidia-smi --query-gpu (CSV without header or units)', () => {
    const csv = '0, NVIDIA H200, 550.54.15, 143771\n1, Tesla T4, 535.104.05, [N/A]\n';
    expect(parseNvidiaSmiQuery(csv)).toEqual([
      { index: 0, name: 'NVIDIA H200', driverVersion: '550.54.15', memoryMiB: 143771 },
      { index: 1, name: 'Tesla T4', driverVersion: '535.104.05', memoryMiB: null },
    ]);
    expect(parseNvidiaSmiQuery('\n')).toEqual([]);
  });

  it("reads the driver's CUDA version from nvidia-smi's header and the toolkit's from nvcc", () => {
    expect(parseDriverCudaVersion('| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |')).toBe('12.4');
    expect(parseDriverCudaVersion('No devices were found')).toBeNull();
    expect(parseNvccRelease('Cuda compilation tools, release 11.8, V11.8.89\nBuild cuda_11.8.r11.8/compiler.31833905_0')).toBe('11.8');
    expect(parseNvccRelease('')).toBeNull();
  });

  it('reads the cuDNN version from its header', () => {
    expect(parseCudnnHeader('#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n')).toBe('8.1.0');
    expect(parseCudnnHeader('#define CUDNN_MAJOR 9\n')).toBe('9.0.0');
    expect(parseCudnnHeader('#define CUDART_VERSION 11020\n')).toBeNull();
  });

  it("reads ldconfig -p's soname → path lines and finds the libraries tfjs-node-gpu opens", () => {
    const ld = [
      '1234 libs found in cache `/etc/ld.so.cache\'',
      '\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8',
      '\tlibc.so.6 (libc6,x86-64, OS ABI: Linux 3.2.0) => /lib/x86_64-linux-gnu/libc.so.6',
    ].join('\n');
    expect(parseLdconfig(ld)).toEqual(
      new Map([
        ['libcudnn.so.8', '/usr/lib/x86_64-linux-gnu/libcudnn.so.8'],
        ['libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'],
      ]),
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-cuda-'));
    writeFileSync(path.join(dir, 'libcudart.so.11.0'), '');
    writeFileSync(path.join(dir, 'libcudart.so'), '');
    const libs = findCudaLibraries(ld, { LD_LIBRARY_PATH: dir });
    expect(libs.found['libcudnn.so.8']).toBe('/usr/lib/x86_64-linux-gnu');
    expect(libs.found['libcudart.so.11.0']).toBe(dir);
    expect(libs.found['libcudart.so']).toBeUndefined();
    expect(libs.forTfjsNodeGpu).toEqual({ cudart: true, cudnn: true });
    expect(findCudaLibraries(null, { LD_LIBRARY_PATH: dir }).forTfjsNodeGpu.cudart).toBe(true);
  });
});

describe('doctor probes: commands and packages', () => {
  it('answers for a command that is not on PATH, one that fails, and one that hangs, within the timeout', async () => {
    expect(await runWithTimeout('tailstream-no-such-command', [], 2000)).toEqual({
      stdout: null,
      problem: 'tailstream-no-such-command is not on PATH.',
    });
    expect(await runWithTimeout('node', ['-e', 'process.stdout.write("hi")'], 20_000)).toEqual({ stdout: 'hi', problem: null });
    const failed = await runWithTimeout('node', ['-e', 'process.exit(3)'], 20_000);
    expect(failed.stdout).toBeNull();
    expect(failed.problem).toMatch(/^node -e process\.exit\(3\) failed: .+\.$/);
    const t0 = performance.now();
    const hung = await runWithTimeout('sleep', ['30'], 300);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(hung).toEqual({ stdout: null, problem: 'sleep 30 did not answer within 0.3 s.' });
  });

  it('lists the backends in auto order with the missing ones named', () => {
    const p = probeBackendPackages();
    expect(p.map((b) => b.name)).toEqual(['node-gpu', 'node', 'wasm', 'cpu']);
    expect(p[1]).toEqual({
      name: 'node',
      package: '@tensorflow/tfjs-node',
      installed: false,
      version: null,
      problem: 'The node backend needs the package @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node).',
    });
    expect(p[2]).toMatchObject({ name: 'wasm', installed: true, version: '4.22.0', problem: null });
    expect(p[3]).toMatchObject({ name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', installed: true, problem: null });
  });

  it("detects wasm SIMD and threads in Node 20 (both on in V8's defaults)", () => {
    const w = probeWasmFeatures();
    expect(w).toMatchObject({ simd: true, threads: true, maxThreads: 8 });
    expect(w.defaultThreads).toBeGreaterThanOrEqual(1);
  });
});
