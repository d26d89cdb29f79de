#include "stipple/field/polygon2d.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stipple {

bool point_in_polygon(const std::vector<Vec2>& poly, const Vec2& p) {
  bool inside = false;
  const size_t n = poly.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Vec2& a = poly[i];
    const Vec2& b = poly[j];
    if ((a.y() > p.y()) != (b.y() > p.y()) &&
        p.x() < (b.x() - a.x()) * (p.y() - a.y()) / (b.y() - a.y()) + a.x()) {
      inside = !inside;
    }
  }
  return inside;
}

static double seg_dist2(const Vec2& a, const Vec2& b, const Vec2& p) {
  const Vec2 ab = b - a;
  const double len2 = ab.squaredNorm();
  const double t = len2 > 0 ? std::clamp((p - a).dot(ab) / len2, 0.0, 1.0) : 0.0;
  return (a + t * ab - p).squaredNorm();
}

double distance_to_polygon_boundary(const std::vector<Vec2>& poly, const Vec2& p) {
  double best = std::numeric_limits<double>::infinity();
  const size_t n = poly.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++)
    best = std::min(best, seg_dist2(poly[j], poly[i], p));
  return std::sqrt(best);
}

double distance_to_segment(const Vec3& a, const Vec3& b, const Vec3& p) {
  const Vec3 ab = b - a;
  const double len2 = ab.squaredNorm();
  const double t = len2 > 0 ? std::clamp((p - a).dot(ab) / len2, 0.0, 1.0) : 0.0;
  return (a + t * ab - p).norm();
}

double distance_to_polyline(const std::vector<Vec3>& line, const Vec3& p) {
  if (line.empty()) return std::numeric_limits<double>::infinity();
  if (line.size() == 1) return (line[0] - p).norm();
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 1; i < line.size(); ++i)
    best = std::min(best, distance_to_segment(line[i - 1], line[i], p));
  return best;
}

}  // namespace stipple
