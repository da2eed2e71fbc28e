/** Test helper: values with typed arrays turned into number arrays, so `toEqual` compares contents and names the first difference. */

/** A deep copy of `v` (plain objects and typed arrays, e.g. a batch or a pair of batches) with every typed array as a number array. */
export const plainValues = (v: unknown): unknown =>
  ArrayBuffer.isView(v)
    ? Array.from(v as unknown as ArrayLike<number>)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainValues(x)]))
      : v;
