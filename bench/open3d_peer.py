#!/usr/bin/python3
"""Open3D's Poisson-disk sampling of the treated cap, for docs/benchmarks.md.

Reads DIR/cap.ply (the head-mesh triangles of the plan's treated region, mm) and DIR/cap.json
(N, the cap area) written by `stipple_bench --export DIR`, runs
TriangleMesh.sample_points_poisson_disk(N, init_factor=5) -- Yuksel 2015's sample elimination
at a uniform density, the same method our sampler's last step borrows -- once, timed with
perf_counter (wall) and process_time (CPU), and measures the result the way our metrics.cpp does: each point's 3D
nearest-neighbour distance over s = sqrt(2 A / (sqrt(3) N)) (domain.md), its minimum and its
coefficient of variation. Prints one JSON object.

Run with Debian's python3 (python3-open3d, python3-numpy): /usr/bin/python3 bench/open3d_peer.py DIR
"""
import json
import math
import os
import sys
import time

import numpy as np
import open3d as o3d


def spacing_stats(points, area_mm2):
    """Nearest-neighbour distance of each point over the hex spacing of N points on area_mm2."""
    n = len(points)
    s = math.sqrt(2.0 * area_mm2 / (math.sqrt(3.0) * n))
    cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(points))
    tree = o3d.geometry.KDTreeFlann(cloud)
    nn = np.empty(n)
    for i in range(n):
        # The first hit is the point itself (distance 0); the second its nearest other point.
        _, _, d2 = tree.search_knn_vector_3d(cloud.points[i], 2)
        nn[i] = math.sqrt(d2[1])
    r = nn / s
    return {
        "count": n,
        "min_ratio": float(r.min()),
        "mean_ratio": float(r.mean()),
        "cv": float(r.std() / r.mean()),
        "p01_ratio": float(np.percentile(r, 1)),
    }


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
    with open(os.path.join(out_dir, "cap.json")) as f:
        cap = json.load(f)
    n = int(cap["dots"])
    area = float(cap["cap_area_mm2"])
    mesh = o3d.io.read_triangle_mesh(os.path.join(out_dir, "cap.ply"))
    if len(mesh.triangles) != cap["cap_faces"]:
        sys.exit(f"open3d_peer: cap.ply has {len(mesh.triangles)} faces, cap.json says "
                 f"{cap['cap_faces']}")
    # The API (0.16) takes no seed; the library-wide generator is seeded instead, so the run is
    # repeatable.
    o3d.utility.random.seed(1)
    # Wall and CPU time both: the machine may be shared, and CPU time is what contention
    # inflates least (one thread, so it is also the time on one core).
    t0, c0 = time.perf_counter(), time.process_time()
    pcd = mesh.sample_points_poisson_disk(number_of_points=n, init_factor=5)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    points = np.asarray(pcd.points)
    result = {
        "peer": "open3d",
        "version": o3d.__version__,
        "call": f"TriangleMesh.sample_points_poisson_disk(number_of_points={n}, init_factor=5)",
        "threads": os.environ.get("OMP_NUM_THREADS", "default"),
        "requested": n,
        "count": len(points),
        "mesh_area_mm2": float(mesh.get_surface_area()),
        "cap_area_mm2": area,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "points_per_second": len(points) / seconds,
        "points_per_cpu_second": len(points) / cpu_seconds,
        "stats": spacing_stats(points, area),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
