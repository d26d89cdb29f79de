#!/usr/bin/env bash
# Puts the test assets that come from Debian packages (not kept in the repository) into DIR:
#   fsaverage-head.fif       fsaverage's scalp, a FIF BEM surface (2,033 vertices, metres)
#   fsaverage-fiducials.fif  its LPA, nasion and RPA
# both from python3-mne (mne/data/fsaverage/), and
#   astronaut.png            the public-domain NASA portrait of Eileen Collins (512 x 512)
# from python3-skimage (skimage/data/), for the photo tests. Each package is downloaded and
# unpacked in a temporary folder, never installed, so none of its dependencies come along.
# Idempotent and quiet when the assets are already there. Usage: fetch-test-assets.sh DIR
set -euo pipefail

dir=${1:?usage: fetch-test-assets.sh DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt's download sandbox user (_apt) must be able to write here, or apt warns and runs unsandboxed.
chmod 755 "$tmp"
log="$tmp/apt.log"
refreshed=0

# fetch PACKAGE FOLDER_GLOB ASSET...: copies each ASSET from the package's folder matching
# FOLDER_GLOB (a find -path pattern) into $dir, unless all are there already.
fetch() {
  local pkg=$1 folder=$2
  shift 2
  local missing=0 a
  for a in "$@"; do [[ -s "$dir/$a" ]] || missing=1; done
  ((missing)) || return 0
  download() { (cd "$tmp" && apt-get download "$pkg") >>"$log" 2>&1; }
  if ! download; then
    # The package lists may be missing or stale: refresh them once and try again.
    if ((!refreshed)); then
      apt-get update -qq >>"$log" 2>&1 || true
      refreshed=1
    fi
    if ! download; then
      echo "fetch-test-assets: cannot download Debian's $pkg (needed for the test assets" >&2
      echo "$*); apt said:" >&2
      sed 's/^/  /' "$log" >&2
      exit 1
    fi
  fi
  local deb
  deb=$(ls "$tmp"/"${pkg}"_*.deb 2>/dev/null | head -n 1)
  if [[ -z "$deb" ]]; then
    echo "fetch-test-assets: apt-get download $pkg left no .deb file" >&2
    exit 1
  fi
  rm -rf "$tmp/x"
  dpkg -x "$deb" "$tmp/x"
  local src
  src=$(find "$tmp/x" -type d -path "$folder" | head -n 1)
  if [[ -z "$src" ]]; then
    echo "fetch-test-assets: $(basename "$deb") has no $folder folder" >&2
    exit 1
  fi
  mkdir -p "$dir"
  for a in "$@"; do
    if [[ ! -s "$src/$a" ]]; then
      echo "fetch-test-assets: $(basename "$deb") has no $a" >&2
      exit 1
    fi
    # Copy then rename, so an interrupted run never leaves a half-written asset behind.
    cp "$src/$a" "$dir/.$a.tmp"
    mv "$dir/.$a.tmp" "$dir/$a"
  done
}

fetch python3-mne '*/mne/data/fsaverage' fsaverage-head.fif fsaverage-fiducials.fif
fetch python3-skimage '*/skimage/data' astronaut.png
