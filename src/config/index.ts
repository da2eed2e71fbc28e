/** Configuration: io-ts codecs and one-sentence error reports with the dotted path. */
export { FiniteNumber, Integer, Positive, NonNegative, Probability, PositiveInt, NonNegativeInt, AtLeastOne } from './codecs.js';
export { reportErrors, errorPath, decodeWith } from './report.js';
