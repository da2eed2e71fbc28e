/**
 * The reliability table behind a reliability diagram and the expected calibration error.
 *
 * Guo, Pleiss, Sun & Weinberger, "On Calibration of Modern Neural Networks", ICML 2017, Sec. 2: the
 * top-label confidence of a prediction is its largest softmax probability; predictions are grouped into M
 * interval bins of equal width, bin m holding confidences in I_m = ((m − 1)/M, m/M] (a confidence of exactly 0
 * goes to the first bin). For each bin, acc(B_m) is the fraction of correct predictions and conf(B_m) the mean
 * confidence; a perfectly calibrated model has acc(B_m) = conf(B_m) in every bin. Guo et al. use M = 15,
 * the default here.
 *
 * The predicted class is the arg max of the probabilities, ties going to the lowest index (as `tf.argMax`).
 */

/** One equal-width confidence bin (lower, upper]. Empty bins have `count` 0 and null means. */
export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** conf(B_m): the mean top-label confidence of the bin's predictions. */
  readonly meanConfidence: number | null;
  /** acc(B_m): the fraction of the bin's predictions that are correct. */
  readonly accuracy: number | null;
}

/** Guo et al. (2017) use 15 bins. */
export const DEFAULT_CALIBRATION_BINS = 15;

/** The bin of `confidence` among `numBins` equal-width bins ((m − 1)/M, m/M], exact at the edges. */
export const binOf = (confidence: number, numBins: number): number => {
  let b = Math.min(numBins - 1, Math.max(0, Math.ceil(confidence * numBins) - 1));
  // ceil(x·M) can be one off for x on an edge (0.3·10 = 3.0000000000000004); compare with the edges themselves.
  if (b > 0 && confidence <= b / numBins) b--;
  else if (b < numBins - 1 && confidence > (b + 1) / numBins) b++;
  return b;
};

const checkBins = (fn: string, numBins: number) => {
  if (!Number.isInteger(numBins) || numBins < 1) throw new Error(`${fn}: numBins must be a positive integer, got ${numBins}`);
};

/**
 * The reliability table of predictions given as confidences in [0, 1] and whether each was correct.
 * @throws when the lengths differ, a confidence is outside [0, 1], or `numBins` is not a positive integer.
 */
export const reliabilityTableOf = (
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean | number>,
  numBins: number = DEFAULT_CALIBRATION_BINS,
): ReliabilityBin[] => {
  checkBins('reliabilityTableOf', numBins);
  if (confidences.length !== correct.length) {
    throw new Error(`reliabilityTableOf: ${confidences.length} confidences but ${correct.length} correctness flags`);
  }
  const count = new Array<number>(numBins).fill(0);
  const confidenceSum = new Array<number>(numBins).fill(0);
  const hits = new Array<number>(numBins).fill(0);
  for (let i = 0; i < confidences.length; i++) {
    const p = confidences[i]!;
    if (!(p >= 0 && p <= 1)) throw new Error(`reliabilityTableOf: confidence ${p} at ${i} is outside [0, 1]`);
    const b = binOf(p, numBins);
    count[b]!++;
    confidenceSum[b]! += p;
    if (correct[i]) hits[b]!++;
  }
  return count.map((n, b) => ({
    lower: b / numBins,
    upper: (b + 1) / numBins,
    count: n,
    meanConfidence: n === 0 ? null : confidenceSum[b]! / n,
    accuracy: n === 0 ? null : hits[b]! / n,
  }));
};

/** Top-label confidence (max probability) and predicted class (first arg max) of each row of an [N, C] matrix. */
export const topLabelPredictions = (
  probabilities: ArrayLike<number>,
  numClasses: number,
): { readonly confidence: Float64Array; readonly predicted: Int32Array } => {
  if (!Number.isInteger(numClasses) || numClasses < 1 || probabilities.length % numClasses !== 0) {
    throw new Error(`topLabelPredictions: ${probabilities.length} probabilities do not fill rows of ${numClasses} classes`);
  }
  const n = probabilities.length / numClasses;
  const confidence = new Float64Array(n);
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let max = probabilities[i * numClasses]!;
    for (let c = 1; c < numClasses; c++) {
      const p = probabilities[i * numClasses + c]!;
      if (p > max) {
        max = p;
        best = c;
      }
    }
    confidence[i] = max;
    predicted[i] = best;
  }
  return { confidence, predicted };
};

/**
 * The reliability table of a classifier from its [N, C] row-major probabilities and the true labels.
 * @throws when the shapes disagree or a label is outside [0, C).
 */
export const reliabilityTable = (
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  numBins: number = DEFAULT_CALIBRATION_BINS,
): ReliabilityBin[] => {
  checkBins('reliabilityTable', numBins);
  if (probabilities.length !== labels.length * numClasses) {
    throw new Error(`reliabilityTable: ${probabilities.length} probabilities for ${labels.length} labels and ${numClasses} classes`);
  }
  const { confidence, predicted } = topLabelPredictions(probabilities, numClasses);
  const correct = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!(Number.isInteger(y) && y >= 0 && y < numClasses)) throw new Error(`reliabilityTable: label ${y} at ${i} is outside [0, ${numClasses})`);
    correct[i] = predicted[i] === y ? 1 : 0;
  }
  // Softmax in float32 can exceed 1 by an ulp; such a confidence belongs to the last bin.
  for (let i = 0; i < confidence.length; i++) confidence[i] = Math.min(1, Math.max(0, confidence[i]!));
  return reliabilityTableOf(confidence, correct, numBins);
};
