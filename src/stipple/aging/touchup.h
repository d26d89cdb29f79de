// When the treatment will need a touch-up: the day the dots' contrast against the skin falls
// below a share of what it was when healed (AgingSpec::touchup_contrast_fraction), from the
// fading model (aging.h) and the optics (optics/skin.h). docs/aging.md gives the definition.
#pragma once

#include <optional>
#include <string>

#include "stipple/plan/plan.h"
#include "stipple/sampling/dots.h"

namespace stipple {

struct TouchUpPrediction {
  double contrast_healed_de00 = 0;      // the treated area's contrast when healed (CIEDE2000)
  double threshold_de00 = 0;            // touch-up when the contrast falls below this
  bool due_within_horizon = false;      // false: the contrast holds for the whole horizon
  double years_after_last_session = 0;  // when due (or the horizon when not due)
  std::string due_date;                 // ISO 8601 (empty when not due within the horizon)
  double horizon_years = 30;
};

// The treated area's contrast against the skin at `day` (counted from session 1): the mean,
// over dots, of the CIEDE2000 difference between the bare skin and the colour at the dot's
// centre (where the eye judges a dot), each dot aged to its own age at that day. Uses up to
// 64 dots spread evenly through the map (their optics are computed exactly, not memoised).
double treated_contrast_de00(const Plan& plan, const DotMap& dots, double day);

// Predicts the touch-up. `dots` empty gives a prediction with contrast 0 and not due.
// Deterministic; bisection to the day within the horizon.
TouchUpPrediction predict_touch_up(const Plan& plan, const DotMap& dots);

}  // namespace stipple
