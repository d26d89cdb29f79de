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

// Signed: positive inside, negative outside.
inline double polygon_signed_distance(const std::vector<Vec2>& poly, const Vec2& p) {
  const double d = distance_to_polygon_boundary(poly, p);
  return point_in_polygon(poly, p) ? d : -d;
}

// Distance from p to the open 3D polyline.
double distance_to_polyline(const std::vector<Vec3>& line, const Vec3& p);

// Distance from p to segment ab.
double distance_to_segment(const Vec3& a, const Vec3& b, const Vec3& p);

}  // namespace stipple
