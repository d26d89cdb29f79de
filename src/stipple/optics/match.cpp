#include "stipple/optics/match.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace stipple::optics {
namespace {

void check_range(const char* name, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi))
    throw std::invalid_argument(fmt::format("{}: {} is out of range {} - {}", name, value, lo, hi));
}

constexpr double kMaxWater = 40;  // the plan's dilution range, 0:1 to 40:1
constexpr double kScanStep = 0.1;

}  // namespace

MatchResult match_dilution(const Rgb& hair_srgb, const SkinLayers& skin, double depth_mm,
                           double diameter_mm, double load_factor) {
  for (int c = 0; c < 3; ++c) check_range("hair_srgb", hair_srgb[c], 0, 1);
  validate_skin(skin);
  check_range("depth_mm", depth_mm, 0.05, 2.0);
  check_range("diameter_mm", diameter_mm, 0.1, 1.0);
  if (!(load_factor > 0 && load_factor <= 1))
    throw std::invalid_argument(
        fmt::format("load_factor: {} is out of range, allowed more than 0 up to 1", load_factor));

  const Lab target = lab_from_linear(linear_from_srgb(hair_srgb));
  auto apparent = [&](double w) {
    const DotOptics o = dot_optics(skin, depth_mm, pigment_concentration(w) * load_factor);
    return srgb_from_linear(dot_centre_colour(o, diameter_mm));
  };
  // The difference is measured on the encoded colour that is reported, so delta_e00 is exactly
  // ciede2000 of apparent_srgb.
  auto distance = [&](double w) {
    return ciede2000(target, lab_from_linear(linear_from_srgb(apparent(w))));
  };

  const int n = static_cast<int>(std::lround(kMaxWater / kScanStep));
  int best = 0;
  double best_d = distance(0);
  for (int i = 1; i <= n; ++i) {
    const double d = distance(i * kScanStep);
    if (d < best_d) best = i, best_d = d;  // strict: the lowest W wins a tie
  }
  // Golden-section refinement on the bracket around the best scan point.
  double lo = std::max(0.0, (best - 1) * kScanStep),
         hi = std::min(kMaxWater, (best + 1) * kScanStep);
  const double g = (std::sqrt(5.0) - 1) / 2;
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  double f1 = distance(x1), f2 = distance(x2);
  while (hi - lo > 1e-6) {
    if (f1 <= f2) {
      hi = x2, x2 = x1, f2 = f1;
      x1 = hi - g * (hi - lo), f1 = distance(x1);
    } else {
      lo = x1, x1 = x2, f1 = f2;
      x2 = lo + g * (hi - lo), f2 = distance(x2);
    }
  }
  double w = best * kScanStep, d = best_d;
  const double mid = (lo + hi) / 2, fm = distance(mid);
  if (fm < d) w = mid, d = fm;
  return {w, d, apparent(w)};
}

}  // namespace stipple::optics
