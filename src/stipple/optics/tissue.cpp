#include "stipple/optics/tissue.h"

#include <cmath>
#include <numbers>

namespace stipple::optics {
namespace {

constexpr double kPerCmToPerMm = 0.1;

// Jacques 2013 (skin; domain.md): mus'(500 nm) = 46.0 /cm, scattering power b = 1.421.
constexpr double kMusPrime500PerCm = 46.0;
constexpr double kScatterPower = 1.421;

// Jacques 1998: melanosome absorption 6.6e11 lambda^-3.33 /cm.
constexpr double kMelanosomeA = 6.6e11;
constexpr double kMelanosomePower = 3.33;

// Jacques 1998: baseline 0.244 + 85.3 exp(-(lambda - 154) / 66.2) /cm.
constexpr double kBaselineFloor = 0.244, kBaselineAmp = 85.3, kBaselineL0 = 154,
                 kBaselineScale = 66.2;

// Haemoglobin in whole blood: 150 g/L (Jacques 2013 and Prahl's worked example,
// "a typical value of x for whole blood is x = 150 g Hb/liter"); molar mass 64,500 g/mol (Prahl's
// summary table).
constexpr double kHaemoglobinGPerL = 150;
constexpr double kHaemoglobinGPerMol = 64500;

}  // namespace

Spectrum skin_reduced_scattering_per_mm() {
  return kPerCmToPerMm * kMusPrime500PerCm * (wavelengths_nm() / 500.0).pow(-kScatterPower);
}

Spectrum melanosome_absorption_per_mm() {
  return kPerCmToPerMm * kMelanosomeA * wavelengths_nm().pow(-kMelanosomePower);
}

Spectrum skin_baseline_absorption_per_mm() {
  return kPerCmToPerMm *
         (kBaselineFloor +
          kBaselineAmp * (-(wavelengths_nm() - kBaselineL0) / kBaselineScale).exp());
}

Spectrum blood_absorption_per_mm(double oxygenation) {
  Spectrum out;
  const double molar = kHaemoglobinGPerL / kHaemoglobinGPerMol;  // mol/L
  for (int i = 0; i < kBands; ++i) {
    const HaemoglobinRow& r = haemoglobin_table()[i];
    const double eps = oxygenation * r.oxy + (1 - oxygenation) * r.deoxy;  // cm^-1 / (mol/L)
    out[i] = kPerCmToPerMm * std::numbers::ln10 * eps * molar;             // decadic -> natural
  }
  return out;
}

Spectrum epidermis_absorption_per_mm(double melanin_fraction) {
  return melanin_fraction * melanosome_absorption_per_mm() +
         (1 - melanin_fraction) * skin_baseline_absorption_per_mm();
}

Spectrum dermis_absorption_per_mm(double blood_fraction, double oxygenation) {
  return blood_fraction * blood_absorption_per_mm(oxygenation) +
         (1 - blood_fraction) * skin_baseline_absorption_per_mm();
}

double penetration_depth_mm(double mua, double mus_prime) {
  return 1 / std::sqrt(3 * mua * (mua + mus_prime));
}

}  // namespace stipple::optics
