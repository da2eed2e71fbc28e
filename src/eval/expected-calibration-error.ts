/**
 * Expected calibration error (ECE) with equal-width confidence bins.
 *
 * Naeini, Cooper & Hauskrecht, "Obtaining Well Calibrated Probabilities Using Bayesian Binning", AAAI 2015;
 * in the form of Guo et al., "On Calibration of Modern Neural Networks", ICML 2017, Sec. 2:
 * ECE = Σ_m (|B_m| / n) · |acc(B_m) − conf(B_m)|, the bins' gaps between accuracy and confidence weighted by
 * the fraction of samples in each bin (see `reliabilityTable` for the bins). 0 means perfectly calibrated;
 * it lies in [0, 1].
 */
import type { ReliabilityBin } from './reliability-table.js';

/** ECE of a reliability table; null when the table holds no prediction. */
export const expectedCalibrationError = (table: ReadonlyArray<ReliabilityBin>): number | null => {
  const n = table.reduce((s, b) => s + b.count, 0);
  if (n === 0) return null;
  return table.reduce((s, b) => (b.count === 0 ? s : s + (b.count / n) * Math.abs(b.accuracy! - b.meanConfidence!)), 0);
};
