#include "stipple/aging/touchup.h"

#include <algorithm>
#include <cmath>

#include "stipple/aging/aging.h"
#include "stipple/optics/colour.h"
#include "stipple/optics/skin.h"
#include "stipple/planner.h"

namespace stipple {
namespace {

constexpr std::size_t kRepresentatives = 64;

}  // namespace

double treated_contrast_de00(const Plan& plan, const DotMap& dots, double day) {
  if (dots.empty()) return 0;
  const optics::SkinLayers skin =
      optics::skin_for_fitzpatrick(plan.skin.fitzpatrick, plan.skin.epidermis_mm);
  const optics::Lab skin_lab = optics::lab_from_linear(optics::skin_reflectance(skin));
  const std::size_t count = std::min(kRepresentatives, dots.size());
  double sum = 0;
  for (std::size_t i = 0; i < count; ++i) {
    // Evenly through the map: every session and zone is represented in proportion.
    const Dot& dot = dots[(2 * i + 1) * dots.size() / (2 * count)];
    const double age_days = std::max(0.0, day - session_day(dot.session, plan.sessions));
    const DotAge age = age_dot(dot, age_days, plan.aging, plan.skin.epidermis_mm);
    const double load = optics::pigment_concentration(dot.dilution_water_parts) * age.load_factor;
    optics::DotOptics o =
        optics::dot_optics(skin, std::clamp(age.depth_mm, 0.05, 2.0), std::clamp(load, 0.0, 1.0));
    for (int k = 0; k < 3; ++k)
      o.blur_sigma_mm[k] = std::hypot(o.blur_sigma_mm[k], age.spread_sigma_mm);
    const optics::Rgb centre = optics::dot_centre_colour(o, age.diameter_mm);
    sum += optics::ciede2000(skin_lab, optics::lab_from_linear(centre));
  }
  return sum / static_cast<double>(count);
}

TouchUpPrediction predict_touch_up(const Plan& plan, const DotMap& dots) {
  TouchUpPrediction p;
  p.years_after_last_session = p.horizon_years;
  if (dots.empty()) return p;
  const int n = static_cast<int>(plan.sessions.sessions.size());
  const double last = session_day(n, plan.sessions);
  const double healed = last + plan.aging.healed_days;
  p.contrast_healed_de00 = treated_contrast_de00(plan, dots, healed);
  p.threshold_de00 = plan.aging.touchup_contrast_fraction * p.contrast_healed_de00;
  auto below = [&](double day) {
    return treated_contrast_de00(plan, dots, day) < p.threshold_de00;
  };
  // Yearly steps to bracket the first crossing, then bisection to a day.
  const double end = last + p.horizon_years * kDaysPerYear;
  double lo = healed, hi = -1;
  for (double day = healed; day < end + 0.5;) {
    const double next = std::min(end, day + kDaysPerYear);
    if (below(next)) {
      hi = next;
      break;
    }
    lo = next;
    if (next >= end) break;
    day = next;
  }
  if (hi < 0) return p;
  while (hi - lo > 1) {
    const double mid = 0.5 * (lo + hi);
    (below(mid) ? hi : lo) = mid;
  }
  const int due_day = static_cast<int>(std::ceil(hi));
  p.due_within_horizon = true;
  p.years_after_last_session = (due_day - last) / kDaysPerYear;
  p.due_date = add_days(plan.sessions.start_date, due_day);
  return p;
}

}  // namespace stipple
