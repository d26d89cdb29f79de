// Small 2D polygon and polyline helpers for chart-space shapes.
#pragma once

#include <vector>

#include "stipple/geometry/mesh.h"

namespace stipple {

// Even-odd rule.
bool point_in_polygon(const std::vector<Vec2>& poly, const Vec2& p);

// point_in_polygon for a polygon queried many times (the hairline's side, once per field texel):
// the edges sorted into horizontal slabs between consecutive vertex ordinates, so a query tests
// only the few edges that span its slab (a binary search, then O(k)) instead of all n. The even-
// odd crossing test skips every edge that does not span p.y, so testing only those gives the
// same answer as point_in_polygon, bit for bit.
class PolygonSlabs {
 public:
  PolygonSlabs() = default;
  explicit PolygonSlabs(const std::vector<Vec2>& poly);
  bool contains(const Vec2& p) const;

 private:
  struct Edge {
    Vec2 a, b;  // poly[i], poly[j] as point_in_polygon reads them
  };
  std::vector<double> ys_;   // sorted distinct vertex ordinates: slab s is [ys_[s], ys_[s + 1])
  std::vector<int> start_;   // slab s holds edges_[start_[s] .. start_[s + 1])
  std::vector<Edge> edges_;  // by slab
};

// Distance from p to the closed polygon's boundary.
double distance_to_polygon_boundary(const std::vector<Vec2>& poly, const Vec2& p);

// distance_to_polygon_boundary for a caller that needs it only below reach_mm (a zone's feather,
// beyond which its weight is 1): a grid of cells over the polygon's bounding box grown by
// reach_mm lists at each cell the edges that come within reach_mm of it, so a query measures a
// few edges instead of all n. Below reach_mm the nearest edge is among those listed and the
// minimum is the same value, bit for bit; at or beyond it only "at least reach_mm" is known.
class PolygonReach {
 public:
  PolygonReach() = default;
  PolygonReach(const std::vector<Vec2>& poly, double reach_mm);
  bool empty() const { return start_.empty(); }
  // distance_to_polygon_boundary(poly, p) where that is below reach_mm; elsewhere a value
  // >= reach_mm (and the distance is >= reach_mm too).
  double distance(const Vec2& p) const;

 private:
  struct Edge {
    Vec2 a, b;  // poly[j], poly[i] as distance_to_polygon_boundary reads them
  };
  double reach_mm_ = 0, cell_mm_ = 1;
  Vec2 lo_ = Vec2::Zero();
  int nx_ = 0, ny_ = 0;
  std::vector<int> start_;   // cell c holds edges_[start_[c] .. start_[c + 1])
  std::vector<Edge> edges_;  // by cell
};

// Signed: positive inside, negative outside.
inline double polygon_signed_distance(const std::vector<Vec2>& poly, const Vec2& p) {
  const double d = distance_to_polygon_boundary(poly, p);
  return point_in_polygon(poly, p) ? d : -d;
}

// The vertex of `line` nearest p (-1 for an empty line), for a polyline none of whose segments
// is longer than max_step_mm: a scan that skips each run of vertices its current distance shows
// cannot come nearer (j vertices on lie within j max_step_mm), so it measures a few dozen of a
// hairline's ~900 vertices. The same nearest distance as a kd-tree's (PointIndex::nearest; of
// vertices exactly as near it returns the first after `start` or the lowest index). start: a
// vertex likely near p (e.g. the previous query's answer), which tightens the first skips.
int nearest_polyline_vertex(const std::vector<Vec3>& line, double max_step_mm, const Vec3& p,
                            int start = 0);

// Distance from p to the open 3D polyline.
double distance_to_polyline(const std::vector<Vec3>& line, const Vec3& p);

// Distance from p to segment ab.
double distance_to_segment(const Vec3& a, const Vec3& b, const Vec3& p);

}  // namespace stipple
