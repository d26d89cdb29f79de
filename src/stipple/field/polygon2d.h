// Small 2D polygon and polyline helpers for chart-space shapes.
#pragma once

#include <vector>

#include "stipple/geometry/mesh.h"

namespace stipple {

// Even-odd rule.
bool point_in_polygon(const std::vector<Vec2>& poly, const Vec2& p);

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
