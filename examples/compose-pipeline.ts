/**
 * Composing the main job in code, without the CLI: source → sampler → operators → step → metrics,
 * glued with rxjs `pipe`. Run it with `npx tsx examples/compose-pipeline.ts` (about a minute).
 */
import { lastValueFrom, pipe, take, toArray } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import { backend, core, data, evaluation, losses, models, streams, train, transforms } from 'tailstream';

/** How much to train. */
export interface ExampleBudget {
  readonly epochs: number;
  /** Stop each epoch after this many batches (undefined: the whole epoch). */
  readonly maxBatches?: number;
}

/** Trains a small CNN on MNIST-LT with class-balanced sampling and returns the test evaluation. */
export const composePipeline = async (budget: ExampleBudget = { epochs: 4 }): Promise<evaluation.EvaluationReport> => {
  await backend.initBackend('auto');

  // 1. Source: MNIST-LT with an imbalance ratio of 100.
  const loaded = data.datasets.get('mnist-lt').load({ ratio: 100, profile: 'exp', subsetSeed: 0 });
  if (E.isLeft(loaded)) throw new Error(loaded.left);
  const ds = loaded.right;

  // 2. Model, loss and optimiser; every random choice comes from one seeded Rng.
  const rng = core.createRng(42);
  const model = models.createSmallCnn({ shape: ds.shape, numClasses: ds.numClasses }, rng.derive('model'));
  const state: train.TrainState = {
    model,
    loss: losses.crossEntropy,
    prepared: losses.crossEntropy.prepare({ labelSmoothing: 0 }, ds.trainCounts),
    reduction: 'mean',
    optimizer: train.createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 }),
  };
  const cropFlip = transforms.randomCropFlip({ padding: 2, flip: false, fill: ds.mean.map((m, c) => -m / ds.std[c]!) });

  for (let epoch = 0; epoch < budget.epochs; epoch++) {
    const epochRng = rng.derive('epoch', epoch);
    // 3. A pull-driven batch source: the class-balanced sampler decides the order, batches are made on demand.
    const source = streams.epochBatches(ds.train, {
      sampler: streams.classBalancedSampler,
      batchSize: 64,
      epoch,
      epochs: budget.epochs,
      rng: epochRng.derive('batches'),
      normalization: ds,
    });
    const maxBatches = budget.maxBatches;
    const limited: streams.PullSource<core.HostBatch> =
      maxBatches === undefined ? source : (credits$) => source(credits$).pipe(take(maxBatches));
    // 4. Operators, then the step, pulled through with at most 2 batches made ahead of the step.
    const results = await lastValueFrom(
      streams.pullThrough(limited, pipe(transforms.liftTransform(cropFlip, epochRng.derive('crop')), train.stepOperator(state, 0.02)), { prefetch: 2 }).pipe(
        toArray(),
      ),
    );
    const seen = results.reduce((s, r) => s + r.size, 0);
    const loss = results.reduce((s, r) => s + r.loss * r.size, 0) / seen;
    console.log(`epoch ${epoch + 1}: ${results.length} steps, mean loss ${loss.toFixed(4)}`);
  }

  // 5. Metrics: what this field reports.
  const p = train.predict(model, ds.test, ds);
  const report = evaluation.evaluate(p.labels, p.predicted, ds.trainCounts, ds.classNames);
  console.log(evaluation.formatReport(report));
  state.optimizer.dispose();
  model.dispose();
  return report;
};

if (import.meta.url === `file://${process.argv[1]}`) {
  composePipeline().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
