/**
 * tailstream's public API: each layer as a namespace (`import { streams, losses } from 'tailstream'`).
 */
export * as core from './core/index.js';
export * as backend from './backend/index.js';
export * as config from './config/index.js';
export * as data from './data/index.js';
export * as streams from './streams/index.js';
export * as transforms from './transforms/index.js';
export * as losses from './losses/index.js';
export * as models from './models/index.js';
export * as train from './train/index.js';
export * as evaluation from './eval/index.js';
export * as recipes from './recipes/index.js';
