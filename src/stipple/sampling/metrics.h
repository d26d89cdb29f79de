// Blue-noise quality measures (domain.md, "Blue-noise quality"): each dot's nearest-neighbour
// distance over its local target hex spacing s = sqrt(2 / (sqrt(3) n)); a good pattern has a
// minimum ratio >= 0.65 and a coefficient of variation <= 0.1 (uniform random: ~0 and ~0.5).
// Used by the tests and the benchmarks alike.
#pragma once

#include <cstddef>
#include <vector>

#include "stipple/geometry/mesh.h"

namespace stipple {

// 3D distance from each point to its nearest other point (kd-tree); +inf for a lone point.
std::vector<double> nearest_neighbour_distances_mm(const std::vector<Vec3>& points);

struct SpacingStats {
  std::size_t count = 0;
  double min_ratio = 0;  // min over dots of nn distance / local hex spacing
  double mean_ratio = 0;
  double cv = 0;         // standard deviation / mean of the ratios
  double p01_ratio = 0;  // 1st percentile of the ratios
};

// local_spacing_mm[i]: the target hex spacing at point i (hex_spacing_mm of the local density).
SpacingStats spacing_stats(const std::vector<Vec3>& points,
                           const std::vector<double>& local_spacing_mm);

// Uniform density over an area: s = sqrt(2 A / (sqrt(3) N)) for every point (domain.md's d_max).
SpacingStats spacing_stats_uniform(const std::vector<Vec3>& points, double area_mm2);

}  // namespace stipple
