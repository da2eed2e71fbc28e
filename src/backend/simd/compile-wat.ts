/**
 * WebAssembly text → compiled `WebAssembly.Module`, with wabt (the WebAssembly Binary Toolkit's wat2wasm).
 *
 * The kernels ship as generated text rather than as committed binaries, so what runs is what the
 * source says; assembling takes a few milliseconds once wabt has loaded (about 90 ms, once per process).
 */
import wabtInit from 'wabt';

let wabt: Promise<Awaited<ReturnType<typeof wabtInit>>> | undefined;

/**
 * Assembles `text` (SIMD and threads enabled) and compiles it; V8's compile validates the binary (wabt's own
 * validator rejects shared memories whatever the features). Rejects with wabt's message on a syntax error.
 */
export const compileWat = async (name: string, text: string): Promise<WebAssembly.Module> => {
  wabt ??= wabtInit();
  const parsed = (await wabt).parseWat(name, text, { simd: true, threads: true });
  try {
    const { buffer } = parsed.toBinary({});
    return new WebAssembly.Module(buffer);
  } finally {
    parsed.destroy();
  }
};
