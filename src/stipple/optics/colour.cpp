#include "stipple/optics/colour.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace stipple::optics {
namespace {

double clamp01(double v) {
  return std::isnan(v) ? 0.0 : std::clamp(v, 0.0, 1.0);
}

// XYZ of a colour with chromaticity (x, y) and luminance Y = 1.
Eigen::Vector3d xyz_of_chromaticity(double x, double y) {
  return {x / y, 1.0, (1 - x - y) / y};
}

// The linear-sRGB -> XYZ matrix from the primaries and white of IEC 61966-2-1: the columns are
// the primaries' XYZ, each scaled so that R = G = B = 1 gives the white (the usual derivation,
// e.g. SMPTE RP 177-1993).
struct SrgbMatrices {
  Eigen::Matrix3d to_xyz, from_xyz;
  SrgbMatrices() {
    Eigen::Matrix3d p;
    p.col(0) = xyz_of_chromaticity(0.64, 0.33);  // IEC 61966-2-1 red primary
    p.col(1) = xyz_of_chromaticity(0.30, 0.60);  // green
    p.col(2) = xyz_of_chromaticity(0.15, 0.06);  // blue
    const Eigen::Vector3d scale = p.partialPivLu().solve(d65_white_xyz());
    to_xyz = p * scale.asDiagonal();
    from_xyz = to_xyz.inverse();
  }
};

const SrgbMatrices& srgb_matrices() {
  static const SrgbMatrices m;
  return m;
}

// CIE 15:2004 L*a*b* constants in their exact rational form (CIE 15:2004 note 8.2.1).
constexpr double kLabEpsilon = 216.0 / 24389.0;
constexpr double kLabKappa = 24389.0 / 27.0;

double lab_f(double t) {
  return t > kLabEpsilon ? std::cbrt(t) : (kLabKappa * t + 16) / 116;
}
double lab_f_inverse(double f) {
  const double f3 = f * f * f;
  return f3 > kLabEpsilon ? f3 : (116 * f - 16) / kLabKappa;
}

constexpr double kDeg = std::numbers::pi / 180;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

double srgb_encode(double linear) {
  // IEC 61966-2-1: 12.92 L below 0.0031308, else 1.055 L^(1/2.4) - 0.055.
  const double v = clamp01(linear);
  return v <= 0.0031308 ? 12.92 * v : std::min(1.0, 1.055 * std::pow(v, 1 / 2.4) - 0.055);
}

double srgb_decode(double encoded) {
  // IEC 61966-2-1: V / 12.92 up to 0.04045, else ((V + 0.055) / 1.055)^2.4.
  const double v = clamp01(encoded);
  return v <= 0.04045 ? v / 12.92 : std::min(1.0, std::pow((v + 0.055) / 1.055, 2.4));
}

Rgb srgb_from_linear(const Rgb& linear) {
  return {srgb_encode(linear[0]), srgb_encode(linear[1]), srgb_encode(linear[2])};
}

Rgb linear_from_srgb(const Rgb& srgb) {
  return {srgb_decode(srgb[0]), srgb_decode(srgb[1]), srgb_decode(srgb[2])};
}

Eigen::Vector3d d65_white_xyz() {
  return xyz_of_chromaticity(0.3127, 0.3290);
}

Eigen::Vector3d xyz_from_linear(const Rgb& linear) {
  return srgb_matrices().to_xyz * linear;
}

Rgb linear_from_xyz(const Eigen::Vector3d& xyz) {
  return srgb_matrices().from_xyz * xyz;
}

Lab lab_from_xyz(const Eigen::Vector3d& xyz) {
  const Eigen::Vector3d w = d65_white_xyz();
  const double fx = lab_f(xyz[0] / w[0]), fy = lab_f(xyz[1] / w[1]), fz = lab_f(xyz[2] / w[2]);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

Eigen::Vector3d xyz_from_lab(const Lab& lab) {
  const Eigen::Vector3d w = d65_white_xyz();
  const double fy = (lab.L + 16) / 116;
  const double fx = fy + lab.a / 500, fz = fy - lab.b / 200;
  // Y from L* directly below the knee (L* <= 8), as CIE 15:2004 writes the inverse.
  const double yr = lab.L > kLabKappa * kLabEpsilon ? fy * fy * fy : lab.L / kLabKappa;
  return {w[0] * lab_f_inverse(fx), w[1] * yr, w[2] * lab_f_inverse(fz)};
}

Lab lab_from_linear(const Rgb& linear) {
  return lab_from_xyz(xyz_from_linear(linear));
}

Rgb linear_from_lab(const Lab& lab) {
  return linear_from_xyz(xyz_from_lab(lab));
}

double ciede2000(const Lab& c1, const Lab& c2) {
  // Sharma, Wu & Dalal 2005, equations (1) - (21); angles in degrees as in the paper.
  const double C1 = std::hypot(c1.a, c1.b), C2 = std::hypot(c2.a, c2.b);
  const double Cbar = (C1 + C2) / 2;
  const double Cbar7 = std::pow(Cbar, 7), k25_7 = std::pow(25.0, 7);
  const double G = 0.5 * (1 - std::sqrt(Cbar7 / (Cbar7 + k25_7)));        // (4)
  const double a1p = (1 + G) * c1.a, a2p = (1 + G) * c2.a;                // (5)
  const double C1p = std::hypot(a1p, c1.b), C2p = std::hypot(a2p, c2.b);  // (6)
  auto hue = [](double b, double ap) {                                    // (7), degrees [0, 360)
    if (b == 0 && ap == 0) return 0.0;
    const double h = std::atan2(b, ap) / kDeg;
    return h < 0 ? h + 360 : h;
  };
  const double h1p = hue(c1.b, a1p), h2p = hue(c2.b, a2p);

  const double dLp = c2.L - c1.L;  // (8)
  const double dCp = C2p - C1p;    // (9)
  const bool achromatic = C1p * C2p == 0;
  // |h2' - h1'| == 180 exactly is a tie the paper puts in the first branch (<= 180); a tolerance
  // far below any real hue difference keeps a rounding error from flipping it (pair 14).
  constexpr double kTieDeg = 1e-9;
  const double dh = h2p - h1p;
  double dhp = 0;  // (10)
  if (!achromatic) {
    if (std::abs(dh) <= 180 + kTieDeg)
      dhp = dh;
    else if (dh > 180)
      dhp = dh - 360;
    else
      dhp = dh + 360;
  }
  const double dHp = 2 * std::sqrt(C1p * C2p) * std::sin(dhp / 2 * kDeg);  // (11)

  const double Lbarp = (c1.L + c2.L) / 2;  // (12)
  const double Cbarp = (C1p + C2p) / 2;    // (13)
  double hbarp = h1p + h2p;                // (14)
  if (!achromatic) {
    if (std::abs(dh) <= 180 + kTieDeg)
      hbarp = (h1p + h2p) / 2;
    else if (h1p + h2p < 360)
      hbarp = (h1p + h2p + 360) / 2;
    else
      hbarp = (h1p + h2p - 360) / 2;
  }
  const double T = 1 - 0.17 * std::cos((hbarp - 30) * kDeg) + 0.24 * std::cos(2 * hbarp * kDeg) +
                   0.32 * std::cos((3 * hbarp + 6) * kDeg) -
                   0.20 * std::cos((4 * hbarp - 63) * kDeg);              // (15)
  const double dtheta = 30 * std::exp(-std::pow((hbarp - 275) / 25, 2));  // (16)
  const double Cbarp7 = std::pow(Cbarp, 7);
  const double RC = 2 * std::sqrt(Cbarp7 / (Cbarp7 + k25_7));  // (17)
  const double l50 = (Lbarp - 50) * (Lbarp - 50);
  const double SL = 1 + 0.015 * l50 / std::sqrt(20 + l50);  // (18)
  const double SC = 1 + 0.045 * Cbarp;                      // (19)
  const double SH = 1 + 0.015 * Cbarp * T;                  // (20)
  const double RT = -std::sin(2 * dtheta * kDeg) * RC;      // (21)
  const double tL = dLp / SL, tC = dCp / SC, tH = dHp / SH;
  return std::sqrt(std::max(0.0, tL * tL + tC * tC + tH * tH + RT * tC * tH));  // (22)
}

Rgb srgb_from_hex(const std::string& text, const std::string& field) {
  const std::size_t start = !text.empty() && text[0] == '#' ? 1 : 0;
  Rgb out;
  bool ok = text.size() == start + 6;
  for (int c = 0; ok && c < 3; ++c) {
    const int hi = hex_digit(text[start + 2 * c]), lo = hex_digit(text[start + 2 * c + 1]);
    ok = hi >= 0 && lo >= 0;
    out[c] = (hi * 16 + lo) / 255.0;
  }
  if (!ok)
    throw std::invalid_argument(
        fmt::format("{}: \"{}\" is not a colour, expected the form \"#rrggbb\"", field, text));
  return out;
}

std::string hex_from_srgb(const Rgb& srgb) {
  auto byte = [](double v) { return static_cast<int>(std::lround(clamp01(v) * 255)); };
  return fmt::format("#{:02x}{:02x}{:02x}", byte(srgb[0]), byte(srgb[1]), byte(srgb[2]));
}

}  // namespace stipple::optics
