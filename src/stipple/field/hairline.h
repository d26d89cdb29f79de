// The frontal hairline as a curve on the head, from the design rules in domain.md:
// mid-frontal point on the midline mid_frontal_height_mm above the glabella; frontotemporal
// points on the lateral canthal lines (sagittal planes through the lateral canthi), set back so
// that the frontotemporal angle stays open; temporal peaks below them; the temporal hairline
// down to the sideburns in front of the ears. The line wanders by smooth 1D noise
// (macro-irregularity, irregularity_mm); the density behind it is a ramp of the signed distance
// (density_field.h), and sentinel dots ahead of it are that ramp's sparse tail.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stipple/field/polygon2d.h"
#include "stipple/field/scalp_chart.h"
#include "stipple/head/head.h"
#include "stipple/plan/plan.h"

namespace stipple {

struct Hairline {
  // Named design points (mm, on the surface): mid_frontal, left_/right_frontotemporal,
  // left_/right_temporal_peak, left_/right_sideburn.
  std::vector<std::pair<std::string, Vec3>> points;
  std::vector<Vec3> curve_mm;     // the wandered line, resampled every ~0.5 mm, left to right
  std::vector<Vec2> ahead_chart;  // closed chart polygon of the side ahead of the line (face)
  // The same through every 8th line point (4 mm), for points more than 5 mm from the line,
  // where a 4 mm chord of the smooth line cannot change the side.
  std::vector<Vec2> ahead_coarse;
  PolygonSlabs ahead_slabs, ahead_coarse_slabs;  // the two, indexed for the side test
  PolylineNearest nearest;                       // over curve_mm
  double max_step_mm = 0;                        // longest segment of curve_mm
};

// Within this distance of the line its side comes from the chart tangent at the nearest point;
// beyond, from the closed polygon ahead (hairline_signed_distance_mm).
inline constexpr double kHairlineTangentSideMm = 15;

// Builds the hairline on `head` (landmarks glabella, left/right_canthus, left/right_tragion).
// Throws std::invalid_argument when the rules cannot be met on this head (e.g. the mid-frontal
// point would lie beyond the vertex).
Hairline build_hairline(const HairlineSpec& spec, const Head& head, const RadialSurface& surface,
                        const ScalpChart& chart, std::uint64_t seed);

// Signed distance (mm, in 3D) from p to the hairline: positive behind it (the scalp side),
// negative ahead of it (the forehead). The distance is to the two segments of the line's vertex
// nearest p (h.nearest), its side as kHairlineTangentSideMm says.
double hairline_signed_distance_mm(const Hairline& h, const ScalpChart& chart, const Vec3& p);

// The same from p's chart coordinates and the index of its nearest vertex (h.nearest),
// for callers that have them already; and its two parts: the distance (to the nearest vertex's
// two segments) and the side of a point at that distance (whether it lies ahead), which beyond
// kHairlineTangentSideMm is the polygon Hairline::ahead_coarse's inside.
double hairline_signed_distance_mm(const Hairline& h, const Vec3& p, const Vec2& p_chart,
                                   int nearest);
double hairline_distance_mm(const Hairline& h, const Vec3& p, int nearest);
bool hairline_point_ahead(const Hairline& h, const Vec2& p_chart, int nearest, double distance_mm);
// Whether that side comes from the chart tangent at the nearest vertex k: the side of the line
// through ahead_chart[k] along ahead_chart[k + 1] - ahead_chart[k - 1] (ahead on its left).
bool hairline_side_by_tangent(const Hairline& h, int nearest, double distance_mm);

// Named point lookup; throws std::out_of_range.
const Vec3& hairline_point(const Hairline& h, const std::string& name);

}  // namespace stipple
