// Choosing the dilution for a target hair colour: the W (water parts per part pigment) whose
// healed dot, seen through the client's skin, is closest in CIEDE2000 to the hair colour.
#pragma once

#include "stipple/optics/skin.h"

namespace stipple::optics {

struct MatchResult {
  double dilution_water_parts;  // W in [0, 40]
  double delta_e00;             // CIEDE2000 between the hair colour and apparent_srgb
  Rgb apparent_srgb;            // encoded sRGB of the healed dot's centre at that W
};

// hair_srgb: encoded sRGB 0..1 per channel (srgb_from_hex); depth_mm 0.05 - 2.0; diameter_mm
// 0.1 - 1.0 (healed dot); load_factor in (0, 1]: the fraction of the pigment still there (1 when
// healed, less after fading). The dot centre is dot_centre_colour(dot_optics(skin, depth_mm,
// pigment_concentration(W) * load_factor), diameter_mm).
//
// Search: the plan range W in [0, 40] is scanned every 0.1 (401 points), then the best scan
// point's neighbourhood is refined by golden-section search to 1e-6; deterministic. The result
// is honest: a hair colour darker than anything the pigment can show through this skin gives
// W = 0 and whatever delta_e00 that leaves. Invalid arguments throw std::invalid_argument naming
// the field.
MatchResult match_dilution(const Rgb& hair_srgb, const SkinLayers& skin, double depth_mm,
                           double diameter_mm, double load_factor);

}  // namespace stipple::optics
