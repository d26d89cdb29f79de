#include "stipple/aging/aging.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace stipple {
namespace {

constexpr double kMaxYears = 50;

// Fresh dots (docs/aging.md). Estimates, no peer-reviewed figure exists:
// - the puncture swells: the pigmented disc looks ~20 % wider on day 0, settling in days;
constexpr double kFreshSwelling = 0.20;
constexpr double kSwellingDays = 3;
// - erythema: the dermis around the puncture holds ~3x its blood on day 0, fading over days.
constexpr double kFreshBloodFactor = 3.0;
constexpr double kRednessDays = 2;
// Pigment deposited above the dermo-epidermal junction is shed with the epidermis, which
// renews in about two to four weeks (scabs off ~day 7, domain.md); the needle leaves a
// deposit ~0.15 mm thick around the target depth (estimate).
constexpr double kDepositThicknessMm = 0.15;
constexpr double kEpidermalSheddingDays = 14;
// Slow fading depends on depth: pigment in the upper papillary dermis is cleared faster
// ("too shallow fades fast", domain.md). k_eff = k exp((0.4 mm - depth) / 0.2 mm), clamped to
// 0.2 - 5 times k; 0.4 mm is the default target depth, at which k is the plan's k.
constexpr double kReferenceDepthMm = 0.4;
constexpr double kDepthFadeScaleMm = 0.2;
// Blowout: pigment placed deeper than the plan's blowout depth migrates sideways in the lower
// dermis while healing: an extra spread of 1.5 mm per mm beyond that depth, reached with a
// time constant of a week, and diffusion 4 times faster per mm beyond it.
constexpr double kBlowoutSpreadPerMm = 1.5;
constexpr double kBlowoutDays = 7;
constexpr double kBlowoutDiffusionPerMm = 4;

bool parse_number(std::string_view text, double& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && p == end && std::isfinite(out);
}

[[noreturn]] void bad_state(const std::string& text, int session_count) {
  std::string shown;
  for (char c : text.substr(0, 40)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  throw std::invalid_argument(fmt::format(
      "at: \"{}\" is not a time; allowed: before, session1 - session{}, fresh, healed, or "
      "years after the last session as Ny with 0 < N <= {} (1y, 3y, 5y, 10y)",
      shown, session_count, kMaxYears));
}

}  // namespace

TimeState parse_time_state(const std::string& text, int session_count) {
  TimeState s;
  if (text == "before") {
    s.kind = TimeState::Kind::kBefore;
  } else if (text == "fresh") {
    s.kind = TimeState::Kind::kFresh;
  } else if (text == "healed") {
    s.kind = TimeState::Kind::kHealed;
  } else if (text.starts_with("session")) {
    const std::string_view digits = std::string_view(text).substr(7);
    int k = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || k < 1 ||
        k > session_count) {
      bad_state(text, session_count);
    }
    s.kind = TimeState::Kind::kSession;
    s.session = k;
  } else if (text.size() >= 2 && text.back() == 'y') {
    double years = 0;
    if (!parse_number(std::string_view(text).substr(0, text.size() - 1), years) ||
        !(years > 0 && years <= kMaxYears)) {
      bad_state(text, session_count);
    }
    s.kind = TimeState::Kind::kYears;
    s.years = years;
  } else {
    bad_state(text, session_count);
  }
  return s;
}

std::string time_state_name(const TimeState& state) {
  switch (state.kind) {
    case TimeState::Kind::kBefore:
      return "before";
    case TimeState::Kind::kSession:
      return fmt::format("session{}", state.session);
    case TimeState::Kind::kFresh:
      return "fresh";
    case TimeState::Kind::kHealed:
      return "healed";
    case TimeState::Kind::kYears:
      return fmt::format("{}y", state.years);
  }
  return "healed";
}

std::string time_state_label(const TimeState& state, const AgingSpec& aging) {
  switch (state.kind) {
    case TimeState::Kind::kBefore:
      return "Before";
    case TimeState::Kind::kSession:
      return fmt::format("After session {}", state.session);
    case TimeState::Kind::kFresh:
      return "Fresh (day 0)";
    case TimeState::Kind::kHealed:
      return fmt::format("Healed ({} days)", aging.healed_days);
    case TimeState::Kind::kYears:
      return state.years == 1 ? std::string("1 year") : fmt::format("{} years", state.years);
  }
  return "";
}

double session_day(int session, const SessionsSpec& sessions) {
  return static_cast<double>(std::max(0, session - 1)) * sessions.spacing_days;
}

double state_day(const TimeState& state, const SessionsSpec& sessions, const AgingSpec& aging) {
  const int n = static_cast<int>(sessions.sessions.size());
  const double last = session_day(n, sessions);
  switch (state.kind) {
    case TimeState::Kind::kBefore:
      return 0;
    case TimeState::Kind::kSession:
      return session_day(state.session, sessions);
    case TimeState::Kind::kFresh:
      return last;
    case TimeState::Kind::kHealed:
      return last + aging.healed_days;
    case TimeState::Kind::kYears:
      return last + state.years * kDaysPerYear;
  }
  return last;
}

int sessions_done(const TimeState& state, int session_count) {
  switch (state.kind) {
    case TimeState::Kind::kBefore:
      return 0;
    case TimeState::Kind::kSession:
      return std::min(state.session, session_count);
    default:
      return session_count;
  }
}

DotAge age_dot(const Dot& dot, double age_days, const AgingSpec& aging, double epidermis_mm) {
  const double t = std::max(0.0, age_days);
  const double years = t / kDaysPerYear;
  const double depth0 = dot.depth_mm;
  DotAge a;

  // Amount (domain.md): A(t) = f e^(-t/tau1) + (1 - f) e^(-k t), with k scaled by depth.
  const double f = aging.early_loss_fraction;
  const double tau1_days = aging.early_loss_weeks * 7;
  const double depth_scale =
      std::clamp(std::exp((kReferenceDepthMm - depth0) / kDepthFadeScaleMm), 0.2, 5.0);
  const double k_per_year = aging.fade_per_year * depth_scale;
  double amount = f * std::exp(-t / tau1_days) + (1 - f) * std::exp(-k_per_year * years);
  // The part of the deposit above the dermo-epidermal junction is shed with the epidermis.
  const double top = depth0 - 0.5 * kDepositThicknessMm;
  const double epidermal = std::clamp((epidermis_mm - top) / kDepositThicknessMm, 0.0, 1.0);
  amount *= 1 - epidermal * (1 - std::exp(-t / kEpidermalSheddingDays));
  a.load_factor = std::clamp(amount, 0.0, 1.0);

  // Depth drifts deeper (Sperry 1992): linear in time.
  a.depth_mm = depth0 + aging.drift_mm_per_year * years;

  // Spread: sigma^2 = 2 D t (Eames 2011), faster and with an early blowout below the plan's
  // blowout depth.
  const double beyond = std::max(0.0, depth0 - aging.blowout_depth_mm);
  const double diffusion = aging.spread_mm2_per_year * (1 + kBlowoutDiffusionPerMm * beyond);
  const double blowout = kBlowoutSpreadPerMm * beyond * (1 - std::exp(-t / kBlowoutDays));
  a.spread_sigma_mm = std::sqrt(2 * diffusion * years + blowout * blowout);

  // Fresh: swollen and red, settling over days.
  a.diameter_mm = dot.diameter_mm * (1 + kFreshSwelling * std::exp(-t / kSwellingDays));
  a.blood_factor = 1 + (kFreshBloodFactor - 1) * std::exp(-t / kRednessDays);
  return a;
}

}  // namespace stipple
