#!/usr/bin/python3
"""Renders docs/benchmarks.md from one run of bench/run.sh (the files in its output folder).

Every figure in the page comes from that run: Google Benchmark's JSON (medians of the
repetitions), cap.json (our spacing quality, N, the cap), open3d.json and npm.json (the peers).
Usage: /usr/bin/python3 bench/render_report.py bench/out > docs/benchmarks.md
"""
import datetime
import json
import os
import platform
import subprocess
import sys

# The issue's targets.
RENDER_OPENCV_SPEED_TARGET = 20.0  # ours / the OpenCV pipeline, at 24 MP, 50,000 dots
RENDER_FLOOR_TIME_TARGET = 3.0  # our time / one copy of the image, at 24 MP
OPEN3D_SPEED_TARGET = 100.0  # ours / Open3D, points per second, at equal or better quality
NPM_SPEED_TARGET = 5.0  # ours / npm poisson-disk-sampling
PLAN_DOTS_TARGET = 50_000
PLAN_MS_TARGET = 50.0  # a 50,000-dot plan on one core


def load(out, name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def read_text(out, name):
    with open(os.path.join(out, name)) as f:
        return f.read().strip()


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def git_revision():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + (" with uncommitted changes in src/ (others' work in progress)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def benchmarks(gb):
    """name -> median wall and CPU seconds, dots, dots per second of each, every repetition."""
    out = {}
    for b in gb["benchmarks"]:
        # "BM_FullPlan/real_time" -> "FullPlan"; "BM_RenderComposite/w:2048/h:2048/real_time"
        # -> "RenderComposite/w:2048/h:2048" (one entry per size).
        parts = [x for x in b["run_name"].split("/") if x != "real_time"]
        name = "/".join(parts).removeprefix("BM_")
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        if b.get("run_type") == "aggregate":
            continue  # recomputed below from the repetitions, for wall and CPU time alike
        entry = out.setdefault(name, {"runs": [], "cpu_runs": []})
        entry["dots"] = int(b["dots"])
        entry["runs"].append(b["real_time"] * scale)
        entry["cpu_runs"].append(b["cpu_time"] * scale)
    for entry in out.values():
        # Medians of the repetitions, as Google Benchmark's own median aggregate computes them.
        entry["seconds"] = median(entry["runs"])
        entry["cpu_seconds"] = median(entry["cpu_runs"])
        entry["dots_per_second"] = entry["dots"] / entry["seconds"]
        entry["dots_per_cpu_second"] = entry["dots"] / entry["cpu_seconds"]
    return out


def paired_npm(out):
    """Our variable sampling and npm's, run one after the other: per pair, ours and npm's dots
    per CPU second (npm's second run, past the JIT's warm-up) and their ratio."""
    pairs = []
    k = 1
    while os.path.exists(os.path.join(out, "paired", f"ours_{k}.json")):
        ours = benchmarks(load(out, f"paired/ours_{k}.json"))["SampleVariable"]
        theirs = load(out, f"paired/npm_{k}.json")["runs"][-1]
        npm_rate = theirs["points"] / theirs["cpu_seconds"]
        pairs.append({"ours_cpu_seconds": ours["cpu_seconds"],
                      "npm_cpu_seconds": theirs["cpu_seconds"],
                      "ratio": ours["dots_per_cpu_second"] / npm_rate})
        k += 1
    return pairs


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])


def fmt_rate(x):
    if x >= 1e6:
        return f"{x / 1e6:.2f} M/s"
    if x >= 1e3:
        return f"{x / 1e3:.1f} k/s"
    return f"{x:.0f} /s"


def fmt_time(s):
    return f"{s * 1e3:,.1f} ms" if s < 10 else f"{s:,.2f} s"


def yes_no(ok):
    return "**met**" if ok else "**not met**"


def photo_section(p, gb):
    """## Photos: the 24 MP preview end to end, step by step."""
    runs = [b for b in gb["benchmarks"]
            if b["run_name"].startswith("BM_PhotoEndToEnd") and b.get("run_type") != "aggregate"]
    if not runs:
        return
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[runs[0]["time_unit"]]
    steps = [("decode_ms", "decode: `read_photo` (header checks, JPEG decode, EXIF orientation)"),
             ("register_ms", "register: `register_photo` (solvePnP from the landmarks)"),
             ("raster_ms", "render, depth: `photo_view` (the registered head's depth buffer)"),
             ("dots_ms", "render, dots: `visible_dots` (aging, optics, depth test, footprints)"),
             ("composite_ms", "render, composite: `composite_dots` into the photo"),
             ("encode_ms", "encode: JPEG, quality 92 (`cv::imencode`)")]
    total = median([r["real_time"] * scale for r in runs])
    r0 = runs[0]
    p("## Photos: a 24 MP photo end to end")
    p("")
    p(f"`BM_PhotoEndToEnd` (bench/photo_bench.cpp): a {int(r0['pixels']) / 1e6:.0f} MP JPEG "
      "(6000 x 4000, quality 92; the renderer's view of the head from above the brow, standing "
      "in for a client's photo) of `examples/norwood-vii.json` at 1.8 times its densities, "
      f"{int(r0['visible_dots']):,} of its dots in view, registered from "
      f"{int(r0['landmarks'])} landmarks; healed. From the file to the JPEG of the result, "
      "both cores; each step timed inside the loop, medians over the repetitions.")
    p("")
    p("| step | time |")
    p("| --- | ---: |")
    for key, label in steps:
        p(f"| {label} | {median([r[key] for r in runs]):,.1f} ms |")
    p(f"| **end to end** | **{total:,.1f} ms** |")
    p("")
    p(f"Target: under 1 s in all on 2 cores: {yes_no(total < 1000)}.")
    p("")


def render_section(p, out, bm):
    """## Rendering: composite_dots against the OpenCV pipeline and one copy of the image."""
    spec = load(out, "render.json")
    cv = load(out, "opencv.json")
    theirs = {s["tag"]: s for s in cv["sizes"]}
    sig, dark = spec["sigma_mm_rgb"], spec["darkening_rgb"]
    p("## Rendering: compositing 50,000 dots")
    p("")
    p("`stipple::composite_dots` (src/stipple/render/splat.h) multiplies every dot's footprint "
      "(the pigment disc convolved with a per-channel Gaussian, through the dot's 2x2 Jacobian) "
      "into an 8-bit BGR image in linear light, in 256 x 16 tiles in parallel (oneTBB), 16 "
      "pixels at a time with AVX-512 where the CPU has it, else eight with AVX2, else one at a "
      "time, chosen at run time (the coverage profile from one polynomial per table row, or for "
      "sharp dots piecewise cubics picked by vector permutes, not table gathers); dot-free runs "
      "of a large image are copied with streaming stores.")
    p("")
    p("Inputs (`stipple_bench --export-render`, fixed seed), one per frame size: a base image, a "
      "smooth skin-toned shaded ellipse (a head lit from the upper left) on a grey background, "
      f"and {spec['sizes'][0]['dots']:,} dots on a hex lattice of {spec['spacing_mm']:g} mm "
      f"pitch jittered by +-{spec['jitter_mm']:g} mm per axis (blue-noise-like), filling an "
      f"ellipse of {spec['sizes'][0]['cover_fraction']:.0%} of the frame; the pixel scale is "
      "what makes them fill it. Healed footprints: radius "
      f"{spec['radius_mm']:g} mm +-{spec['radius_spread']:.0%}, sigma R/G/B "
      f"{sig[0]:g}/{sig[1]:g}/{sig[2]:g} mm (x 1 +-10 % depth per dot, +-3 % per channel), "
      f"darkening {dark[0]:g}/{dark[1]:g}/{dark[2]:g} (+-0.04); Jacobian isotropic at the scale, "
      "squeezed radially towards the rim to 0.71 as on a dome seen from the front (+-3 % per "
      "dot).")
    p("")
    for s in spec["sizes"]:
        p(f"- {s['w']:,} x {s['h']:,}: {s['px_per_mm']:.2f} px/mm, {s['dots_drawn']:,} dots "
          f"drawn, {s['tiles_touched']:,} of "
          f"{s['tiles']:,} tiles of 256 x 16 px touched.")
    p("")
    p("Contenders, on the same inputs in the same run, every one free to use both cores:")
    p("")
    p("- **Stipple**: `composite_dots(base, dots, out)`, `out` preallocated, TBB's default "
      "parallelism; Google Benchmark, wall-clock time, median of the repetitions (the "
      "repetitions of every run, sampling and rendering, interleaved in a random order, so a "
      "slow spell of the shared machine falls on each contender alike).")
    p(f"- **OpenCV {cv['version']}** (python3-opencv, numpy {cv['numpy']}, "
      f"`cv2.getNumThreads()` = {cv['threads']}): what a user would write: every dot drawn "
      "with `cv2.circle(coverage, centre, radius, 1.0, -1, cv2.LINE_AA, shift=4)` on a float32 "
      "coverage layer, then per channel `cv2.GaussianBlur` with that channel's mean sigma, "
      "times its mean darkening, multiplied into the base **in sRGB code values** (no "
      "linear-light decode), rounded to uint8. Timed from the coverage layer to the uint8 "
      "image (reading files is outside), `time.perf_counter`, median of "
      f"{len(cv['sizes'][0]['runs'])} (2048^2) and {len(cv['sizes'][-1]['runs'])} (24 MP) runs.")
    p("- **Floor**: one read-and-write pass over the image: `std::memcpy` of the base into a "
      "preallocated image of the same size (Google Benchmark). The Python side's own floor, "
      "`np.copyto` into a preallocated array, is given beside it.")
    p("")
    p("Ratios: ours ÷ OpenCV is the speed ratio (their time over ours; above 1 we are faster); "
      "ours ÷ floor is the time ratio (our time over the copy's; 1 would be free).")
    p("")
    p("| contender | size | time | ours ÷ OpenCV (speed) | ours ÷ floor (time) |")
    p("| --- | --- | ---: | ---: | ---: |")
    verdict = {}
    for s in spec["sizes"]:
        key = f"w:{s['w']}/h:{s['h']}"
        ours, floor = bm[f"RenderComposite/{key}"], bm[f"RenderCopyFloor/{key}"]
        t = theirs[s["tag"]]
        size = f"{s['w']:,} x {s['h']:,}"
        speed = t["seconds"] / ours["seconds"]
        slow = ours["seconds"] / floor["seconds"]
        verdict[s["tag"]] = (speed, slow)
        p(f"| Stipple `composite_dots` | {size} | {fmt_time(ours['seconds'])} | "
          f"**{speed:,.1f}x** | **{slow:,.1f}x** |")
        p(f"| OpenCV pipeline | {size} | {fmt_time(t['seconds'])} | | |")
        p(f"| Floor: `memcpy` of the image | {size} | {fmt_time(floor['seconds'])} | | |")
        p(f"| (Python floor: `np.copyto`) | {size} | {fmt_time(t['copy_seconds'])} | | |")
    p("")
    p("Spread (wall time of each Google Benchmark repetition; OpenCV: each run):")
    p("")
    for s in spec["sizes"]:
        key = f"w:{s['w']}/h:{s['h']}"
        for label, runs in (("Stipple", bm[f"RenderComposite/{key}"]["runs"]),
                            ("floor", bm[f"RenderCopyFloor/{key}"]["runs"]),
                            ("OpenCV", theirs[s["tag"]]["runs"])):
            p(f"- {s['w']} x {s['h']}, {label}: {', '.join(fmt_time(x) for x in runs)}")
    p("")
    big = max(spec["sizes"], key=lambda s: s["w"] * s["h"])
    speed, slow = verdict[big["tag"]]
    p(f"Targets, at {big['w']:,} x {big['h']:,}:")
    p("")
    p("| target | measured | status |")
    p("| --- | --- | --- |")
    p(f"| >= {RENDER_OPENCV_SPEED_TARGET:.0f}x the OpenCV pipeline | {speed:,.1f}x | "
      f"{yes_no(speed >= RENDER_OPENCV_SPEED_TARGET)} |")
    p(f"| <= {RENDER_FLOOR_TIME_TARGET:.0f}x the floor's time | {slow:,.1f}x | "
      f"{yes_no(slow <= RENDER_FLOOR_TIME_TARGET)} |")
    p("")
    p("Do they do comparable work? Our output against OpenCV's, per size: the mean absolute "
      "difference in 8-bit code values over every channel (over the whole frame, and over the "
      "pixels either one changed), the largest difference, the mean darkening each applied "
      "there (base minus output, code values), and SSIM on the luma (Wang et al. 2004; 1 = "
      "identical). They differ by method, not by accident: we multiply in linear light, where "
      "a given loss of light lowers an sRGB code value by less than the same factor applied to "
      "the code itself, with each dot's exact disc x Gaussian footprint, its own sigma, "
      "darkening and foreshortening; OpenCV multiplies code values, with one sigma and one "
      "darkening per channel, and a filled anti-aliased `cv2.circle` that carries more area than "
      "the exact disc at these radii of 1-3 px (checked by hand: 7.0 px2 for r = 1.17 px, "
      "where the disc has 4.3; 40 px2 for 3.16 px, against 31.4). Those two account for "
      "OpenCV's darkening being about 3x ours.")
    p("")
    p("| size | MAD, frame | MAD, changed pixels | max | darkening: ours / OpenCV | "
      "SSIM ours vs OpenCV | SSIM ours vs base |")
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in spec["sizes"]:
        c = theirs[s["tag"]]["compare"]
        p(f"| {s['w']:,} x {s['h']:,} | {c['mad_all']:.2f} | {c['mad_touched']:.2f} | "
          f"{c['max_abs_diff']} | {c['ours_mean_darkening_touched']:.2f} / "
          f"{c['theirs_mean_darkening_touched']:.2f} | {c['ssim_luma']:.4f} | "
          f"{c['ssim_luma_ours_vs_base']:.4f} |")
    p("")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
    cap = load(out, "cap.json")
    gb = load(out, "stipple_bench.json")
    o3d = load(out, "open3d.json")
    npm = load(out, "npm.json")
    commands = read_text(out, "commands.txt").splitlines()
    bm = benchmarks(gb)
    plan, var, uni, floor = (bm["FullPlan"], bm["SampleVariable"], bm["SampleUniform"],
                             bm["UniformFloor"])

    uni_stats = cap["uniform"]["stats"]
    var_stats = cap["variable"]["final"]
    # Speeds are judged on CPU time: every contender runs on one thread, and on a shared machine
    # CPU time is what other work inflates least. The wall-clock ratios are given beside them.
    o3d_speed = uni["dots_per_cpu_second"] / o3d["points_per_cpu_second"]
    o3d_speed_wall = uni["dots_per_second"] / o3d["points_per_second"]
    npm_speed = var["dots_per_cpu_second"] / npm["points_per_cpu_second"]
    pairs = paired_npm(out)
    npm_paired = median([x["ratio"] for x in pairs]) if pairs else None
    npm_speed_wall = var["dots_per_second"] / npm["points_per_second"]
    floor_speed = uni["dots_per_cpu_second"] / floor["dots_per_cpu_second"]
    plan_ms_50k = plan["cpu_seconds"] * 1e3 * PLAN_DOTS_TARGET / plan["dots"]
    plan_ms_50k_wall = plan["seconds"] * 1e3 * PLAN_DOTS_TARGET / plan["dots"]
    quality_ok = (uni_stats["min_ratio"] >= o3d["stats"]["min_ratio"]
                  and uni_stats["cv"] <= o3d["stats"]["cv"])

    w = []
    p = w.append
    p("# Benchmarks")
    p("")
    p("Generated by `bench/run.sh` (`make bench`); every figure below is from one run of it, all "
      "contenders on the same machine in the same run. Do not edit by hand: rerun.")
    p("")
    p("## Machine and run")
    p("")
    p(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    p(f"- CPU: {cpu_model()}, `nproc` = {os.cpu_count()}; "
      f"{gb['context'].get('mhz_per_cpu', '?')} MHz")
    p(f"- Load average before / after the run: {read_text(out, 'loadavg-before.txt')} / "
      f"{read_text(out, 'loadavg-after.txt')} (the machine is shared with other work, so times "
      "carry that noise; the repetitions' spread is given below)")
    p(f"- Stipple revision: {git_revision()}, Release build; Google Benchmark "
      f"(Debian's libbenchmark, whose own build type it reports as "
      f"\"{gb['context'].get('library_build_type', '?')}\": that is the harness library, not "
      "Stipple)")
    p(f"- Open3D {o3d['version']} (Debian python3-open3d), npm poisson-disk-sampling "
      f"{npm['version']} on Node {npm['node']}")
    p("- Sampling: every contender runs on one core: Stipple under `tbb::global_control"
      "(max_allowed_parallelism, 1)`, Open3D with `OMP_NUM_THREADS=1`, Node single-threaded. "
      "Rendering: every contender uses both cores (below).")
    p("")
    p("## Input")
    p("")
    p(f"`{cap['plan']}` on the default parametric head: {cap['plan_dots']:,} dots in "
      f"{len(cap['variable']['unions'])} sessions over {cap['treated_grid_area_mm2'] / 100:.1f} "
      f"cm2 (mean {cap['mean_density_per_cm2']:.1f} dots/cm2). The issue speaks of about 50,000 "
      f"dots; this plan, as the planner builds it today, has {plan['dots']:,}, and the 50 ms "
      "target is judged on its time scaled linearly to 50,000 dots.")
    p("")
    p("- **Stipple, full plan**: `run_plan` (head, density field, bake, sampling, per-dot "
      "attributes).")
    p("- **Stipple, variable**: `sample_dots` alone on the plan's baked field, its sessions and "
      "seed.")
    p(f"- **Stipple, uniform**: `sample_dots` on a uniform density (the plan's mean) over the "
      f"same treated region, one session: {cap['uniform']['count']:,} dots. This is the "
      "workload Open3D gets.")
    p(f"- **Open3D**: `{o3d['call']}` on the head-mesh triangles whose centroid lies in the "
      f"treated region ({cap['cap_faces']:,} triangles, {cap['cap_area_mm2'] / 100:.1f} cm2), "
      "one timed run.")
    opts = npm["options"]
    lo, hi = opts["density_range_per_cm2"]
    p(f"- **npm poisson-disk-sampling**: variable density via `distanceFunction` on the flat "
      f"scalp chart (the plan's density on a 2 mm grid of the azimuthal equidistant chart, "
      f"bounding box {opts['shape'][0]:.0f} x {opts['shape'][1]:.0f} mm), distance "
      f"{opts['K']} x the local hex spacing for densities {lo:.1f} - {hi:.0f} dots/cm2 "
      f"(minDistance {opts['minDistance']:.2f} mm, maxDistance {opts['maxDistance']:.2f} mm), "
      f"tries {opts['tries']}, bias {opts['bias']}; median of {len(npm['runs'])} runs. "
      f"{npm['inside_region']:,} of its {npm['count']:,} points fall in the treated region "
      f"(the chart's density asks for {npm['expected_inside']:,.0f}); all are counted for its "
      "speed.")
    p("- **Floor**: uniform random points, area-weighted, on the same treated triangles, same "
      "count (no spacing at all): the cost of merely producing the points.")
    p("")
    p("## Results")
    p("")
    p("Speed ratio = our dots per CPU second over the contender's (above 1: we are faster). "
      "Spacing: each dot's nearest-neighbour distance (3D) over its target hex spacing "
      "s = sqrt(2 A / (sqrt(3) N)), or for a variable density the local one (domain.md, "
      "\"Blue-noise quality\"); good is min >= 0.65, CV <= 0.1.")
    p("")
    p("Times: wall clock, and CPU time (Stipple: the benchmark thread's, TBB held to one thread; "
      "Open3D: the process's `time.process_time()`; npm: the process's `process.cpuUsage()`, V8's "
      "collector threads included). Each covers the sampling call alone: Open3D's includes its "
      "initial uniform sample of init_factor x N points and the elimination, npm's the "
      "constructor and `fill()`; loading files and measuring spacing are outside every timing. "
      "Stipple's figures are medians of the Google Benchmark repetitions, npm's of its runs, "
      "Open3D's one run.")
    p("")
    p("| contender | dots | wall time | CPU time | dots per CPU second | ours ÷ theirs "
      "(speed) | min ratio | CV |")
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")

    def row(label, dots, wall, cpu, ratio, stats, mark=""):
        p(f"| {label} | {dots:,} | {fmt_time(wall)} | {fmt_time(cpu)} | {fmt_rate(dots / cpu)} | "
          f"{ratio} | {stats['min_ratio']:.3f}{mark} | {stats['cv']:.3f}{mark} |")

    n_sessions = len(cap["variable"]["unions"])
    row(f"Stipple, full plan (variable, {n_sessions} sessions)", plan["dots"], plan["seconds"],
        plan["cpu_seconds"], "", var_stats)
    row("Stipple, `sample_dots` variable", var["dots"], var["seconds"], var["cpu_seconds"], "",
        var_stats)
    row("Stipple, `sample_dots` uniform", uni["dots"], uni["seconds"], uni["cpu_seconds"], "",
        uni_stats)
    row("Open3D `sample_points_poisson_disk` (uniform)", o3d["count"], o3d["seconds"],
        o3d["cpu_seconds"], f"**{o3d_speed:,.1f}x** (our uniform run; wall {o3d_speed_wall:,.1f}x)",
        o3d["stats"])
    row("npm poisson-disk-sampling (variable, flat chart)", npm["count"], npm["seconds"],
        npm["cpu_seconds"], f"**{npm_speed:,.2f}x** (our variable run; wall {npm_speed_wall:,.2f}x)",
        npm["stats"], "\\*")
    row("Floor: uniform random points on the cap", floor["dots"], floor["seconds"],
        floor["cpu_seconds"], f"{floor_speed:,.3f}x (our uniform run)", cap["floor"]["stats"])
    p("")
    p("\\* npm's spacing is measured in its own flat chart plane over the "
      f"{npm['stats']['count']:,} dots inside the region whose density it was asked to honour "
      f"(at least {lo:.1f} dots/cm2). The package places each new point at exactly its "
      "parent's distance, so nearly every point's nearest neighbour sits at its own radius and "
      "the CV is near 0 by construction: the minimum ratio is its meaningful figure.")
    p("")
    p("Our variable run, each cumulative union of sessions (each dot's spacing at the union's "
      "share of its density):")
    p("")
    p("| sessions | share | dots | min ratio | mean ratio | CV |")
    p("| --- | ---: | ---: | ---: | ---: | ---: |")
    for u in cap["variable"]["unions"]:
        s = u["stats"]
        p(f"| {u['union']} | {u['share']:.2f} | {s['count']:,} | {s['min_ratio']:.3f} | "
          f"{s['mean_ratio']:.3f} | {s['cv']:.3f} |")
    p("")
    p(f"Our uniform run measured over the cap mesh's area ({cap['cap_area_mm2'] / 100:.1f} cm2, "
      f"the A Open3D is judged on) instead of the baked field's "
      f"({cap['treated_grid_area_mm2'] / 100:.1f} cm2): min ratio "
      f"{cap['uniform']['stats_over_cap_area']['min_ratio']:.3f}, CV "
      f"{cap['uniform']['stats_over_cap_area']['cv']:.3f}.")
    p("")
    p("Spread of the repetitions (wall / CPU time; each a Google Benchmark repetition of at "
      "least 0.5 s of iterations; npm: whole runs, the first with the JIT warming up):")
    p("")
    for name, b in (("full plan", plan), ("variable", var), ("uniform", uni),
                    ("floor", floor)):
        runs = ", ".join(f"{fmt_time(x)} / {fmt_time(c)}" for x, c in zip(b["runs"], b["cpu_runs"]))
        p(f"- {name}: {runs}")
    npm_runs = ", ".join(f"{fmt_time(r['seconds'])} / {fmt_time(r['cpu_seconds'])}"
                         for r in npm["runs"])
    p(f"- npm: {npm_runs}")
    if pairs:
        p("")
        p("The machine is shared and its speed drifts from minute to minute (npm's own runs above "
          "differ by up to half), so the two variable-density contenders were also run in pairs, "
          "one right after the other, the ratio taken pair by pair (`bench/run.sh`, PAIRS; npm's "
          "second run of two in its process, past the JIT's warm-up). CPU time, ours / npm, "
          "speed ratio:")
        p("")
        for i, x in enumerate(pairs, 1):
            p(f"- pair {i}: {fmt_time(x['ours_cpu_seconds'])} / {fmt_time(x['npm_cpu_seconds'])}, "
              f"{x['ratio']:,.2f}x")
    p("")
    p("## Targets")
    p("")
    p("Judged on CPU time (one thread each); the wall-clock figure follows in brackets.")
    p("")
    p("| target | measured | status |")
    p("| --- | --- | --- |")
    p(f"| >= {OPEN3D_SPEED_TARGET:.0f}x Open3D's points per second | {o3d_speed:,.1f}x "
      f"({o3d_speed_wall:,.1f}x) | {yes_no(o3d_speed >= OPEN3D_SPEED_TARGET)} |")
    p(f"| ... at an equal or better min ratio and CV | ours {uni_stats['min_ratio']:.3f} / "
      f"{uni_stats['cv']:.3f}, Open3D {o3d['stats']['min_ratio']:.3f} / "
      f"{o3d['stats']['cv']:.3f} | {yes_no(quality_ok)} |")
    if npm_paired is not None:
        lo, hi = min(x["ratio"] for x in pairs), max(x["ratio"] for x in pairs)
        p(f"| >= {NPM_SPEED_TARGET:.0f}x npm poisson-disk-sampling | {npm_paired:,.2f}x, the "
          f"median of {len(pairs)} paired runs ({lo:,.2f}x - {hi:,.2f}x; the medians of the "
          f"separate runs above: {npm_speed:,.2f}x, wall {npm_speed_wall:,.2f}x) | "
          f"{yes_no(npm_paired >= NPM_SPEED_TARGET)} |")
    else:
        p(f"| >= {NPM_SPEED_TARGET:.0f}x npm poisson-disk-sampling | {npm_speed:,.2f}x "
          f"({npm_speed_wall:,.2f}x) | {yes_no(npm_speed >= NPM_SPEED_TARGET)} |")
    p(f"| a {PLAN_DOTS_TARGET:,}-dot plan in < {PLAN_MS_TARGET:.0f} ms on one core | "
      f"{fmt_time(plan['cpu_seconds'])} for {plan['dots']:,} dots, {plan_ms_50k:,.0f} ms scaled "
      f"to {PLAN_DOTS_TARGET:,} ({plan_ms_50k_wall:,.0f} ms) | "
      f"{yes_no(plan_ms_50k < PLAN_MS_TARGET)} |")
    p("")
    p("For reference, the issue's own Open3D figure: 12.6 s for 50,000 dots on a 510 cm2 "
      f"head-sized cap (ratio 0.657, CV 0.094); here Open3D took {fmt_time(o3d['seconds'])} for "
      f"{o3d['count']:,} dots on {cap['cap_area_mm2'] / 100:.0f} cm2 (ratio "
      f"{o3d['stats']['min_ratio']:.3f}, CV {o3d['stats']['cv']:.3f}).")
    p("")
    render_section(p, out, bm)
    photo_section(p, gb)
    p("## Commands")
    p("")
    p("`make bench` runs `scripts/install-deps.sh --bench` (python3-open3d, python3-opencv, "
      "python3-numpy from Debian; node and npm where missing) and then `bench/run.sh`, which ran, from the "
      "repository root:")
    p("")
    p("```sh")
    for c in commands:
        p(c)
    p(f"/usr/bin/python3 bench/render_report.py {out} > docs/benchmarks.md")
    p("```")
    p("")
    p("The files: `bench/sampler_bench.cpp` (the timed runs, `--export` and `--export-render`), "
      "`bench/render_bench.cpp` (the rendering runs and their inputs), "
      "`bench/open3d_peer.py`, `bench/npm_peer.mjs` (with `bench/package.json` and its "
      "lockfile), `bench/opencv_peer.py`, `bench/render_report.py` (this page). Raw results stay in "
      f"`{out}/` (not committed).")
    print("\n".join(w))


if __name__ == "__main__":
    main()
