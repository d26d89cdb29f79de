// Time: how each dot looks at a moment of the treatment's life, from the day it is tattooed
// (fresh: darker, slightly swollen, red around it) through healing (about four weeks) to years
// later (faded, spread, drifted deeper). The model and its sources are in docs/aging.md; every
// fading constant is a plan parameter (plan.h AgingSpec, domain.md "Sessions, healing, fading").
#pragma once

#include <string>

#include "stipple/plan/plan.h"
#include "stipple/sampling/dots.h"

namespace stipple {

// Days in a year, for ages and dates given in years (the Julian year).
inline constexpr double kDaysPerYear = 365.25;

// A moment to show: `before` (no dots), `session<K>` (just after session K), `fresh` (day 0
// after the last session), `healed` (AgingSpec::healed_days after it), or `<N>y` (N years after
// the last session, 0 < N <= 50, decimals allowed).
struct TimeState {
  enum class Kind { kBefore, kSession, kFresh, kHealed, kYears };
  Kind kind = Kind::kHealed;
  int session = 0;   // kSession: 1-based
  double years = 0;  // kYears
};

// Parses a state; throws std::invalid_argument naming `at`, the value and the allowed forms
// (session numbers up to session_count).
TimeState parse_time_state(const std::string& text, int session_count);

// The state's name as parse_time_state reads it ("session2", "healed", "5y").
std::string time_state_name(const TimeState& state);

// A label for a picture: "Before", "After session 2", "Fresh", "Healed (4 weeks)", "5 years".
std::string time_state_label(const TimeState& state, const AgingSpec& aging);

// The day, counted from session 1, at which the state is seen.
double state_day(const TimeState& state, const SessionsSpec& sessions, const AgingSpec& aging);

// How many sessions have been done at the state (0 for before).
int sessions_done(const TimeState& state, int session_count);

// The day, counted from session 1, of session `session` (1-based).
double session_day(int session, const SessionsSpec& sessions);

// One dot at an age.
struct DotAge {
  double load_factor = 1;      // pigment still there, relative to what was deposited, 0 - 1
  double depth_mm = 0.4;       // pigment depth now (drifts deeper)
  double diameter_mm = 0.3;    // the pigment disc (swollen when fresh)
  double spread_sigma_mm = 0;  // lateral spread added since tattooing (diffusion, blowout)
  double blood_factor = 1;     // dermal blood around the dot relative to normal (redness)
};

// The dot `dot` at `age_days` (>= 0) after its session, with the plan's aging parameters and
// the client's epidermis thickness (mm). Pure; see docs/aging.md for each term.
DotAge age_dot(const Dot& dot, double age_days, const AgingSpec& aging, double epidermis_mm);

// The redness halo's width around a fresh dot (mm, 1 sigma): the erythema of a needle puncture
// reaches about half a millimetre to a millimetre around it (estimate; docs/aging.md).
inline constexpr double kRednessHaloSigmaMm = 0.6;

}  // namespace stipple
