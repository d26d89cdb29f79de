#include "stipple/optics/spectral.h"

namespace stipple::optics {

const std::array<CieRow, kBands>& cie_table() {
  // CIE 15:2004, table T.4 (CIE 1931 standard colorimetric observer, 2 degrees) and table T.1
  // (relative spectral power of illuminant D65, 100 at 560 nm), the 10 nm rows 400 - 700 nm.
  static constexpr std::array<CieRow, kBands> kTable = {{
      {400, 0.014310, 0.000396, 0.067850, 82.7549}, {410, 0.043510, 0.001210, 0.207400, 91.4860},
      {420, 0.134380, 0.004000, 0.645600, 93.4318}, {430, 0.283900, 0.011600, 1.385600, 86.6823},
      {440, 0.348280, 0.023000, 1.747060, 104.865}, {450, 0.336200, 0.038000, 1.772110, 117.008},
      {460, 0.290800, 0.060000, 1.669200, 117.812}, {470, 0.195360, 0.090980, 1.287640, 114.861},
      {480, 0.095640, 0.139020, 0.812950, 115.923}, {490, 0.032010, 0.208020, 0.465180, 108.811},
      {500, 0.004900, 0.323000, 0.272000, 109.354}, {510, 0.009300, 0.503000, 0.158200, 107.802},
      {520, 0.063270, 0.710000, 0.078250, 104.790}, {530, 0.165500, 0.862000, 0.042160, 107.689},
      {540, 0.290400, 0.954000, 0.020300, 104.405}, {550, 0.433450, 0.994950, 0.008750, 104.046},
      {560, 0.594500, 0.995000, 0.003900, 100.000}, {570, 0.762100, 0.952000, 0.002100, 96.3342},
      {580, 0.916300, 0.870000, 0.001650, 95.7880}, {590, 1.026300, 0.757000, 0.001100, 88.6856},
      {600, 1.062200, 0.631000, 0.000800, 90.0062}, {610, 1.002600, 0.503000, 0.000340, 89.5991},
      {620, 0.854450, 0.381000, 0.000190, 87.6987}, {630, 0.642400, 0.265000, 0.000050, 83.2886},
      {640, 0.447900, 0.175000, 0.000020, 83.6992}, {650, 0.283500, 0.107000, 0.000000, 80.0268},
      {660, 0.164900, 0.061000, 0.000000, 80.2146}, {670, 0.087400, 0.032000, 0.000000, 82.2778},
      {680, 0.046770, 0.017000, 0.000000, 78.2842}, {690, 0.022700, 0.008210, 0.000000, 69.7213},
      {700, 0.011359, 0.004102, 0.000000, 71.6091},
  }};
  return kTable;
}

const std::array<HaemoglobinRow, kBands>& haemoglobin_table() {
  // Prahl, omlc.org/spectra/hemoglobin/summary.html (Gratzer; Kollias), cm^-1 / (mol/L):
  // wavelength nm, HbO2, Hb.
  static constexpr std::array<HaemoglobinRow, kBands> kTable = {{
      {400, 266232, 223296},   {410, 466840, 303956},   {420, 480360, 407560},
      {430, 246072, 528600},   {440, 102580, 413280},   {450, 62816, 103292},
      {460, 44480, 23388.8},   {470, 33209.2, 16156.4}, {480, 26629.2, 14550},
      {490, 23684.4, 16684},   {500, 20932.8, 20862},   {510, 20035.2, 25773.6},
      {520, 24202.4, 31589.6}, {530, 39956.8, 39036.4}, {540, 53236, 46592},
      {550, 43016, 53412},     {560, 32613.2, 53788},   {570, 44496, 45072},
      {580, 50104, 37020},     {590, 14400.8, 28324.4}, {600, 3200, 14677.2},
      {610, 1506, 9443.6},     {620, 942, 6509.6},      {630, 610, 5148.8},
      {640, 442, 4345.2},      {650, 368, 3750.12},     {660, 319.6, 3226.56},
      {670, 294, 2795.12},     {680, 277.6, 2407.92},   {690, 276, 2051.96},
      {700, 290, 1794.28},
  }};
  return kTable;
}

const Spectrum& wavelengths_nm() {
  static const Spectrum w = [] {
    Spectrum s;
    for (int i = 0; i < kBands; ++i) s[i] = band_wavelength_nm(i);
    return s;
  }();
  return w;
}

namespace {

struct XyzWeights {
  Eigen::Matrix<double, 3, kBands> w;  // reflectance -> XYZ, white reflector Y = 1
  Rgb white_linear;                    // linear sRGB of the white reflector before balancing
  XyzWeights() {
    double y_white = 0;
    for (int i = 0; i < kBands; ++i) {
      const CieRow& r = cie_table()[i];
      w(0, i) = r.d65 * r.xbar;
      w(1, i) = r.d65 * r.ybar;
      w(2, i) = r.d65 * r.zbar;
      y_white += r.d65 * r.ybar;
    }
    w /= y_white;
    white_linear = linear_from_xyz(w.rowwise().sum());
  }
};

const XyzWeights& xyz_weights() {
  static const XyzWeights k;
  return k;
}

}  // namespace

Eigen::Vector3d xyz_from_spectrum(const Spectrum& reflectance) {
  return xyz_weights().w * reflectance.matrix();
}

Rgb linear_from_spectrum(const Spectrum& reflectance) {
  const XyzWeights& k = xyz_weights();
  return linear_from_xyz(k.w * reflectance.matrix()).cwiseQuotient(k.white_linear);
}

}  // namespace stipple::optics
