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

PolygonReach::PolygonReach(const std::vector<Vec2>& poly, double reach_mm) : reach_mm_(reach_mm) {
  if (poly.empty() || !(reach_mm > 0)) return;
  Vec2 lo = poly.front(), hi = poly.front();
  for (const Vec2& v : poly) lo = lo.cwiseMin(v), hi = hi.cwiseMax(v);
  // Cells of about the reach (a query's edges then come from its cell's 3 x 3 neighbourhood's
  // worth of boundary), at most 64 a side.
  const Vec2 extent = hi - lo + Vec2::Constant(2 * reach_mm);
  cell_mm_ = std::max({reach_mm, extent.x() / 64, extent.y() / 64});
  lo_ = lo - Vec2::Constant(reach_mm);
  nx_ = static_cast<int>(extent.x() / cell_mm_) + 1;
  ny_ = static_cast<int>(extent.y() / cell_mm_) + 1;
  // An edge is listed at every cell its bounding box, grown by the reach and a margin far above
  // rounding (1e-6 of it), overlaps: a superset of the cells within reach of the edge, so an edge
  // left out of a cell is farther than reach_mm (1 + 1e-6) from all of it.
  const double grow = reach_mm * (1 + 1e-6);
  std::vector<std::vector<Edge>> by_cell(static_cast<size_t>(nx_) * ny_);
  auto cell_of = [&](double x, double origin, int n) {
    return std::clamp(static_cast<int>(std::floor((x - origin) / cell_mm_)), 0, n - 1);
  };
  const size_t n = poly.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Vec2& a = poly[j];
    const Vec2& b = poly[i];
    const Vec2 elo = a.cwiseMin(b) - Vec2::Constant(grow),
               ehi = a.cwiseMax(b) + Vec2::Constant(grow);
    const int x0 = cell_of(elo.x(), lo_.x(), nx_), x1 = cell_of(ehi.x(), lo_.x(), nx_);
    const int y0 = cell_of(elo.y(), lo_.y(), ny_), y1 = cell_of(ehi.y(), lo_.y(), ny_);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) by_cell[static_cast<size_t>(y) * nx_ + x].push_back({a, b});
    }
  }
  start_.push_back(0);
  for (const auto& c : by_cell) {
    edges_.insert(edges_.end(), c.begin(), c.end());
    start_.push_back(static_cast<int>(edges_.size()));
  }
}

double PolygonReach::distance(const Vec2& p) const {
  const double fx = std::floor((p.x() - lo_.x()) / cell_mm_);
  const double fy = std::floor((p.y() - lo_.y()) / cell_mm_);
  // Beyond the grid p is more than the reach from the bounding box, so from every edge.
  if (!(fx >= 0 && fy >= 0 && fx < nx_ && fy < ny_)) return reach_mm_;
  const size_t c = static_cast<size_t>(fy) * nx_ + static_cast<size_t>(fx);
  double best = std::numeric_limits<double>::infinity();
  for (int k = start_[c]; k < start_[c + 1]; ++k) {
    const Edge& e = edges_[static_cast<size_t>(k)];
    best = std::min(best, seg_dist2(e.a, e.b, p));
  }
  // Below the reach this is the minimum over all edges: each edge left out is farther.
  return std::sqrt(best);
}

int nearest_polyline_vertex(const std::vector<Vec3>& line, double max_step_mm, const Vec3& p,
                            int start) {
  const int n = static_cast<int>(line.size());
  if (n == 0) return -1;
  start = std::clamp(start, 0, n - 1);
  int best_i = start;
  double best2 = (line[static_cast<size_t>(start)] - p).squaredNorm(), best = std::sqrt(best2);
  // A vertex at distance d is followed by at least (d - best) / max_step vertices farther than
  // best. The step is taken a little long (1e-9) so rounding never skips a vertex that could tie.
  const double inv_step = max_step_mm > 0 ? 1 / (max_step_mm * (1 + 1e-9)) : 0;
  double dense2 = (best + max_step_mm) * (best + max_step_mm);  // within: no skip possible
  for (int k = 0; k < n;) {
    const double d2 = (line[static_cast<size_t>(k)] - p).squaredNorm();
    if (d2 < best2) {
      best2 = d2, best_i = k, best = std::sqrt(d2);
      dense2 = (best + max_step_mm) * (best + max_step_mm);
      ++k;
    } else if (d2 <= dense2) {
      ++k;
    } else {
      const double skip = std::min((std::sqrt(d2) - best) * inv_step, static_cast<double>(n));
      k += std::max(1, static_cast<int>(skip));
    }
  }
  return best_i;
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
