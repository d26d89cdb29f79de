#include "stipple/field/polygon2d.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stipple {

// Whether the edge a-b crosses the ray from p towards +x (the even-odd rule's test).
static bool crosses_ray(const Vec2& a, const Vec2& b, const Vec2& p) {
  return (a.y() > p.y()) != (b.y() > p.y()) &&
         p.x() < (b.x() - a.x()) * (p.y() - a.y()) / (b.y() - a.y()) + a.x();
}

bool point_in_polygon(const std::vector<Vec2>& poly, const Vec2& p) {
  bool inside = false;
  const size_t n = poly.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    if (crosses_ray(poly[i], poly[j], p)) inside = !inside;
  }
  return inside;
}

PolygonSlabs::PolygonSlabs(const std::vector<Vec2>& poly) {
  for (const Vec2& v : poly) ys_.push_back(v.y());
  std::sort(ys_.begin(), ys_.end());
  ys_.erase(std::unique(ys_.begin(), ys_.end()), ys_.end());
  const size_t slabs = ys_.empty() ? 0 : ys_.size() - 1;
  auto slab_of = [&](double y) {  // the slab starting at ordinate y (a vertex's)
    return static_cast<size_t>(std::lower_bound(ys_.begin(), ys_.end(), y) - ys_.begin());
  };
  std::vector<std::vector<Edge>> by_slab(slabs);
  const size_t n = poly.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Vec2& a = poly[i];
    const Vec2& b = poly[j];
    // The edge spans p.y exactly when min(a.y, b.y) <= p.y < max(a.y, b.y): the slabs between.
    const size_t s0 = slab_of(std::min(a.y(), b.y())), s1 = slab_of(std::max(a.y(), b.y()));
    for (size_t s = s0; s < s1; ++s) by_slab[s].push_back({a, b});
  }
  start_.push_back(0);
  for (const auto& e : by_slab) {
    edges_.insert(edges_.end(), e.begin(), e.end());
    start_.push_back(static_cast<int>(edges_.size()));
  }
}

bool PolygonSlabs::contains(const Vec2& p) const {
  const auto it = std::upper_bound(ys_.begin(), ys_.end(), p.y());
  if (it == ys_.begin() || it == ys_.end()) return false;  // below or at / above every vertex
  const size_t s = static_cast<size_t>(it - ys_.begin()) - 1;
  bool inside = false;
  for (int k = start_[s]; k < start_[s + 1]; ++k) {
    const Edge& e = edges_[static_cast<size_t>(k)];
    if (crosses_ray(e.a, e.b, p)) inside = !inside;
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
