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
  // The edge spans p.y exactly when min(a.y, b.y) <= p.y < max(a.y, b.y): the slabs between.
  // Counted first, then filled in edge order (so each slab lists its edges in polygon order).
  const size_t n = poly.size();
  std::vector<std::pair<size_t, size_t>> span(n);
  std::vector<int> count(slabs + 1, 0);
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const double a = poly[i].y(), b = poly[j].y();
    span[i] = {slab_of(std::min(a, b)), slab_of(std::max(a, b))};
    for (size_t s = span[i].first; s < span[i].second; ++s) ++count[s];
  }
  start_.assign(slabs + 1, 0);
  for (size_t s = 0; s < slabs; ++s) start_[s + 1] = start_[s] + count[s];
  edges_.resize(static_cast<size_t>(start_[slabs]));
  std::vector<int> fill(start_.begin(), start_.end() - 1);
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    for (size_t s = span[i].first; s < span[i].second; ++s)
      edges_[static_cast<size_t>(fill[s]++)] = {poly[i], poly[j]};
  }
  if (slabs == 0) start_.assign(1, 0);
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

namespace {

// Squared distance from p to the rectangle [lo, hi].
double rect_dist2(const Vec2& lo, const Vec2& hi, const Vec2& p) {
  return (lo - p).cwiseMax(p - hi).cwiseMax(0.0).squaredNorm();
}

}  // namespace

PolygonReach::PolygonReach(const std::vector<Vec2>& poly, double reach_mm, const Vec2& clip_lo,
                           const Vec2& clip_hi)
    : poly_(poly), slabs_(poly), reach_mm_(reach_mm) {
  if (poly.size() < 2 || !(reach_mm > 0)) return;
  // The reach and a margin far above rounding (1e-6 of it): an edge left out of a cell is
  // farther than reach_mm (1 + 1e-6) from all of it, and so is a point beyond the grown box.
  const double grow = reach_mm * (1 + 1e-6);
  Vec2 lo = poly.front(), hi = poly.front();
  for (const Vec2& v : poly) lo = lo.cwiseMin(v), hi = hi.cwiseMax(v);
  box_lo_ = lo - Vec2::Constant(grow), box_hi_ = hi + Vec2::Constant(grow);
  lo_ = box_lo_.cwiseMax(clip_lo);
  const Vec2 top = box_hi_.cwiseMin(clip_hi), extent = top - lo_;
  if (!(extent.x() > 0 && extent.y() > 0)) return;
  const bool clipped =
      (lo_.array() > box_lo_.array()).any() || (top.array() < box_hi_.array()).any();
  // Cells of half the reach, at most 128 a side: a cell lists the edges of a stretch of
  // boundary about two reaches long.
  cell_mm_ = std::max({reach_mm / 2, extent.x() / 128, extent.y() / 128});
  nx_ = static_cast<int>(extent.x() / cell_mm_) + 1;
  ny_ = static_cast<int>(extent.y() / cell_mm_) + 1;
  const size_t cells = static_cast<size_t>(nx_) * ny_;
  const Vec2 grid_hi = lo_ + cell_mm_ * Vec2(nx_, ny_);  // the cells reach a little beyond top
  // Each edge is walked in steps of a quarter cell: every point of it lies within h / 2 of a
  // step, so the cells within `grow` of the edge are among those within grow + h / 2 of a step
  // (listed), and the cells it crosses among the steps' cells and their neighbours (marked).
  const double h = cell_mm_ / 4;
  std::vector<std::vector<Edge>> by_cell(cells);
  std::vector<int> last(cells, -1);  // the last edge listed at each cell
  std::vector<int> chebyshev(cells, std::numeric_limits<int>::max());  // cells to a marked one
  auto index = [&](double x, double origin, int n) {
    return static_cast<int>(std::clamp(std::floor((x - origin) / cell_mm_), 0.0, n - 1.0));
  };
  const size_t n = poly.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Vec2& a = poly[j];
    const Vec2& b = poly[i];
    const double len = (b - a).norm();
    const int steps = static_cast<int>(std::ceil(len / h));
    const double r = grow + h / 2;
    for (int t = 0; t <= steps; ++t) {
      const Vec2 q = steps > 0 ? a + (b - a) * (static_cast<double>(t) / steps) : a;
      if ((q.array() < (lo_.array() - r)).any() || (q.array() > (grid_hi.array() + r)).any())
        continue;
      const int x0 = index(q.x() - r, lo_.x(), nx_), x1 = index(q.x() + r, lo_.x(), nx_);
      const int y0 = index(q.y() - r, lo_.y(), ny_), y1 = index(q.y() + r, lo_.y(), ny_);
      for (int y = y0; y <= y1; ++y) {
        for (int x = x0; x <= x1; ++x) {
          const size_t c = static_cast<size_t>(y) * nx_ + x;
          const Vec2 clo = lo_ + cell_mm_ * Vec2(x, y);
          if (last[c] != static_cast<int>(i) &&
              rect_dist2(clo, clo + Vec2::Constant(cell_mm_), q) <= r * r) {
            by_cell[c].push_back({a, b});
            last[c] = static_cast<int>(i);
          }
        }
      }
      if ((q.array() >= lo_.array()).all() && (q.array() <= grid_hi.array()).all()) {
        const int cx = index(q.x(), lo_.x(), nx_), cy = index(q.y(), lo_.y(), ny_);
        for (int y = std::max(0, cy - 1); y <= std::min(ny_ - 1, cy + 1); ++y) {
          for (int x = std::max(0, cx - 1); x <= std::min(nx_ - 1, cx + 1); ++x)
            chebyshev[static_cast<size_t>(y) * nx_ + x] = 0;
        }
      }
    }
  }
  // Where the grid is clipped, the boundary may run just beyond its edge cells.
  if (clipped) {
    for (int y = 0; y < ny_; ++y) {
      for (int x = 0; x < nx_; ++x) {
        if (x == 0 || y == 0 || x == nx_ - 1 || y == ny_ - 1)
          chebyshev[static_cast<size_t>(y) * nx_ + x] = 0;
      }
    }
  }
  // Chebyshev distance to the nearest marked cell, in two passes (forward, then backward).
  auto relax = [&](int x, int y, int dx, int dy) {
    const int u = x + dx, v = y + dy;
    if (u < 0 || v < 0 || u >= nx_ || v >= ny_) return;
    int& c = chebyshev[static_cast<size_t>(y) * nx_ + x];
    const int o = chebyshev[static_cast<size_t>(v) * nx_ + u];
    if (o != std::numeric_limits<int>::max()) c = std::min(c, o + 1);
  };
  for (int y = 0; y < ny_; ++y) {
    for (int x = 0; x < nx_; ++x) {
      relax(x, y, -1, 0), relax(x, y, -1, -1), relax(x, y, 0, -1), relax(x, y, 1, -1);
    }
  }
  for (int y = ny_ - 1; y >= 0; --y) {
    for (int x = nx_ - 1; x >= 0; --x) {
      relax(x, y, 1, 0), relax(x, y, 1, 1), relax(x, y, 0, 1), relax(x, y, -1, 1);
    }
  }
  start_.push_back(0);
  clear_mm_.assign(cells, 0.0f);
  for (size_t c = 0; c < cells; ++c) {
    edges_.insert(edges_.end(), by_cell[c].begin(), by_cell[c].end());
    start_.push_back(static_cast<int>(edges_.size()));
    if (!by_cell[c].empty()) continue;
    // No boundary comes within the reach of the cell, so it lies all on one side (its
    // centre's), and k cells from every cell the boundary crosses, at least (k - 1) cells away.
    const Vec2 centre =
        lo_ + cell_mm_ * Vec2(static_cast<double>(c % static_cast<size_t>(nx_)) + 0.5,
                              static_cast<double>(c / static_cast<size_t>(nx_)) + 0.5);
    const int k = chebyshev[c];
    const double clear =
        std::max(reach_mm,
                 k == std::numeric_limits<int>::max() ? reach_mm : (k - 1) * cell_mm_ * (1 - 1e-6));
    // Rounded down to float, so still at most the distance.
    float f = static_cast<float>(clear);
    if (f > clear) f = std::nextafter(f, 0.0f);
    clear_mm_[c] = slabs_.contains(centre) ? f : -f;
  }
}

size_t PolygonReach::cell_of(const Vec2& p) const {
  const double fx = std::floor((p.x() - lo_.x()) / cell_mm_);
  const double fy = std::floor((p.y() - lo_.y()) / cell_mm_);
  if (!(fx >= 0 && fy >= 0 && fx < nx_ && fy < ny_)) return static_cast<size_t>(-1);
  return static_cast<size_t>(fy) * nx_ + static_cast<size_t>(fx);
}

double PolygonReach::signed_distance(const Vec2& p) const {
  if (empty()) return polygon_signed_distance(poly_, p);
  // Beyond the grown box p is outside, farther from the polygon than from its box (less a
  // margin for rounding) and than the reach.
  if ((p.array() < box_lo_.array()).any() || (p.array() > box_hi_.array()).any()) {
    const Vec2 grow = Vec2::Constant(reach_mm_ * (1 + 1e-6));
    const double box = std::sqrt(rect_dist2(box_lo_ + grow, box_hi_ - grow, p)) * (1 - 1e-9);
    return -std::max(reach_mm_, box);
  }
  const size_t c = cell_of(p);
  if (c == static_cast<size_t>(-1)) return polygon_signed_distance(poly_, p);
  if (start_[c] == start_[c + 1]) return clear_mm_[c];
  double best = std::numeric_limits<double>::infinity();
  for (int k = start_[c]; k < start_[c + 1]; ++k) {
    const Edge& e = edges_[static_cast<size_t>(k)];
    best = std::min(best, seg_dist2(e.a, e.b, p));
  }
  // Below the reach this is the minimum over all edges (each edge left out is farther); at or
  // beyond it, the edges left out may be nearer, but not nearer than the reach.
  const double d = std::min(std::sqrt(best), std::max(reach_mm_, 0.0));
  return slabs_.contains(p) ? d : -d;
}

PolylineNearest::PolylineNearest(const std::vector<Vec3>& line) : line_(line) {
  const size_t n = line.size();
  auto balls = [&](size_t size, std::vector<Vec3>& centre, double& radius) {
    for (size_t a = 0; a < n; a += size) {
      const size_t b = std::min(n, a + size), mid = (a + b - 1) / 2;
      centre.push_back(line[mid]);
      for (size_t k = a; k < b; ++k) radius = std::max(radius, (line[k] - line[mid]).norm());
    }
    // A margin over the rounding of the radii and of the queries' distances.
    radius = radius * (1 + 1e-9) + 1e-9;
  };
  balls(kStretch, stretch_centre_, stretch_radius_mm_);
  balls(kRun, run_centre_, run_radius_mm_);
  balls(kQuarter, quarter_centre_, quarter_radius_mm_);
}

int PolylineNearest::nearest(const Vec3& p, int start, double& distance_mm) const {
  const int n = static_cast<int>(line_.size());
  if (n == 0) return -1;
  int best_i = std::clamp(start, 0, n - 1);
  double best2 = (line_[static_cast<size_t>(best_i)] - p).squaredNorm();
  // A ball that lies farther than the best so far holds no vertex as near.
  const double best = std::sqrt(best2);
  const double stretch_reach2 = (best + stretch_radius_mm_) * (best + stretch_radius_mm_);
  const double run_reach2 = (best + run_radius_mm_) * (best + run_radius_mm_);
  double quarter_reach2 = (best + quarter_radius_mm_) * (best + quarter_radius_mm_);
  const int runs = static_cast<int>(run_centre_.size());
  const int quarters = static_cast<int>(quarter_centre_.size());
  constexpr int kRunsPerStretch = kStretch / kRun;
  for (int r = 0; r < runs; ++r) {
    if (r % kRunsPerStretch == 0 &&
        (stretch_centre_[static_cast<size_t>(r / kRunsPerStretch)] - p).squaredNorm() >
            stretch_reach2) {
      r += kRunsPerStretch - 1;
      continue;
    }
    if ((run_centre_[static_cast<size_t>(r)] - p).squaredNorm() > run_reach2) continue;
    const int q_end = std::min(quarters, (r + 1) * (kRun / kQuarter));
    for (int q = r * (kRun / kQuarter); q < q_end; ++q) {
      if ((quarter_centre_[static_cast<size_t>(q)] - p).squaredNorm() > quarter_reach2) continue;
      const int a = q * kQuarter, b = std::min(n, a + kQuarter);
      const double before2 = best2;
      for (int k = a; k < b; ++k) {
        const double d2 = (line_[static_cast<size_t>(k)] - p).squaredNorm();
        if (d2 < best2 || (d2 == best2 && k < best_i)) best2 = d2, best_i = k;
      }
      if (best2 < before2) {
        const double r2 = std::sqrt(best2) + quarter_radius_mm_;
        quarter_reach2 = r2 * r2;
      }
    }
  }
  distance_mm = std::sqrt(best2);
  return best_i;
}

int PolylineNearest::nearest(const Vec3& p, double& distance_mm) const {
  int start = 0;
  double best2 = std::numeric_limits<double>::infinity();
  for (size_t r = 0; r < run_centre_.size(); ++r) {
    const double d2 = (run_centre_[r] - p).squaredNorm();
    if (d2 < best2)
      best2 = d2, start = static_cast<int>(std::min(line_.size() - 1, r * kRun + kRun / 2));
  }
  return nearest(p, start, distance_mm);
}

void PolylineNearest::quarters_near(const Vec3& q, double distance_mm, double reach_mm,
                                    std::vector<NearQuarter>& quarters) const {
  quarters.clear();
  // A vertex within `within` of q lies in a ball whose centre is within within + its radius.
  const double within = distance_mm + 2 * reach_mm + 1e-9;  // 1e-9 over rounding
  auto reach2 = [within](double radius) { return (within + radius) * (within + radius); };
  const double stretch2 = reach2(stretch_radius_mm_), run2 = reach2(run_radius_mm_),
               quarter2 = reach2(quarter_radius_mm_);
  const int runs = static_cast<int>(run_centre_.size());
  const int n_quarters = static_cast<int>(quarter_centre_.size());
  constexpr int kRunsPerStretch = kStretch / kRun;
  for (int r = 0; r < runs; ++r) {
    if (r % kRunsPerStretch == 0 &&
        (stretch_centre_[static_cast<size_t>(r / kRunsPerStretch)] - q).squaredNorm() > stretch2) {
      r += kRunsPerStretch - 1;
      continue;
    }
    if ((run_centre_[static_cast<size_t>(r)] - q).squaredNorm() > run2) continue;
    const int q_end = std::min(n_quarters, (r + 1) * (kRun / kQuarter));
    for (int k = r * (kRun / kQuarter); k < q_end; ++k) {
      const double d2 = (quarter_centre_[static_cast<size_t>(k)] - q).squaredNorm();
      if (d2 <= quarter2) quarters.push_back({std::sqrt(d2) - quarter_radius_mm_, k});
    }
  }
  // Nearest first (ties by index, so the order is the same on every platform).
  std::sort(quarters.begin(), quarters.end(), [](const NearQuarter& a, const NearQuarter& b) {
    return a.lower_mm < b.lower_mm || (a.lower_mm == b.lower_mm && a.quarter < b.quarter);
  });
}

int PolylineNearest::nearest_in(const Vec3& p, const std::vector<NearQuarter>& quarters,
                                double moved_mm, int start, double& distance_mm) const {
  const int n = static_cast<int>(line_.size());
  if (n == 0) return -1;
  // As nearest(): the least squared distance, of ties the lowest index, whatever the order the
  // quarters are measured in. A quarter whose ball lies farther than the best so far, or whose
  // lower bound from q less the move does (1e-9 over rounding), holds no vertex as near.
  int best_i = std::clamp(start, 0, n - 1);
  double best2 = (line_[static_cast<size_t>(best_i)] - p).squaredNorm();
  double best = std::sqrt(best2),
         reach2 = (best + quarter_radius_mm_) * (best + quarter_radius_mm_);
  const double moved = moved_mm + 1e-9;
  for (const NearQuarter& nq : quarters) {
    if (nq.lower_mm - moved > best) break;
    const size_t q = static_cast<size_t>(nq.quarter);
    if ((quarter_centre_[q] - p).squaredNorm() > reach2) continue;
    const int a = nq.quarter * kQuarter, b = std::min(n, a + kQuarter);
    const double before2 = best2;
    for (int k = a; k < b; ++k) {
      const double d2 = (line_[static_cast<size_t>(k)] - p).squaredNorm();
      if (d2 < best2 || (d2 == best2 && k < best_i)) best2 = d2, best_i = k;
    }
    if (best2 < before2) {
      best = std::sqrt(best2);
      reach2 = (best + quarter_radius_mm_) * (best + quarter_radius_mm_);
    }
  }
  distance_mm = std::sqrt(best2);
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
