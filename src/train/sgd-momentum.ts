/**
 * SGD with momentum and L2 weight decay, with PyTorch's semantics (`torch.optim.SGD`, dampening 0, no Nesterov):
 *   g ← ∇w + λ·w;  v ← μ·v + g;  w ← w − lr·v.
 * The learning rate is an argument of every update, so schedules stay pure functions of the epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { uniqueVariableName } from '../models/init.js';

/** Hyper-parameters of SGD-momentum. */
export interface SgdConfig {
  /** μ, 0.9 in every CIFAR-LT recipe. */
  readonly momentum: number;
  /** λ, 2e-4 in LDAM-DRW's `cifar_train.py`; 5e-4 elsewhere. */
  readonly weightDecay: number;
}

/** An optimizer's state and update. */
export interface SgdMomentum {
  readonly config: SgdConfig;
  /** One velocity per trainable variable, keyed like the model's variables. */
  readonly velocity: ReadonlyMap<string, tf.Variable>;
  /** Applies `grads` (keyed by variable name) at learning rate `lr`. Disposes nothing it did not create. */
  apply(vars: ReadonlyMap<string, tf.Variable>, grads: Readonly<Record<string, tf.Tensor>>, lr: number): void;
  dispose(): void;
}

/** Creates SGD-momentum state (zero velocities) for `vars`. */
export const createSgdMomentum = (vars: ReadonlyMap<string, tf.Variable>, config: SgdConfig): SgdMomentum => {
  const velocity = new Map<string, tf.Variable>();
  for (const [name, v] of vars) velocity.set(name, tf.tidy(() => tf.variable(tf.zerosLike(v), false, uniqueVariableName(`${name}/velocity`))));
  return {
    config,
    velocity,
    apply: (variables, grads, lr) => {
      tf.tidy(() => {
        for (const [name, w] of variables) {
          const g0 = grads[name];
          if (g0 === undefined) continue;
          const v = velocity.get(name)!;
          const g = config.weightDecay > 0 ? tf.add(g0, tf.mul(w, config.weightDecay)) : g0;
          const vNext = tf.add(tf.mul(v, config.momentum), g);
          v.assign(vNext);
          w.assign(tf.sub(w, tf.mul(vNext, lr)));
        }
      });
    },
    dispose: () => {
      for (const v of velocity.values()) v.dispose();
    },
  };
};
