// Optical coefficients of skin tissue per wavelength band, from the generic-tissue formulas of
// S. L. Jacques 2013, "Optical properties of biological tissues: a review", Phys. Med. Biol.
// 58:R37-R61, and S. L. Jacques 1998, "Skin optics", Oregon Medical Laser Center News
// (omlc.org/news/jan98/skinoptics.html). All coefficients are returned per mm (the papers give
// them per cm; 1 /cm = 0.1 /mm).
#pragma once

#include "stipple/optics/spectral.h"

namespace stipple::optics {

// Reduced scattering of skin, mus' = 46.0 /cm (lambda / 500 nm)^-1.421 (Jacques 2013, the
// average for skin; domain.md). Used for the epidermis and the dermis alike.
Spectrum skin_reduced_scattering_per_mm();

// Absorption of the interior of a melanosome, mua.mel = 6.6e11 lambda^-3.33 /cm, lambda in nm
// (Jacques 1998).
Spectrum melanosome_absorption_per_mm();

// Baseline absorption of melanin-free, bloodless skin,
// mua.skinbaseline = 0.244 + 85.3 exp(-(lambda - 154) / 66.2) /cm (Jacques 1998, from bloodless
// rat skin, Huang & Jacques).
Spectrum skin_baseline_absorption_per_mm();

// Absorption of whole blood with haemoglobin at 150 g/L and oxygen saturation `oxygenation`
// (0..1): mua = ln(10) x (150 g/L / 64,500 g/mol) x (S eps_HbO2 + (1 - S) eps_Hb) /cm, with
// Prahl's tabulated molar extinction (spectral.h); 64,500 g/mol is the haemoglobin molar mass
// Prahl's table is stated for.
Spectrum blood_absorption_per_mm(double oxygenation);

// Epidermis: mua = f_mel mua.mel + (1 - f_mel) mua.skinbaseline (Jacques 1998).
Spectrum epidermis_absorption_per_mm(double melanin_fraction);

// Dermis: mua = B mua.blood(S) + (1 - B) mua.skinbaseline (Jacques 1998; water is part of the
// baseline in the visible).
Spectrum dermis_absorption_per_mm(double blood_fraction, double oxygenation);

// Diffusion-theory penetration depth delta = 1 / sqrt(3 mua (mua + mus')) (mm), the depth at
// which the fluence of broad illumination falls by 1/e (diffusion theory, as in
// Jacques 2013; domain.md).
double penetration_depth_mm(double mua_per_mm, double mus_prime_per_mm);

}  // namespace stipple::optics
