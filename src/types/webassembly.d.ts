/**
 * The part of the JavaScript WebAssembly API tailstream's SIMD kernels use. Node has all of it, but
 * TypeScript declares it only in the DOM library, which this Node project does not load.
 */
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  interface Memory {
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
  var Memory: { prototype: Memory; new (descriptor: MemoryDescriptor): Memory };

  interface ModuleExportDescriptor {
    kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
    name: string;
  }
  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: ArrayBufferView | ArrayBuffer): Module;
    exports(module: Module): ModuleExportDescriptor[];
  };

  type ExportValue = ((...args: number[]) => unknown) | Memory | unknown;
  interface Instance {
    readonly exports: Record<string, ExportValue>;
  }
  var Instance: { prototype: Instance; new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance };

  interface RuntimeError extends Error {}
  var RuntimeError: { prototype: RuntimeError; new (message?: string): RuntimeError };
}
