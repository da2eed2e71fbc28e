#!/usr/bin/env bash
# Training-step speed of tailstream on wasm against a PyTorch CPU peer, run back to back so the
# ratio holds on a noisy shared machine; writes bench/results/<date>-train-speed.md.
#
# Usage: bench/run-speed.sh            (environment: THREADS, SECONDS_PER_RUN, ROUNDS, MODELS, PYTHON)
#   THREADS          threads for both engines (default: cores available, at most 8)
#   SECONDS_PER_RUN  timed seconds per engine, model and round (default 20)
#   ROUNDS           rounds of [tfjs, PyTorch NCHW, PyTorch channels-last] per model (default 2)
#   PYTHON           a Python with torch (default /usr/bin/python3, Debian's python3-torch)
# PyTorch runs with OMP_WAIT_POLICY=PASSIVE: with OpenMP's default spinning, two threads on a
# contended 2-vCPU machine ran ResNet-32 up to 4× slower than with passive waiting, which would
# flatter the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-$(node -e "console.log(Math.min(8, require('os').availableParallelism()))")}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
ROUNDS=${ROUNDS:-2}
MODELS=${MODELS:-small-cnn resnet32}
PYTHON=${PYTHON:-/usr/bin/python3}
LOG=$(mktemp)
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo "threads $THREADS, $SECONDS_PER_RUN s per run, $ROUNDS rounds; load average $START_LOAD" >&2
for round in $(seq "$ROUNDS"); do
  for model in $MODELS; do
    npx tsx bench/train-speed.ts --threads "$THREADS" --models "$model" --seconds "$SECONDS_PER_RUN" --json | sed "s/^{/{\"round\":$round,/" | tee -a "$LOG" >&2
    for layout in "" "--channels-last"; do
      OMP_WAIT_POLICY=PASSIVE "$PYTHON" bench/peer_train_speed.py --threads "$THREADS" --models "$model" --seconds "$SECONDS_PER_RUN" --json $layout \
        | sed "s/^{/{\"round\":$round,/" | tee -a "$LOG" >&2
    done
  done
done
npx tsx bench/speed-report.ts "$LOG" "Load average (1, 5, 15 min) at the start: $START_LOAD. $ROUNDS rounds of $SECONDS_PER_RUN s per engine and model, engines interleaved; PyTorch with OMP_WAIT_POLICY=PASSIVE."
rm -f "$LOG"
