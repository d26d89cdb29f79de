// The field's evaluation, shared by evaluate_field (one point) and FieldWalker (a walk over
// neighbouring points): internal to src/stipple/field.
#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>

#include "stipple/field/density_field.h"

namespace stipple::field_internal {

inline double lerp(double a, double b, double t) {
  return a + (b - a) * t;
}

// z of the hair-bearing margin at an azimuth (degrees about the vertical, 0 = front).
double margin_z_mm(const ScalpMargin& m, double azimuth_deg);

// A point and what the zones read of it, each computed at most once an evaluation: the chart
// coordinates (two atan2 and a hypot: the hairline, every polygon zone and the whorl read
// them), the margin's height at its azimuth about the vertical (two zones read it), the polar
// cosine terms (the polygon zones' reach).
class PointView {
 public:
  PointView(const DensityField& f, const Vec3& p) : f_(f), p_(p) {}
  const Vec3& p() const { return p_; }
  const Vec2& chart() {
    if (!has_chart_) chart_ = chart_from_point(f_.chart, p_), has_chart_ = true;
    return chart_;
  }
  bool has_chart() const { return has_chart_; }
  // p's azimuth about the vertical (degrees, 0 = front) and the hair-bearing margin's z there.
  double azimuth_deg() {
    if (!has_azimuth_) {
      azimuth_ = std::atan2(p_.x(), p_.y()) * 180 / std::numbers::pi;
      has_azimuth_ = true;
    }
    return azimuth_;
  }
  double margin_z_mm() {
    if (!has_margin_)
      margin_ = field_internal::margin_z_mm(f_.margin, azimuth_deg()), has_margin_ = true;
    return margin_;
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
  double azimuth_ = 0, margin_ = 0, axial_mm_ = 0, radial_mm_ = 0;
  bool has_chart_ = false, has_azimuth_ = false, has_margin_ = false, has_polar_ = false;
};

// A zone's signed distance "as the weight reads it": a value with the distance's sign (negative
// exactly where the distance is), equal to it bit for bit where it lies in [0, feather), and
// >= feather where the distance is (the weight is 1 for both). evaluate_field's combination
// reads nothing else of it.

// The height of p above the hair-bearing margin; with exact = false as the weight reads it,
// given the zone's feather (`cap`): where the margin's bounds (FieldBounds) settle it, a bound
// of the right side, without the azimuth's atan2.
double above_margin_mm(const DensityField& f, PointView& v, double cap, bool exact);

// A polygon zone's signed distance at chart point c as the weight reads it (ZoneGeometry::
// outline; outside the bounding box, minus the distance to the box, an upper bound).
double polygon_distance_mm(const ZoneGeometry& g, const Vec2& c);

// A strip's or discs' signed distance at p (radius less the distance to the nearest vertex's
// segments, or to the vertex), given that vertex.
double line_distance_mm(const Zone& z, const ZoneGeometry& g, const Vec3& p, int nearest);

// The zone's signed distance, exact (zone_signed_distance_mm) or as the weight reads it.
double zone_distance_mm(const DensityField& f, size_t zi, PointView& v, double hl_sd, bool exact);

// evaluate_field's combination of the hairline ramp and the zones, from a source of the values
// it reads: src.hairline_sd() (exact where the ramp or a zone behind the line reads it, else a
// value beyond FieldBounds' reach on the same side), src.zone_sd(i, hairline_sd) (as the weight
// reads it) and src.whorl(i) (the whorl's factor at p).
template <class Source>
FieldSample combine(const DensityField& f, Source& src) {
  FieldSample s;
  s.hairline_sd_mm = src.hairline_sd();
  const double ramp = hairline_ramp(f.plan.hairline, s.hairline_sd_mm);
  if (ramp <= 0) return s;
  bool first = true;
  double best_w = 0;
  int best = -1;
  for (size_t i = 0; i < f.plan.zones.size(); ++i) {
    const Zone& z = f.plan.zones[i];
    const double sd = src.zone_sd(i, s.hairline_sd_mm);
    if (sd < 0) continue;
    // At or beyond the feather the weight is 1 (sd / feather >= 1): no division needed.
    const double w = z.feather_mm > 0 && sd < z.feather_mm ? smoothstep01(sd / z.feather_mm) : 1.0;
    double target = z.density_per_cm2;
    if (z.whorl.enabled) target *= src.whorl(i);
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

}  // namespace stipple::field_internal
