// Hair-loss presets: Norwood I-VII (Hamilton-Norwood, Norwood 1975), Ludwig I-III (Ludwig 1977)
// and alopecia areata, expanded into explicit zones sized to the head.
//
// Every preset starts from the whole hair-bearing scalp with the existing hair of its fringe,
// then lays the hairline band and the bald or thinning regions of its stage on top, each with a
// wide feather so the density blends into the existing hair. Bald regions are drawn in the scalp
// chart as smooth ellipses scaled to this head: L = chart distance vertex -> mid-frontal point,
// W = chart half-width at the frontotemporal points.
#pragma once

#include "stipple/head/head.h"
#include "stipple/plan/plan.h"

namespace stipple {

struct DensityField;

// Replaces plan.zones by the preset's zones with the plan's own zones merged in: a plan zone
// named like a preset zone overrides the keys it gave (Zone::given_keys); any other plan zone is
// added on top. "custom" leaves the zones as they are. Throws std::invalid_argument for an
// unknown pattern.
void expand_pattern(Plan& plan, const DensityField& field, const Head& head);

}  // namespace stipple
