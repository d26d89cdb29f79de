#include "stipple/sampling/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stipple/geometry/point_index.h"

namespace stipple {

std::vector<double> nearest_neighbour_distances_mm(const std::vector<Vec3>& points) {
  std::vector<double> d(points.size(), std::numeric_limits<double>::infinity());
  if (points.size() < 2) return d;
  const PointIndex index(points);
  for (size_t i = 0; i < points.size(); ++i) {
    int idx[2];
    double d2[2];
    const int found = index.knn(points[i], 2, idx, d2);
    // The first hit is the point itself (or a duplicate at distance 0, which counts).
    for (int k = 0; k < found; ++k) {
      if (static_cast<size_t>(idx[k]) != i) {
        d[i] = std::sqrt(d2[k]);
        break;
      }
    }
  }
  return d;
}

SpacingStats spacing_stats(const std::vector<Vec3>& points,
                           const std::vector<double>& local_spacing_mm) {
  SpacingStats s;
  s.count = points.size();
  if (points.size() < 2) return s;
  const std::vector<double> nn = nearest_neighbour_distances_mm(points);
  std::vector<double> r(points.size());
  for (size_t i = 0; i < points.size(); ++i) r[i] = nn[i] / local_spacing_mm[i];
  double sum = 0, sum2 = 0;
  for (double x : r) sum += x, sum2 += x * x;
  s.mean_ratio = sum / r.size();
  s.cv = std::sqrt(std::max(0.0, sum2 / r.size() - s.mean_ratio * s.mean_ratio)) / s.mean_ratio;
  s.min_ratio = *std::min_element(r.begin(), r.end());
  const size_t k = r.size() / 100;
  std::nth_element(r.begin(), r.begin() + static_cast<long>(k), r.end());
  s.p01_ratio = r[k];
  return s;
}

SpacingStats spacing_stats_uniform(const std::vector<Vec3>& points, double area_mm2) {
  const double s = points.empty() ? 1 : std::sqrt(2 * area_mm2 / (std::sqrt(3.0) * points.size()));
  return spacing_stats(points, std::vector<double>(points.size(), s));
}

}  // namespace stipple
