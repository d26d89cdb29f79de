#include "stipple/field/density_field.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "stipple/field/polygon2d.h"
#include "stipple/field/presets.h"

namespace stipple {
namespace {

double lerp(double a, double b, double t) {
  return a + (b - a) * t;
}

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

double margin_z_mm(const ScalpMargin& m, double azimuth_deg) {
  const double a = std::min(std::abs(azimuth_deg), 180.0);
  size_t i = 1;
  while (i + 1 < m.azimuth_deg.size() && m.azimuth_deg[i] < a) ++i;
  const double t = (a - m.azimuth_deg[i - 1]) / (m.azimuth_deg[i] - m.azimuth_deg[i - 1]);
  return lerp(m.z_mm[i - 1], m.z_mm[i], smoothstep01(t));  // C1 between the knots
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

}  // namespace

double smoothstep01(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3 - 2 * x);
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
  const Zone& z = f.plan.zones[static_cast<size_t>(zi)];
  const ZoneGeometry& g = f.zones[static_cast<size_t>(zi)];
  switch (z.shape.kind) {
    case ZoneShape::Kind::kPolygon: {
      const Vec2 c = chart_from_point(f.chart, p);
      // Outside the bounding box: outside, by at least the distance to the box.
      const Vec2 out = (g.box_lo - c).cwiseMax(c - g.box_hi).cwiseMax(0.0);
      if (out.squaredNorm() > 0) return -out.norm();
      return polygon_signed_distance(g.polygon_chart, c);
    }
    case ZoneShape::Kind::kCircle:
      return z.shape.radius_mm - (p - g.centre_mm).norm();
    case ZoneShape::Kind::kStrip:
    case ZoneShape::Kind::kDiscs: {
      const int i = g.index.nearest(p);
      const size_t k = static_cast<size_t>(i);
      double d = (g.line_mm[k] - p).norm();
      if (z.shape.kind == ZoneShape::Kind::kStrip) {
        if (k > 0) d = std::min(d, distance_to_segment(g.line_mm[k - 1], g.line_mm[k], p));
        if (k + 1 < g.line_mm.size())
          d = std::min(d, distance_to_segment(g.line_mm[k], g.line_mm[k + 1], p));
      }
      return z.shape.radius_mm - d;
    }
    case ZoneShape::Kind::kBehindHairline: {
      // Only the back edge is feathered: the front is the hairline ramp's job.
      const double az = std::atan2(p.x(), p.y()) * 180 / std::numbers::pi;
      return std::min(f.plan.hairline.depth_mm - hl_sd, p.z() - margin_z_mm(f.margin, az));
    }
    case ZoneShape::Kind::kWholeScalp: {
      const double az = std::atan2(p.x(), p.y()) * 180 / std::numbers::pi;
      return p.z() - margin_z_mm(f.margin, az);
    }
  }
  return -1;
}

FieldSample evaluate_field(const DensityField& f, const Vec3& p) {
  FieldSample s;
  s.hairline_sd_mm = hairline_signed_distance_mm(f.hairline, f.chart, p);
  const double ramp = hairline_ramp(f.plan.hairline, s.hairline_sd_mm);
  if (ramp <= 0) return s;
  bool first = true;
  double best_w = 0;
  int best = -1;
  for (size_t i = 0; i < f.plan.zones.size(); ++i) {
    const Zone& z = f.plan.zones[i];
    const double sd = zone_signed_distance_mm(f, static_cast<int>(i), p, s.hairline_sd_mm);
    if (sd < 0) continue;
    const double w = z.feather_mm > 0 ? smoothstep01(sd / z.feather_mm) : 1.0;
    double target = z.density_per_cm2;
    if (z.whorl.enabled)
      target *= whorl_factor(z.whorl, f.zones[i].whorl_centre_chart, chart_from_point(f.chart, p));
    if (first) {
      // Attributes come from the first zone met, not from a blend with "nothing".
      s.diameter_min_mm = z.diameter_min_mm, s.diameter_max_mm = z.diameter_max_mm,
      s.depth_mm = z.depth_mm;
      first = false;
    }
    s.target_per_cm2 = lerp(s.target_per_cm2, target, w);
    s.existing_per_cm2 = lerp(s.existing_per_cm2, z.existing_density_per_cm2, w);
    s.diameter_min_mm = lerp(s.diameter_min_mm, z.diameter_min_mm, w);
    s.diameter_max_mm = lerp(s.diameter_max_mm, z.diameter_max_mm, w);
    s.depth_mm = lerp(s.depth_mm, z.depth_mm, w);
    if (w >= 0.5) {
      s.zone = static_cast<int>(i);
      s.dilution_override = z.dilution_water_parts ? *z.dilution_water_parts : -1;
    }
    if (w > best_w) best_w = w, best = static_cast<int>(i);
  }
  if (s.zone < 0 && best >= 0) {
    s.zone = best;
    const Zone& z = f.plan.zones[static_cast<size_t>(best)];
    s.dilution_override = z.dilution_water_parts ? *z.dilution_water_parts : -1;
  }
  s.dots_per_cm2 = ramp * std::max(0.0, s.target_per_cm2 - s.existing_per_cm2);
  return s;
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
      case ZoneShape::Kind::kPolygon:
        for (const ChartPoint& c : z.shape.points) g.polygon_chart.emplace_back(c.u_mm, c.v_mm);
        g.box_lo = g.box_hi = g.polygon_chart.front();
        for (const Vec2& c : g.polygon_chart)
          g.box_lo = g.box_lo.cwiseMin(c), g.box_hi = g.box_hi.cwiseMax(c);
        break;
      case ZoneShape::Kind::kCircle:
        g.centre_mm =
            point_from_chart(f.chart, f.surface, Vec2(z.shape.centre.u_mm, z.shape.centre.v_mm));
        break;
      case ZoneShape::Kind::kStrip:
        g.line_mm = resample_chart_polyline(f, z.shape.points, 0.25);
        g.index = PointIndex(g.line_mm);
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
  return f;
}

}  // namespace stipple
