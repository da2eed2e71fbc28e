/**
 * The training progress display on stderr: a bar with images/s and ETA, and one line per epoch.
 */
import cliProgress from 'cli-progress';
import type { RunEvent } from '../recipes/run-training.js';
import { formatPercent } from '../eval/format-report.js';

/** Returns an event handler that draws progress to `stream`, and a function that stops drawing. */
export const createProgress = (options: { readonly bar: boolean; readonly stream?: NodeJS.WriteStream } = { bar: true }) => {
  let epochs = 0;
  const stream = options.stream ?? process.stderr;
  const bar = new cliProgress.SingleBar(
    {
      format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} steps | {ips} img/s | loss {loss} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      stream,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let windowStart = performance.now();
  let windowImages = 0;
  let ips = 0;
  let epochStart = performance.now();
  let pendingEpoch: { epoch: number; lr: number; trainLoss: number; trainAccuracy: number; seconds: number; ips: number } | undefined;
  let epochImages = 0;
  const log = (line: string) => {
    if (started) bar.stop();
    started = false;
    stream.write(`${line}\n`);
  };
  const onEvent = (e: RunEvent): void => {
    switch (e.kind) {
      case 'ready':
        epochs = e.epochs;
        if (e.resumedAt !== undefined) log(`resuming at epoch ${e.resumedAt.epoch + 1}, step ${e.resumedAt.step + 1}`);
        log(
          `${e.dataset.name}: ${e.dataset.train.indices.length} training images (${e.dataset.train.source.targets === undefined ? 'per class' : 'positives per class'} ${e.dataset.trainCounts.join(' ')}), ` +
            `${e.dataset.test.indices.length} test images; model with ${e.parameters} parameters`,
        );
        break;
      case 'step': {
        if (e.step === 0) {
          epochStart = performance.now();
          epochImages = 0;
        }
        epochImages += e.result.size;
        if (!options.bar) break;
        if (!started || e.step === 0) {
          if (started) bar.stop();
          bar.start(e.stepsInEpoch, 0, { epoch: e.epoch + 1, epochs, ips: '–', loss: '–' });
          started = true;
          windowStart = performance.now();
          windowImages = 0;
        }
        windowImages += e.result.size;
        const now = performance.now();
        if (now - windowStart > 1000) {
          ips = (1000 * windowImages) / (now - windowStart);
          windowStart = now;
          windowImages = 0;
        }
        bar.update(e.step + 1, { ips: ips > 0 ? ips.toFixed(0) : '–', loss: e.result.loss.toFixed(3) });
        break;
      }
      case 'epoch': {
        const seconds = (performance.now() - epochStart) / 1000;
        pendingEpoch = { epoch: e.epoch, lr: e.lr, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, seconds, ips: epochImages / seconds };
        break;
      }
      case 'eval': {
        const p = pendingEpoch;
        const g = e.report.shotGroups;
        log(
          `epoch ${String(e.epoch + 1).padStart(String(epochs).length)}/${epochs}` +
            (p !== undefined ? `  lr ${p.lr.toPrecision(3)}  loss ${p.trainLoss.toFixed(4)}  train ${formatPercent(p.trainAccuracy)}` : '') +
            `  test ${formatPercent(e.report.overallAccuracy)}  balanced ${formatPercent(e.report.balancedAccuracy)}` +
            `  many/med/few ${formatPercent(g.many.accuracy)}/${formatPercent(g.medium.accuracy)}/${formatPercent(g.few.accuracy)}` +
            (p !== undefined ? `  ${p.seconds.toFixed(1)}s ${p.ips.toFixed(0)} img/s` : ''),
        );
        pendingEpoch = undefined;
        break;
      }
    }
  };
  return { onEvent, stop: () => started && bar.stop() };
};
