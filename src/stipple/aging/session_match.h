// Pigment matching per session: for each session, the dilution whose dots, once the whole
// treatment has healed, show the client's stubble colour on their skin (optics/match.h). Earlier
// sessions' dots are older at that moment (more of their early loss is behind them), so each
// session gets its own answer.
#pragma once

#include <string>
#include <vector>

#include "stipple/plan/plan.h"

namespace stipple {

struct SessionMatch {
  int session = 1;
  double age_days = 0;              // the session's dots' age when the treatment is healed
  double load_factor = 1;           // pigment left then (aging.h)
  double dilution_water_parts = 0;  // the match, W in "W:1"
  std::string apparent_hex;         // the healed dot centre's colour, sRGB "#rrggbb"
  double delta_e00 = 0;             // CIEDE2000 against the hair colour
};

// One match per session of `sessions`, for a dot of `depth_mm` and `diameter_mm` on the
// skin of `skin` (Fitzpatrick type, epidermis) against skin.hair_colour. Throws
// std::invalid_argument naming the field for a bad colour, depth or diameter.
std::vector<SessionMatch> match_sessions(const SkinSpec& skin, const SessionsSpec& sessions,
                                         const AgingSpec& aging, double depth_mm,
                                         double diameter_mm);

}  // namespace stipple
