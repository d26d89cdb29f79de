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

// FieldReach of an expanded plan: beyond hairline_mm the ramp is 0 ahead of the line (past the
// sentinels, or the line itself when the hairline design is off) and full behind it (past the
// transition), the zones behind the line end (their depth) and the side comes from the polygon
// ahead (kHairlineTangentSideMm).
FieldReach field_reach(const Plan& plan, const ScalpMargin& margin) {
  FieldReach r;
  const HairlineSpec& h = plan.hairline;
  r.hairline_mm = std::max(kHairlineTangentSideMm, h.transition_width_mm);
  if (h.enabled) r.hairline_mm = std::max(r.hairline_mm, h.sentinel_depth_mm);
  for (const Zone& z : plan.zones) {
    if (z.shape.kind == ZoneShape::Kind::kBehindHairline)
      r.hairline_mm = std::max(r.hairline_mm, h.depth_mm);
  }
  // margin_z_mm blends two knots with a weight in [0, 1]: within their range but for rounding.
  const auto [lo, hi] = std::minmax_element(margin.z_mm.begin(), margin.z_mm.end());
  if (lo != margin.z_mm.end()) {
    const double slack = 1e-6 * (1 + std::max(std::abs(*lo), std::abs(*hi)));
    r.margin_lo_mm = *lo - slack, r.margin_hi_mm = *hi + slack;
  }
  return r;
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

// A point and what the zones read of it, each computed at most once an evaluation: the chart
// coordinates (two atan2 and a hypot: the hairline, every polygon zone and the whorl read them),
// the azimuth about the vertical (the margin of two zones), the polar cosine terms (the polygon
// zones' reach).
class PointView {
 public:
  PointView(const DensityField& f, const Vec3& p) : f_(f), p_(p) {}
  const Vec3& p() const { return p_; }
  const Vec2& chart() {
    if (!has_chart_) chart_ = chart_from_point(f_.chart, p_), has_chart_ = true;
    return chart_;
  }
  double azimuth_deg() {
    if (!has_azimuth_) {
      azimuth_ = std::atan2(p_.x(), p_.y()) * 180 / std::numbers::pi;
      has_azimuth_ = true;
    }
    return azimuth_;
  }
  // Whether the direction of p from the chart centre has a cosine to the chart axis below
  // `cos_limit` (ZoneGeometry::beyond_cos).
  bool polar_cos_below(double cos_limit) {
    if (!has_polar_) {
      const Vec3 d = p_ - f_.chart.centre;
      axial_mm_ = d.dot(f_.chart.axis), radial_mm_ = d.norm(), has_polar_ = true;
    }
    return axial_mm_ < cos_limit * radial_mm_;
  }

 private:
  const DensityField& f_;
  const Vec3& p_;
  Vec2 chart_ = Vec2::Zero();
  double azimuth_ = 0, axial_mm_ = 0, radial_mm_ = 0;
  bool has_chart_ = false, has_azimuth_ = false, has_polar_ = false;
};

// The height of p above the hair-bearing margin. With exact = false, as a zone's weight reads it
// (its sign, and its value below `cap`, the feather: the weight is 1 beyond): where the margin's
// bounds (FieldReach) settle that, a bound of the right side is returned without the azimuth's
// atan2.
double above_margin_mm(const DensityField& f, PointView& v, double cap, bool exact) {
  const double z = v.p().z();
  if (!exact) {
    const double lo = z - f.reach.margin_hi_mm;  // at most the height (subtraction is monotone)
    if (lo >= cap) return lo;
    const double hi = z - f.reach.margin_lo_mm;  // at least the height
    if (hi < 0) return hi;
  }
  return z - margin_z_mm(f.margin, v.azimuth_deg());
}

// The zone's signed distance (zone_signed_distance_mm) with exact = true. With exact = false, as
// evaluate_field reads it: a value with the same sign (negative exactly where the distance is),
// equal to the distance bit for bit where that lies in [0, feather), and >= feather where the
// distance is (the weight is 1 for both). That spares the polygon edges beyond the feather
// (PolygonReach), the margin's atan2 where its bounds settle the weight, and, given `near`
// (the distance to the zone's nearest line vertex), a strip's or discs' search.
double zone_distance_mm(const DensityField& f, size_t zi, PointView& v, double hl_sd,
                        NearestBound* near, bool exact) {
  const Zone& z = f.plan.zones[zi];
  const ZoneGeometry& g = f.zones[zi];
  const Vec3& p = v.p();
  const double cap = z.feather_mm;
  switch (z.shape.kind) {
    case ZoneShape::Kind::kPolygon: {
      if (!exact && v.polar_cos_below(g.beyond_cos)) return -1;
      const Vec2& c = v.chart();
      // Outside the bounding box: outside, by at least the distance to the box.
      const Vec2 out = (g.box_lo - c).cwiseMax(c - g.box_hi).cwiseMax(0.0);
      if (out.squaredNorm() > 0) return -out.norm();
      if (exact || g.near_edges.empty()) return polygon_signed_distance(g.polygon_chart, c);
      // PolygonSlabs::contains is point_in_polygon's answer, near_edges.distance the boundary
      // distance below the reach (the feather) and at least the reach beyond.
      const double d = g.near_edges.distance(c);
      return g.slabs.contains(c) ? d : -d;
    }
    case ZoneShape::Kind::kCircle:
      return z.shape.radius_mm - (p - g.centre_mm).norm();
    case ZoneShape::Kind::kStrip:
    case ZoneShape::Kind::kDiscs: {
      const bool strip = z.shape.kind == ZoneShape::Kind::kStrip;
      if (!exact && near) {
        // The distance is at most the nearest vertex's, and a strip's at least that less half
        // the longest segment (every segment point lies that close to one of its ends).
        const double lo = near->lo_mm - (strip ? g.max_step_mm / 2 : 0);
        if (lo > z.shape.radius_mm) return z.shape.radius_mm - lo;
        if (z.shape.radius_mm - near->hi_mm >= cap) return z.shape.radius_mm - near->hi_mm;
      }
      // With a bound to go by, a strip's line (steps of 0.25 mm) is scanned from the nearby
      // point's vertex on; discs (scattered centres) take the tree, searched within the bound.
      int i = -1;
      if (near && strip) i = nearest_polyline_vertex(g.line_mm, g.max_step_mm, p, near->start);
      if (near && !strip) i = g.index.nearest(p, near->hi_mm);
      if (i < 0) i = g.index.nearest(p);
      const size_t k = static_cast<size_t>(i);
      double d = (g.line_mm[k] - p).norm();
      if (near) near->exact_mm = d, near->nearest = i;
      if (strip) {
        if (k > 0) d = std::min(d, distance_to_segment(g.line_mm[k - 1], g.line_mm[k], p));
        if (k + 1 < g.line_mm.size())
          d = std::min(d, distance_to_segment(g.line_mm[k], g.line_mm[k + 1], p));
      }
      return z.shape.radius_mm - d;
    }
    case ZoneShape::Kind::kBehindHairline:
      // Only the back edge is feathered: the front is the hairline ramp's job.
      return std::min(f.plan.hairline.depth_mm - hl_sd, above_margin_mm(f, v, cap, exact));
    case ZoneShape::Kind::kWholeScalp:
      return above_margin_mm(f, v, cap, exact);
  }
  return -1;
}

// Whether p lies outside the zone, by a test that needs neither the chart coordinates nor a
// search (false: not known).
bool surely_outside(const DensityField& f, size_t zi, PointView& v, const FieldHints& hints) {
  const Zone& z = f.plan.zones[zi];
  const ZoneGeometry& g = f.zones[zi];
  switch (z.shape.kind) {
    case ZoneShape::Kind::kPolygon:
      return v.polar_cos_below(g.beyond_cos);
    case ZoneShape::Kind::kCircle:
      return z.shape.radius_mm - (v.p() - g.centre_mm).norm() < 0;
    case ZoneShape::Kind::kStrip:
    case ZoneShape::Kind::kDiscs: {
      if (hints.zones.size() != f.zones.size()) return false;
      const double half_step = z.shape.kind == ZoneShape::Kind::kStrip ? g.max_step_mm / 2 : 0;
      return hints.zones[zi].lo_mm - half_step > z.shape.radius_mm;
    }
    case ZoneShape::Kind::kBehindHairline:
    case ZoneShape::Kind::kWholeScalp:
      return v.p().z() - f.reach.margin_lo_mm < 0;  // below the margin's lowest point
  }
  return false;
}

// The hairline's signed distance as evaluate_field reads it: exact within
// FieldReach::hairline_mm of the line; beyond, where `near` shows the line is that far, a bound
// on the same side (the ramp and the zones behind the line read both alike).
double hairline_distance_mm(const DensityField& f, PointView& v, NearestBound* near) {
  const Hairline& h = f.hairline;
  if (h.curve_mm.empty()) return 1e9;
  if (near) {
    // At least the nearest vertex's distance less half the longest segment.
    const double lo = near->lo_mm - h.max_step_mm / 2;
    if (lo > f.reach.hairline_mm) return hairline_far_point_ahead(h, v.chart()) ? -lo : lo;
  }
  // With a nearby point's vertex to start from, the line (steps of ~0.5 mm) is scanned;
  // without, the tree is searched.
  const int i = near ? nearest_polyline_vertex(h.curve_mm, h.max_step_mm, v.p(), near->start)
                     : h.index.nearest(v.p());
  if (near) {
    near->exact_mm = (h.curve_mm[static_cast<size_t>(i)] - v.p()).norm();
    near->nearest = i;
  }
  return hairline_signed_distance_mm(h, v.p(), v.chart(), i);
}

FieldSample evaluate(const DensityField& f, const Vec3& p, FieldHints* hints) {
  FieldSample s;
  PointView v(f, p);
  if (hints) {
    // Outside every zone the sample is the default whatever the hairline (no zone, no dots).
    bool outside = true;
    for (size_t i = 0; i < f.plan.zones.size() && outside; ++i)
      outside = surely_outside(f, i, v, *hints);
    if (outside) return s;
  }
  s.hairline_sd_mm = hairline_distance_mm(f, v, hints ? &hints->hairline : nullptr);
  const double ramp = hairline_ramp(f.plan.hairline, s.hairline_sd_mm);
  if (ramp <= 0) return s;
  const bool near_known = hints && hints->zones.size() == f.zones.size();
  bool first = true;
  double best_w = 0;
  int best = -1;
  for (size_t i = 0; i < f.plan.zones.size(); ++i) {
    const Zone& z = f.plan.zones[i];
    const double sd =
        zone_distance_mm(f, i, v, s.hairline_sd_mm, near_known ? &hints->zones[i] : nullptr, false);
    if (sd < 0) continue;
    const double w = z.feather_mm > 0 ? smoothstep01(sd / z.feather_mm) : 1.0;
    double target = z.density_per_cm2;
    if (z.whorl.enabled) target *= whorl_factor(z.whorl, f.zones[i].whorl_centre_chart, v.chart());
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
  return zone_distance_mm(f, static_cast<size_t>(zi), v, hl_sd, nullptr, true);
}

FieldSample evaluate_field(const DensityField& f, const Vec3& p) {
  return evaluate(f, p, nullptr);
}

FieldSample evaluate_field(const DensityField& f, const Vec3& p, FieldHints& hints) {
  return evaluate(f, p, &hints);
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
        g.slabs = PolygonSlabs(g.polygon_chart);
        // Distances matter below the feather; a zone without one reads only the sign.
        g.near_edges = PolygonReach(g.polygon_chart, z.feather_mm > 0 ? z.feather_mm : 1e-3);
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
  f.reach = field_reach(f.plan, f.margin);
  return f;
}

}  // namespace stipple
