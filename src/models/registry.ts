/** The models tailstream can build by name. */
import { createRegistry, type Registry } from '../core/registry.js';
import type { ModelEntry } from './model.js';
import { smallCnn } from './small-cnn.js';
import { resnet32 } from './resnet32.js';
import { bbnResNet32, bbnSmallCnn } from './bbn.js';
import { darResNet32 } from './dar-resnet.js';
import { darSmallCnn } from './dar-small-cnn.js';

/** Every registered model. */
export const models: Registry<ModelEntry> = createRegistry<ModelEntry>('model', [smallCnn, resnet32, bbnSmallCnn, bbnResNet32, darSmallCnn, darResNet32]);
