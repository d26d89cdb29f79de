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

// The polygon's signed boundary distance (polygon_signed_distance) for a caller that needs it
// only below reach_mm in magnitude (a zone's feather, beyond which its weight is 1) and a lower
// bound beyond (to carry to nearby points). A grid of cells over the polygon's bounding box
// grown by reach_mm lists at each cell the edges that come within reach_mm of it, so a query
// measures a few edges instead of all n; a cell no edge comes near knows its side and a lower
// bound on its distance from the boundary (the cells between it and the nearest cell the
// boundary crosses). Below reach_mm the nearest edge is among those listed and the minimum is
// the same value, bit for bit; the side is point_in_polygon's. The grid may be clipped to where
// queries come from (the chart's reach, for a polygon closed far beyond it); a query outside
// the clip gets the plain answer.
class PolygonReach {
 public:
  PolygonReach() = default;
  PolygonReach(const std::vector<Vec2>& poly, double reach_mm,
               const Vec2& clip_lo = Vec2::Constant(-1e300),
               const Vec2& clip_hi = Vec2::Constant(1e300));
  bool empty() const { return start_.empty(); }
  double reach_mm() const { return reach_mm_; }
  // polygon_signed_distance(poly, p) where its magnitude is below reach_mm; elsewhere a value of
  // the same sign whose magnitude lies between reach_mm and the distance's.
  double signed_distance(const Vec2& p) const;

 private:
  struct Edge {
    Vec2 a, b;  // poly[j], poly[i] as distance_to_polygon_boundary reads them
  };
  size_t cell_of(const Vec2& p) const;  // or npos beyond the grid
  std::vector<Vec2> poly_;
  PolygonSlabs slabs_;
  double reach_mm_ = 0, cell_mm_ = 1;
  Vec2 box_lo_ = Vec2::Zero(), box_hi_ = Vec2::Zero();  // bounding box grown by the reach
  Vec2 lo_ = Vec2::Zero();                              // the grid's corner
  int nx_ = 0, ny_ = 0;
  std::vector<int> start_;   // cell c holds edges_[start_[c] .. start_[c + 1])
  std::vector<Edge> edges_;  // by cell
  // By cell without edges: the signed lower bound on the distance (+ inside), >= reach_mm.
  std::vector<float> clear_mm_;
};

// Signed: positive inside, negative outside.
inline double polygon_signed_distance(const std::vector<Vec2>& poly, const Vec2& p) {
  const double d = distance_to_polygon_boundary(poly, p);
  return point_in_polygon(poly, p) ? d : -d;
}

// The vertex of a polyline nearest a point, exactly: the nearest distance a kd-tree would find
// (PointIndex::nearest; of vertices exactly as near, the lowest index here). The line is cut
// into stretches of 64 vertices, those into runs of 16 and those into quarters of 4, each inside
// a ball about a vertex of its own; a query starts from a vertex likely near (the last answer
// along a walk of nearby points) and measures every stretch's ball, the runs' of the stretches
// whose ball comes within the best distance so far, and so on down to the vertices: independent
// tests, not a chain of dependent ones. Hand-written: a kd-tree over a line's few hundred points
// visits many of its boxes for a point tens of millimetres away, and this is four short loops.
class PolylineNearest {
 public:
  PolylineNearest() = default;
  explicit PolylineNearest(const std::vector<Vec3>& line);
  // The vertex nearest p (-1 for an empty line) and its distance; start: a vertex likely near.
  int nearest(const Vec3& p, int start, double& distance_mm) const;
  // The same from the middle of the run whose ball is nearest.
  int nearest(const Vec3& p, double& distance_mm) const;
  // For a walk of nearby points: the quarters that hold every vertex within
  // distance_mm + 2 reach_mm of q, where distance_mm is q's nearest distance (nearest(q)), each
  // with a lower bound on its vertices' distances from q, nearest first. The vertex nearest any
  // point p within reach_mm of q lies among them: it is at most distance_mm + |p - q| from p
  // (q's nearest vertex is), so at most distance_mm + 2 |p - q| from q.
  struct NearQuarter {
    double lower_mm;  // no vertex of the quarter lies nearer q
    int quarter;
  };
  void quarters_near(const Vec3& q, double distance_mm, double reach_mm,
                     std::vector<NearQuarter>& quarters) const;
  // nearest(p, start, distance_mm) for a p at most moved_mm from the q of `quarters`
  // (quarters_near's, with moved_mm <= its reach): the same vertex and distance, bit for bit
  // (the same squared distances, the same choice among ties), measuring only the quarters
  // that can hold a vertex nearer than the best so far. Their lower bounds less moved_mm bound
  // their vertices' distances from p, so the scan stops at the first beyond the best.
  int nearest_in(const Vec3& p, const std::vector<NearQuarter>& quarters, double moved_mm,
                 int start, double& distance_mm) const;

 private:
  static constexpr int kQuarter = 4, kRun = 16, kStretch = 64;
  std::vector<Vec3> line_;  // a copy: the index travels with its owner
  std::vector<Vec3> stretch_centre_, run_centre_, quarter_centre_;
  // Each ball's radius at most.
  double stretch_radius_mm_ = 0, run_radius_mm_ = 0, quarter_radius_mm_ = 0;
};

// Distance from p to the open 3D polyline.
double distance_to_polyline(const std::vector<Vec3>& line, const Vec3& p);

// Distance from p to segment ab.
double distance_to_segment(const Vec3& a, const Vec3& b, const Vec3& p);

}  // namespace stipple
