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

#include <optional>
#include <vector>

#include "stipple/field/hairline.h"
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
};

// The lower edge of the hair-bearing scalp (sideburns, around the ears, the nape), as a height
// z_mm(azimuth) in the head frame; the whole-scalp zone ends there.
struct ScalpMargin {
  std::vector<double> azimuth_deg;  // 0 = front, 90 = right side, 180 = back (symmetric)
  std::vector<double> z_mm;
};

struct DensityField {
  Plan plan;  // presets already expanded
  RadialSurface surface;
  ScalpChart chart;
  Hairline hairline;  // always built: it is the front edge of the scalp
  std::vector<ZoneGeometry> zones;
  ScalpMargin margin;
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

// The hairline ramp alone (fraction of full density at signed distance sd_mm): 0 ahead of the
// sentinel band, sentinel_fraction at the line, 1 from transition_width_mm behind it.
double hairline_ramp(const HairlineSpec& spec, double sd_mm);

// Signed distance (mm, + inside) of p to a zone's boundary, and the zone's weight in [0, 1].
double zone_signed_distance_mm(const DensityField& field, int zone, const Vec3& p,
                               double hairline_sd_mm);
double smoothstep01(double x);

}  // namespace stipple
