#include "stipple/field/density_field.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "stipple/field/field_eval.h"
#include "stipple/field/polygon2d.h"
#include "stipple/field/presets.h"

namespace stipple {

using field_internal::PointView;

namespace field_internal {

double margin_z_mm(const ScalpMargin& m, double azimuth_deg) {
  const double a = std::min(std::abs(azimuth_deg), 180.0);
  size_t i = 1;
  while (i + 1 < m.azimuth_deg.size() && m.azimuth_deg[i] < a) ++i;
  const double t = (a - m.azimuth_deg[i - 1]) / (m.azimuth_deg[i] - m.azimuth_deg[i - 1]);
  return lerp(m.z_mm[i - 1], m.z_mm[i], smoothstep01(t));  // C1 between the knots
}

double above_margin_mm(const DensityField& f, PointView& v, double cap, bool exact) {
  const double z = v.p().z();
  if (!exact) {
    const double lo = z - f.bounds.margin_hi_mm;  // at most the height (subtraction is monotone)
    if (lo >= cap) return lo;
    const double hi = z - f.bounds.margin_lo_mm;  // at least the height
    if (hi < 0) return hi;
  }
  return z - v.margin_z_mm();
}

double polygon_distance_mm(const ZoneGeometry& g, const Vec2& c) {
  // Outside the bounding box: outside, by at least the distance to the box.
  const Vec2 out = (g.box_lo - c).cwiseMax(c - g.box_hi).cwiseMax(0.0);
  if (out.squaredNorm() > 0) return -out.norm();
  return g.outline.signed_distance(c);
}

double line_distance_mm(const Zone& z, const ZoneGeometry& g, const Vec3& p, int nearest) {
  const size_t k = static_cast<size_t>(nearest);
  double d = (g.line_mm[k] - p).norm();
  if (z.shape.kind == ZoneShape::Kind::kStrip) {
    if (k > 0) d = std::min(d, distance_to_segment(g.line_mm[k - 1], g.line_mm[k], p));
    if (k + 1 < g.line_mm.size())
      d = std::min(d, distance_to_segment(g.line_mm[k], g.line_mm[k + 1], p));
  }
  return z.shape.radius_mm - d;
}

double zone_distance_mm(const DensityField& f, size_t zi, PointView& v, double hl_sd, bool exact) {
  const Zone& z = f.plan.zones[zi];
  const ZoneGeometry& g = f.zones[zi];
  switch (z.shape.kind) {
    case ZoneShape::Kind::kPolygon: {
      if (!exact && v.polar_cos_below(g.beyond_cos)) return -1;
      if (!exact) return polygon_distance_mm(g, v.chart());
      const Vec2& c = v.chart();
      const Vec2 out = (g.box_lo - c).cwiseMax(c - g.box_hi).cwiseMax(0.0);
      if (out.squaredNorm() > 0) return -out.norm();
      return polygon_signed_distance(g.polygon_chart, c);
    }
    case ZoneShape::Kind::kCircle:
      return z.shape.radius_mm - (v.p() - g.centre_mm).norm();
    case ZoneShape::Kind::kStrip:
    case ZoneShape::Kind::kDiscs:
      return line_distance_mm(z, g, v.p(), g.index.nearest(v.p()));
    case ZoneShape::Kind::kBehindHairline: {
      // Only the back edge is feathered: the front is the hairline ramp's job. Behind the band
      // the minimum is negative whatever the margin.
      const double band_mm = f.plan.hairline.depth_mm - hl_sd;
      if (!exact && band_mm < 0) return band_mm;
      return std::min(band_mm, above_margin_mm(f, v, z.feather_mm, exact));
    }
    case ZoneShape::Kind::kWholeScalp:
      return above_margin_mm(f, v, z.feather_mm, exact);
  }
  return -1;
}

}  // namespace field_internal

namespace {

// The hair-bearing margin, as fractions of the vertex height (z above the tragion line) at
// azimuths about the vertical axis. In front of the ear the sideburn reaches about the tragion's
// height; over the ear the hair stops ~1 cm above the helix, whose top is ~0.3 of the vertex
// height above the tragion (auricle ~62 mm long with the tragus near its middle; Farkas 1994);
// behind the ear the margin drops to the mastoid and, at the back, to the nape ~0.35 vertex
// heights below the tragion line. The frontal edge is the hairline itself, so the margin there
// sits low enough never to cut it.
ScalpMargin default_margin(const Head& head) {
  const double vh = head.measurements.vertex_height_mm;
  ScalpMargin m;
  m.azimuth_deg = {0, 60, 76, 86, 104, 124, 150, 180};
  for (double f : {-0.6, -0.45, -0.12, 0.30, 0.30, -0.10, -0.30, -0.35}) m.z_mm.push_back(f * vh);
  return m;
}

// The cosine below which a direction's chart radius exceeds radius_mm (see
// ZoneGeometry::beyond_cos), or -2 if the chart's reach never does. chart_from_point interpolates
// between two polar indices of two meridians, and arc lengths never fall along a meridian: from
// the first polar index at which every meridian's arc exceeds radius_mm, every point's radius
// does. The margins (1e-3 mm, 1e-3 of a step, 1e-9 in the cosine) are far above rounding.
double cos_beyond_chart_radius(const ScalpChart& c, double radius_mm) {
  for (int it = 0; it + 1 < c.n_theta; ++it) {
    bool all = true;
    for (int ip = 0; ip < c.n_phi && all; ++ip)
      all = c.arc_mm[static_cast<size_t>(ip) * c.n_theta + it] > radius_mm + 1e-3;
    if (all) return std::cos((it + 1e-3) * c.dtheta) - 1e-9;
  }
  return -2;
}

// FieldBounds of an expanded plan (FieldBounds says what each bound means).
FieldBounds field_bounds(const DensityField& f) {
  FieldBounds b;
  const HairlineSpec& h = f.plan.hairline;
  b.hairline_ahead_mm = std::max(kHairlineTangentSideMm, h.enabled ? h.sentinel_depth_mm : 0.0);
  b.hairline_behind_mm = std::max(kHairlineTangentSideMm, h.transition_width_mm);
  for (const Zone& z : f.plan.zones) {
    if (z.shape.kind == ZoneShape::Kind::kBehindHairline)
      b.hairline_behind_mm = std::max(b.hairline_behind_mm, h.depth_mm);
  }
  // margin_z_mm blends two knots with a weight in [0, 1]: within their range but for rounding.
  const auto [lo, hi] = std::minmax_element(f.margin.z_mm.begin(), f.margin.z_mm.end());
  if (lo != f.margin.z_mm.end()) {
    const double slack = 1e-6 * (1 + std::max(std::abs(*lo), std::abs(*hi)));
    b.margin_lo_mm = *lo - slack, b.margin_hi_mm = *hi + slack;
  }
  const std::vector<double>& az = f.margin.azimuth_deg;
  for (size_t k = 0; k + 1 < az.size() && k + 1 < f.margin.z_mm.size(); ++k) {
    const double span_rad = (az[k + 1] - az[k]) * std::numbers::pi / 180;
    b.margin_slopes.push_back(1.01 * 1.5 * std::abs(f.margin.z_mm[k + 1] - f.margin.z_mm[k]) /
                              span_rad);
  }
  b.stretch = chart_stretch(f.chart, kChartCarryRad);
  // Chart points lie within the longest meridian's arc of the vertex: the side's grid covers
  // that (the polygon ahead closes far beyond it).
  const double reach_mm =
      f.chart.arc_mm.empty() ? 0 : *std::max_element(f.chart.arc_mm.begin(), f.chart.arc_mm.end());
  const Vec2 clip = Vec2::Constant(reach_mm + kSideCarryMm + 1);
  b.hairline_side = PolygonReach(f.hairline.ahead_coarse, kSideCarryMm, -clip, clip);
  return b;
}

std::vector<Vec3> resample_chart_polyline(const DensityField& f, const std::vector<ChartPoint>& pts,
                                          double step_mm) {
  std::vector<Vec3> out;
  for (size_t i = 0; i + 1 < pts.size(); ++i) {
    const Vec2 a(pts[i].u_mm, pts[i].v_mm), b(pts[i + 1].u_mm, pts[i + 1].v_mm);
    const int n = std::max(1, static_cast<int>(std::ceil((b - a).norm() / step_mm)));
    for (int k = 0; k < n; ++k)
      out.push_back(point_from_chart(f.chart, f.surface, a + (b - a) * (double(k) / n)));
  }
  const ChartPoint& e = pts.back();
  out.push_back(point_from_chart(f.chart, f.surface, Vec2(e.u_mm, e.v_mm)));
  return out;
}

// evaluate_field's values, each point on its own.
struct PlainSource {
  const DensityField& f;
  PointView& v;
  double hairline_sd() {
    double dv = 0;
    const int i = f.hairline.nearest.nearest(v.p(), dv);
    if (i < 0) return 1e9;
    return hairline_signed_distance_mm(f.hairline, v.p(), v.chart(), i);
  }
  double zone_sd(size_t i, double hl_sd) {
    return field_internal::zone_distance_mm(f, i, v, hl_sd, false);
  }
  double whorl(size_t i) {
    return whorl_factor(f.plan.zones[i].whorl, f.zones[i].whorl_centre_chart, v.chart());
  }
};

}  // namespace

double smoothstep01(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3 - 2 * x);
}

double whorl_factor(const Whorl& w, const Vec2& centre, const Vec2& uv) {
  const Vec2 d = uv - centre;
  const double r = d.norm();
  const double g = std::exp(-(r * r) / (w.radius_mm * w.radius_mm));
  if (g < 1e-4) return 1.0;
  // An Archimedean spiral of `arms` arms with one turn per radius_mm; seen from above, a
  // clockwise whorl's arms turn clockwise going out. In the chart (u right, v anterior, seen from
  // above) clockwise is decreasing atan2(v, u).
  const double phi = std::atan2(d.y(), d.x());
  const double turn = 2 * std::numbers::pi * r / w.radius_mm;
  const double phase = w.arms * phi + (w.clockwise ? turn : -turn);
  return 1.0 - w.amplitude * g * (0.5 + 0.5 * std::cos(phase));
}

double hairline_ramp(const HairlineSpec& s, double sd) {
  if (!s.enabled) return sd <= 0 ? 0.0 : smoothstep01(sd / s.transition_width_mm);
  if (sd <= -s.sentinel_depth_mm) return 0.0;
  if (sd < 0) {
    // Ahead of the line the sentinel tail eases in from nothing: single, sparse dots.
    const double u = 1 + sd / s.sentinel_depth_mm;
    return s.sentinel_fraction * u * u;
  }
  // Behind it the density rises fastest at the line itself and eases into full density at
  // the transition width (1 - (1 - t)^2: monotone, and flat where it meets the zone).
  const double t = std::min(1.0, sd / s.transition_width_mm);
  return s.sentinel_fraction + (1 - s.sentinel_fraction) * (1 - (1 - t) * (1 - t));
}

double zone_signed_distance_mm(const DensityField& f, int zi, const Vec3& p, double hl_sd) {
  PointView v(f, p);
  return field_internal::zone_distance_mm(f, static_cast<size_t>(zi), v, hl_sd, true);
}

FieldSample evaluate_field(const DensityField& f, const Vec3& p) {
  PointView v(f, p);
  PlainSource src{f, v};
  return field_internal::combine(f, src);
}

DensityField make_density_field(const Plan& plan, const Head& head, int surface_res) {
  DensityField f;
  f.plan = plan;
  f.surface = build_radial_surface(head.mesh, head.centre, surface_res);
  f.chart = build_scalp_chart(f.surface, landmark(head, "vertex"), Vec3(1, 0, 0), Vec3(0, 1, 0));
  f.hairline = build_hairline(plan.hairline, head, f.surface, f.chart, plan.seed);
  f.margin = default_margin(head);
  expand_pattern(f.plan, f, head);
  if (f.plan.zones.empty()) {
    throw std::invalid_argument(
        "plan: /zones is empty and the pattern is \"custom\": nothing to treat");
  }
  f.zones.resize(f.plan.zones.size());
  for (size_t i = 0; i < f.plan.zones.size(); ++i) {
    const Zone& z = f.plan.zones[i];
    ZoneGeometry& g = f.zones[i];
    switch (z.shape.kind) {
      case ZoneShape::Kind::kPolygon: {
        for (const ChartPoint& c : z.shape.points) g.polygon_chart.emplace_back(c.u_mm, c.v_mm);
        g.box_lo = g.box_hi = g.polygon_chart.front();
        double radius_mm = 0;
        for (const Vec2& c : g.polygon_chart) {
          g.box_lo = g.box_lo.cwiseMin(c), g.box_hi = g.box_hi.cwiseMax(c);
          radius_mm = std::max(radius_mm, c.norm());
        }
        // The weight reads distances below the feather (a zone without one only the side).
        g.outline = PolygonReach(g.polygon_chart, z.feather_mm > 0 ? z.feather_mm : 1e-3);
        g.beyond_cos = cos_beyond_chart_radius(f.chart, radius_mm);
        break;
      }
      case ZoneShape::Kind::kCircle:
        g.centre_mm =
            point_from_chart(f.chart, f.surface, Vec2(z.shape.centre.u_mm, z.shape.centre.v_mm));
        break;
      case ZoneShape::Kind::kStrip:
        g.line_mm = resample_chart_polyline(f, z.shape.points, 0.25);
        g.index = PointIndex(g.line_mm);
        for (size_t k = 1; k < g.line_mm.size(); ++k)
          g.max_step_mm = std::max(g.max_step_mm, (g.line_mm[k] - g.line_mm[k - 1]).norm());
        g.nearest = PolylineNearest(g.line_mm);
        break;
      case ZoneShape::Kind::kDiscs:
        for (const ChartPoint& c : z.shape.points)
          g.line_mm.push_back(point_from_chart(f.chart, f.surface, Vec2(c.u_mm, c.v_mm)));
        g.index = PointIndex(g.line_mm);
        break;
      case ZoneShape::Kind::kBehindHairline:
      case ZoneShape::Kind::kWholeScalp:
        break;
    }
    g.whorl_centre_chart = Vec2(z.whorl.centre.u_mm, z.whorl.centre.v_mm);
  }
  f.bounds = field_bounds(f);
  return f;
}

}  // namespace stipple
