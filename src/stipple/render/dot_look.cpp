#include "stipple/render/dot_look.h"

#include <algorithm>
#include <cmath>

#include "stipple/aging/aging.h"

namespace stipple {

DotFootprint dot_footprint(const optics::SkinLayers& skin, double dilution_water_parts,
                           const DotAge& age, OpticsMemo& memo) {
  const double depth_mm = std::clamp(age.depth_mm, 0.05, 2.0);
  const double load =
      std::clamp(optics::pigment_concentration(dilution_water_parts) * age.load_factor, 0.0, 1.0);
  const auto depth_q = static_cast<std::uint64_t>(std::lround(depth_mm / 0.01));
  const auto load_q = static_cast<std::uint64_t>(std::lround(load * 1024));
  const std::uint64_t key = depth_q << 20 | load_q;
  auto it = memo.by_key.find(key);
  if (it == memo.by_key.end()) {
    it = memo.by_key
             .emplace(key,
                      optics::dot_optics(skin, depth_q * 0.01, static_cast<double>(load_q) / 1024))
             .first;
  }
  const optics::DotOptics& o = it->second;
  DotFootprint fp;
  fp.radius_mm = static_cast<float>(0.5 * age.diameter_mm);
  for (int k = 0; k < 3; ++k) {
    fp.sigma_mm[k] = static_cast<float>(std::hypot(o.blur_sigma_mm[k], age.spread_sigma_mm));
    fp.darkening[k] = static_cast<float>(std::clamp(1 - o.transmit[k], 0.0, 1.0));
  }
  if (age.blood_factor > 1.01) {
    const long milli = std::lround(age.blood_factor * 1000);
    auto e = memo.erythema_by_blood_milli.find(milli);
    if (e == memo.erythema_by_blood_milli.end()) {
      e = memo.erythema_by_blood_milli
              .emplace(milli, optics::erythema_transmit(skin, static_cast<double>(milli) / 1000))
              .first;
    }
    const optics::Rgb& red = e->second;
    fp.halo_sigma_mm = static_cast<float>(kRednessHaloSigmaMm);
    for (int k = 0; k < 3; ++k) {
      fp.halo_darkening[k] = static_cast<float>(std::clamp(1 - red[k], 0.0, 1.0));
    }
  }
  return fp;
}

}  // namespace stipple
