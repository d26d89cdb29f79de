// The dot map: every microdot of every session, the contract with renderers, exports and tests
// (CSV form in docs/formats.md).
#pragma once

#include <string>
#include <vector>

#include "stipple/geometry/mesh.h"

namespace stipple {

struct Dot {
  int id = 0;                        // 0-based, in placement order
  int session = 1;                   // 1-based
  Vec3 position_mm;                  // on the head surface, head frame
  Vec3 normal;                       // unit outward surface normal
  int zone = -1;                     // index into Plan::zones (after presets are expanded)
  double diameter_mm = 0.3;          // healed dot diameter
  double depth_mm = 0.4;             // pigment depth below the skin surface
  double dilution_water_parts = 10;  // W in "W:1" water:pigment
  double density_per_cm2 = 0;        // the field's target dot density at this dot
};

using DotMap = std::vector<Dot>;

}  // namespace stipple
