#include "stipple/render/splat.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <Eigen/Dense>

#include "stipple/optics/colour.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace stipple {
namespace {

// Tiles are wide and short: a tile reads and writes its rows of the image as runs of
// 3 kTileW bytes, long enough for the processor's prefetchers, where a square tile's short runs
// from rows far apart in memory waited on each row's first cache line.
constexpr int kTileW = 256;
constexpr int kTileH = 16;
// A tile's factor planes have rows of kTileW + 8 floats: a vector of 8 pixels that starts on the
// tile's last pixel still lands inside its row, so the kernels need no masked loads or stores.
constexpr int kStride = kTileW + 8;
constexpr int kPlane = kTileH * kStride;
constexpr std::int64_t kMaxPixels = std::int64_t{1} << 28;
// A pixel's box (variance 1/12 px^2) widens every footprint a little: sigma 0.33 px.
constexpr double kPixelSigmaPx = 0.33;

// ---------------------------------------------------------------------------------------------
// The disc (radius r) convolved with a Gaussian (sigma), as a function of the distance rho
// from the disc's centre. No closed form (it is 1 - Marcum Q1), so a table: rows by
// beta = sigma / (r + sigma) in [0, 1] (0 a sharp disc, towards 1 a faint Gaussian; a dot
// interpolates linearly between the two rows either side of its beta), columns uniform in
// x^2 with x = rho / (r + 3 sigma) in [0, 1) (beyond x = 1 the coverage is below 0.012 of the
// centre's and dropped). Uniform in x^2 so a pixel needs no square root, and the table has
// more columns at the edge, where the profile changes, than in the flat middle.

constexpr int kBetaSteps = 64;                // disc rows 0..64, interpolated linearly in beta
constexpr int kGaussianRow = kBetaSteps + 1;  // and a Gaussian of unit peak, for the halo
constexpr int kRows = kBetaSteps + 2;
constexpr int kCols = 512;             // columns 0..511: x^2 = (j + 0.5) / kCols
constexpr int kRowStride = kCols + 1;  // and a zero at column kCols: lookups clamp onto it

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

// Coverage of a disc of radius r centred at the origin by a Gaussian centred at (rho, 0):
//   P = integral_{-r}^{r} phi_s(y) [Phi((c(y) - rho)/s) - Phi((-c(y) - rho)/s)] dy,
// c(y) = sqrt(r^2 - y^2), written with y = r sin(theta) (no square-root singularity at the
// ends) and cut to |y| <= 8 sigma (the Gaussian is nil beyond). The integrand is even in y, so
// twice the integral over [0, theta_max]; composite Simpson, 32 panels (splat_test checks the
// table against the closed form at the centre and against the disc's area).
double coverage_integral(double rho, double r, double s) {
  if (s <= 0) return rho < r ? 1.0 : (rho == r ? 0.5 : 0.0);
  if (r <= 0) return 0.0;
  const double theta_max = std::asin(std::min(1.0, 8 * s / r));
  constexpr int kPanels = 32;
  const double h = theta_max / kPanels;
  const double norm = 1 / (s * std::sqrt(2 * std::numbers::pi));
  double sum = 0;
  for (int i = 0; i <= kPanels; ++i) {
    const double theta = i * h;
    const double y = r * std::sin(theta), c = r * std::cos(theta);
    const double phi_y = std::exp(-0.5 * y * y / (s * s)) * norm;
    const double f = phi_y * (normal_cdf((c - rho) / s) - normal_cdf((-c - rho) / s)) * c;
    sum += f * (i == 0 || i == kPanels ? 1 : (i % 2 ? 4 : 2));
  }
  return std::clamp(2 * sum * h / 3, 0.0, 1.0);
}

// Where a footprint stops mattering: beyond the radius at which coverage x darkening falls
// under kNegligibleFactor, the factor rounds to the pixel's own value in 8 bits (a change of
// 0.2 % of the light is under half a code value everywhere but in the darkest shadows). Faint,
// dilute or deep dots reach less far, which is where most of the compositing time goes. The
// cut column is tabulated per row for kDarkLevels + 1 darkenings; a dot looks it up at its
// darkening rounded up (so it never reaches less far than its own darkening asks).
constexpr float kNegligibleFactor = 0.002f;
constexpr int kDarkLevels = 64;

struct CoverageTable {
  // kRows rows of kCols: the discs by beta (beta = 1 is a disc of no area: zeros), then a pure
  // Gaussian of unit peak, which is what the redness halo uses.
  std::vector<float> v;
  // cut[row * (kDarkLevels + 1) + level]: the first column whose coverage x level / kDarkLevels
  // is below kNegligibleFactor (the profile falls monotonically: a binary search).
  std::vector<std::uint16_t> cut;
  CoverageTable()
      : v(static_cast<std::size_t>(kRows * kRowStride), 0.0f),
        cut(static_cast<std::size_t>(kRows * (kDarkLevels + 1)), 0) {
    tbb::parallel_for(0, kRows, [&](int bi) {
      const double beta = std::min(1.0, static_cast<double>(bi) / kBetaSteps);
      const double r = 1 - beta, s = beta;  // r + sigma = 1
      for (int j = 0; j < kCols; ++j) {
        const double x = std::sqrt((j + 0.5) / kCols);
        const double rho = x * (r + 3 * s);
        v[static_cast<std::size_t>(bi * kRowStride + j)] = static_cast<float>(
            bi == kGaussianRow ? std::exp(-0.5 * rho * rho) : coverage_integral(rho, r, s));
      }
      for (int level = 1; level <= kDarkLevels; ++level) {
        const float dark = static_cast<float>(level) / kDarkLevels;
        const float* row = &v[static_cast<std::size_t>(bi * kRowStride)];
        int lo = 0, hi = kCols;  // the first column below the threshold is in [lo, hi]
        while (lo < hi) {
          const int mid = (lo + hi) / 2;
          if (row[mid] * dark < kNegligibleFactor) {
            hi = mid;
          } else {
            lo = mid + 1;
          }
        }
        cut[static_cast<std::size_t>(bi * (kDarkLevels + 1) + level)] =
            static_cast<std::uint16_t>(lo);
      }
    });
  }
  // The squared cut radius of row `index` at a darkening, as a fraction of the row's full reach
  // squared, (r + 3 sigma)^2: columns are uniform in x^2.
  double cut_fraction2(int index, float dark) const {
    if (!(dark > 0)) return 0;
    const int level = std::min(kDarkLevels, static_cast<int>(std::ceil(dark * kDarkLevels)));
    return static_cast<double>(cut[static_cast<std::size_t>(index * (kDarkLevels + 1) + level)]) /
           kCols;
  }
  // The rows either side of a beta, and the weight of the second.
  static int row_below(double beta, float& weight) {
    const double fb = std::clamp(beta, 0.0, 1.0) * kBetaSteps;
    const int b0 = std::min(static_cast<int>(fb), kBetaSteps - 1);
    weight = static_cast<float>(fb - b0);
    return b0;
  }
  const float* row(int index) const { return &v[static_cast<std::size_t>(index * kRowStride)]; }
  const float* gaussian_row() const { return row(kGaussianRow); }
};

// An immutable table, computed once on first use (thread-safe static initialisation).
const CoverageTable& coverage_table() {
  static const CoverageTable table;
  return table;
}

// ---------------------------------------------------------------------------------------------
// The same rows as piecewise cubics, for the vector kernel. A table lookup per pixel and
// channel is an AVX2 gather, which on the processors we run on (measured on an AMD EPYC: 4 ns
// a gather of 8) costs about as much as thirty arithmetic instructions; a cubic whose
// coefficients come from an in-register permute (eight segments, one per lane) costs four
// permutes and three fused multiply-adds. Segments are uniform in t = x^2 (the table's own
// coordinate): seven over [0, 1) and an eighth of zeros that t >= 1 clamps onto, as the table
// clamps onto its zero column. Each segment is a least-squares fit to the table's columns in it
// (Eigen's Householder QR); the fits miss the table by at most 5e-4 from beta = 0.08 up. A fit
// is used for a dot when its worst column's miss times the dot's darkening, the light it gets
// wrong, is within kPolyTolerance: the same 0.2 % of the light the reach cut deems negligible
// (under half a code value; the two together stay within one, as splat_test checks). Otherwise
// (sharp, dark discs, beta below ~0.07, where the edge is steeper than a cubic bends) the dot is
// drawn from the table.
constexpr int kSegments = 7;
constexpr int kDegree = 3;
constexpr float kPolyTolerance = kNegligibleFactor;

// Smooth rows (beta from ~0.27 up: most healed dots, whose blur is comparable to their
// radius) fit one polynomial over the whole of t in [0, 1) to within kPolyTolerance, degree 8
// in v = 2 t - 1; that needs no permutes at all, only fused multiply-adds, and a lane-crossing
// permute costs two cycles where a fused multiply-add costs half of one (measured on the
// EPYC we run on: twelve permutes were the vector kernel's bound). Each row is fitted at every
// degree from kMinGlobalDegree to kGlobalDegree, and a dot takes the lowest that is within
// tolerance on all three channels: the fused multiply-adds are the kernel's bound, and smoother
// or fainter profiles need fewer (a typical healed dot, degree 5 or 6 instead of 8).
constexpr int kGlobalDegree = 8;
constexpr int kMinGlobalDegree = 4;
constexpr int kGlobalDegrees = kGlobalDegree - kMinGlobalDegree + 1;

struct PolyRow {
  // coef[j][s]: the coefficient of u^j in segment s, u = kSegments t - s in [0, 1).
  alignas(32) std::array<std::array<float, 8>, kDegree + 1> coef{};
  float cubic_error = 0;  // the worst column's miss, coverage
  // global[D - kMinGlobalDegree][j]: the coefficient of v^j, v = 2 t - 1, in the fit of degree
  // D over the whole row, and that fit's worst miss.
  std::array<std::array<float, kGlobalDegree + 1>, kGlobalDegrees> global{};
  std::array<float, kGlobalDegrees> global_error{};
};

std::vector<PolyRow> fit_poly_rows(const CoverageTable& table) {
  std::vector<PolyRow> rows(kRows);
  tbb::parallel_for(0, kRows, [&](int bi) {
    const float* row = table.row(bi);
    PolyRow& out = rows[static_cast<std::size_t>(bi)];
    double worst = 0;
    for (int s = 0; s < kSegments; ++s) {
      // Columns whose t = (j + 0.5) / kCols lies in [s, s + 1) / kSegments.
      const int j0 = static_cast<int>(std::ceil(static_cast<double>(s) * kCols / kSegments - 0.5));
      const int j1 =
          static_cast<int>(std::ceil(static_cast<double>(s + 1) * kCols / kSegments - 0.5));
      const int m = j1 - j0;
      Eigen::MatrixXd a(m, kDegree + 1);
      Eigen::VectorXd b(m);
      for (int i = 0; i < m; ++i) {
        const double u = (j0 + i + 0.5) / kCols * kSegments - s;
        double p = 1;
        for (int d = 0; d <= kDegree; ++d, p *= u) a(i, d) = p;
        b(i) = row[j0 + i];
      }
      const Eigen::VectorXd c = a.householderQr().solve(b);
      worst = std::max(worst, (a * c - b).cwiseAbs().maxCoeff());
      for (int d = 0; d <= kDegree; ++d) {
        out.coef[static_cast<std::size_t>(d)][static_cast<std::size_t>(s)] =
            static_cast<float>(c(d));
      }
    }
    out.cubic_error = static_cast<float>(worst);
    // The whole row at once, least squares in the monomials of v = 2 t - 1 (conditioned well
    // enough on [-1, 1] at degree 8 for double precision), at each degree.
    for (int deg = kMinGlobalDegree; deg <= kGlobalDegree; ++deg) {
      Eigen::MatrixXd a(kCols, deg + 1);
      Eigen::VectorXd b(kCols);
      for (int j = 0; j < kCols; ++j) {
        const double v = 2 * (j + 0.5) / kCols - 1;
        double p = 1;
        for (int d = 0; d <= deg; ++d, p *= v) a(j, d) = p;
        b(j) = row[j];
      }
      const Eigen::VectorXd c = a.householderQr().solve(b);
      auto& g = out.global[static_cast<std::size_t>(deg - kMinGlobalDegree)];
      for (int d = 0; d <= deg; ++d) g[static_cast<std::size_t>(d)] = static_cast<float>(c(d));
      // Judged in the float arithmetic the kernel uses.
      double worst_global = 0;
      for (int j = 0; j < kCols; ++j) {
        const float v = static_cast<float>(2 * (j + 0.5) / kCols - 1);
        float p = g[static_cast<std::size_t>(deg)];
        for (int d = deg - 1; d >= 0; --d) p = std::fma(p, v, g[static_cast<std::size_t>(d)]);
        worst_global = std::max(worst_global, std::abs(static_cast<double>(p) - row[j]));
      }
      out.global_error[static_cast<std::size_t>(deg - kMinGlobalDegree)] =
          static_cast<float>(worst_global);
    }
  });
  return rows;
}

const std::vector<PolyRow>& poly_rows() {
  static const std::vector<PolyRow> rows = fit_poly_rows(coverage_table());
  return rows;
}

// ---------------------------------------------------------------------------------------------
// sRGB transfer (IEC 61966-2-1) as tables.

// The product of a pixel's 8-bit sRGB code and a light factor quantised to 1/255, re-encoded:
// product[code * 256 + q] = encode(decode(code) q / 255). One lookup a channel instead of a
// decode, a multiply and an encode; quantising the factor moves the result by at most one code
// value (a factor step is 0.4 % of the light).
constexpr int kFactorSteps = 255;

struct SrgbTables {
  std::array<float, 256> decode{};
  // Three bytes past the end: the AVX-512 pass reads each entry as the low byte of a 32-bit
  // gather.
  std::vector<std::uint8_t> product = std::vector<std::uint8_t>((kFactorSteps + 1) * 256 + 3);
  SrgbTables() {
    for (int i = 0; i < 256; ++i) {
      decode[static_cast<std::size_t>(i)] = static_cast<float>(optics::srgb_decode(i / 255.0));
    }
    for (int q = 0; q <= kFactorSteps; ++q) {
      for (int code = 0; code < 256; ++code) {
        const double c =
            optics::srgb_encode(decode[static_cast<std::size_t>(code)] * q / kFactorSteps);
        product[static_cast<std::size_t>(code * 256 + q)] =
            static_cast<std::uint8_t>(std::clamp(std::lround(c * 255), 0L, 255L));
      }
    }
  }
};

const SrgbTables& srgb_tables() {
  static const SrgbTables tables;
  return tables;
}

// ---------------------------------------------------------------------------------------------
// Per dot, per channel: the table row for its beta and the scale from rho^2 (mm^2) to a
// column. Four terms: the three channels' pigment and the redness halo (one row, three
// weights).

struct Box {
  int x0, y0, x1, y1;  // inclusive pixel range
};

// rho^2(dx, dy) = A dx^2 + 2 Bc dx dy + C dy^2, with dx, dy the pixel's offset from the centre.
struct Quadratic {
  float A, Bc, C;
};

Quadratic quadratic(const ScreenDot& d) {
  return {d.m00 * d.m00 + d.m10 * d.m10, d.m00 * d.m01 + d.m10 * d.m11,
          d.m01 * d.m01 + d.m11 * d.m11};
}

// No member initialisers: an array of them is left uninitialised (composite_dots' threads
// write each one, and so fault its pages in, in parallel); make_terms value-initialises.
struct DotTerms {
  float cx, cy;      // the centre, px
  Quadratic q;       // pixel offset -> rho^2 (mm^2)
  float inv_A;       // 1 / q.A
  Box box;           // the pixel box of the reach, clipped to the image
  float reach2_mm2;  // beyond: factor 1
  // Coverage, R, G, B: the rows either side of the channel's beta (row_below[k] and the next)
  // and the weight of the second (linear interpolation in beta).
  std::array<float, 3> beta_weight;
  std::array<float, 3> col_per_mm2;  // kCols / (r + 3 sigma)^2
  std::array<float, 3> dark;
  std::array<std::uint8_t, 3> row_below;
  std::uint8_t global_degree;  // the global polynomials' degree for all six rows; 0: none fits
  bool cubics;                 // all six rows' piecewise cubics fit
  bool halo;                   // a redness halo: halo_col_per_mm2 and halo (weights) below
  float halo_col_per_mm2;
  std::array<float, 3> halo_weight;
};

DotTerms make_terms(const ScreenDot& d, const CoverageTable& table,
                    const std::vector<PolyRow>& polys) {
  const DotFootprint& fp = d.footprint;
  // The pixel's own box, in mm at this dot: sqrt(|det(mm per px)|) mm per pixel.
  const double mm_per_px =
      std::sqrt(std::abs(static_cast<double>(d.m00) * d.m11 - static_cast<double>(d.m01) * d.m10));
  const double pix_sigma = kPixelSigmaPx * mm_per_px;
  const double r = std::max(0.0f, fp.radius_mm);
  DotTerms t{};
  t.cx = d.x_px;
  t.cy = d.y_px;
  t.q = quadratic(d);
  t.inv_A = t.q.A > 0 ? 1 / t.q.A : 0;
  double reach2 = 0;
  for (int k = 0; k < 3; ++k) {
    t.dark[k] = std::clamp(fp.darkening[k], 0.0f, 1.0f);
    const double sig =
        std::sqrt(static_cast<double>(fp.sigma_mm[k]) * fp.sigma_mm[k] + pix_sigma * pix_sigma);
    const double rk = r + 3 * sig;
    // An absent channel: the zero row (beta = 1), darkening 0.
    t.row_below[k] = kBetaSteps - 1;
    t.beta_weight[k] = 1;
    if (t.dark[k] <= 0 || r <= 0 || !(rk > 0) || !std::isfinite(rk)) {
      t.dark[k] = 0;
      continue;
    }
    const int b0 = CoverageTable::row_below(sig / (r + sig), t.beta_weight[k]);
    t.row_below[k] = static_cast<std::uint8_t>(b0);
    t.col_per_mm2[k] = static_cast<float>(kCols / (rk * rk));
    reach2 = std::max(reach2, rk * rk *
                                  std::max(table.cut_fraction2(b0, t.dark[k]),
                                           table.cut_fraction2(b0 + 1, t.dark[k])));
  }
  const double hs = fp.halo_sigma_mm;
  auto& hw = t.halo_weight;
  for (int k = 0; k < 3; ++k) hw[k] = std::clamp(fp.halo_darkening[k], 0.0f, 1.0f);
  if (hs > 0 && std::isfinite(hs) && (hw[0] > 0 || hw[1] > 0 || hw[2] > 0)) {
    t.halo = true;
    t.halo_col_per_mm2 = static_cast<float>(kCols / (9 * hs * hs));
    reach2 = std::max(
        reach2, 9 * hs * hs * table.cut_fraction2(kGaussianRow, std::max({hw[0], hw[1], hw[2]})));
  }
  t.reach2_mm2 = static_cast<float>(reach2);
  // The fits a dot may use: within tolerance, in light, on both rows of every channel.
  auto within = [&](auto error_of) {
    for (std::size_t k = 0; k < 3; ++k) {
      const PolyRow &r0 = polys[t.row_below[k]], &r1 = polys[t.row_below[k] + 1u];
      if (t.dark[k] * std::max(error_of(r0), error_of(r1)) > kPolyTolerance) return false;
    }
    return true;
  };
  t.cubics = within([](const PolyRow& r) { return r.cubic_error; });
  t.global_degree = 0;
  for (int deg = kMinGlobalDegree; deg <= kGlobalDegree && t.global_degree == 0; ++deg) {
    const auto i = static_cast<std::size_t>(deg - kMinGlobalDegree);
    if (within([i](const PolyRow& r) { return r.global_error[i]; })) {
      t.global_degree = static_cast<std::uint8_t>(deg);
    }
  }
  return t;
}

// The pixel box of a dot's reach: the ellipse J (reach disc), J = inverse of m.
bool dot_box(const ScreenDot& d, const DotTerms& terms, int w, int h, Box& box) {
  if (!(terms.reach2_mm2 > 0)) return false;
  const double det = static_cast<double>(d.m00) * d.m11 - static_cast<double>(d.m01) * d.m10;
  if (!(std::abs(det) > 0) || !std::isfinite(det)) return false;
  // J = m^-1 = [m11 -m01; -m10 m00] / det; half-extent in x of J * disc(reach) is
  // reach * |row 0 of J|.
  const double reach = std::sqrt(static_cast<double>(terms.reach2_mm2));
  const double m00 = d.m00, m01 = d.m01, m10 = d.m10, m11 = d.m11;
  const double ex = reach * std::sqrt(m11 * m11 + m01 * m01) / std::abs(det);
  const double ey = reach * std::sqrt(m10 * m10 + m00 * m00) / std::abs(det);
  if (!std::isfinite(ex) || !std::isfinite(ey) || !std::isfinite(d.x_px) ||
      !std::isfinite(d.y_px)) {
    return false;
  }
  const double bx0 = std::ceil(d.x_px - ex), bx1 = std::floor(d.x_px + ex);
  const double by0 = std::ceil(d.y_px - ey), by1 = std::floor(d.y_px + ey);
  if (bx1 < 0 || by1 < 0 || bx0 > w - 1 || by0 > h - 1) return false;
  box.x0 = static_cast<int>(std::max(0.0, bx0));
  box.y0 = static_cast<int>(std::max(0.0, by0));
  box.x1 = static_cast<int>(std::min<double>(w - 1, bx1));
  box.y1 = static_cast<int>(std::min<double>(h - 1, by1));
  return box.x0 <= box.x1 && box.y0 <= box.y1;
}

// The pixels of row dy (offset from the centre) within reach, clipped to [bx0, bx1]: rho^2 is a
// quadratic in x along a row, so the interval comes in closed form. False when it is empty.
inline bool row_span(const DotTerms& dt, float dy, int bx0, int bx1, int& xa, int& xb) {
  // A dx^2 + 2 (Bc dy) dx + (C dy^2 - reach2) < 0; A > 0 (dot_box refused singular Jacobians).
  const float bq = dt.q.Bc * dy, cq = dt.q.C * dy * dy - dt.reach2_mm2;
  const float disc = bq * bq - dt.q.A * cq;
  if (!(disc > 0)) return false;
  const float root = std::sqrt(disc);
  const float lo = (-bq - root) * dt.inv_A + dt.cx, hi = (-bq + root) * dt.inv_A + dt.cx;
  xa = std::max(bx0, static_cast<int>(std::ceil(lo)));
  xb = std::min(bx1, static_cast<int>(std::floor(hi)));
  return xa <= xb;
}

// The pixel box [bx0, bx1] x [by0, by1] of a dot clipped to a tile with origin (x0, y0); buf is
// the tile's three planes (R, G, B) of kTileH rows of kStride floats.
struct TileSpan {
  int x0, y0, bx0, bx1, by0, by1;
  const CoverageTable* table;
  const PolyRow* polys;
};

// The common case (no redness halo, no mask), 8 pixels at a time with AVX2 and FMA where the
// processor has them (checked once at run time: the build targets plain x86-64). Each row of the
// dot's box is walked in whole vectors: lanes past its end still lie in the row's padding, and
// lanes beyond the reach get a factor of exactly 1 from a mask (rho^2 < reach^2), so there are
// no masked loads or stores. The coverage comes from the global polynomial of the dot's degree
// (kGlobal), the cubic segments (kCubics) or, for dots neither fits, table gathers (kTable).
// Fused multiply-adds and the fits make results differ from the scalar loop below by up to 0.2 %
// of the light (splat_test bounds both against a per-pixel reference); on one machine they are
// always the same.
using SplatKernel = bool (*)(const DotTerms& dt, const TileSpan& s, float* buf);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// How the kernel gets a pixel's coverage.
enum class Profile { kGlobal, kCubics, kTable };

template <Profile kMode, int kDeg = kGlobalDegree>
__attribute__((target("avx2,fma"))) bool splat_avx2(const DotTerms& dt, const TileSpan& s,
                                                    float* buf) {
  const Quadratic q = dt.q;
  const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 va = _mm256_set1_ps(q.A), zero = _mm256_setzero_ps();
  const __m256 reach2 = _mm256_set1_ps(dt.reach2_mm2);
  const __m256 last_segment = _mm256_set1_ps(static_cast<float>(kSegments));
  const __m256i last_col = _mm256_set1_epi32(kCols);
  constexpr bool kPoly = kMode == Profile::kCubics;
  const __m256 one = _mm256_set1_ps(1), minus_one = _mm256_set1_ps(-1);
  __m256 scale[3], dark[3], weight[3];
  // The polynomials' coefficients, interpolated in beta and times the channel's darkening: the
  // polynomial then gives the light taken directly.
  alignas(32) float coef[3][kDegree + 1][8];
  __m256 global[3][kDeg + 1];
  for (std::size_t k = 0; k < 3; ++k) {
    const float per_col = kMode == Profile::kCubics   ? static_cast<float>(kSegments) / kCols
                          : kMode == Profile::kGlobal ? 2.0f / kCols
                                                      : 1.0f;
    scale[k] = _mm256_set1_ps(dt.col_per_mm2[k] * per_col);
    dark[k] = _mm256_set1_ps(dt.dark[k]);
    if constexpr (kMode == Profile::kGlobal) {
      const PolyRow &r0 = s.polys[dt.row_below[k]], &r1 = s.polys[dt.row_below[k] + 1u];
      const auto& g0 = r0.global[kDeg - kMinGlobalDegree];
      const auto& g1 = r1.global[kDeg - kMinGlobalDegree];
      for (std::size_t j = 0; j <= kDeg; ++j) {
        global[k][j] = _mm256_set1_ps(dt.dark[k] * (g0[j] + dt.beta_weight[k] * (g1[j] - g0[j])));
      }
    } else if constexpr (kPoly) {
      const __m256 wb = _mm256_set1_ps(dt.beta_weight[k]);
      for (std::size_t j = 0; j <= kDegree; ++j) {
        const __m256 c0 = _mm256_load_ps(s.polys[dt.row_below[k]].coef[j].data());
        const __m256 c1 = _mm256_load_ps(s.polys[dt.row_below[k] + 1u].coef[j].data());
        _mm256_store_ps(coef[k][j],
                        _mm256_mul_ps(_mm256_fmadd_ps(wb, _mm256_sub_ps(c1, c0), c0), dark[k]));
      }
    } else {
      weight[k] = _mm256_set1_ps(dt.beta_weight[k]);
    }
  }
  // Every row of the box in the same whole vectors: a trip count that does not change from row
  // to row (the processor predicts it), where a per-row span would save lanes but mispredict
  // its end on most rows.
  const int n = s.bx1 - s.bx0 + 1;
  const float dx0 = static_cast<float>(s.bx0) - dt.cx;
  __m256 seen = zero;
  for (int y = s.by0; y <= s.by1; ++y) {
    const float dy = static_cast<float>(y) - dt.cy;
    const __m256 vb2 = _mm256_set1_ps(2 * q.Bc * dy), vc = _mm256_set1_ps(q.C * dy * dy);
    float* p = buf + static_cast<std::size_t>((y - s.y0) * kStride + (s.bx0 - s.x0));
    for (int i = 0; i < n; i += 8) {
      const __m256 dx = _mm256_add_ps(_mm256_set1_ps(dx0 + static_cast<float>(i)), lane);
      // rho^2 = (A dx + 2 Bc dy) dx + C dy^2
      const __m256 r2 = _mm256_max_ps(zero, _mm256_fmadd_ps(_mm256_fmadd_ps(va, dx, vb2), dx, vc));
      const __m256 inside = _mm256_cmp_ps(r2, reach2, _CMP_LT_OQ);
      seen = _mm256_or_ps(seen, inside);
      for (std::size_t k = 0; k < 3; ++k) {
        __m256 taken;  // coverage x darkening
        __m256 mask = inside;
        if constexpr (kMode == Profile::kGlobal) {
          // v = 2 t - 1; nothing from t >= 1 on, as in the table.
          const __m256 v = _mm256_fmadd_ps(r2, scale[k], minus_one);
          mask = _mm256_and_ps(mask, _mm256_cmp_ps(v, one, _CMP_LT_OQ));
          taken = global[k][kDeg];
          for (int j = kDeg - 1; j >= 0; --j) {
            taken = _mm256_fmadd_ps(taken, v, global[k][j]);
          }
        } else if constexpr (kPoly) {
          const auto& c = coef[k];
          const __m256 t = _mm256_min_ps(_mm256_mul_ps(r2, scale[k]), last_segment);
          const __m256 seg = _mm256_floor_ps(t);
          const __m256 u = _mm256_sub_ps(t, seg);
          const __m256i si = _mm256_cvttps_epi32(seg);
          taken = _mm256_permutevar8x32_ps(_mm256_load_ps(c[kDegree]), si);
          for (int j = kDegree - 1; j >= 0; --j) {
            taken = _mm256_fmadd_ps(taken, u, _mm256_permutevar8x32_ps(_mm256_load_ps(c[j]), si));
          }
        } else {
          const __m256i col =
              _mm256_min_epi32(_mm256_cvttps_epi32(_mm256_mul_ps(r2, scale[k])), last_col);
          const float* row = s.table->row(dt.row_below[k]);
          const __m256 c0 = _mm256_i32gather_ps(row, col, 4);
          const __m256 c1 = _mm256_i32gather_ps(row + kRowStride, col, 4);
          taken = _mm256_mul_ps(_mm256_fmadd_ps(weight[k], _mm256_sub_ps(c1, c0), c0), dark[k]);
        }
        // buf (1 - taken) = buf - buf taken, with taken 0 beyond the reach.
        float* pk = p + k * kPlane + i;
        const __m256 b = _mm256_loadu_ps(pk);
        _mm256_storeu_ps(pk, _mm256_fnmadd_ps(b, _mm256_and_ps(taken, mask), b));
      }
    }
  }
  return _mm256_movemask_ps(seen) != 0;
}

// The same kernels with AVX-512 (F, DQ, BW, VL), 16 lanes a vector. A row of a dot's box is
// walked in vectors of 16 pixels while more than 8 are left; the 8 or fewer left over (all of a
// row, for dots under 9 pixels wide) go two rows to a vector, this row's in lanes 0-7 and the
// next's in lanes 8-15, loaded and stored as two halves. At 24 MP most healed dots' boxes are 15
// to 20 pixels wide in a tile, at 2048 x 2048 6 to 9: either way about half the vectors AVX2
// needs, and the instructions, not their width, are the bound. (A 256-bit vector for the rest
// instead was 5 % slower than AVX2 at 2048 x 2048, on the Sapphire Rapids we run on: no fewer
// instructions, and GCC copied a register before each of their fused multiply-adds.) Lanes
// outside the reach, past the profile's end or past the box come out of one mask register that
// the loads and stores take, so padding and the next row are never touched (16 lanes could
// reach past a row's 8 padding floats) and there is no and of the light taken with a mask. Each
// lane does the same arithmetic, in the same order, as in splat_avx2 (the offsets dx of lanes
// 8-15 start from their own multiple of 8 as there), so the two give the same bits.
//
// Tried and dropped (paired runs at 24 MP): rests of 4 pixels or fewer four rows to a vector
// (quarters loaded and stored apart; 1 % slower, the extra inserts and extracts eat the saved
// arithmetic); the coefficients interpolated once per dot into DotTerms instead of per tile
// (4-9 % slower, at both sizes: twice the bytes a dot for the setup to write and the binning and
// the tiles to read).
//
// GCC 12's AVX-512 intrinsics start their results from a self-initialised placeholder
// (_mm512_undefined_*), which its -W(maybe-)uninitialized then flags wherever they are inlined;
// GCC 13 silences that in its own headers. Nothing here reads an undefined value.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#define STIPPLE_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

// A dot's terms for the kernel, broadcast to 16 lanes.
template <int kDeg>
struct WideTerms {
  __m512 va, reach2, scale[3], dark[3], weight[3];
  __m512 global[3][kDeg + 1];   // kGlobal: the polynomial's coefficients, times darkening
  __m512 coef[3][kDegree + 1];  // kCubics: the segments' coefficients (lanes 0-7, twice)
  const float* rows[3];         // kTable: the rows below the channels' betas
};

// One vector: the pixels under mask `lanes` at offsets dx from the centre (rho^2 = (A dx + vb2)
// dx + vc), whose factors in the R plane start at p, or, kPaired, at p for lanes 0-7 and at p1
// for lanes 8-15. Returns the lanes within the reach.
template <Profile kMode, int kDeg, bool kPaired>
STIPPLE_AVX512 inline __mmask16 splat_vector(const WideTerms<kDeg>& w, __m512 dx, __m512 vb2,
                                             __m512 vc, __mmask16 lanes, float* p, float* p1) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1);
  const __m512 r2 = _mm512_max_ps(zero, _mm512_fmadd_ps(_mm512_fmadd_ps(w.va, dx, vb2), dx, vc));
  const __mmask16 inside = _mm512_mask_cmp_ps_mask(lanes, r2, w.reach2, _CMP_LT_OQ);
  for (std::size_t k = 0; k < 3; ++k) {
    __m512 taken;  // coverage x darkening
    __mmask16 mask = inside;
    if constexpr (kMode == Profile::kGlobal) {
      // v = 2 t - 1; nothing from t >= 1 on, as in the table.
      const __m512 v = _mm512_fmadd_ps(r2, w.scale[k], _mm512_set1_ps(-1));
      mask = _mm512_mask_cmp_ps_mask(mask, v, one, _CMP_LT_OQ);
      taken = w.global[k][kDeg];
      for (int j = kDeg - 1; j >= 0; --j) taken = _mm512_fmadd_ps(taken, v, w.global[k][j]);
    } else if constexpr (kMode == Profile::kCubics) {
      const __m512 t = _mm512_min_ps(_mm512_mul_ps(r2, w.scale[k]),
                                     _mm512_set1_ps(static_cast<float>(kSegments)));
      const __m512 seg = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
      const __m512 u = _mm512_sub_ps(t, seg);
      const __m512i si = _mm512_cvttps_epi32(seg);
      taken = _mm512_permutexvar_ps(si, w.coef[k][kDegree]);
      for (int j = kDegree - 1; j >= 0; --j) {
        taken = _mm512_fmadd_ps(taken, u, _mm512_permutexvar_ps(si, w.coef[k][j]));
      }
    } else {
      const __m512i col = _mm512_min_epi32(_mm512_cvttps_epi32(_mm512_mul_ps(r2, w.scale[k])),
                                           _mm512_set1_epi32(kCols));
      const __m512 c0 = _mm512_mask_i32gather_ps(zero, mask, col, w.rows[k], 4);
      const __m512 c1 = _mm512_mask_i32gather_ps(zero, mask, col, w.rows[k] + kRowStride, 4);
      taken = _mm512_mul_ps(_mm512_fmadd_ps(w.weight[k], _mm512_sub_ps(c1, c0), c0), w.dark[k]);
    }
    // buf (1 - taken) = buf - buf taken, where the mask says; elsewhere buf is left alone.
    float* pk = p + k * kPlane;
    if constexpr (kPaired) {
      float* pk1 = p1 + k * kPlane;
      const auto lo = static_cast<__mmask8>(mask), hi = static_cast<__mmask8>(mask >> 8);
      const __m512 b = _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_maskz_loadu_ps(lo, pk)),
                                          _mm256_maskz_loadu_ps(hi, pk1), 1);
      const __m512 f = _mm512_fnmadd_ps(b, taken, b);
      _mm256_mask_storeu_ps(pk, lo, _mm512_castps512_ps256(f));
      _mm256_mask_storeu_ps(pk1, hi, _mm512_extractf32x8_ps(f, 1));
    } else {
      const __m512 b = _mm512_maskz_loadu_ps(mask, pk);
      _mm512_mask_storeu_ps(pk, mask, _mm512_fnmadd_ps(b, taken, b));
    }
  }
  return inside;
}

template <Profile kMode, int kDeg = kGlobalDegree>
STIPPLE_AVX512 bool splat_avx512(const DotTerms& dt, const TileSpan& s, float* buf) {
  const Quadratic q = dt.q;
  WideTerms<kDeg> w;
  w.va = _mm512_set1_ps(q.A);
  w.reach2 = _mm512_set1_ps(dt.reach2_mm2);
  for (std::size_t k = 0; k < 3; ++k) {
    const float per_col = kMode == Profile::kCubics   ? static_cast<float>(kSegments) / kCols
                          : kMode == Profile::kGlobal ? 2.0f / kCols
                                                      : 1.0f;
    w.scale[k] = _mm512_set1_ps(dt.col_per_mm2[k] * per_col);
    w.dark[k] = _mm512_set1_ps(dt.dark[k]);
    w.weight[k] = _mm512_set1_ps(dt.beta_weight[k]);
    w.rows[k] = s.table->row(dt.row_below[k]);
    if constexpr (kMode == Profile::kGlobal) {
      // All the coefficients in one vector, then broadcast one by one from memory: a third of
      // the instructions of interpolating each apart (splat_avx2's fused g0 + w (g1 - g0), then
      // times the darkening: the same bits).
      const PolyRow &r0 = s.polys[dt.row_below[k]], &r1 = s.polys[dt.row_below[k] + 1u];
      constexpr auto kCoefs = static_cast<__mmask16>((1u << (kDeg + 1)) - 1);
      const __m512 g0 = _mm512_maskz_loadu_ps(kCoefs, r0.global[kDeg - kMinGlobalDegree].data());
      const __m512 g1 = _mm512_maskz_loadu_ps(kCoefs, r1.global[kDeg - kMinGlobalDegree].data());
      alignas(64) float c[16];
      _mm512_store_ps(
          c, _mm512_mul_ps(_mm512_fmadd_ps(w.weight[k], _mm512_sub_ps(g1, g0), g0), w.dark[k]));
      for (std::size_t j = 0; j <= kDeg; ++j) w.global[k][j] = _mm512_set1_ps(c[j]);
    } else if constexpr (kMode == Profile::kCubics) {
      const __m256 wb = _mm256_set1_ps(dt.beta_weight[k]), dk = _mm256_set1_ps(dt.dark[k]);
      for (std::size_t j = 0; j <= kDegree; ++j) {
        const __m256 c0 = _mm256_load_ps(s.polys[dt.row_below[k]].coef[j].data());
        const __m256 c1 = _mm256_load_ps(s.polys[dt.row_below[k] + 1u].coef[j].data());
        w.coef[k][j] = _mm512_broadcast_f32x8(
            _mm256_mul_ps(_mm256_fmadd_ps(wb, _mm256_sub_ps(c1, c0), c0), dk));
      }
    }
  }
  // The row's vectors of 16 and their offsets dx, per lane as splat_avx2 computes them, then
  // the 0 to 8 pixels left (rest), whose offsets fill both halves of the paired vectors.
  const int n = s.bx1 - s.bx0 + 1;
  const float dx0 = static_cast<float>(s.bx0) - dt.cx;
  const __m512 lane = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
  constexpr int kMaxWide = kTileW / 16 + 1;
  __m512 dx[kMaxWide];
  int wide = 0;
  for (; n - 16 * wide > 8; ++wide) {  // lanes 0-7 from pixel 16 wide on, 8-15 from 8 further
    const float from = dx0 + static_cast<float>(16 * wide);
    const float from8 = dx0 + static_cast<float>(16 * wide + 8);
    dx[wide] =
        _mm512_add_ps(_mm512_insertf32x8(_mm512_set1_ps(from), _mm256_set1_ps(from8), 1), lane);
  }
  const int last = n - 16 * (wide - 1);  // pixels under the last vector of 16
  const auto last_wide = static_cast<__mmask16>(wide == 0 || last >= 16 ? 0xffff : (1 << last) - 1);
  const int rest = std::max(0, n - 16 * wide);
  const __m512 dx_rest = _mm512_add_ps(_mm512_set1_ps(dx0 + static_cast<float>(16 * wide)), lane);
  const auto rest_lanes = static_cast<__mmask16>(((1 << rest) - 1) * 0x101);
  __mmask16 seen = 0;
  for (int y = s.by0; y <= s.by1; y += 2) {
    const bool pair = y < s.by1;
    const float dy = static_cast<float>(y) - dt.cy;
    const float dy1 = static_cast<float>(y + 1) - dt.cy;
    const __m512 vb2 = _mm512_set1_ps(2 * q.Bc * dy), vc = _mm512_set1_ps(q.C * dy * dy);
    const __m512 vb2_1 = _mm512_set1_ps(2 * q.Bc * dy1), vc_1 = _mm512_set1_ps(q.C * dy1 * dy1);
    float* p = buf + static_cast<std::size_t>((y - s.y0) * kStride + (s.bx0 - s.x0));
    float* p1 = pair ? p + kStride : p;
    for (int i = 0; i < wide; ++i) {
      const __mmask16 lanes = i + 1 < wide ? 0xffff : last_wide;
      seen |= splat_vector<kMode, kDeg, false>(w, dx[i], vb2, vc, lanes, p + 16 * i, nullptr);
      if (pair) {
        seen |=
            splat_vector<kMode, kDeg, false>(w, dx[i], vb2_1, vc_1, lanes, p1 + 16 * i, nullptr);
      }
    }
    if (rest > 0) {
      const __m512 b2 = _mm512_insertf32x8(vb2, _mm512_castps512_ps256(vb2_1), 1);
      const __m512 c = _mm512_insertf32x8(vc, _mm512_castps512_ps256(vc_1), 1);
      const auto lanes = static_cast<__mmask16>(pair ? rest_lanes : rest_lanes & 0xff);
      seen |=
          splat_vector<kMode, kDeg, true>(w, dx_rest, b2, c, lanes, p + 16 * wide, p1 + 16 * wide);
    }
  }
  return seen != 0;
}

#undef STIPPLE_AVX512
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic pop
#endif

// A tile's planes set to 1 before its dots multiply in, in 32-byte stores (the build's own
// fill uses 16).
__attribute__((target("avx2,fma"))) void fill_ones_avx2(float* buf, std::size_t n) {
  const __m256 one = _mm256_set1_ps(1);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(buf + i, one);
  for (; i < n; ++i) buf[i] = 1;
}

#endif

// ---------------------------------------------------------------------------------------------
// The tile's factors applied to its pixels, one row of n pixels: dst = product[src][q(f)] per
// channel (OpenCV's B, G, R bytes against the planes' R, G, B). The factor is clamped to [0, 1]
// (a cubic's last bits can stray past either end).

inline int factor_step(float f) {
  return std::clamp(static_cast<int>(f * kFactorSteps + 0.5f), 0, kFactorSteps);
}

void modulate_scalar(const std::uint8_t* src, std::uint8_t* dst, float* fr, float* fg, float* fb,
                     int n, const std::uint8_t* product) {
  for (int x = 0; x < n; ++x, src += 3, dst += 3) {
    dst[0] = product[src[0] * 256 + factor_step(fb[x])];
    dst[1] = product[src[1] * 256 + factor_step(fg[x])];
    dst[2] = product[src[2] * 256 + factor_step(fr[x])];
  }
}

// Eight pixels at a time: the table indices (code * 256 + q) in vector registers (the codes
// pulled out of the B, G, R bytes with byte shuffles), then the lookups one by one, which on
// these processors beat a gather (two loads and a store a value, at three loads a cycle).
// Eight pixels whose factors are all 1 are copied. (The factors are not const: the AVX-512 pass
// sets them back to 1 as it goes, Kernels::restores.)
using ModulateKernel = void (*)(const std::uint8_t* src, std::uint8_t* dst, float* fr, float* fg,
                                float* fb, int n, const std::uint8_t* product);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// q(f) for eight factors. (The table is by code, then factor: neighbouring pixels share codes
// more than factors, so their lookups fall in fewer cache lines; 2 % faster than by factor.)
__attribute__((target("avx2,fma"))) inline __m256i factor_steps(__m256 f) {
  const __m256i step =
      _mm256_cvttps_epi32(_mm256_fmadd_ps(f, _mm256_set1_ps(kFactorSteps), _mm256_set1_ps(0.5f)));
  return _mm256_max_epi32(_mm256_setzero_si256(),
                          _mm256_min_epi32(step, _mm256_set1_epi32(kFactorSteps)));
}

__attribute__((target("avx2,fma"))) void modulate_avx2(const std::uint8_t* src, std::uint8_t* dst,
                                                       float* fr, float* fg, float* fb, int n,
                                                       const std::uint8_t* product) {
  const __m256 one = _mm256_set1_ps(1);
  // Byte shuffles that widen channel c of four packed BGR pixels to four 32-bit lanes: pixels
  // 0-3 from bytes 0-11 of the first 16, pixels 4-7 from bytes 4-15 of bytes 8-23.
  auto widen = [](int first) {
    return _mm_setr_epi8(static_cast<char>(first), -1, -1, -1, static_cast<char>(first + 3), -1, -1,
                         -1, static_cast<char>(first + 6), -1, -1, -1, static_cast<char>(first + 9),
                         -1, -1, -1);
  };
  const __m128i lo_shuffle[3] = {widen(0), widen(1), widen(2)};
  const __m128i hi_shuffle[3] = {widen(4), widen(5), widen(6)};
  alignas(32) std::array<std::array<std::int32_t, 8>, 3> index{};
  int x = 0;
  for (; x + 8 <= n; x += 8, src += 24, dst += 24) {
    const __m256 f[3] = {_mm256_loadu_ps(fb + x), _mm256_loadu_ps(fg + x), _mm256_loadu_ps(fr + x)};
    const __m256 all_one = _mm256_and_ps(
        _mm256_cmp_ps(f[0], one, _CMP_EQ_OQ),
        _mm256_and_ps(_mm256_cmp_ps(f[1], one, _CMP_EQ_OQ), _mm256_cmp_ps(f[2], one, _CMP_EQ_OQ)));
    if (_mm256_movemask_ps(all_one) == 0xff) {
      if (dst != src) std::memcpy(dst, src, 24);
      continue;
    }
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    const __m128i hi = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + 16));
    const __m128i mid = _mm_alignr_epi8(hi, lo, 8);
    for (std::size_t c = 0; c < 3; ++c) {
      const __m256i code = _mm256_set_m128i(_mm_shuffle_epi8(mid, hi_shuffle[c]),
                                            _mm_shuffle_epi8(lo, lo_shuffle[c]));
      _mm256_store_si256(reinterpret_cast<__m256i*>(index[c].data()),
                         _mm256_add_epi32(factor_steps(f[c]), _mm256_slli_epi32(code, 8)));
    }
    for (std::size_t i = 0; i < 8; ++i) {
      dst[3 * i] = product[index[0][i]];
      dst[3 * i + 1] = product[index[1][i]];
      dst[3 * i + 2] = product[index[2][i]];
    }
  }
  modulate_scalar(src, dst, fr + x, fg + x, fb + x, n - x, product);
}

// GCC 12's false warnings silenced as for splat_avx512.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

// Sixteen pixels at a time with AVX-512 (F, BW and VBMI's byte permutes): the codes pulled out of
// the 48 B, G, R bytes straight into the second byte of each lane's index by one byte permute,
// the lookups as 32-bit gathers (the low byte is the entry; a gather is one load a value where
// the AVX2 pass above pays two loads and a store), and the three channels' results interleaved
// back into B, G, R bytes by two more permutes and written with one masked store. Lanes whose
// factor is exactly 1 are not gathered but keep their code, which is what the table holds there
// (product[code * 256 + 255] = code), so the bytes are the AVX2 pass's. The row's last pixels
// go through the same loop under a mask: no scalar tail. Each factor read that is not 1 is set
// back to 1, while its line is in the cache: the splat kernels of this instruction set (and the
// scalar loop for masks and halos) write nothing outside the tile's pixels, so that leaves the
// whole buffer at 1 for the next tile, which then needs no fill (a pass over 50 KB, more than
// the L1 cache; 5 % of the time at 24 MP). Tried and dropped, on a hot tile: the lookups one by
// one from indices built 16 at a time, as the AVX2 pass does (1.7 times slower than the
// gathers here), and two channels gathered with the third looked up one by one (slower
// still); gathering only the lanes whose factor is not 1 costs a gather as much as all 16.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void modulate_avx512(
    const std::uint8_t* src, std::uint8_t* dst, float* fr, float* fg, float* fb, int n,
    const std::uint8_t* product) {
  struct Shuffles {
    alignas(64) std::array<std::uint8_t, 64> code[3];  // pixel j's channel c to byte 4j + 1
    alignas(64) std::array<std::uint8_t, 64> merge01;  // B, G from lanes' low bytes to 3j, 3j+1
    alignas(64) std::array<std::uint8_t, 64> merge2;   // R from lane j's low byte to 3j + 2
  };
  static constexpr Shuffles kShuffles = [] {
    Shuffles t{};
    for (std::size_t j = 0; j < 16; ++j) {
      for (std::size_t c = 0; c < 3; ++c)
        t.code[c][4 * j + 1] = static_cast<std::uint8_t>(3 * j + c);
      t.merge01[3 * j] = static_cast<std::uint8_t>(4 * j);
      t.merge01[3 * j + 1] = static_cast<std::uint8_t>(64 + 4 * j);
      t.merge2[3 * j + 2] = static_cast<std::uint8_t>(4 * j);
    }
    return t;
  }();
  constexpr __mmask64 kSecondBytes = 0x2222'2222'2222'2222ULL;
  constexpr __mmask64 kThirdOfThree = 0x9249'2492'4924ULL;  // bytes 3j + 2
  const __m512i code_shuffle[3] = {_mm512_load_si512(kShuffles.code[0].data()),
                                   _mm512_load_si512(kShuffles.code[1].data()),
                                   _mm512_load_si512(kShuffles.code[2].data())};
  const __m512i merge01 = _mm512_load_si512(kShuffles.merge01.data());
  const __m512i merge2 = _mm512_load_si512(kShuffles.merge2.data());
  const __m512 one = _mm512_set1_ps(1), steps = _mm512_set1_ps(kFactorSteps),
               half = _mm512_set1_ps(0.5f);
  const __m512i zero = _mm512_setzero_si512(), top = _mm512_set1_epi32(kFactorSteps);
  float* f[3] = {fb, fg, fr};
  for (int x = 0; x < n; x += 16, src += 48, dst += 48) {
    const int m = std::min(16, n - x);
    const auto lanes = static_cast<__mmask16>((1u << m) - 1);
    const __mmask64 bytes = (std::uint64_t{1} << (3 * m)) - 1;
    __m512 fc[3];
    __mmask16 dark[3];
    for (std::size_t c = 0; c < 3; ++c) {
      fc[c] = _mm512_mask_loadu_ps(one, lanes, f[c] + x);
      dark[c] = _mm512_cmp_ps_mask(fc[c], one, _CMP_NEQ_UQ);
      _mm512_mask_storeu_ps(f[c] + x, dark[c], one);  // the next tile's starting factor
    }
    const __m512i px = _mm512_maskz_loadu_epi8(bytes, src);
    if ((dark[0] | dark[1] | dark[2]) == 0) {
      if (dst != src) _mm512_mask_storeu_epi8(dst, bytes, px);
      continue;
    }
    __m512i v[3];
    for (std::size_t c = 0; c < 3; ++c) {
      // code * 256 + q(f): the code lands in each lane's second byte.
      const __m512i code = _mm512_maskz_permutexvar_epi8(kSecondBytes, code_shuffle[c], px);
      const __m512i q = _mm512_max_epi32(
          zero, _mm512_min_epi32(_mm512_cvttps_epi32(_mm512_fmadd_ps(fc[c], steps, half)), top));
      v[c] = _mm512_mask_i32gather_epi32(_mm512_srli_epi32(code, 8), dark[c],
                                         _mm512_or_si512(code, q), product, 1);
    }
    const __m512i out = _mm512_mask_permutexvar_epi8(_mm512_permutex2var_epi8(v[0], merge01, v[1]),
                                                     kThirdOfThree, merge2, v[2]);
    _mm512_mask_storeu_epi8(dst, bytes, out);
  }
}

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic pop
#endif

#endif

void fill_ones(float* buf, std::size_t n) {
  std::fill(buf, buf + n, 1.0f);
}

// The kernels of each instruction set: AVX-512 (F, DQ, BW, VL and VBMI), AVX2 with FMA, or the
// scalar loops (no vector splat kernel: splat_into_tile falls back to splat_rows). The build
// targets plain x86-64, so the processor is asked once at run time which it has.
struct Kernels {
  std::array<SplatKernel, kGlobalDegrees> global{};  // by degree, from kMinGlobalDegree
  SplatKernel poly = nullptr, table = nullptr;
  void (*fill)(float* buf, std::size_t n) = &fill_ones;
  ModulateKernel modulate = &modulate_scalar;
  bool restores = false;  // modulate leaves the factors it read at 1 (the tile needs no fill)
};

Kernels kernels_for(SplatIsa isa) {
  Kernels k;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static_assert(kGlobalDegrees == 5);
  if (isa >= SplatIsa::kAvx2) {
    k = {{&splat_avx2<Profile::kGlobal, 4>, &splat_avx2<Profile::kGlobal, 5>,
          &splat_avx2<Profile::kGlobal, 6>, &splat_avx2<Profile::kGlobal, 7>,
          &splat_avx2<Profile::kGlobal, 8>},
         &splat_avx2<Profile::kCubics>,
         &splat_avx2<Profile::kTable>,
         &fill_ones_avx2,
         &modulate_avx2};
  }
  if (isa >= SplatIsa::kAvx512) {
    k.global = {&splat_avx512<Profile::kGlobal, 4>, &splat_avx512<Profile::kGlobal, 5>,
                &splat_avx512<Profile::kGlobal, 6>, &splat_avx512<Profile::kGlobal, 7>,
                &splat_avx512<Profile::kGlobal, 8>};
    k.poly = &splat_avx512<Profile::kCubics>;
    k.table = &splat_avx512<Profile::kTable>;
    k.modulate = &modulate_avx512;
    k.restores = true;
  }
#else
  (void)isa;
#endif
  return k;
}

SplatIsa detect_isa() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512vbmi")) {
    return SplatIsa::kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SplatIsa::kAvx2;
#endif
  return SplatIsa::kScalar;
}

// Every instruction set's kernels, built once on first use (thread-safe static
// initialisation), and the set in use: the processor's best unless use_splat_isa said otherwise.
struct KernelChoice {
  SplatIsa best = detect_isa();
  std::array<Kernels, 3> by_isa = {kernels_for(SplatIsa::kScalar), kernels_for(SplatIsa::kAvx2),
                                   kernels_for(SplatIsa::kAvx512)};
  std::atomic<SplatIsa> current{best};
};

KernelChoice& kernel_choice() {
  static KernelChoice choice;
  return choice;
}

// The kernels in use; composite_dots reads them once a call, so a call is one path throughout.
const Kernels& vector_kernels() {
  KernelChoice& c = kernel_choice();
  return c.by_isa[static_cast<std::size_t>(c.current.load(std::memory_order_relaxed))];
}

// One dot's footprint multiplied into a tile's factor planes, row by row over the pixels within
// its reach, with rho^2 stepped by differences along a row; the general case (redness halo, a
// mask) and the fallback where there is no AVX2. Returns whether any pixel was touched.
template <bool kHalo, bool kMasked>
bool splat_rows(const DotTerms& dt, const TileSpan& s, const cv::Mat& mask, float* buf) {
  const Quadratic q = dt.q;
  const std::array<float, 3> col = dt.col_per_mm2, dark = dt.dark, halo_w = dt.halo_weight;
  const std::array<const float*, 3> rows = {
      s.table->row(dt.row_below[0]), s.table->row(dt.row_below[1]), s.table->row(dt.row_below[2])};
  const float* halo_row = s.table->gaussian_row();
  const std::array<float, 3> wb = dt.beta_weight;
  bool any = false;
  for (int y = s.by0; y <= s.by1; ++y) {
    const float dy = static_cast<float>(y) - dt.cy;
    int xa = 0, xb = 0;
    if (!row_span(dt, dy, s.bx0, s.bx1, xa, xb)) continue;
    any = true;
    const float bq = q.Bc * dy;
    float dx = static_cast<float>(xa) - dt.cx;
    float rho2 = q.A * dx * dx + 2 * bq * dx + q.C * dy * dy;
    // rho^2(dx + 1) - rho^2(dx) = A (2 dx + 1) + 2 bq.
    float step = q.A * (2 * dx + 1) + 2 * bq;
    const float step2 = 2 * q.A;
    float* p = buf + static_cast<std::size_t>((y - s.y0) * kStride + (xa - s.x0));
    const std::uint8_t* mrow = kMasked ? mask.ptr<std::uint8_t>(y) : nullptr;
    for (int x = xa; x <= xb; ++x, ++p, rho2 += step, step += step2) {
      if constexpr (kMasked) {
        if (!mrow[x]) continue;
      }
      const float r2 = std::max(0.0f, rho2);
      float h = 0;
      if constexpr (kHalo) {
        h = halo_row[std::min(static_cast<int>(r2 * dt.halo_col_per_mm2), kCols)];
      }
      for (std::size_t k = 0; k < 3; ++k) {
        const int j = std::min(static_cast<int>(r2 * col[k]), kCols);
        const float cover = rows[k][j] + wb[k] * (rows[k][j + kRowStride] - rows[k][j]);
        float f = 1 - cover * dark[k];
        if constexpr (kHalo) f *= 1 - h * halo_w[k];
        p[k * kPlane] *= f;
      }
    }
  }
  return any;
}

bool splat_into_tile(const DotTerms& dt, int x0, int y0, int x1, int y1, const cv::Mat& mask,
                     const CoverageTable& table, const std::vector<PolyRow>& polys,
                     const Kernels& vk, float* buf) {
  const Box& b = dt.box;
  const TileSpan s{x0,
                   y0,
                   std::max(b.x0, x0),
                   std::min(b.x1, x1 - 1),
                   std::max(b.y0, y0),
                   std::min(b.y1, y1 - 1),
                   &table,
                   polys.data()};
  const bool halo = dt.halo, masked = !mask.empty();
  if (!halo && !masked) {
    if (SplatKernel kernel = dt.global_degree > 0 ? vk.global[dt.global_degree - kMinGlobalDegree]
                             : dt.cubics          ? vk.poly
                                                  : vk.table) {
      return kernel(dt, s, buf);
    }
  }
  if (halo) {
    return masked ? splat_rows<true, true>(dt, s, mask, buf)
                  : splat_rows<true, false>(dt, s, mask, buf);
  }
  return masked ? splat_rows<false, true>(dt, s, mask, buf)
                : splat_rows<false, false>(dt, s, mask, buf);
}

// Images at least this large are written with non-temporal stores where they are copied (the
// runs of tiles without dots): an image of several times the L2 cache would leave the caches
// before anyone reads it back anyway, and a store that misses the cache first reads the line
// it overwrites, a third more memory traffic (paired runs: 3 % faster at 24 MP). Smaller images
// (previews) stay in the cache for whoever reads them next. (The modulate pass's rows through a
// staging row and the same stores were 3-5 % slower: its lines are partly the neighbouring
// tiles', and the prefetch below already overlaps its misses.)
constexpr std::size_t kStreamBytes = std::size_t{8} << 20;

// n bytes from src to dst; the 64-byte lines of dst that the range covers whole with
// non-temporal stores (SSE2, which every x86-64 has), the partial lines at its ends as usual:
// a partial line written around the cache is read and merged by the memory controller, and a
// neighbouring run may write the rest of it. The caller fences (_mm_sfence) before its writes
// are read by another thread.
void stream_bytes(std::uint8_t* dst, const std::uint8_t* src, std::size_t n) {
#if defined(__x86_64__)
  const std::size_t head =
      std::min(n, (64 - (reinterpret_cast<std::uintptr_t>(dst) & 63)) & std::size_t{63});
  std::memcpy(dst, src, head);
  std::size_t i = head;
  for (; i + 64 <= n; i += 64) {
    auto* d = reinterpret_cast<__m128i*>(dst + i);
    const auto* q = reinterpret_cast<const __m128i*>(src + i);
    _mm_stream_si128(d, _mm_loadu_si128(q));
    _mm_stream_si128(d + 1, _mm_loadu_si128(q + 1));
    _mm_stream_si128(d + 2, _mm_loadu_si128(q + 2));
    _mm_stream_si128(d + 3, _mm_loadu_si128(q + 3));
  }
  std::memcpy(dst + i, src + i, n - i);
#else
  std::memcpy(dst, src, n);
#endif
}

}  // namespace

SplatIsa best_splat_isa() {
  return kernel_choice().best;
}

bool use_splat_isa(SplatIsa isa) {
  KernelChoice& c = kernel_choice();
  if (isa > c.best) return false;
  c.current.store(isa, std::memory_order_relaxed);
  return true;
}

bool make_screen_dot(float x_px, float y_px, const float J[4], const DotFootprint& footprint,
                     ScreenDot& out) {
  const double det = static_cast<double>(J[0]) * J[3] - static_cast<double>(J[1]) * J[2];
  // A disc seen so edge-on that it covers less than a millionth of its area is not drawn.
  const double scale = std::max({std::abs(J[0]), std::abs(J[1]), std::abs(J[2]), std::abs(J[3])});
  if (!(std::abs(det) > 1e-6 * scale * scale) || !std::isfinite(det)) return false;
  out.x_px = x_px;
  out.y_px = y_px;
  out.m00 = static_cast<float>(J[3] / det);
  out.m01 = static_cast<float>(-J[1] / det);
  out.m10 = static_cast<float>(-J[2] / det);
  out.m11 = static_cast<float>(J[0] / det);
  out.footprint = footprint;
  return true;
}

double disc_gaussian_coverage(double rho_mm, double radius_mm, double sigma_mm) {
  if (radius_mm <= 0) return 0;
  if (sigma_mm <= 0) return rho_mm < radius_mm ? 1 : 0;
  // The table's row and column, interpolated linearly in beta and x^2.
  const CoverageTable& table = coverage_table();
  const double x = rho_mm / (radius_mm + 3 * sigma_mm);
  if (x >= 1) return 0;
  float wb = 0;
  const int b0 = CoverageTable::row_below(sigma_mm / (radius_mm + sigma_mm), wb);
  const double fc = std::clamp(x * x * kCols - 0.5, 0.0, kCols - 1.0);
  const int c0 = std::min(static_cast<int>(fc), kCols - 2);
  auto at = [&](int b) {
    const float* row = table.row(b);
    return row[c0] + (fc - c0) * (row[c0 + 1] - row[c0]);
  };
  return at(b0) + wb * (at(b0 + 1) - at(b0));
}

CompositeStats composite_dots(const cv::Mat& base, std::span<const ScreenDot> dots, cv::Mat& out,
                              const cv::Mat& mask) {
  if (base.type() != CV_8UC3 || base.dims != 2 || base.empty()) {
    throw std::invalid_argument("base: the image must be 8-bit, 3 channels (B, G, R), not empty");
  }
  const int w = base.cols, h = base.rows;
  if (static_cast<std::int64_t>(w) * h > kMaxPixels) {
    throw std::invalid_argument(
        fmt::format("base: {} x {} px is over the limit of {} pixels", w, h, kMaxPixels));
  }
  if (!mask.empty() && (mask.type() != CV_8UC1 || mask.cols != w || mask.rows != h)) {
    throw std::invalid_argument(
        fmt::format("mask: must be 8-bit, 1 channel, {} x {} px like the image (got {} x {})", w, h,
                    mask.cols, mask.rows));
  }
  if (out.data != base.data) {
    out.create(h, w, CV_8UC3);
  }
  const CoverageTable& table = coverage_table();
  const std::vector<PolyRow>& polys = poly_rows();
  const SrgbTables& srgb = srgb_tables();
  const Kernels& kernels = vector_kernels();

  const int tiles_x = (w + kTileW - 1) / kTileW, tiles_y = (h + kTileH - 1) / kTileH;
  const std::size_t tiles = static_cast<std::size_t>(tiles_x) * tiles_y;

  // The dots in tile order (a counting sort by the tile of the centre, clamped to the image;
  // stable, so within a tile the order is the caller's): a tile then reads its dots from one
  // stretch of memory instead of from all over the caller's list. order[j]: the caller's index
  // of the j-th dot in tile order.
  const std::size_t n = dots.size();
  std::vector<std::uint32_t> order(n);
  {
    std::vector<std::uint32_t> home(n), first(tiles + 2, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const float x = dots[i].x_px, y = dots[i].y_px;
      home[i] =
          std::isfinite(x) && std::isfinite(y)
              ? static_cast<std::uint32_t>(
                    static_cast<std::size_t>(std::clamp(y, 0.0f, h - 1.0f)) / kTileH * tiles_x +
                    static_cast<std::size_t>(std::clamp(x, 0.0f, w - 1.0f)) / kTileW)
              : static_cast<std::uint32_t>(tiles);
      ++first[home[i] + 1];
    }
    for (std::size_t t = 0; t <= tiles; ++t) first[t + 1] += first[t];
    for (std::size_t i = 0; i < n; ++i) order[first[home[i]]++] = static_cast<std::uint32_t>(i);
  }
  // Footprint terms and pixel boxes, per dot, in that order: written in sequence.
  std::unique_ptr<DotTerms[]> sorted(new DotTerms[n]);
  std::vector<std::uint8_t> live(n, 0);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const auto& range) {
    for (std::size_t j = range.begin(); j < range.end(); ++j) {
      // The caller's dots are read out of order: ask for one a few dots ahead, so its cache
      // misses overlap this one's arithmetic (they were nine tenths of this loop's time).
      constexpr std::size_t kAhead = 8;
      if (j + kAhead < range.end()) {
        const char* ahead = reinterpret_cast<const char*>(&dots[order[j + kAhead]]);
        __builtin_prefetch(ahead);
        __builtin_prefetch(ahead + sizeof(ScreenDot) - 1);
      }
      const ScreenDot& d = dots[order[j]];
      DotTerms& dt = sorted[j];
      dt = make_terms(d, table, polys);
      live[j] = dot_box(d, dt, w, h, dt.box) ? 1 : 0;
    }
  });

  // Bin dots by the tiles their boxes overlap: a counting sort over kChunks stretches of the
  // sorted dots, counted and then filled in parallel. A tile lists the first stretch's dots,
  // then the second's, each in order: the lists, and so the order of every pixel's products,
  // are a serial pass's whatever the thread count.
  constexpr std::size_t kChunks = 8;
  auto chunk_range = [n](std::size_t c) {
    return std::pair{n * c / kChunks, n * (c + 1) / kChunks};
  };
  auto for_tiles = [&](std::size_t j, auto&& f) {
    const Box& b = sorted[j].box;
    for (int ty = b.y0 / kTileH; ty <= b.y1 / kTileH; ++ty) {
      for (int tx = b.x0 / kTileW; tx <= b.x1 / kTileW; ++tx) {
        f(static_cast<std::size_t>(ty) * tiles_x + tx);
      }
    }
  };
  // next[c * tiles + t]: chunk c's count in tile t, then where its next member goes.
  std::vector<std::uint32_t> next(kChunks * tiles, 0);
  tbb::parallel_for(std::size_t(0), kChunks, [&](std::size_t c) {
    std::uint32_t* cnt = next.data() + c * tiles;
    const auto [j0, j1] = chunk_range(c);
    for (std::size_t j = j0; j < j1; ++j) {
      if (live[j]) for_tiles(j, [&](std::size_t t) { ++cnt[t]; });
    }
  });
  std::vector<std::uint32_t> start(tiles + 1, 0);
  std::uint32_t offset = 0;
  for (std::size_t t = 0; t < tiles; ++t) {
    start[t] = offset;
    for (std::size_t c = 0; c < kChunks; ++c) {
      const std::uint32_t count = next[c * tiles + t];
      next[c * tiles + t] = offset;
      offset += count;
    }
  }
  start[tiles] = offset;
  std::vector<std::uint32_t> members(offset);
  tbb::parallel_for(std::size_t(0), kChunks, [&](std::size_t c) {
    std::uint32_t* pos = next.data() + c * tiles;
    const auto [j0, j1] = chunk_range(c);
    for (std::size_t j = j0; j < j1; ++j) {
      if (live[j]) {
        for_tiles(j, [&](std::size_t t) { members[pos[t]++] = static_cast<std::uint32_t>(j); });
      }
    }
  });

  // Whether each dot drew a pixel in any tile: set by whichever tile's thread sees it draw.
  std::unique_ptr<std::atomic<std::uint8_t>[]> drawn(new std::atomic<std::uint8_t>[n]);
  for (std::size_t j = 0; j < n; ++j) drawn[j].store(0, std::memory_order_relaxed);
  std::vector<std::uint8_t> touched(tiles, 0);
  // A strip of tiles (kTileH rows) at a time, left to right: runs of tiles without dots are
  // copied as one stretch a row.
  const bool stream = out.data != base.data && base.total() * base.elemSize() >= kStreamBytes;
  tbb::parallel_for(0, tiles_y, [&](int ty) {
    const int y0 = ty * kTileH, y1 = std::min(h, y0 + kTileH);
    auto copy = [&](int xa, int xb) {
      if (xa >= xb || out.data == base.data) return;
      for (int y = y0; y < y1; ++y) {
        std::uint8_t* dst = out.ptr<std::uint8_t>(y) + 3 * xa;
        const std::uint8_t* src = base.ptr<std::uint8_t>(y) + 3 * xa;
        const auto n = static_cast<std::size_t>(3 * (xb - xa));
        if (stream) {
          stream_bytes(dst, src, n);
        } else {
          std::memcpy(dst, src, n);
        }
      }
    };
    int run = 0;  // the first column of the current run of empty tiles
    for (int tx = 0; tx < tiles_x; ++tx) {
      const std::size_t t = static_cast<std::size_t>(ty) * tiles_x + tx;
      const int x0 = tx * kTileW, x1 = std::min(w, x0 + kTileW);
      const int tw = x1 - x0;
      if (start[t] == start[t + 1]) continue;
      copy(run, x0);
      run = x1;
      // The tile's pixels are read once, by the modulate pass after its dots, and written where
      // out is not base: ask for both now (into L2: the factor planes fill L1), so their cache
      // misses overlap the splatting rather than stall the pass (16 rows of 768 bytes 18 kB
      // apart are too short for the hardware's prefetchers to get going; paired runs: 2 %
      // faster at 24 MP for base's rows, another 1.5 % at both sizes for out's).
      for (int y = y0; y < y1; ++y) {
        const std::uint8_t* row = base.ptr<std::uint8_t>(y);
        std::uint8_t* orow = out.ptr<std::uint8_t>(y);
        for (int i = 3 * x0 & ~63; i < 3 * x1; i += 64) __builtin_prefetch(row + i, 0, 2);
        if (orow != row) {
          for (int i = 3 * x0 & ~63; i < 3 * x1; i += 64) __builtin_prefetch(orow + i, 1, 2);
        }
      }
      // Factor buffer for this tile: three planes (R, G, B) of kTileH rows of kStride; ones:
      // whether this thread's last tile left it at 1 (Kernels::restores), so it needs no fill.
      thread_local std::vector<float> buf;
      thread_local bool ones = false;
      buf.resize(static_cast<std::size_t>(3 * kPlane));
      if (!ones) kernels.fill(buf.data(), buf.size());
      ones = kernels.restores;
      for (std::uint32_t m = start[t]; m < start[t + 1]; ++m) {
        if (splat_into_tile(sorted[members[m]], x0, y0, x1, y1, mask, table, polys, kernels,
                            buf.data())) {
          drawn[members[m]].store(1, std::memory_order_relaxed);
        }
      }
      touched[t] = 1;
      for (int y = y0; y < y1; ++y) {
        float* fr = buf.data() + static_cast<std::size_t>((y - y0) * kStride);
        kernels.modulate(base.ptr<std::uint8_t>(y) + 3 * x0, out.ptr<std::uint8_t>(y) + 3 * x0, fr,
                         fr + kPlane, fr + 2 * kPlane, tw, srgb.product.data());
      }
    }
    copy(run, w);
#if defined(__x86_64__)
    if (stream) _mm_sfence();  // the non-temporal stores are seen before the strip is done
#endif
  });

  CompositeStats stats;
  for (std::size_t j = 0; j < n; ++j) stats.dots_drawn += drawn[j].load(std::memory_order_relaxed);
  stats.tiles = static_cast<int>(tiles);
  for (std::size_t t = 0; t < tiles; ++t) stats.tiles_touched += touched[t];
  return stats;
}

}  // namespace stipple
