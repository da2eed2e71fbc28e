/** Tiny builders for the WebAssembly text (folded s-expressions) the SIMD kernels are generated as. */

/** `(local.get $name)` */
export const get = (name: string): string => `(local.get $${name})`;
/** `(local.set $name value)` */
export const set = (name: string, value: string): string => `(local.set $${name} ${value})`;
/** An i32 constant. */
export const c32 = (v: number): string => `(i32.const ${v})`;
/** i32 a + b */
export const add = (a: string, b: string): string => `(i32.add ${a} ${b})`;
/** i32 a − b */
export const sub = (a: string, b: string): string => `(i32.sub ${a} ${b})`;
/** i32 a · b */
export const mul = (a: string, b: string): string => `(i32.mul ${a} ${b})`;
/** A float count as bytes (· 4). */
export const bytes = (floats: string): string => `(i32.shl ${floats} ${c32(2)})`;
/** `(local $name type)` for each name. */
export const locals = (names: readonly string[], type: 'i32' | 'v128'): string => names.map((l) => `(local $${l} ${type})`).join(' ');
/** `(param $name i32)` for each name. */
export const i32Params = (names: readonly string[]): string => names.map((p) => `(param $${p} i32)`).join(' ');
/** The imported heap: `env.memory`, shared (with the maximum a shared import must declare) or not (any maximum). */
export const importedMemory = (shared: boolean): string => `(import "env" "memory" (memory 1${shared ? ' 65536 shared' : ''}))`;
