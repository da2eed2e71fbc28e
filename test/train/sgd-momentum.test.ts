import { beforeAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { expectClose } from '../helpers/expect-close.js';

describe('SGD with momentum (torch.optim.SGD semantics)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('applies g ← ∇ + λw; v ← μv + g; w ← w − lr·v', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const vars = new Map([['w', w]]);
    const opt = createSgdMomentum(vars, { momentum: 0.9, weightDecay: 0.1 });
    const grad = tf.tensor1d([0.5, 0.25]);
    // step 1: g = [0.5 + 0.1, 0.25 − 0.2] = [0.6, 0.05]; v = g; w = [1 − 0.06, −2 − 0.005]
    opt.apply(vars, { w: grad }, 0.1);
    expectClose(w.dataSync(), [0.94, -2.005], 1e-6);
    // step 2: g = [0.5 + 0.094, 0.25 − 0.2005] = [0.594, 0.0495]; v = 0.9·[0.6, 0.05] + g = [1.134, 0.0945]
    opt.apply(vars, { w: grad }, 0.1);
    expectClose(w.dataSync(), [0.94 - 0.1134, -2.005 - 0.00945], 1e-6);
    expectClose(opt.velocity.get('w')!.dataSync(), [1.134, 0.0945], 1e-6);
    opt.dispose();
    w.dispose();
    grad.dispose();
  });
});
