#include "stipple/optics/skin.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "stipple/optics/kubelka_munk.h"
#include "stipple/optics/tissue.h"

namespace stipple::optics {
namespace {

// "name: value is out of range lo - hi" unless lo <= value <= hi (NaN fails too).
void check_range(const char* name, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi))
    throw std::invalid_argument(fmt::format("{}: {} is out of range {} - {}", name, value, lo, hi));
}

// KM coefficients: K = 2 mua, S = 0.75 mus' (domain.md).
constexpr double kKPerMua = 2.0;
constexpr double kSPerMusPrime = 0.75;

struct Tissue {
  Spectrum K_epidermis, K_dermis, S;
};

Tissue tissue_of(const SkinLayers& skin) {
  return {kKPerMua * epidermis_absorption_per_mm(skin.melanin_fraction),
          kKPerMua * dermis_absorption_per_mm(skin.blood_fraction, skin.blood_oxygenation),
          kSPerMusPrime * skin_reduced_scattering_per_mm()};
}

// Diffuse reflectance spectrum (Saunderson-corrected) of the skin with a pigment deposit
// [depth, depth + kPigmentLayerMm] of absorption pigment_mua (per mm) added to the tissue there;
// pigment_mua = 0 is bare skin.
Spectrum reflectance_spectrum(const SkinLayers& skin, const Tissue& t, double depth_mm,
                              double pigment_mua, double above_scatter_scale = 1.0) {
  const double e = skin.epidermis_mm;
  const double top = depth_mm, bottom = depth_mm + kPigmentLayerMm;
  std::array<double, 4> z = {0.0, e, top, bottom};
  std::sort(z.begin(), z.end());
  const double end = std::max(e, bottom);  // below: semi-infinite dermis
  // Fold from the bottom up: each homogeneous layer over the reflectance of everything below it
  // (km_over is exact for a homogeneous layer; a stack of different layers is not symmetric, so
  // it is never used as the top of km_stack).
  Spectrum r = km_r_infinity(t.K_dermis, t.S);
  for (int k = 2; k >= 0; --k) {
    const double z0 = z[k], z1 = std::min(z[k + 1], end);
    if (!(z1 > z0)) continue;
    const double mid = (z0 + z1) / 2;
    Spectrum K = mid < e ? t.K_epidermis : t.K_dermis;
    if (mid > top && mid < bottom) K += kKPerMua * pigment_mua;
    const Spectrum S = z1 <= top ? Spectrum(t.S * above_scatter_scale) : Spectrum(t.S);
    r = km_over(km_layer(K, S, z1 - z0), r);
  }
  return saunderson(r, kSkinRefractiveIndex);
}

// Representative wavelengths of the R, G, B channels for the blur (nm).
constexpr std::array<double, 3> kBlurWavelengthNm = {650, 550, 450};

}  // namespace

void validate_skin(const SkinLayers& skin) {
  check_range("fitzpatrick", skin.fitzpatrick, 1, 6);
  check_range("melanin_fraction", skin.melanin_fraction, 0, 0.6);
  check_range("epidermis_mm", skin.epidermis_mm, 0.02, 0.3);
  check_range("blood_fraction", skin.blood_fraction, 0, 0.1);
  check_range("blood_oxygenation", skin.blood_oxygenation, 0, 1);
}

SkinLayers skin_for_fitzpatrick(int type, double epidermis_mm) {
  // Effective melanosome volume fractions per type, calibrated on Jacques 1998's (see skin.h).
  static constexpr std::array<double, 6> kMelanin = {0.010, 0.020, 0.035, 0.06, 0.10, 0.16};
  if (type < 1 || type > 6)
    throw std::invalid_argument(fmt::format("fitzpatrick: {} is out of range 1 - 6", type));
  SkinLayers s;
  s.fitzpatrick = type;
  s.melanin_fraction = kMelanin[type - 1];
  s.epidermis_mm = epidermis_mm;
  validate_skin(s);
  return s;
}

double pigment_concentration(double dilution_water_parts) {
  check_range("dilution_water_parts", dilution_water_parts, 0, 40);
  return 1 / (1 + dilution_water_parts);
}

Rgb skin_reflectance(const SkinLayers& skin) {
  validate_skin(skin);
  const Tissue t = tissue_of(skin);
  return linear_from_spectrum(reflectance_spectrum(skin, t, skin.epidermis_mm, 0));
}

Rgb dermal_penetration_depth_mm(const SkinLayers& skin) {
  const Spectrum mua = dermis_absorption_per_mm(skin.blood_fraction, skin.blood_oxygenation);
  const Spectrum musp = skin_reduced_scattering_per_mm();
  Rgb out;
  for (int c = 0; c < 3; ++c) {
    const int band =
        static_cast<int>(std::lround((kBlurWavelengthNm[c] - kFirstWavelengthNm) / kBandStepNm));
    out[c] = penetration_depth_mm(mua[band], musp[band]);
  }
  return out;
}

DotOptics dot_optics(const SkinLayers& skin, double depth_mm, double pigment_load) {
  validate_skin(skin);
  check_range("depth_mm", depth_mm, 0.05, 2.0);
  check_range("pigment_load", pigment_load, 0, 1);
  const Tissue t = tissue_of(skin);
  DotOptics o;
  // The ratio comes from the pair computed with the same (calibrated) layers above the deposit;
  // the bare skin is the skin everyone else sees, so a dot never changes the skin around it.
  const Rgb bare =
      linear_from_spectrum(reflectance_spectrum(skin, t, depth_mm, 0, kAboveScatterScale));
  const Rgb inked = linear_from_spectrum(reflectance_spectrum(
      skin, t, depth_mm, pigment_load * kNeatPigmentMuaPerMm, kAboveScatterScale));
  o.skin = skin_reflectance(skin);
  for (int c = 0; c < 3; ++c) {
    // Bare skin is > 0 in every channel for every accepted skin; the floor keeps the ratio
    // finite and positive regardless.
    o.transmit[c] = std::clamp(inked[c] / std::max(bare[c], 1e-12), 1e-9, 1.0);
    o.with_pigment[c] = o.skin[c] * o.transmit[c];
  }
  const Rgb delta = dermal_penetration_depth_mm(skin);
  for (int c = 0; c < 3; ++c)
    o.blur_sigma_mm[c] = kBlurKappa * depth_mm * delta[c] / (depth_mm + delta[c]);
  return o;
}

Rgb erythema_transmit(const SkinLayers& skin, double blood_factor) {
  validate_skin(skin);
  check_range("blood_factor", blood_factor, 1, 50);
  SkinLayers red = skin;
  red.blood_fraction = std::min(0.1, skin.blood_fraction * blood_factor);
  const Rgb base = skin_reflectance(skin), flushed = skin_reflectance(red);
  Rgb out;
  for (int c = 0; c < 3; ++c) out[c] = std::clamp(flushed[c] / base[c], 1e-9, 1.0);
  return out;
}

double disc_gaussian_centre(double radius_mm, double sigma_mm) {
  if (!(radius_mm > 0)) return 0;
  if (!(sigma_mm > 0)) return 1;
  return -std::expm1(-radius_mm * radius_mm / (2 * sigma_mm * sigma_mm));
}

Rgb dot_centre_colour(const DotOptics& o, double diameter_mm) {
  Rgb out;
  for (int c = 0; c < 3; ++c) {
    const double cover = disc_gaussian_centre(diameter_mm / 2, o.blur_sigma_mm[c]);
    out[c] = o.skin[c] * (1 - cover * (1 - o.transmit[c]));
  }
  return out;
}

}  // namespace stipple::optics
