// One dot as the client will see it: its aged state (aging/aging.h) through the skin's optics
// (optics/skin.h) as a footprint for the compositor (render/splat.h). Shared by the 3D views,
// the optics swatches and the photo overlays.
#pragma once

#include <cstdint>
#include <map>

#include "stipple/aging/aging.h"
#include "stipple/optics/skin.h"
#include "stipple/render/splat.h"

namespace stipple {

// The optics of a dot depend on (depth, pigment load) only; a plan has few distinct pairs, so
// they are computed once per pair (rounded to 0.01 mm and 1/1024 of neat: far below what
// shows) and kept here. Not thread-safe: one per thread or per render.
struct OpticsMemo {
  std::map<std::uint64_t, optics::DotOptics> by_key;
  std::map<long, optics::Rgb> erythema_by_blood_milli;  // redness, by blood factor x 1000
};

// The footprint of a dot of dilution W:1 at its age, seen through `skin`.
DotFootprint dot_footprint(const optics::SkinLayers& skin, double dilution_water_parts,
                           const DotAge& age, OpticsMemo& memo);

}  // namespace stipple
