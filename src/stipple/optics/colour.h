// Colour science for the preview: the sRGB transfer function, linear sRGB <-> CIE XYZ (D65),
// CIE 1976 L*a*b*, the CIEDE2000 colour difference and "#rrggbb" text.
//
// Conventions: an `Rgb` is linear sRGB (D65 white, 0..1 for in-gamut reflectances) unless its
// name says "srgb", which means the encoded (display) value 0..1. XYZ is scaled so that the
// white (linear sRGB 1, 1, 1 = the D65 white point) has Y = 1.
//
// Sources: IEC 61966-2-1:1999 (sRGB primaries, white point and transfer function);
// CIE 15:2004 Colorimetry (L*a*b*); Sharma, Wu & Dalal 2005, "The CIEDE2000 color-difference
// formula: implementation notes, supplementary test data, and mathematical observations",
// Color Res. Appl. 30(1):21-30 (CIEDE2000, kL = kC = kH = 1).
#pragma once

#include <Eigen/Core>
#include <string>

namespace stipple::optics {

using Rgb = Eigen::Vector3d;  // linear sRGB (D65) unless the name says "srgb" (encoded, 0..1)

struct Lab {
  double L = 0, a = 0, b = 0;
};

// IEC 61966-2-1 transfer function: linear light -> encoded value. Input clamped to [0, 1]
// (NaN -> 0).
double srgb_encode(double linear);
// Its inverse: encoded value -> linear light; input clamped to [0, 1] (NaN -> 0).
double srgb_decode(double encoded);
Rgb srgb_from_linear(const Rgb& linear);  // per channel
Rgb linear_from_srgb(const Rgb& srgb);    // per channel

// The sRGB primaries (x, y) R 0.64 0.33, G 0.30 0.60, B 0.15 0.06 and white D65 (0.3127, 0.3290)
// of IEC 61966-2-1; the matrix is derived from them (not the 4-digit rounded one), so the two
// directions are exact inverses. Y of white = 1.
Eigen::Vector3d xyz_from_linear(const Rgb& linear);
Rgb linear_from_xyz(const Eigen::Vector3d& xyz);

// The reference white of L*a*b*: XYZ of D65 from its chromaticity (0.3127, 0.3290), Y = 1.
Eigen::Vector3d d65_white_xyz();

// CIE 1976 L*a*b* with the D65 reference white (CIE 15:2004, with the exact constants
// epsilon = 216/24389, kappa = 24389/27).
Lab lab_from_xyz(const Eigen::Vector3d& xyz);
Eigen::Vector3d xyz_from_lab(const Lab& lab);  // the inverse
Lab lab_from_linear(const Rgb& linear);
Rgb linear_from_lab(const Lab& lab);

// CIEDE2000 colour difference Delta E00 between two L*a*b* colours (Sharma, Wu & Dalal 2005,
// equations 1-21, kL = kC = kH = 1). Symmetric; 0 for identical colours. A difference of ~1
// is about one just-noticeable difference; 2.3 is often quoted as the JND for CIELAB.
double ciede2000(const Lab& a, const Lab& b);

// "#rrggbb" or "rrggbb" (hex digits in any case) -> encoded sRGB 0..1 per channel. Anything else
// throws std::invalid_argument naming `field`, the value and the expected form "#rrggbb".
Rgb srgb_from_hex(const std::string& text, const std::string& field);
// Encoded sRGB 0..1 -> "#rrggbb" (lower case), each channel clamped to [0, 1] and rounded to the
// nearest of 0..255.
std::string hex_from_srgb(const Rgb& srgb);

}  // namespace stipple::optics
