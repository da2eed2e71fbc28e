/** Recipes: named compositions of registry entries, and the main job as a library call. */
export { RunConfig, DEFAULT_RUN_CONFIG, defaultMilestones } from './run-config.js';
export { runTraining, metricsDocument } from './run-training.js';
export type { RunEvent, EvalEvent, RunResult, RunTrainingOptions } from './run-training.js';
export { createRunFolder, writeFileAtomic } from './run-folder.js';
export type { RunFolder, RunStatus } from './run-folder.js';
