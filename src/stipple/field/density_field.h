// The density field: at any point of the head surface, the dots per cm2 to tattoo, the dot
// diameter range, the pigment depth, the zone that owns the point and any dilution override.
//
// Zones are drawn in plan order, each over the ones before it, with a soft edge of feather_mm
// inside its boundary (smoothstep of the signed distance), so there is no hard edge where the
// design has none (the "helmet" look, domain.md). Existing hair lowers the dots needed:
// dots = max(0, target - existing), both blended across zone edges. The hairline multiplies
// everything by a ramp of the signed distance to the wandered line: a sparse tail of sentinel
// dots ahead of it (micro-irregularity), rising smoothly to full density over the transition
// width behind it. A crown whorl modulates its zone's density along a spiral.
#pragma once

#include <limits>
#include <optional>
#include <vector>

#include "stipple/field/hairline.h"
#include "stipple/field/polygon2d.h"
#include "stipple/field/scalp_chart.h"
#include "stipple/geometry/point_index.h"
#include "stipple/geometry/radial_surface.h"
#include "stipple/head/head.h"
#include "stipple/plan/plan.h"

namespace stipple {

struct ZoneGeometry {
  std::vector<Vec2> polygon_chart;                    // kPolygon
  Vec2 box_lo = Vec2::Zero(), box_hi = Vec2::Zero();  // its bounding box
  Vec3 centre_mm = Vec3::Zero();                      // kCircle
  std::vector<Vec3> line_mm;                          // kStrip: resampled polyline; kDiscs: centres
  PointIndex index;                                   // over line_mm (kStrip, kDiscs)
  Vec2 whorl_centre_chart = Vec2::Zero();
  // Indexes for the evaluation (make_density_field builds them; left empty, the plain
  // computations run instead). kPolygon: the polygon's signed distance below the feather (the
  // weight reads it there) and lower bounds beyond (a walk carries them to nearby points);
  // beyond_cos: every point whose direction from the chart centre has a cosine to the chart
  // axis below this lies outside the polygon (its chart radius exceeds every vertex's), -2 when
  // none is known. kStrip: the longest segment of line_mm.
  PolygonReach outline;
  double beyond_cos = -2;
  double max_step_mm = 0;
  PolylineNearest nearest;  // kStrip: over line_mm, for walks (FieldWalker)
};

// The lower edge of the hair-bearing scalp (sideburns, around the ears, the nape), as a height
// z_mm(azimuth) in the head frame; the whole-scalp zone ends there.
struct ScalpMargin {
  std::vector<double> azimuth_deg;  // 0 = front, 90 = right side, 180 = back (symmetric)
  std::vector<double> z_mm;
};

// How far the hairline's polygon ahead measures distances (mm, chart): what a walk can carry of
// the hairline's side to neighbouring points.
inline constexpr double kSideCarryMm = 30;
// The turn of azimuth about the vertical over which a walk carries the margin's height.
inline constexpr double kMarginTurnRad = 0.25;
// The turns of direction over which a walk may carry chart-space bounds (ChartStretch): the
// longer, the more the chart's stretch over it may grow.
inline const std::vector<double> kChartCarryRad = {0.025, 0.05, 0.1, 0.2, 0.4};

// Where the field's inputs stop mattering and how fast they can change, for the evaluation's
// bounds (make_density_field sets them; the defaults make every bound inconclusive, so a field
// built otherwise is evaluated the plain way).
struct FieldBounds {
  // Beyond these distances from the hairline, ahead of it and behind it, only its side matters:
  // the ramp is 0 ahead (past the sentinels, or the line itself when the hairline design is
  // off) and full behind (past the transition), the zones behind the line end (their depth),
  // and the side comes from the polygon ahead (kHairlineTangentSideMm).
  double hairline_ahead_mm = std::numeric_limits<double>::infinity();
  double hairline_behind_mm = std::numeric_limits<double>::infinity();
  // Bounds of ScalpMargin's z_mm over all azimuths (with a margin over rounding), and its
  // steepest slope (mm per radian of azimuth) between each two knots: smoothstep's at most 1.5
  // times the knots' difference over their span, with 1 % over rounding.
  double margin_lo_mm = -std::numeric_limits<double>::infinity();
  double margin_hi_mm = std::numeric_limits<double>::infinity();
  std::vector<double> margin_slopes;
  ChartStretch stretch;        // the chart's, over each of kChartCarryRad
  PolygonReach hairline_side;  // Hairline::ahead_coarse, over the chart's reach, kSideCarryMm
};

struct DensityField {
  Plan plan;  // presets already expanded
  RadialSurface surface;
  ScalpChart chart;
  Hairline hairline;  // always built: it is the front edge of the scalp
  std::vector<ZoneGeometry> zones;
  ScalpMargin margin;
  FieldBounds bounds;
};

struct FieldSample {
  double dots_per_cm2 = 0;    // what to tattoo here
  double target_per_cm2 = 0;  // the design's density including existing hair
  double existing_per_cm2 = 0;
  double diameter_min_mm = 0.25, diameter_max_mm = 0.45;
  double depth_mm = 0.4;
  double dilution_override = -1;  // water parts, or < 0 for the session's own
  int zone = -1;                  // owner (topmost zone weighing >= 0.5), -1 outside all
  double hairline_sd_mm = 0;      // signed distance to the hairline, + behind
};

// Builds the field of an expanded plan on a head. surface_res: cube-map texels per face edge.
// Throws std::invalid_argument (naming the plan field) when the design cannot be built.
DensityField make_density_field(const Plan& plan, const Head& head, int surface_res = 256);

// Exact evaluation at a surface point p (mm, head frame).
FieldSample evaluate_field(const DensityField& field, const Vec3& p);

namespace field_internal {
class PointView;
}

// Evaluates a field at a walk of neighbouring points (bake_field walks each row of texels): what
// it measures at one point bounds the same quantity at the next ones (a distance in 3D is
// 1-Lipschitz, one in the chart moves at most ChartStretch times the turn of direction), so most
// points need neither a search for the nearest line vertex nor the chart projection: beyond
// its reach only the hairline's side matters, a point deep inside or outside a polygon zone
// keeps its weight, a strip farther than its radius is left out, a whorl that has faded stays
// so. The samples are evaluate_field's bit for bit, except FieldSample::hairline_sd_mm, exact
// only where the ramp or a zone reads it (within FieldBounds' reach of the line), elsewhere a
// bound on the same side, and 0 where p lies outside every zone. Any walk gives the same
// samples; a walk of near neighbours gives them fastest.
class FieldWalker {
 public:
  explicit FieldWalker(const DensityField& field);
  FieldSample evaluate(const Vec3& p);
  // What every point within radius_mm of c (mm, head frame; c need not lie on the surface) is
  // sure to share, so a bake may settle a whole block of texels at once: kDefault, the default
  // sample (FieldSample{}: no zone, no dots, the default dot), where every zone lies outside the
  // whole ball or the ball lies ahead of the hairline beyond FieldBounds::hairline_ahead_mm
  // (ramp 0); kUniform, one and the same sample, evaluate's at any point of the ball (but for
  // hairline_sd_mm), where every zone lies outside the ball or weighs 1 all over it and the
  // ramp is full. kNo where neither can be shown cheaply; never a wrong answer. It measures at
  // c only what the bounds need (the chart point, the margin about c's azimuth, a nearest-vertex
  // search), and leaves the walker's anchors as valid as evaluate does.
  enum class Settled { kNo, kDefault, kUniform };
  Settled settle_within(const Vec3& c, double radius_mm);

 private:
  struct LineAnchor {  // where a line's nearest vertex was last searched for
    Vec3 point_mm = Vec3::Zero();
    double distance_mm = -1;  // to that vertex; < 0: none yet
    int nearest = 0;          // that vertex, where the next search starts
  };
  struct ChartAnchor {  // a chart-space outcome at a point that holds within a 3D distance
    Vec3 point_mm = Vec3::Zero();
    double reach2_mm2 = -1;  // squared; <= 0: none
    bool outcome = false;
    bool holds(const Vec3& p) const {
      return reach2_mm2 > 0 && (p - point_mm).squaredNorm() < reach2_mm2;
    }
  };
  struct Source;  // what field_internal::combine reads, from the anchors
  void carry(ChartAnchor& a, const Vec3& p, double margin_mm, bool outcome) const;
  void carry_margin(ChartAnchor& a, field_internal::PointView& v, double margin_mm,
                    bool outcome) const;
  double above_margin_mm(size_t zi, field_internal::PointView& v);
  double line_lower_bound_mm(const LineAnchor& a, const Vec3& p) const;
  bool far_point_ahead(field_internal::PointView& v);
  double chart_reach_mm(const Vec3& p);
  bool tangent_side(const Vec3& p, int nearest, bool& ahead);
  double hairline_sd(field_internal::PointView& v);
  double zone_sd(size_t zi, field_internal::PointView& v, double hl_sd);
  double whorl(size_t zi, field_internal::PointView& v);
  bool outside_every_zone(field_internal::PointView& v);
  struct Ball;  // what settle_within measures at the ball's centre, each at most once
  double chart_move_mm(const Vec3& c, double radius_mm) const;
  const Vec2& ball_chart(Ball& b) const;
  void ball_margin(Ball& b) const;
  bool below_margin_within(Ball& b);
  bool above_margin_within(Ball& b, double cap_mm);
  bool hairline_side_within(Ball& b, bool& ahead);
  double hairline_lower_bound_within(Ball& b, double need);
  bool behind_hairline_within(Ball& b, double need_mm);
  int zone_status_within(size_t zi, Ball& b);
  bool zone_outside_within(size_t zi, Ball& b);

  int hairline_nearest(const Vec3& p, double& distance_mm);

  const DensityField& f_;
  LineAnchor hairline_;
  // The hairline's quarters that can hold the nearest vertex of any point within
  // kQuartersReachMm of quarters_point_ (PolylineNearest::quarters_near; none while
  // quarters_reach2_mm2 <= 0): the searches of the texels about it measure only those.
  static constexpr double kQuartersReachMm = 4;
  std::vector<PolylineNearest::NearQuarter> hairline_quarters_;
  Vec3 quarters_point_ = Vec3::Zero();
  double quarters_reach2_mm2_ = -1;
  std::vector<LineAnchor> lines_;  // by zone (kStrip, kDiscs)
  ChartAnchor side_;               // ahead of the hairline (its polygon ahead)
  struct LastChart {               // the last point whose chart coordinates were taken
    Vec3 point_mm = Vec3::Zero();
    Vec2 chart = Vec2::Zero();
    double radius_mm = -1;  // its distance from the chart centre; < 0: none yet
    int row = -1;           // its polar row (ChartStretch), once needed (< 0: not yet)
  } last_chart_;
  std::vector<ChartAnchor> zones_;    // by zone (kPolygon): inside beyond the feather, or outside
  std::vector<ChartAnchor> whorls_;   // by zone: the whorl has faded
  std::vector<ChartAnchor> margins_;  // by zone (kWholeScalp, kBehindHairline): the margin's
                                      // height beyond the feather, or below the margin
};

// The hairline ramp alone (fraction of full density at signed distance sd_mm): 0 ahead of the
// sentinel band, sentinel_fraction at the line, 1 from transition_width_mm behind it.
double hairline_ramp(const HairlineSpec& spec, double sd_mm);

// The whorl's factor on its zone's density at chart point uv (1 where the whorl has faded out,
// beyond ~3 radii of its centre).
double whorl_factor(const Whorl& w, const Vec2& centre_chart, const Vec2& uv);

// Signed distance (mm, + inside) of p to a zone's boundary, and the zone's weight in [0, 1].
double zone_signed_distance_mm(const DensityField& field, int zone, const Vec3& p,
                               double hairline_sd_mm);
double smoothstep01(double x);

}  // namespace stipple
