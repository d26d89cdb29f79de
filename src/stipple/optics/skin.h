// Skin and the pigment dot under it: the physical model the preview renderer uses
// (docs/optics.md has the full derivation, constants and limitations).
//
// Model, per 10 nm band from 400 to 700 nm (spectral.h):
//  - tissue coefficients from Jacques 2013 / 1998 (tissue.h): epidermis = melanin + baseline,
//    dermis = blood + baseline, the same reduced scattering mus' for both;
//  - Kubelka-Munk layers (kubelka_munk.h) with K = 2 mua, S = 0.75 mus': epidermis, dermis above
//    the pigment, the pigment deposit (tissue + carbon black), the rest below as semi-infinite
//    dermis (R_inf); Saunderson's correction for the skin surface (n = 1.4);
//  - the reflectance spectrum -> XYZ (CIE 1931 2 degrees, D65) -> linear sRGB.
// The lateral blur of a dot's image is a documented diffusion estimate (see dot_optics).
#pragma once

#include "stipple/optics/colour.h"

namespace stipple::optics {

struct SkinLayers {
  int fitzpatrick = 3;  // I - VI, informational (the optics read the fractions below)
  // Effective epidermal melanosome volume fraction, 0..0.6. The default is type III's
  // (skin_for_fitzpatrick, which explains why these are lower than Jacques' measured 1.3 - 43 %).
  double melanin_fraction = 0.035;
  double epidermis_mm = 0.08;  // 0.02 - 0.3 accepted; scalp 0.06 - 0.10 (domain.md)
  // Dermal blood volume fraction, 0..0.1. 0.5 %: inside Jacques 1998's 0.2 - 7 % for dermis,
  // chosen so that fair skin gets a visible redness (model type I a* ~ 5); an estimate.
  double blood_fraction = 0.005;
  // Haemoglobin oxygen saturation of the dermal blood, 0..1. 0.7: between arterial (~0.98) and
  // venous (~0.6 - 0.7) blood, the mixed value tissue-optics models commonly assume; an estimate.
  double blood_oxygenation = 0.7;
};

// Throws std::invalid_argument naming the first field out of its range (ranges above).
void validate_skin(const SkinLayers& skin);

// Skin of Fitzpatrick type I - VI with an effective epidermal melanin fraction per type:
// I 1.0 %, II 2.0 %, III 3.5 %, IV 6 %, V 10 %, VI 16 %. Source and calibration: Jacques 1998
// ("Skin optics") measured melanosome fractions of 1.3 - 6.3 % (light), 11 - 16 % (moderately
// pigmented) and 18 - 43 % (darkly pigmented) adults (domain.md: 1.3 % type I .. 43 % type VI).
// Put through this model's whole 80 um epidermis as K = 2 mua, those fractions make skin far too
// dark (43 % gives L* ~ 13; measured type VI skin is L* ~ 30 - 40), because the melanin of real
// skin is concentrated in the basal layer and sunlight crosses it once, not as diffuse light.
// So the fractions here keep Jacques' ordering and are scaled so that the model's L* runs from
// ~72 (type I) to ~29 (type VI), the span colorimetric surveys of skin report; an estimate.
// Throws std::invalid_argument "fitzpatrick: 7 is out of range 1 - 6" for a bad type, and
// names epidermis_mm when that is out of range.
SkinLayers skin_for_fitzpatrick(int type, double epidermis_mm = 0.08);

// The fraction of neat pigment in a "W:1" dilution (W parts water to 1 part pigment):
// 1 / (1 + W). W in [0, 40], else std::invalid_argument naming dilution_water_parts, the value
// and the range.
double pigment_concentration(double dilution_water_parts);

struct DotOptics {
  Rgb skin;           // linear sRGB diffuse reflectance of the bare skin (no pigment)
  Rgb with_pigment;   // linear sRGB reflectance where the pigment layer covers the skin fully
  Rgb transmit;       // with_pigment / skin per channel, in (0, 1]; 1 - transmit is the darkening
                      // at full coverage
  Rgb blur_sigma_mm;  // lateral spread (1 sigma, mm) of the dot's image per channel (R, G, B),
                      // from depth and light penetration
};

// Linear sRGB diffuse reflectance of bare skin under D65 (each channel in (0, 1)): epidermis
// over semi-infinite dermis, Saunderson-corrected.
Rgb skin_reflectance(const SkinLayers& skin);

// The look of a pigment deposit at depth_mm below the surface (0.05 - 2.0 mm accepted, else
// std::invalid_argument naming depth_mm) with pigment_load = concentration relative to neat
// (pigment_concentration) times the fraction still there after fading, in [0, 1] (else
// std::invalid_argument naming pigment_load).
//
// The deposit is a carbon-black layer kPigmentLayerMm thick from depth_mm down, its absorption
// pigment_load x kNeatPigmentMuaPerMm (spectrally flat) added to the tissue it sits in; it
// displaces nothing, so pigment_load = 0 gives transmit = 1 exactly. Above it: epidermis, and
// dermis when depth_mm > epidermis_mm (a shallower deposit sits in the epidermis).
//
// Blur: sigma_k = kBlurKappa * d * delta_k / (d + delta_k), with d = depth_mm and delta_k the
// dermal penetration depth (tissue.h) at 650, 550, 450 nm for R, G, B: light that images the
// deposit has spread laterally about as far as it travelled, which is the depth for a shallow
// deposit (geometry-limited) and at most the penetration depth for a deep one
// (absorption-limited). Red penetrates furthest, so red blurs most. kBlurKappa is an estimate.
DotOptics dot_optics(const SkinLayers& skin, double depth_mm, double pigment_load);

// The model's pigment constants (documented estimates; no peer-reviewed figures exist):
inline constexpr double kPigmentLayerMm = 0.1;        // deposit thickness
inline constexpr double kNeatPigmentMuaPerMm = 60.0;  // carbon black absorption, neat ink
// Kubelka-Munk's two diffuse fluxes overstate how much light a thin layer of tissue sends back
// before it reaches a deposit below it: tissue scatters strongly forward (anisotropy g ~ 0.8-0.9,
// Jacques 2013), so over the first transport mean free paths (1/mus' ~ 0.2 mm at 500 nm) light
// is still mostly travelling down. The tissue above the deposit gets its scattering S scaled by
// this factor (a calibration, not a measurement): with it, neat ink at 0.4 mm on type III skin
// darkens green by about half, healed dots read as grey-blue stubble at a normal viewing
// distance, and dilution, depth and melanin keep their documented directions.
inline constexpr double kAboveScatterScale = 0.3;
inline constexpr double kBlurKappa = 0.5;            // blur scale
inline constexpr double kSkinRefractiveIndex = 1.4;  // Lister et al. 2012 (review: 1.37-1.5)

// Per-channel factor (0..1] by which skin with its dermal blood fraction raised blood_factor
// times (fresh redness around new dots) differs from normal skin: skin_reflectance with
// blood_fraction x blood_factor, divided by skin_reflectance. 1 for blood_factor == 1; red
// stays near 1, green and blue drop. blood_factor in [1, 50] (else std::invalid_argument naming
// blood_factor); the raised fraction is capped at 0.1.
Rgb erythema_transmit(const SkinLayers& skin, double blood_factor);

// Coverage at the centre of a disc of radius r convolved with an isotropic 2D Gaussian of
// standard deviation sigma: 1 - exp(-r^2 / (2 sigma^2)); 1 for sigma == 0 (and r > 0), 0 for
// r == 0 and sigma > 0.
double disc_gaussian_centre(double radius_mm, double sigma_mm);

// Linear sRGB at the dot's centre: skin * (1 - c_k (1 - transmit_k)) per channel, with
// c_k = disc_gaussian_centre(diameter_mm / 2, blur_sigma_mm_k).
Rgb dot_centre_colour(const DotOptics& o, double diameter_mm);

// Dermal penetration depths (mm) at 650, 550, 450 nm (the R, G, B blur wavelengths).
Rgb dermal_penetration_depth_mm(const SkinLayers& skin);

}  // namespace stipple::optics
