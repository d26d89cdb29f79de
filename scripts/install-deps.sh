#!/usr/bin/env bash
# Installs what Stipple needs to build, test and benchmark, from Debian 12 packages only.
# Idempotent and quiet when everything is already there: dpkg-query is asked first and
# apt-get runs only for the packages that are missing.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also the peers the benchmarks compare against
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config git ca-certificates
  libeigen3-dev libnanoflann-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libtbb-dev libcairo2-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-calib3d-dev
  libopencv-objdetect-dev opencv-data
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format
)
bench_pkgs=(python3 python3-numpy python3-open3d python3-opencv)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--bench" ]]; then
  want+=("${bench_pkgs[@]}")
  # Some machines carry a Node.js that bundles npm; Debian's npm conflicts with it, so it is
  # only asked for where no npm is on the PATH.
  command -v npm >/dev/null 2>&1 || want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
