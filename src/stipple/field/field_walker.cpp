// FieldWalker: evaluate_field over a walk of neighbouring points, each point's measurements
// bounding the next ones' (density_field.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "stipple/field/density_field.h"
#include "stipple/field/field_eval.h"

namespace stipple {

using field_internal::PointView;

namespace {

// Slack for bounds built from distances computed in floating point (each within ~1e-13 mm of
// the truth at head scale): far above rounding, far below anything the field resolves.
constexpr double kSlackMm = 1e-9;

// A whorl's factor is exactly 1 where its Gaussian is below 1e-4 (whorl_factor), i.e. beyond
// sqrt(ln 1e4) = 3.035 radii of its centre: 3.1 radii leaves a margin.
constexpr double kWhorlFadedRadii = 3.1;

}  // namespace

struct FieldWalker::Source {
  FieldWalker& w;
  PointView& v;
  double hairline_sd() { return w.hairline_sd(v); }
  double zone_sd(size_t i, double hl_sd) { return w.zone_sd(i, v, hl_sd); }
  double whorl(size_t i) { return w.whorl(i, v); }
};

FieldWalker::FieldWalker(const DensityField& field)
    : f_(field),
      lines_(field.zones.size()),
      zones_(field.zones.size()),
      whorls_(field.zones.size()),
      margins_(field.zones.size()) {}

FieldSample FieldWalker::evaluate(const Vec3& p) {
  PointView v(f_, p);
  // Outside every zone the sample is the default whatever the hairline (no zone, no dots).
  if (outside_every_zone(v)) return FieldSample{};
  Source src{*this, v};
  const FieldSample s = field_internal::combine(f_, src);
  if (v.has_chart()) last_chart_ = {p, v.chart(), (p - f_.chart.centre).norm(), -1};
  return s;
}

// How far p's chart point can lie from the last chart point taken (infinity if unknown): the
// chart's stretch (ChartStretch) times the turn of direction, as in carry.
double FieldWalker::chart_reach_mm(const Vec3& p) {
  LastChart& c = last_chart_;
  const double r = c.radius_mm, e = (p - c.point_mm).norm();
  if (!(r > 0) || !(e < r / 2)) return std::numeric_limits<double>::infinity();
  const double turn = 1.011 * e / (r - e);
  const ChartStretch& st = f_.bounds.stretch;
  for (size_t w = 0; w < st.windows_rad.size(); ++w) {
    if (turn > st.windows_rad[w]) continue;
    if (c.row < 0) {
      const Vec3 d = c.point_mm - f_.chart.centre;
      c.row = static_cast<int>(st.row_of_cos(d.dot(f_.chart.axis) / r));
    }
    return st.mm_per_rad_at_row(static_cast<size_t>(c.row), w) * turn;
  }
  return std::numeric_limits<double>::infinity();
}

// The tangent rule's side (hairline_point_ahead) without p's chart point, where the last chart
// point taken lies clear of the tangent line by more than p's can have moved from it.
bool FieldWalker::tangent_side(const Vec3& p, int k, bool& ahead) {
  if (!(last_chart_.radius_mm > 0)) return false;
  const std::vector<Vec2>& a = f_.hairline.ahead_chart;
  const size_t i = static_cast<size_t>(k);
  const Vec2 t = a[i + 1] - a[i - 1], q = last_chart_.chart - a[i];
  const double cross = t.x() * q.y() - t.y() * q.x(), len = t.norm();
  // A margin over rounding (1e-6 mm of chart), then the reach.
  if (!(std::abs(cross) > len * (1e-6 + chart_reach_mm(p)))) return false;
  ahead = cross > 0;
  return true;
}

// A chart-space outcome at p that holds while the chart point stays within margin_mm of p's:
// up to the 3D distance e at which ChartStretch's bound on the chart's move reaches the margin,
// over whichever of its windows reaches farthest. A move of e turns the direction from the chart
// centre by at most 1.011 e / (r - e) (the projection onto the unit sphere is 1 / (r - e)-
// Lipschitz beyond radius r - e, and an angle is at most 1.011 times its chord for chords up to
// 0.5), which must stay within the window.
void FieldWalker::carry(ChartAnchor& a, const Vec3& p, double margin_mm, bool outcome) const {
  a.reach2_mm2 = -1;
  const double m = margin_mm - 1e-6;  // rounding of the chart point and the distances
  const Vec3 d = p - f_.chart.centre;
  const double r = d.norm();
  if (!(m > 0) || !(r > 0)) return;
  const ChartStretch& st = f_.bounds.stretch;
  const size_t row = st.row_of_cos(d.dot(f_.chart.axis) / r);
  double e = 0;
  for (size_t w = 0; w < st.windows_rad.size(); ++w) {
    const double k = st.mm_per_rad_at_row(row, w), window = std::min(st.windows_rad[w], 0.45);
    if (std::isfinite(k))
      e = std::max(e, std::min(m * r / (1.011 * k + m), window * r / (1.011 + window)));
  }
  if (!(e > 0)) return;
  a.point_mm = p;
  a.reach2_mm2 = e * e * (1 - 1e-9);
  a.outcome = outcome;
}

// A lower bound on the distance from p to the line's nearest vertex.
double FieldWalker::line_lower_bound_mm(const LineAnchor& a, const Vec3& p) const {
  if (a.distance_mm < 0) return 0;
  return a.distance_mm - (p - a.point_mm).norm() - kSlackMm;
}

bool FieldWalker::outside_every_zone(PointView& v) {
  const Vec3& p = v.p();
  for (size_t i = 0; i < f_.zones.size(); ++i) {
    const Zone& z = f_.plan.zones[i];
    const ZoneGeometry& g = f_.zones[i];
    bool outside = false;
    switch (z.shape.kind) {
      case ZoneShape::Kind::kPolygon:
        outside = v.polar_cos_below(g.beyond_cos) || (zones_[i].holds(p) && !zones_[i].outcome);
        break;
      case ZoneShape::Kind::kCircle:
        outside = z.shape.radius_mm - (p - g.centre_mm).norm() < 0;
        break;
      case ZoneShape::Kind::kStrip:
      case ZoneShape::Kind::kDiscs: {
        const double half_step = z.shape.kind == ZoneShape::Kind::kStrip ? g.max_step_mm / 2 : 0;
        outside = line_lower_bound_mm(lines_[i], p) - half_step > z.shape.radius_mm;
        break;
      }
      case ZoneShape::Kind::kBehindHairline:
      case ZoneShape::Kind::kWholeScalp:
        outside = p.z() - f_.bounds.margin_lo_mm < 0;  // below the margin's lowest point
        break;
    }
    if (!outside) return false;
  }
  return true;
}

// Whether p lies inside the hairline's polygon ahead (its side when it is at least
// kHairlineTangentSideMm from the line), carried over the chart while it stays clear of it.
bool FieldWalker::far_point_ahead(PointView& v) {
  if (!side_.holds(v.p())) {
    const double sd = f_.bounds.hairline_side.signed_distance(v.chart());
    carry(side_, v.p(), std::abs(sd), !std::signbit(sd));  // + inside (+0 on the boundary)
  }
  return side_.outcome;
}

// The hairline's signed distance: exact where the ramp or a zone behind the line reads it; where
// the last search shows the line is farther than that, only its side is needed.
double FieldWalker::hairline_sd(PointView& v) {
  const Hairline& h = f_.hairline;
  const FieldBounds& b = f_.bounds;
  const Vec3& p = v.p();
  if (h.curve_mm.empty()) return 1e9;
  const bool far_sides = !b.hairline_side.empty();
  // At least the nearest vertex's distance less half the longest segment: every point of its
  // two segments lies that close to one of their ends.
  const double lo = line_lower_bound_mm(hairline_, p) - h.max_step_mm / 2;
  if (lo > kHairlineTangentSideMm && far_sides) {
    const bool ahead = far_point_ahead(v);
    if (ahead && lo > b.hairline_ahead_mm) return -lo;
    if (!ahead && lo > b.hairline_behind_mm) return lo;
  }
  double dv = 0;
  const int k = h.nearest.nearest(p, hairline_.nearest, dv);
  hairline_ = {p, dv, k};
  const double d = hairline_distance_mm(h, p, k);
  bool ahead = false;
  if (d >= kHairlineTangentSideMm && far_sides) {
    ahead = far_point_ahead(v);
  } else if (v.has_chart() || !hairline_side_by_tangent(h, k, d) || !tangent_side(p, k, ahead)) {
    ahead = hairline_point_ahead(h, v.chart(), k, d);
  }
  return ahead ? -d : d;
}

double FieldWalker::zone_sd(size_t i, PointView& v, double hl_sd) {
  const Zone& z = f_.plan.zones[i];
  const ZoneGeometry& g = f_.zones[i];
  const Vec3& p = v.p();
  switch (z.shape.kind) {
    case ZoneShape::Kind::kPolygon: {
      if (v.polar_cos_below(g.beyond_cos)) return -1;
      ChartAnchor& a = zones_[i];
      if (a.holds(p)) return a.outcome ? z.feather_mm : -1.0;  // weight 1, or outside
      const double sd = field_internal::polygon_distance_mm(g, v.chart());
      // The signed distance is 1-Lipschitz in the chart (outside the box it is at most the
      // box's): inside by more than the feather, or outside, carries.
      if (sd > z.feather_mm) {
        carry(a, p, sd - z.feather_mm, true);
      } else if (sd < 0) {
        carry(a, p, -sd, false);
      } else {
        a.reach2_mm2 = -1;
      }
      return sd;
    }
    case ZoneShape::Kind::kStrip:
    case ZoneShape::Kind::kDiscs: {
      LineAnchor& a = lines_[i];
      const bool strip = z.shape.kind == ZoneShape::Kind::kStrip;
      // The distance lies between the nearest vertex's less half the longest segment (a
      // strip's) and the vertex's.
      const double lo = line_lower_bound_mm(a, p) - (strip ? g.max_step_mm / 2 : 0);
      const double hi = a.distance_mm < 0 ? std::numeric_limits<double>::infinity()
                                          : a.distance_mm + (p - a.point_mm).norm() + kSlackMm;
      if (lo > z.shape.radius_mm) return z.shape.radius_mm - lo;
      if (z.shape.radius_mm - hi >= z.feather_mm) return z.shape.radius_mm - hi;
      // A strip's line is searched from the last vertex on; discs (scattered centres) take the
      // tree, searched within the bound.
      double d = 0;
      int k = strip ? g.nearest.nearest(p, a.nearest, d) : g.index.nearest(p, hi);
      if (k < 0) k = g.index.nearest(p);
      if (!strip) d = (g.line_mm[static_cast<size_t>(k)] - p).norm();
      a = {p, d, k};
      return field_internal::line_distance_mm(z, g, p, k);
    }
    case ZoneShape::Kind::kBehindHairline: {
      // Behind the band the minimum is negative whatever the margin.
      const double band_mm = f_.plan.hairline.depth_mm - hl_sd;
      return band_mm < 0 ? band_mm : std::min(band_mm, above_margin_mm(i, v));
    }
    case ZoneShape::Kind::kWholeScalp:
      return above_margin_mm(i, v);
    default:
      return field_internal::zone_distance_mm(f_, i, v, hl_sd, false);
  }
}

// The height above the hair-bearing margin as zone i's weight reads it, carried from the last
// point that measured it while the height there stays on the same side of the weight's ends.
double FieldWalker::above_margin_mm(size_t i, PointView& v) {
  const double cap = f_.plan.zones[i].feather_mm, z = v.p().z();
  // The margin's bounds over all azimuths settle most points at once (as in above_margin_mm).
  if (z - f_.bounds.margin_hi_mm >= cap) return z - f_.bounds.margin_hi_mm;
  if (z - f_.bounds.margin_lo_mm < 0) return z - f_.bounds.margin_lo_mm;
  ChartAnchor& a = margins_[i];
  if (a.holds(v.p())) return a.outcome ? cap : -1.0;  // weight 1, or outside
  const double height = z - v.margin_z_mm();
  if (height > cap) {
    carry_margin(a, v, height - cap, true);
  } else if (height < 0) {
    carry_margin(a, v, -height, false);
  } else {
    a.reach2_mm2 = -1;
  }
  return height;
}

// Like carry for the height above the margin, p.z - z_margin(azimuth about the vertical): a move
// of e changes z by at most e and turns the azimuth by at most 1.011 e / (rho - e) (rho: the
// distance from the vertical axis; as in carry, for e <= rho / 2 and a turn within kMarginTurnRad),
// over which z_margin changes by at most its steepest slope there (FieldBounds::margin_slopes)
// times the turn.
void FieldWalker::carry_margin(ChartAnchor& a, PointView& v, double margin_mm, bool outcome) const {
  a.reach2_mm2 = -1;
  const Vec3& p = v.p();
  const double m = margin_mm - 1e-6;  // rounding of the heights
  const double rho = std::hypot(p.x(), p.y());
  const FieldBounds& b = f_.bounds;
  if (!(m > 0) || !(rho > 0) || b.margin_slopes.empty()) return;
  const double turn_deg = kMarginTurnRad * 180 / std::numbers::pi;
  const double az = std::min(std::abs(v.azimuth_deg()), 180.0);
  double slope = 0;  // mm per radian over the azimuths the turn can reach
  const std::vector<double>& knots = f_.margin.azimuth_deg;
  for (size_t k = 0; k < b.margin_slopes.size(); ++k) {
    if (knots[k + 1] >= az - turn_deg && knots[k] <= az + turn_deg)
      slope = std::max(slope, b.margin_slopes[k]);
  }
  const double e = std::min(
      {rho / 2, kMarginTurnRad * rho / (1.011 + kMarginTurnRad), m / (1 + 2.022 * slope / rho)});
  if (!(e > 0)) return;
  a.point_mm = p;
  a.reach2_mm2 = e * e * (1 - 1e-9);
  a.outcome = outcome;
}

double FieldWalker::whorl(size_t i, PointView& v) {
  const Whorl& w = f_.plan.zones[i].whorl;
  const Vec2& centre = f_.zones[i].whorl_centre_chart;
  ChartAnchor& a = whorls_[i];
  if (a.holds(v.p())) return 1.0;
  const Vec2& c = v.chart();
  // The distance from the whorl's centre is 1-Lipschitz in the chart.
  const double faded_mm = kWhorlFadedRadii * w.radius_mm, r = (c - centre).norm();
  if (r > faded_mm) {
    carry(a, v.p(), r - faded_mm, true);
  } else {
    a.reach2_mm2 = -1;
  }
  return whorl_factor(w, centre, c);
}

}  // namespace stipple
