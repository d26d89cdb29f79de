// chart.svg: the plan as a Norwood-style chart page, drawn with cairo's SVG surface.
//
// Three panels share one scale: TOP (seen from above, face up on the page, the client's right
// on the page's right), FRONT (facing the client, so the client's right is on the viewer's
// left) and BACK (from behind, where the crown and transplant scars are). Each shows the head
// silhouette, the zone outlines (dashed, named), the hairline (solid) with its named points,
// and the dots that face the viewer, one colour per session. A title, a legend (session, dots,
// dilution, date; zones), a scale bar and a caption (treated area, dots, sessions, hours, quote)
// complete the page. What it shows is documented in docs/formats.md.
#pragma once

#include <string>

#include "stipple/output/plan_result.h"

namespace stipple {

inline constexpr double kChartWidthPt = 1200;
inline constexpr double kChartHeightPt = 700;

struct ChartRgb {
  double r = 0, g = 0, b = 0;  // 0 - 1, sRGB
};

// The colour of a session's dots: the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal
// Design"), which stays distinguishable with the common colour-vision deficiencies. Sessions
// are 1-based; beyond the palette the colours repeat.
ChartRgb session_colour(int session);

// The chart as an SVG document (UTF-8). Dots of one session are one <path> per panel (a
// zero-length round-capped segment per dot, which SVG and cairo draw as a disc), so 50,000 dots
// stay around 3 MB. Throws std::runtime_error when cairo fails.
std::string chart_svg(const PlanResult& result);

// Writes chart_svg(result) to `path` (under a temporary name, then renamed into place). Throws
// std::runtime_error naming the path.
void write_chart_svg(const PlanResult& result, const std::string& path);

}  // namespace stipple
