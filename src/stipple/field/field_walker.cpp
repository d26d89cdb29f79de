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
  const int k = hairline_nearest(p, dv);
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

// The hairline's vertex nearest p and its distance, as h.nearest.nearest gives them: from the
// quarters listed about a point within kQuartersReachMm of p, else by a search over the whole
// line, listing the quarters about p for the next points (a walk's next dozen texels or so).
int FieldWalker::hairline_nearest(const Vec3& p, double& distance_mm) {
  const PolylineNearest& index = f_.hairline.nearest;
  const double moved2 = (p - quarters_point_).squaredNorm();
  if (quarters_reach2_mm2_ > 0 && moved2 < quarters_reach2_mm2_)
    return index.nearest_in(p, hairline_quarters_, std::sqrt(moved2), hairline_.nearest,
                            distance_mm);
  const int k = index.nearest(p, hairline_.nearest, distance_mm);
  index.quarters_near(p, distance_mm, kQuartersReachMm, hairline_quarters_);
  quarters_point_ = p;
  // 1e-9 below the reach, over the rounding of the squared distance.
  quarters_reach2_mm2_ = kQuartersReachMm * kQuartersReachMm * (1 - 1e-9);
  return k;
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

// What settle_within measures at the ball's centre c, each at most once: c's chart point and
// how far the chart point of any point of the ball can lie from it, the hair-bearing margin's
// range over the azimuths the ball spans, a lower bound on its distance from the hairline.
struct FieldWalker::Ball {
  const Vec3& c;
  double radius_mm;
  bool has_chart = false;
  Vec2 chart = Vec2::Zero();
  double chart_move_mm = 0;
  bool has_margin = false;
  double margin_low_mm = -std::numeric_limits<double>::infinity();
  double margin_high_mm = std::numeric_limits<double>::infinity();
  double hairline_lo_mm = -std::numeric_limits<double>::infinity();
  bool searched = false;  // whether hairline_lo_mm comes from a search at c
};

// How far from c's chart point the chart point of any point within radius_mm of c can lie
// (infinity if unknown): as chart_reach_mm, the chart's stretch at c's polar row over the
// narrowest window the turn fits in, times the turn (1.011 radius / (r - radius): the projection
// onto the unit sphere is 1 / (r - radius)-Lipschitz beyond radius r - radius, and an angle is at
// most 1.011 times its chord for chords up to 0.5, which a turn within 0.45 keeps).
double FieldWalker::chart_move_mm(const Vec3& c, double radius_mm) const {
  const Vec3 d = c - f_.chart.centre;
  const double r = d.norm();
  if (!(r > 0) || !(radius_mm < r / 2)) return std::numeric_limits<double>::infinity();
  const double turn = 1.011 * radius_mm / (r - radius_mm);
  const ChartStretch& st = f_.bounds.stretch;
  for (size_t w = 0; w < st.windows_rad.size(); ++w) {
    if (turn > std::min(st.windows_rad[w], 0.45)) continue;
    return st.mm_per_rad_at_row(st.row_of_cos(d.dot(f_.chart.axis) / r), w) * turn;
  }
  return std::numeric_limits<double>::infinity();
}

const Vec2& FieldWalker::ball_chart(Ball& b) const {
  if (!b.has_chart) {
    b.chart = chart_from_point(f_.chart, b.c);
    b.chart_move_mm = chart_move_mm(b.c, b.radius_mm);
    b.has_chart = true;
  }
  return b.chart;
}

// The least and the greatest height of the hair-bearing margin (margin_z_mm) over the azimuths
// the ball spans, with 1e-6 of slack over rounding (the whole range where it is unknown). Seen
// from above the ball is a disc of the same radius at distance rho from the vertical axis, so
// its points' azimuths lie within asin(radius / rho) of c's, and so do their absolute values
// (what margin_z_mm reads: the distance to azimuth 0 on the circle, 1-Lipschitz). Between two
// knots margin_z_mm is monotone (a lerp by a smoothstep), so its extremes over an interval of
// azimuths lie at the interval's ends or at knots inside.
void FieldWalker::ball_margin(Ball& b) const {
  if (b.has_margin) return;
  b.has_margin = true;
  b.margin_low_mm = f_.bounds.margin_lo_mm, b.margin_high_mm = f_.bounds.margin_hi_mm;
  const Vec3& c = b.c;
  const ScalpMargin& m = f_.margin;
  if (m.azimuth_deg.size() < 2 || m.z_mm.size() != m.azimuth_deg.size()) return;
  const double rho = std::hypot(c.x(), c.y());
  if (!(b.radius_mm < rho / 2)) return;
  const double deg = 180 / std::numbers::pi;
  const double a = std::min(std::abs(std::atan2(c.x(), c.y()) * deg), 180.0);
  const double spread = std::asin(b.radius_mm / rho) * deg * (1 + 1e-9) + 1e-9;
  const double a0 = std::max(0.0, a - spread), a1 = std::min(180.0, a + spread);
  const double z0 = field_internal::margin_z_mm(m, a0), z1 = field_internal::margin_z_mm(m, a1);
  double low = std::min(z0, z1), high = std::max(z0, z1);
  for (size_t k = 0; k < m.azimuth_deg.size(); ++k) {
    if (m.azimuth_deg[k] > a0 && m.azimuth_deg[k] < a1)
      low = std::min(low, m.z_mm[k]), high = std::max(high, m.z_mm[k]);
  }
  b.margin_low_mm = low - 1e-6 * (1 + std::abs(low));
  b.margin_high_mm = high + 1e-6 * (1 + std::abs(high));
}

// Whether every point of the ball lies below the hair-bearing margin (z < margin_z(azimuth)),
// where the whole-scalp zone and the zones behind the hairline end: the ball's top lies below
// the margin's lowest point, or below its least over the azimuths the ball spans.
bool FieldWalker::below_margin_within(Ball& b) {
  const double top = b.c.z() + b.radius_mm;
  if (top < f_.bounds.margin_lo_mm) return true;
  ball_margin(b);
  return top < b.margin_low_mm;
}

// Whether every point of the ball lies at least cap_mm above the margin (a zone's weight 1).
bool FieldWalker::above_margin_within(Ball& b, double cap_mm) {
  const double bottom = b.c.z() - b.radius_mm;
  if (bottom - f_.bounds.margin_hi_mm >= cap_mm) return true;
  ball_margin(b);
  return bottom - b.margin_high_mm >= cap_mm;
}

// A lower bound on the hairline's distance (evaluate_field's: to the two segments of the
// nearest vertex) at every point of the ball: the nearest vertex's distance from c, less the
// radius (that distance is 1-Lipschitz) and half the longest segment (every point of a segment
// lies that close to one of its ends). The search at c is spared where the last one already
// shows more than `need`.
double FieldWalker::hairline_lower_bound_within(Ball& b, double need) {
  const Hairline& h = f_.hairline;
  if (h.curve_mm.empty()) return -std::numeric_limits<double>::infinity();
  const double slack = b.radius_mm + h.max_step_mm / 2;
  if (!b.searched) {
    b.hairline_lo_mm = std::max(b.hairline_lo_mm, line_lower_bound_mm(hairline_, b.c) - slack);
    if (b.hairline_lo_mm > need) return b.hairline_lo_mm;
    double dv = 0;
    const int k = hairline_nearest(b.c, dv);
    hairline_ = {b.c, dv, k};
    b.hairline_lo_mm = dv - kSlackMm - slack;
    b.searched = true;
  }
  return b.hairline_lo_mm;
}

// The hairline's side (the inside of its polygon ahead, Hairline::ahead_coarse, which is the
// side wherever the distance is at least kHairlineTangentSideMm), where it is the same all over
// the ball: the side's anchor covers the ball, or c's chart point lies farther from the polygon
// than any point's chart point can lie from it (the signed distance is 1-Lipschitz in the chart;
// 1e-6 mm over rounding).
bool FieldWalker::hairline_side_within(Ball& b, bool& ahead) {
  const PolygonReach& side = f_.bounds.hairline_side;
  if (side.empty()) return false;
  if (side_.reach2_mm2 > 0) {
    const double e = (b.c - side_.point_mm).norm() + b.radius_mm;
    if (e * e < side_.reach2_mm2) return ahead = side_.outcome, true;
  }
  const double sd = side.signed_distance(ball_chart(b));
  if (!(std::abs(sd) - 1e-6 > b.chart_move_mm)) return false;
  ahead = !std::signbit(sd);
  return true;
}

// Whether the whole ball lies behind the hairline by more than need_mm (and by
// kHairlineTangentSideMm, beyond which the side is the polygon's).
bool FieldWalker::behind_hairline_within(Ball& b, double need_mm) {
  const double need = std::max(need_mm, kHairlineTangentSideMm);
  bool ahead = true;
  return hairline_side_within(b, ahead) && !ahead && hairline_lower_bound_within(b, need) > need;
}

// Zone zi's status all over the ball: -1 where its signed distance (as combine reads it) is
// negative at every point (the zone is skipped), +1 where its weight is 1 at every point (the
// distance at least the feather, and positive) and a whorl on it has faded, 0 where neither is
// shown. From bounds of each shape's distance over the ball:
int FieldWalker::zone_status_within(size_t zi, Ball& b) {
  const Zone& z = f_.plan.zones[zi];
  const ZoneGeometry& g = f_.zones[zi];
  const Vec3& c = b.c;
  // The least distance over the ball that gives weight 1: the feather, and more than 0 (a
  // zone without feather weighs 1 wherever its distance is not negative).
  auto full = [&](double least_mm) { return least_mm >= z.feather_mm && least_mm > 0; };
  int status = 0;
  switch (z.shape.kind) {
    case ZoneShape::Kind::kPolygon: {
      // Every direction within asin(radius / r) of c's from the chart centre has a polar angle
      // beyond the one whose cosine is beyond_cos, with 1e-6 rad over the rounding of the
      // angles (acos loses digits near 1): the polygon lies within a smaller one.
      const Vec3 d = c - f_.chart.centre;
      const double r = d.norm();
      if (g.beyond_cos > -1 + 1e-6 && g.beyond_cos < 1 && b.radius_mm < r / 2) {
        const double theta = std::acos(std::clamp(d.dot(f_.chart.axis) / r, -1.0, 1.0));
        if (theta - std::asin(b.radius_mm / r) > std::acos(g.beyond_cos) + 1e-6) return -1;
      }
      // The polygon's signed distance is 1-Lipschitz in the chart; outside the box it is at
      // most minus the box's distance, and PolygonReach's lies between the reach and the
      // distance in magnitude, so inside beyond the reach (the feather) the exact distance
      // decides (1e-6 mm over rounding).
      const Vec2& uv = ball_chart(b);
      double sd = field_internal::polygon_distance_mm(g, uv);
      const double move = b.chart_move_mm + 1e-6;
      if (sd < 0) return -sd > move ? -1 : 0;
      if (sd - move < z.feather_mm && sd >= g.outline.reach_mm())
        sd = distance_to_polygon_boundary(g.polygon_chart, uv);
      status = full(sd - move) ? 1 : 0;
      break;
    }
    case ZoneShape::Kind::kCircle: {
      const double centre_mm = (c - g.centre_mm).norm();
      if (centre_mm - b.radius_mm > z.shape.radius_mm + kSlackMm) return -1;
      status = full(z.shape.radius_mm - centre_mm - b.radius_mm - kSlackMm) ? 1 : 0;
      break;
    }
    case ZoneShape::Kind::kStrip:
    case ZoneShape::Kind::kDiscs: {
      // Farther than the radius from the line (a strip's distance is at least its nearest
      // vertex's less half the longest segment, and at most the vertex's) all over the ball.
      if (g.line_mm.empty()) return 0;
      const double half_step = z.shape.kind == ZoneShape::Kind::kStrip ? g.max_step_mm / 2 : 0;
      LineAnchor& a = lines_[zi];
      const double need = z.shape.radius_mm + half_step + b.radius_mm;
      if (line_lower_bound_mm(a, c) > need) return -1;
      double d = 0;
      int k = 0;
      if (z.shape.kind == ZoneShape::Kind::kStrip) {
        k = g.nearest.nearest(c, a.nearest, d);
      } else {
        k = g.index.nearest(c);
        if (k < 0) return 0;
        d = (g.line_mm[static_cast<size_t>(k)] - c).norm();
      }
      a = {c, d, k};
      if (d - kSlackMm > need) return -1;
      status = full(z.shape.radius_mm - d - b.radius_mm - kSlackMm) ? 1 : 0;
      break;
    }
    case ZoneShape::Kind::kWholeScalp:
      if (below_margin_within(b)) return -1;
      status = above_margin_within(b, std::max(z.feather_mm, 1e-6)) ? 1 : 0;
      break;
    case ZoneShape::Kind::kBehindHairline:
      // Below the margin, or behind the line by more than the band's depth (its distance is
      // negative); never shown full (the band's distance reads the hairline's near the line).
      if (below_margin_within(b) || behind_hairline_within(b, f_.plan.hairline.depth_mm)) return -1;
      return 0;
  }
  if (status > 0 && z.whorl.enabled) {
    // The whorl's factor is exactly 1 beyond kWhorlFadedRadii of its centre in the chart.
    const double r = (ball_chart(b) - g.whorl_centre_chart).norm();
    if (!(r - b.chart_move_mm - 1e-6 > kWhorlFadedRadii * z.whorl.radius_mm)) status = 0;
  }
  return status;
}

// kDefault where every zone is outside the whole ball (combine skips them all: the default
// sample whatever the ramp), or the whole ball lies ahead of the hairline by more than
// FieldBounds::hairline_ahead_mm (and kHairlineTangentSideMm, where the side is the polygon's:
// the ramp is 0 and combine returns the default sample, hairline_sd_mm aside, which a grid does
// not store). kUniform where every zone is outside or weighs 1 all over the ball (a whorl on it
// faded) and the ramp is the same (the ball lies behind the line by the transition width or
// more): combine then reads the same values at every point, bit for bit.
FieldWalker::Settled FieldWalker::settle_within(const Vec3& c, double radius_mm) {
  Ball b{c, radius_mm};
  bool outside = true, known = true;
  for (size_t i = 0; i < f_.zones.size() && known; ++i) {
    const int status = zone_status_within(i, b);
    outside = outside && status < 0;
    known = status != 0;
  }
  if (known && outside) return Settled::kDefault;
  if (known && behind_hairline_within(b, f_.plan.hairline.transition_width_mm))
    return Settled::kUniform;
  if (known) return Settled::kNo;
  const double need = std::max(f_.bounds.hairline_ahead_mm, kHairlineTangentSideMm);
  bool ahead = false;
  return hairline_side_within(b, ahead) && ahead && hairline_lower_bound_within(b, need) > need
             ? Settled::kDefault
             : Settled::kNo;
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
