// The spectral grid of the optics model and the tables that live on it: 400 - 700 nm every
// 10 nm (31 bands), the CIE 1931 2-degree colour-matching functions, CIE illuminant D65 and the
// molar extinction of oxy- and deoxy-haemoglobin; and the conversion of a reflectance spectrum
// to linear sRGB (reflectance x D65 x CMF summed over the bands, normalised so that a perfect
// white reflector has Y = 1).
//
// The visible range is cut at 400 and 700 nm: the CMF-weighted D65 energy outside it is ~0.1 %
// of Y, far below the model's other errors.
#pragma once

#include <Eigen/Core>
#include <array>

#include "stipple/optics/colour.h"

namespace stipple::optics {

inline constexpr int kBands = 31;
inline constexpr double kFirstWavelengthNm = 400;
inline constexpr double kBandStepNm = 10;

using Spectrum = Eigen::Array<double, kBands, 1>;  // one value per band, 400, 410, ... 700 nm

constexpr double band_wavelength_nm(int band) {
  return kFirstWavelengthNm + kBandStepNm * band;
}

// Each row: wavelength nm, xbar, ybar, zbar (CIE 1931 2-degree standard observer), D65 relative
// spectral power. CIE 15:2004 Colorimetry, tables T.1 (D65) and T.4 (CMF), at 10 nm.
struct CieRow {
  double nm, xbar, ybar, zbar, d65;
};
const std::array<CieRow, kBands>& cie_table();

// Molar extinction coefficient of haemoglobin in water, cm^-1 / (mol/L) (decadic), per band:
// S. Prahl, "Tabulated molar extinction coefficient for hemoglobin in water", Oregon Medical
// Laser Center, omlc.org/spectra/hemoglobin/summary.html (compiled from W. B. Gratzer and
// N. Kollias), sampled at the 10 nm band centres.
struct HaemoglobinRow {
  double nm, oxy, deoxy;
};
const std::array<HaemoglobinRow, kBands>& haemoglobin_table();

// The wavelengths as a spectrum (nm).
const Spectrum& wavelengths_nm();

// XYZ (white reflector: Y = 1) of a reflectance spectrum under D65.
Eigen::Vector3d xyz_from_spectrum(const Spectrum& reflectance);

// Linear sRGB of a reflectance spectrum under D65. The 10 nm tables put the perfect white
// reflector a hair off the D65 chromaticity (by ~1e-4 in x, y); a per-channel white balance
// maps it to exactly (1, 1, 1), so a flat spectrum r gives grey (r, r, r).
Rgb linear_from_spectrum(const Spectrum& reflectance);

}  // namespace stipple::optics
