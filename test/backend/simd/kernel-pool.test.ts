import { describe, expect, it } from 'vitest';
import { compileWat } from '../../../src/backend/simd/compile-wat.js';
import { startKernelPool } from '../../../src/backend/simd/kernel-pool.js';

/** `count` adds part + 1 into slot `part` of an i32 array at `ptr`; `trapIn` traps in part `which`. */
const wat = (shared: boolean) => `(module
  (import "env" "memory" (memory 1${shared ? ' 16 shared' : ''}))
  (func (export "count") (param $ptr i32) (param $part i32) (param $parts i32)
    (local $a i32)
    (local.set $a (i32.add (local.get $ptr) (i32.shl (local.get $part) (i32.const 2))))
    (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.add (local.get $part) (i32.const 1)))))
  (func (export "trapIn") (param $which i32) (param $part i32) (param $parts i32)
    (if (i32.eq (local.get $which) (local.get $part)) (then unreachable))))`;

describe('the kernel pool', () => {
  it('runs every part once per call on its own thread, call after call', async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const pool = await startKernelPool(await compileWat('pool', wat(true)), memory, 3);
    try {
      expect(pool.threads).toBe(3);
      // Many short calls back to back: a wake-up lost between two calls would hang or miss a part.
      for (let i = 0; i < 2000; i++) pool.run('count', [64]);
      expect(Array.from(new Int32Array(memory.buffer, 64, 4))).toEqual([2000, 4000, 6000, 0]);
      // One call counted per run, not per part.
      expect([...pool.calls()]).toEqual([['count', 2000]]);
    } finally {
      await pool.close();
    }
  });

  it('reports a trap in a worker or in the calling thread, and keeps working after one', async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const pool = await startKernelPool(await compileWat('pool', wat(true)), memory, 2);
    try {
      expect(() => pool.run('trapIn', [1])).toThrow('kernel pool: trapIn trapped in a worker');
      expect(() => pool.run('trapIn', [0])).toThrow(WebAssembly.RuntimeError);
      pool.run('count', [0]);
      expect(Array.from(new Int32Array(memory.buffer, 0, 2))).toEqual([1, 2]);
      expect(() => pool.run('nothing', [])).toThrow('the module exports no function nothing');
      // A call that trapped still ran; a name the module lacks never did.
      expect(new Map(pool.calls())).toEqual(new Map([['trapIn', 2], ['count', 1]]));
    } finally {
      await pool.close();
    }
    expect(() => pool.run('count', [0])).toThrow('run after close');
    await pool.close(); // twice is fine
  });

  it('runs on the calling thread alone over an unshared memory', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const pool = await startKernelPool(await compileWat('pool', wat(false)), memory, 4);
    expect(pool.threads).toBe(1);
    expect(pool.calls().size).toBe(0);
    pool.run('count', [8]);
    expect(Array.from(new Int32Array(memory.buffer, 8, 2))).toEqual([1, 0]);
    await pool.close();
  });
});
