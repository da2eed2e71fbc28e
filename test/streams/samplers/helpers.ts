/** Small helpers shared by the sampler tests. */

export { expectClose } from '../../helpers/expect-close.js';

/** Class-sorted labels realising `counts`. */
export const labelsOf = (counts: readonly number[]): Int32Array =>
  Int32Array.from(counts.flatMap((c, y) => new Array<number>(c).fill(y)));

/** How many positions of `order` fall in each class. */
export const classHits = (order: Int32Array, labels: Int32Array, numClasses: number): number[] => {
  const hits = new Array<number>(numClasses).fill(0);
  for (const i of order) hits[labels[i]!]!++;
  return hits;
};
