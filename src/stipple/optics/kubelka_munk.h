// Kubelka-Munk two-flux theory of diffuse light in a layered, scattering and absorbing medium.
//
// P. Kubelka & F. Munk 1931, "Ein Beitrag zur Optik der Farbanstriche", Z. Tech. Phys. 12:593;
// P. Kubelka 1948, "New contributions to the optics of intensely light-scattering materials,
// part I", JOSA 38:448 (the hyperbolic closed form used here). For one homogeneous layer of
// thickness d with absorption K and scattering S (both per mm):
//   a = (S + K) / S,  b = sqrt(a^2 - 1),
//   R = sinh(b S d) / (a sinh(b S d) + b cosh(b S d)),
//   T = b / (a sinh(b S d) + b cosh(b S d)),
//   R_inf = a - b  (the layer made infinitely thick).
// Two layers, light entering layer 1 (Kubelka 1954, JOSA 44:330; domain.md):
//   R12 = R1 + T1^2 R2 / (1 - R1 R2),   T12 = T1 T2 / (1 - R1 R2).
// K and S relate to the transport coefficients as K = 2 mua, S = 0.75 mus' (domain.md).
//
// Everything is evaluated per wavelength band on whole spectra, in a form that stays finite for
// d = 0 (R = 0, T = 1), for very thick layers (no overflow of sinh/cosh) and for K = 0.
#pragma once

#include "stipple/optics/spectral.h"

namespace stipple::optics {

// A homogeneous layer's diffuse reflectance and transmittance, per band.
struct KmLayer {
  Spectrum R = Spectrum::Zero();
  Spectrum T = Spectrum::Ones();  // the zero-thickness layer
};

// One layer: K, S per mm (S > 0), thickness_mm >= 0.
KmLayer km_layer(const Spectrum& K_per_mm, const Spectrum& S_per_mm, double thickness_mm);

// Reflectance of the semi-infinite layer, R_inf = a - b = 1 + K/S - sqrt((K/S)^2 + 2 K/S).
Spectrum km_r_infinity(const Spectrum& K_per_mm, const Spectrum& S_per_mm);

// `top` stacked on `bottom` (light enters `top`): the two-layer formulas above. Exact when `top`
// is one homogeneous layer (same reflectance from either side); for a stack of several
// different layers fold from the bottom up with km_over instead.
KmLayer km_stack(const KmLayer& top, const KmLayer& bottom);

// The reflectance of `top` lying on a background of reflectance `background` (e.g. R_inf).
Spectrum km_over(const KmLayer& top, const Spectrum& background);

// Saunderson's correction for the refractive-index step at the skin surface (J. L. Saunderson
// 1942, JOSA 32:727): the diffuse reflectance seen from outside, specular reflection excluded,
//   R = (1 - r_e)(1 - r_i) R_km / (1 - r_i R_km),
// with r_e the external reflectance for normal incidence ((n - 1) / (n + 1))^2 and r_i the
// internal reflectance for diffuse light, r_i = 1 - (1 - r_ext,diffuse) / n^2, where
// r_ext,diffuse is the Fresnel reflectance averaged over a Lambertian hemisphere (computed).
Spectrum saunderson(const Spectrum& R_km, double refractive_index);

// r_i above for a refractive index n >= 1 (0 for n == 1).
double internal_diffuse_reflectance(double refractive_index);

}  // namespace stipple::optics
