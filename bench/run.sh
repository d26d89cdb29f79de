#!/usr/bin/env bash
# The sampler and rendering benchmarks, side by side with their peers on the same inputs in the
# same run, and docs/benchmarks.md rendered from what was measured. `make bench` installs the
# peers first (scripts/install-deps.sh --bench) and then runs this; a few minutes on 2 cores.
#
#   bench/run.sh                 everything, writes docs/benchmarks.md
#   BUILD=dir bench/run.sh       another build folder (default: build)
#   REPS=n bench/run.sh          Google Benchmark repetitions (default: 5)
#   PAIRS=n bench/run.sh         paired runs of our variable sampling and npm's (default: 5)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
REPS=${REPS:-5}
PAIRS=${PAIRS:-5}
OUT=bench/out
# Debian's python3, which has python3-open3d, python3-opencv and python3-numpy; a pyenv python3
# on the PATH would not.
PY=/usr/bin/python3

rm -rf "$OUT"
mkdir -p "$OUT"
: >"$OUT/commands.txt"
# Runs one step and records it, exactly as run, for the report's "commands" section.
step() {
  echo "+ $1" >&2
  echo "$1" >>"$OUT/commands.txt"
  eval "$1"
}

cat /proc/loadavg >"$OUT/loadavg-before.txt"
step "cmake -S . -B $BUILD -DCMAKE_BUILD_TYPE=Release -DSTIPPLE_BENCH=ON > /dev/null"
step "cmake --build $BUILD -j2 --target stipple_bench"
# The peers' inputs (cap mesh, N, chart density) and our own spacing quality.
step "$BUILD/stipple_bench --export $OUT"
# The rendering inputs (base images, dots) for the OpenCV peer, and our composite of them.
step "$BUILD/stipple_bench --export-render $OUT"
# The sampler runs on one thread (a tbb::global_control in each), the rendering runs on both
# cores; every repetition kept in the JSON, medians reported. Repetitions of all the runs are
# interleaved in a random order, so a slow spell of the shared machine falls on every contender
# alike instead of on whichever ran then.
step "$BUILD/stipple_bench --benchmark_repetitions=$REPS --benchmark_enable_random_interleaving=true --benchmark_min_time=0.5 --benchmark_display_aggregates_only=true --benchmark_out_format=json --benchmark_out=$OUT/stipple_bench.json"
# Open3D on one OpenMP thread too, so every contender runs on one core.
step "OMP_NUM_THREADS=1 $PY bench/open3d_peer.py $OUT > $OUT/open3d.json"
# OpenCV with its default threads (both cores), like our composite.
step "$PY bench/opencv_peer.py $OUT > $OUT/opencv.json"
step "(cd bench && npm ci --silent --no-audit --no-fund)"
step "node bench/npm_peer.mjs $OUT > $OUT/npm.json"
# Paired runs: our variable sampling and npm's, one after the other, PAIRS times, so each pair
# meets the same spell of the shared machine (npm's time alone swung from 0.8 to 1.4 s between
# runs); npm's second run of two is taken, past the JIT's warm-up. The ratio is judged pair by
# pair.
mkdir -p "$OUT/paired"
step "for k in \$(seq 1 $PAIRS); do $BUILD/stipple_bench --benchmark_filter='^BM_SampleVariable/' --benchmark_min_time=0.3 --benchmark_out_format=json --benchmark_out=$OUT/paired/ours_\$k.json > /dev/null && node bench/npm_peer.mjs $OUT 2 > $OUT/paired/npm_\$k.json; done"
cat /proc/loadavg >"$OUT/loadavg-after.txt"

$PY bench/render_report.py "$OUT" >docs/benchmarks.md.tmp
mv docs/benchmarks.md.tmp docs/benchmarks.md
echo "wrote docs/benchmarks.md" >&2
