/** Recipes: named compositions of registry entries, and the main job as a library call. */
export { RunConfig, DEFAULT_RUN_CONFIG, defaultMilestones } from './run-config.js';
export { runTraining, resumeTraining, metricsDocument, CHECKPOINT_FILE } from './run-training.js';
export type { RunEvent, EvalEvent, ReadyEvent, RunResult, RunTrainingOptions } from './run-training.js';
export { createRunFolder, openRunFolder, readRunStatus, writeFileAtomic } from './run-folder.js';
export { acquireRunLock } from './run-lock.js';
export type { RunLock } from './run-lock.js';
export type { RunFolder, RunStatus } from './run-folder.js';
