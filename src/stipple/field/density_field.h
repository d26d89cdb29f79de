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
  // Indexes for evaluate_field (make_density_field builds them; left empty, the plain
  // computations run instead). kPolygon: the polygon for the inside test and its edges near
  // each cell for distances below the feather; beyond_cos: every point whose direction from the
  // chart centre has a cosine to the chart axis below this lies outside the polygon (its chart
  // radius exceeds every vertex's), -2 when none is known.
  PolygonSlabs slabs;
  PolygonReach near_edges;
  double beyond_cos = -2;
  double max_step_mm = 0;  // kStrip: the longest segment of line_mm
};

// The lower edge of the hair-bearing scalp (sideburns, around the ears, the nape), as a height
// z_mm(azimuth) in the head frame; the whole-scalp zone ends there.
struct ScalpMargin {
  std::vector<double> azimuth_deg;  // 0 = front, 90 = right side, 180 = back (symmetric)
  std::vector<double> z_mm;
};

// Where the field's inputs stop mattering, for evaluate_field's bounds (make_density_field sets
// them; the defaults make every bound inconclusive, so a field built otherwise is evaluated the
// plain way).
struct FieldReach {
  // Beyond this distance from the hairline only its side matters: the ramp is 0 ahead of it
  // and full behind it, and the zones behind the line end before it.
  double hairline_mm = std::numeric_limits<double>::infinity();
  // Bounds of ScalpMargin's z_mm over all azimuths (with a margin over rounding).
  double margin_lo_mm = -std::numeric_limits<double>::infinity();
  double margin_hi_mm = std::numeric_limits<double>::infinity();
};

struct DensityField {
  Plan plan;  // presets already expanded
  RadialSurface surface;
  ScalpChart chart;
  Hairline hairline;  // always built: it is the front edge of the scalp
  std::vector<ZoneGeometry> zones;
  ScalpMargin margin;
  FieldReach reach;
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

// What a caller knows of the distance from p to the nearest vertex of one of the field's lines
// (the hairline's curve_mm, a strip's or discs' line_mm), e.g. from that distance at a nearby
// point q: it is 1-Lipschitz, so within |p - q| of it.
struct NearestBound {
  double lo_mm = 0;  // in: lo_mm <= the distance <= hi_mm
  double hi_mm = std::numeric_limits<double>::infinity();
  int start = 0;         // in: a vertex likely nearest (a nearby point's), where a search begins
  double exact_mm = -1;  // out: the distance, where the evaluation had to search for it; else < 0
  int nearest = -1;      // out: then the nearest vertex
};

struct FieldHints {
  NearestBound hairline;
  std::vector<NearestBound> zones;  // by zone (read for kStrip and kDiscs), or empty: none known
};

// evaluate_field for a caller that evaluates many neighbouring points (bake_field): with the
// bounds it skips the searches whose result cannot change the sample (a line farther than
// its reach: only the hairline's side matters, a strip is left out) and narrows the others.
// dots_per_cm2, target_per_cm2, existing_per_cm2, the diameters, depth_mm, dilution_override
// and zone are evaluate_field's bit for bit; hairline_sd_mm is exact only where it matters
// (FieldReach::hairline_mm), and left 0 where p lies outside every zone.
FieldSample evaluate_field(const DensityField& field, const Vec3& p, FieldHints& hints);

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
