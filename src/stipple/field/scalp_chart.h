// The scalp chart: an azimuthal equidistant map of the head surface centred on the vertex.
//
// u_mm points to the subject's right and v_mm toward the face; the distance of (u, v) from the
// origin is the arc length from the vertex along the surface meridian (a tape laid from the
// vertex), its direction the meridian's azimuth. It is the top view of a Norwood chart in
// millimetres, and the space in which zone outlines are drawn. Radial distances are true;
// tangential ones shrink away from the vertex (by R sin(theta)/s on a sphere: ~0.8 at the temples),
// so lengths that must be true (the hairline transition, scar widths) are measured in 3D instead.
#pragma once

#include <limits>
#include <vector>

#include "stipple/geometry/mesh.h"
#include "stipple/geometry/radial_surface.h"

namespace stipple {

struct ScalpChart {
  Vec3 centre, axis, anterior, right;  // axis: centre -> vertex; anterior/right: tangent frame
  int n_phi = 0, n_theta = 0;
  double dtheta = 0, dphi = 0;  // radians
  std::vector<float> arc_mm;    // [phi * n_theta + theta]: arc length vertex -> (theta, phi)
};

// vertex_mm: the vertex landmark; head_right/head_anterior: the head frame's +x and +y.
// theta_max_deg: how far from the vertex the chart reaches (up to 170 degrees).
ScalpChart build_scalp_chart(const RadialSurface& surface, const Vec3& vertex_mm,
                             const Vec3& head_right, const Vec3& head_anterior,
                             double theta_max_deg = 165.0);

// Chart coordinates (u_mm, v_mm) of a point (on or off the surface: its direction from the
// chart centre is what counts).
Vec2 chart_from_point(const ScalpChart& chart, const Vec3& p);

// The surface point at chart coordinates uv; points beyond the chart's reach are clamped to it.
Vec3 point_from_chart(const ScalpChart& chart, const RadialSurface& surface, const Vec2& uv);

// How fast chart coordinates can move as a point's direction from the chart centre turns: along
// any path of directions within windows_rad[w] of a direction at polar angle theta (from the
// chart axis), chart_from_point moves by at most mm_per_rad(theta, w) times the path's angle.
// From the arc table: in a cell of the chart's bilinear interpolation the chart point is
// s (sin phi, cos phi), so a turn by (dtheta, sin(theta) dphi) moves it by at most
// |ds/dtheta| dtheta + (|ds/dphi| + s) dphi, each bounded by the cell's arc lengths and their
// differences, with sin(theta) at its least over the cell (at the vertex, where s and ds/dphi
// vanish with theta, through s <= (theta / dtheta) s(dtheta) and sin(theta) >= 2 theta / pi).
// Infinite where a window reaches the antipode of the vertex, where the chart's clamped edge
// circle shrinks to a point on the sphere.
struct ChartStretch {
  double dtheta = 0;
  std::vector<double> windows_rad;              // increasing
  std::vector<std::vector<double>> window_max;  // [window][polar row]
  std::vector<double> row_cos;                  // cos(k dtheta), k = 0 .. rows
  double mm_per_rad(double theta, size_t window) const;
  // The polar row of a direction whose cosine to the chart axis is cos_theta, without acos (by
  // search in row_cos; a row off where the cosine rounds across a row's edge, which each
  // window's one row of margin covers), and the bound for that row.
  size_t row_of_cos(double cos_theta) const;
  double mm_per_rad_at_row(size_t row, size_t window) const {
    if (window >= window_max.size() || window_max[window].empty())
      return std::numeric_limits<double>::infinity();
    const std::vector<double>& w = window_max[window];
    return w[std::min(w.size() - 1, row)];
  }
};
ChartStretch chart_stretch(const ScalpChart& chart, const std::vector<double>& windows_rad);

}  // namespace stipple
