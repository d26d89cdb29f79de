// Compositing microdots into an image: every dot's footprint multiplies the light coming back
// from the skin, channel by channel, in linear light, and the image is touched once.
//
// A dot as the optics see it (optics/skin.h, docs/optics.md) is a disc of pigment of radius r
// in the skin's tangent plane, seen through the tissue above it as the disc convolved with an
// isotropic Gaussian of a per-channel width sigma_k (deeper and redder light spreads more).
// Where it covers the skin by a fraction c_k(rho) at distance rho from its centre, the skin's
// light is multiplied by 1 - c_k(rho) (1 - transmit_k); a fresh dot adds a wider Gaussian halo
// of redness, multiplying by 1 - h(rho) halo_k. Products of factors commute, so overlapping
// dots need no order. The footprint reaches the image through the 2x2 Jacobian of the camera
// at the dot, so dots are foreshortened ellipses on a curved head or a photo at an angle.
//
// The design (design.md, "Optics"): splat footprints into a buffer and modulate the skin once;
// never blur the whole frame per dot. Here the buffer is per 256 x 16 tile, so it stays in the
// cache, and tiles without dots are plain copies. Where the processor has AVX2 and FMA, eight
// pixels go at a time; the coverage profile then comes from polynomials fitted to its table (one
// over the whole row for blurred dots, piecewise cubics picked by a vector permute for sharp
// ones) instead of table lookups, which AVX2 can only gather slowly. Where it has AVX-512,
// sixteen at a time, with the same arithmetic in each lane (the same bytes as AVX2).
#pragma once

#include <array>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

namespace stipple {

// One dot in its tangent plane (mm), channels in R, G, B order.
struct DotFootprint {
  float radius_mm = 0.15f;                // pigment disc radius (diameter / 2)
  std::array<float, 3> sigma_mm{};        // per-channel blur through the skin (1 sigma)
  std::array<float, 3> darkening{};       // 1 - transmit: the fraction of light the pigment
                                          // takes where it covers fully, 0 - 1
  float halo_sigma_mm = 0;                // fresh redness around the dot; 0 for none
  std::array<float, 3> halo_darkening{};  // 1 - erythema transmit, 0 - 1
};

// A dot placed in the image.
struct ScreenDot {
  float x_px = 0, y_px = 0;  // projected centre (pixel centres at integers)
  // Pixel offset -> tangent-plane mm: the inverse of the camera's 2x2 Jacobian at the dot,
  // row-major (mm_u = m00 dx + m01 dy, mm_v = m10 dx + m11 dy).
  float m00 = 1, m01 = 0, m10 = 0, m11 = 1;
  DotFootprint footprint;
};

// Builds a ScreenDot from a pixel centre and the Jacobian J = d(pixel)/d(tangent mm); returns
// false (and leaves `out` alone) when the footprint is degenerate (seen edge-on).
bool make_screen_dot(float x_px, float y_px, const float J[4], const DotFootprint& footprint,
                     ScreenDot& out);

// The coverage at distance rho_mm from the centre of a disc of radius r_mm convolved with an
// isotropic Gaussian of sigma_mm (exact to ~1e-3 through a table of the integral; for tests
// and the optics pages). 0 <= result <= 1.
double disc_gaussian_coverage(double rho_mm, double radius_mm, double sigma_mm);

struct CompositeStats {
  int dots_drawn = 0;     // dots whose footprint touched the image (and the mask)
  int tiles = 0;          // the image's 256 x 16 pixel tiles
  int tiles_touched = 0;  // of them, those that needed more than a copy
};

// out = base with every dot's footprint multiplied in, in linear light (sRGB decoded and
// re-encoded, IEC 61966-2-1). base: CV_8UC3 in OpenCV's B, G, R order, at most 268 M pixels.
// mask: empty, or CV_8UC1 of base's size; dots multiply only where it is non-zero (hair,
// ears, background excluded). A pixel's footprint is evaluated at its centre, with the dot
// widened by a third of a pixel (the pixel's own box) so small dots are anti-aliased.
// Parallel over tiles (oneTBB); the result does not depend on the thread count. `out` may be
// `base` (in place). Throws std::invalid_argument naming the argument for a wrong type or size.
CompositeStats composite_dots(const cv::Mat& base, std::span<const ScreenDot> dots, cv::Mat& out,
                              const cv::Mat& mask = cv::Mat());

// The instruction sets composite_dots has kernels for, each a superset of the one before.
enum class SplatIsa { kScalar, kAvx2, kAvx512 };

// The best set this processor has (AVX-512 means F, DQ, BW, VL and VBMI), which composite_dots
// uses unless told otherwise.
SplatIsa best_splat_isa();

// Makes composite_dots use `isa`, for tests and benchmarks that pin each path; false (nothing
// changed) when the processor lacks it. Not while a composite runs: a call reads it once.
bool use_splat_isa(SplatIsa isa);

}  // namespace stipple
