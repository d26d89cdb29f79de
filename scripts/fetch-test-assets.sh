#!/usr/bin/env bash
# Puts the test assets that come from Debian packages (not kept in the repository) into DIR:
#   fsaverage-head.fif       fsaverage's scalp, a FIF BEM surface (2,033 vertices, metres)
#   fsaverage-fiducials.fif  its LPA, nasion and RPA
# both from python3-mne (mne/data/fsaverage/). The package is downloaded and unpacked in a
# temporary folder, never installed, so none of its dependencies come along.
# Idempotent and quiet when the assets are already there. Usage: fetch-test-assets.sh DIR
set -euo pipefail

dir=${1:?usage: fetch-test-assets.sh DIR}
assets=(fsaverage-head.fif fsaverage-fiducials.fif)

missing=0
for a in "${assets[@]}"; do [[ -s "$dir/$a" ]] || missing=1; done
((missing)) || exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt's download sandbox user (_apt) must be able to write here, or apt warns and runs unsandboxed.
chmod 755 "$tmp"
log="$tmp/apt.log"

download() { (cd "$tmp" && apt-get download python3-mne) >>"$log" 2>&1; }
if ! download; then
  # The package lists may be missing or stale: refresh them once and try again.
  apt-get update -qq >>"$log" 2>&1 || true
  if ! download; then
    echo "fetch-test-assets: cannot download Debian's python3-mne (needed for the fsaverage head" >&2
    echo "test assets); apt said:" >&2
    sed 's/^/  /' "$log" >&2
    exit 1
  fi
fi

deb=$(ls "$tmp"/python3-mne_*.deb 2>/dev/null | head -n 1)
if [[ -z "$deb" ]]; then
  echo "fetch-test-assets: apt-get download python3-mne left no .deb file" >&2
  exit 1
fi
dpkg -x "$deb" "$tmp/x"
src=$(find "$tmp/x" -type d -path '*/mne/data/fsaverage' | head -n 1)
if [[ -z "$src" ]]; then
  echo "fetch-test-assets: $(basename "$deb") has no mne/data/fsaverage folder" >&2
  exit 1
fi
mkdir -p "$dir"
for a in "${assets[@]}"; do
  if [[ ! -s "$src/$a" ]]; then
    echo "fetch-test-assets: $(basename "$deb") has no $a" >&2
    exit 1
  fi
  # Copy then rename, so an interrupted run never leaves a half-written asset behind.
  cp "$src/$a" "$dir/.$a.tmp"
  mv "$dir/.$a.tmp" "$dir/$a"
done
