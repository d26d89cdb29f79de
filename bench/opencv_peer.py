#!/usr/bin/python3
"""The dot compositing a user would write with OpenCV, for docs/benchmarks.md ("Rendering").

Reads, per frame size, DIR/base_WxH.png and DIR/dots_WxH.csv written by
`stipple_bench --export-render DIR` (and DIR/render.json for the sizes), and times the pipeline
with time.perf_counter (file reading outside the timing):

  1. coverage = float32 zeros; every dot drawn as a filled anti-aliased circle of value 1.0
     (cv2.circle, LINE_AA, shift=4: centres and radii in 1/16 px);
  2. per channel, GaussianBlur of the coverage with that channel's mean sigma (px);
  3. factor_k = 1 - mean darkening_k x blurred coverage, multiplied into the base **in sRGB code
     values** (base as float32 x factor, rounded to uint8): the usual user's composite, with no
     linear-light decode, and one sigma and one darkening per channel for all the dots.

Median of RUNS runs (default 5 at 2048 x 2048, 3 at 24 MP), OpenCV's default thread count
(cv2.getNumThreads() is reported). Also the Python-side floor: np.copyto of the base into a
preallocated array (median of 21). And a comparison with our output (DIR/ours_WxH.png): mean
absolute difference in code values and SSIM (Wang et al. 2004, 11x11 Gaussian window of sigma
1.5 on the luma, computed with cv2), to show both did comparable work. Prints one JSON object.

Run with Debian's python3 (python3-opencv, python3-numpy): /usr/bin/python3 bench/opencv_peer.py DIR
"""
import csv
import json
import os
import statistics
import sys
import time

import cv2
import numpy as np


def load_dots(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    cols = {k: np.array([float(r[k]) for r in rows], dtype=np.float64) for k in rows[0]}
    return cols


def opencv_composite(base, dots):
    """What a user would write. Returns the composited uint8 BGR image."""
    h, w = base.shape[:2]
    coverage = np.zeros((h, w), np.float32)
    # Fixed point with 4 fractional bits, as cv2.circle's shift=4 expects.
    xs = np.rint(dots["x_px"] * 16).astype(np.int64).tolist()
    ys = np.rint(dots["y_px"] * 16).astype(np.int64).tolist()
    rs = np.rint(dots["radius_px"] * 16).astype(np.int64).tolist()
    for x, y, r in zip(xs, ys, rs):
        cv2.circle(coverage, (x, y), r, 1.0, -1, cv2.LINE_AA, 4)
    out = np.empty_like(base)
    # OpenCV's B, G, R planes against the CSV's r, g, b columns.
    for plane, ch in ((0, "b"), (1, "g"), (2, "r")):
        sigma = float(dots[f"sigma_px_{ch}"].mean())
        dark = float(dots[f"dark_{ch}"].mean())
        blurred = cv2.GaussianBlur(coverage, (0, 0), sigma)
        factor = 1.0 - dark * blurred
        out[:, :, plane] = np.clip(base[:, :, plane].astype(np.float32) * factor + 0.5, 0,
                                   255).astype(np.uint8)
    return out


def ssim_luma(a, b):
    """Mean SSIM of two BGR uint8 images on their luma (Wang et al. 2004 constants)."""
    x = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY).astype(np.float64)
    y = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(z):
        return cv2.GaussianBlur(z, (11, 11), 1.5)

    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(s.mean())


def compare(base, ours, theirs):
    """How alike the two composites are, and how much each darkened the base."""
    b, o, t = (z.astype(np.int32) for z in (base, ours, theirs))
    touched = (o != b).any(axis=2) | (t != b).any(axis=2)
    diff = np.abs(o - t)
    return {
        "mad_all": float(diff.mean()),
        "mad_touched": float(diff[touched].mean()),
        "max_abs_diff": int(diff.max()),
        "touched_fraction": float(touched.mean()),
        "ours_mean_darkening_touched": float((b - o)[touched].mean()),
        "theirs_mean_darkening_touched": float((b - t)[touched].mean()),
        "ssim_luma": ssim_luma(ours, theirs),
        "ssim_luma_ours_vs_base": ssim_luma(ours, base),
    }


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
    with open(os.path.join(out_dir, "render.json")) as f:
        spec = json.load(f)
    results = []
    for size in spec["sizes"]:
        tag = size["tag"]
        base = cv2.imread(os.path.join(out_dir, f"base_{tag}.png"), cv2.IMREAD_COLOR)
        ours = cv2.imread(os.path.join(out_dir, f"ours_{tag}.png"), cv2.IMREAD_COLOR)
        dots = load_dots(os.path.join(out_dir, f"dots_{tag}.csv"))
        runs = int(os.environ.get("RUNS", 5 if size["w"] * size["h"] <= 4_200_000 else 3))
        times, theirs = [], None
        for _ in range(runs):
            t0 = time.perf_counter()
            theirs = opencv_composite(base, dots)
            times.append(time.perf_counter() - t0)
        cv2.imwrite(os.path.join(out_dir, f"opencv_{tag}.png"), theirs)

        copy = np.empty_like(base)
        copy_times = []
        for _ in range(21):
            t0 = time.perf_counter()
            np.copyto(copy, base)
            copy_times.append(time.perf_counter() - t0)

        results.append({
            "tag": tag,
            "w": size["w"],
            "h": size["h"],
            "dots": len(dots["x_px"]),
            "runs": times,
            "seconds": statistics.median(times),
            "copy_runs": copy_times,
            "copy_seconds": statistics.median(copy_times),
            "compare": compare(base, ours, theirs),
        })
    print(json.dumps({
        "peer": "opencv",
        "version": cv2.__version__,
        "numpy": np.__version__,
        "threads": cv2.getNumThreads(),
        "composite": "sRGB code values",
        "sizes": results,
    }, indent=1))


if __name__ == "__main__":
    main()
