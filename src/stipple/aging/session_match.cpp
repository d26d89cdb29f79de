#include "stipple/aging/session_match.h"

#include <stdexcept>

#include <fmt/format.h>

#include "stipple/aging/aging.h"
#include "stipple/optics/colour.h"
#include "stipple/optics/match.h"
#include "stipple/optics/skin.h"

namespace stipple {

std::vector<SessionMatch> match_sessions(const SkinSpec& skin, const SessionsSpec& sessions,
                                         const AgingSpec& aging, double depth_mm,
                                         double diameter_mm) {
  if (!(depth_mm >= 0.2 && depth_mm <= 1.2)) {
    throw std::invalid_argument(fmt::format("depth_mm: {} is out of range 0.2 - 1.2", depth_mm));
  }
  if (!(diameter_mm >= 0.1 && diameter_mm <= 1.0)) {
    throw std::invalid_argument(
        fmt::format("diameter_mm: {} is out of range 0.1 - 1.0", diameter_mm));
  }
  const optics::Rgb hair = optics::srgb_from_hex(skin.hair_colour, "hair_colour");
  const optics::SkinLayers layers =
      optics::skin_for_fitzpatrick(skin.fitzpatrick, skin.epidermis_mm);
  const int n = static_cast<int>(sessions.sessions.size());
  const double healed = session_day(n, sessions) + aging.healed_days;
  std::vector<SessionMatch> out;
  for (int k = 1; k <= n; ++k) {
    SessionMatch m;
    m.session = k;
    m.age_days = healed - session_day(k, sessions);
    Dot dot;
    dot.depth_mm = depth_mm;
    dot.diameter_mm = diameter_mm;
    const DotAge age = age_dot(dot, m.age_days, aging, skin.epidermis_mm);
    m.load_factor = age.load_factor;
    const optics::MatchResult r =
        optics::match_dilution(hair, layers, age.depth_mm, age.diameter_mm, age.load_factor);
    m.dilution_water_parts = r.dilution_water_parts;
    m.apparent_hex = optics::hex_from_srgb(r.apparent_srgb);
    m.delta_e00 = r.delta_e00;
    out.push_back(m);
  }
  return out;
}

}  // namespace stipple
