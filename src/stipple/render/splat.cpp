#include "stipple/render/splat.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "stipple/optics/colour.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace stipple {
namespace {

constexpr int kTile = 64;
constexpr std::int64_t kMaxPixels = std::int64_t{1} << 28;
// A pixel's box (variance 1/12 px^2) widens every footprint a little: sigma 0.33 px.
constexpr double kPixelSigmaPx = 0.33;

// ---------------------------------------------------------------------------------------------
// The disc (radius r) convolved with a Gaussian (sigma), as a function of the distance rho
// from the disc's centre. No closed form (it is 1 - Marcum Q1), so a table: rows by
// beta = sigma / (r + sigma) in [0, 1] (0 a sharp disc, 1 a pure Gaussian), columns uniform in
// x^2 with x = rho / (r + 3 sigma) in [0, 1) (beyond x = 1 the coverage is below 0.012 of the
// centre's and dropped). Uniform in x^2 so a pixel needs no square root, and the table has
// more columns at the edge, where the profile changes, than in the flat middle.

constexpr int kBetaSteps = 64;      // rows 0..64
constexpr int kCols = 512;          // columns 0..511: x^2 = (j + 0.5) / kCols
constexpr int kStride = kCols + 1;  // and a zero at column kCols: lookups clamp onto it

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

struct CoverageTable {
  // (kBetaSteps + 1) rows of kCols; the last row (beta = 1, r = 0) is a pure Gaussian of unit
  // peak, which is what the redness halo uses.
  std::vector<float> v;
  CoverageTable() : v(static_cast<std::size_t>((kBetaSteps + 1) * kStride), 0.0f) {
    tbb::parallel_for(0, kBetaSteps + 1, [&](int bi) {
      const double beta = static_cast<double>(bi) / kBetaSteps;
      const double r = 1 - beta, s = beta;  // r + sigma = 1
      for (int j = 0; j < kCols; ++j) {
        const double x = std::sqrt((j + 0.5) / kCols);
        const double rho = x * (r + 3 * s);
        v[static_cast<std::size_t>(bi * kStride + j)] = static_cast<float>(
            bi == kBetaSteps ? std::exp(-0.5 * rho * rho) : coverage_integral(rho, r, s));
      }
    });
  }
  const float* row(double beta) const {
    const int b = static_cast<int>(std::lround(std::clamp(beta, 0.0, 1.0) * kBetaSteps));
    return &v[static_cast<std::size_t>(b * kStride)];
  }
  const float* gaussian_row() const { return &v[static_cast<std::size_t>(kBetaSteps * kStride)]; }
};

// An immutable table, computed once on first use (thread-safe static initialisation).
const CoverageTable& coverage_table() {
  static const CoverageTable table;
  return table;
}

// ---------------------------------------------------------------------------------------------
// sRGB transfer (IEC 61966-2-1) as tables.

// The product of a pixel's 8-bit sRGB code and a light factor quantised to 1/255, re-encoded:
// product[q * 256 + code] = encode(decode(code) q / 255). One lookup a channel instead of a
// decode, a multiply and an encode; quantising the factor moves the result by at most one code
// value (a factor step is 0.4 % of the light).
constexpr int kFactorSteps = 255;

struct SrgbTables {
  std::array<float, 256> decode{};
  std::vector<std::uint8_t> product = std::vector<std::uint8_t>((kFactorSteps + 1) * 256);
  SrgbTables() {
    for (int i = 0; i < 256; ++i) {
      decode[static_cast<std::size_t>(i)] = static_cast<float>(optics::srgb_decode(i / 255.0));
    }
    for (int q = 0; q <= kFactorSteps; ++q) {
      for (int code = 0; code < 256; ++code) {
        const double c =
            optics::srgb_encode(decode[static_cast<std::size_t>(code)] * q / kFactorSteps);
        product[static_cast<std::size_t>(q * 256 + code)] =
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

struct DotTerms {
  float reach2_mm2 = 0;                // beyond: factor 1
  std::array<const float*, 3> row{};   // coverage rows, R, G, B
  std::array<float, 3> col_per_mm2{};  // kCols / (r + 3 sigma)^2
  std::array<float, 3> dark{};
  const float* halo_row = nullptr;
  float halo_col_per_mm2 = 0;
  std::array<float, 3> halo{};
};

// Where a footprint stops mattering: beyond the radius at which coverage x darkening falls
// under kNegligibleFactor, the factor rounds to the pixel's own value in 8 bits (a change of
// 0.2 % of the light is under half a code value everywhere but in the darkest shadows). The
// profile falls monotonically, so a binary search over the row; returns the cut radius as a
// fraction of the row's full reach (r + 3 sigma). Faint, dilute or deep dots reach less far,
// which is where most of the compositing time goes.
constexpr float kNegligibleFactor = 0.002f;

double cut_fraction(const float* row, float dark) {
  if (!(dark > 0)) return 0;
  int lo = 0, hi = kCols;  // first column below the threshold is in [lo, hi]
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (row[mid] * dark < kNegligibleFactor) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return std::sqrt(static_cast<double>(lo) / kCols);  // columns are uniform in x^2
}

DotTerms make_terms(const ScreenDot& d, const CoverageTable& table) {
  const DotFootprint& fp = d.footprint;
  // The pixel's own box, in mm at this dot: sqrt(|det(mm per px)|) mm per pixel.
  const double mm_per_px =
      std::sqrt(std::abs(static_cast<double>(d.m00) * d.m11 - static_cast<double>(d.m01) * d.m10));
  const double pix_sigma = kPixelSigmaPx * mm_per_px;
  const double r = std::max(0.0f, fp.radius_mm);
  DotTerms t;
  double reach = 0;
  for (int k = 0; k < 3; ++k) {
    t.dark[k] = std::clamp(fp.darkening[k], 0.0f, 1.0f);
    const double sig =
        std::sqrt(static_cast<double>(fp.sigma_mm[k]) * fp.sigma_mm[k] + pix_sigma * pix_sigma);
    const double rk = r + 3 * sig;
    if (t.dark[k] <= 0 || r <= 0 || !(rk > 0) || !std::isfinite(rk)) {
      t.dark[k] = 0;
      t.row[k] = table.row(0);
      continue;
    }
    t.row[k] = table.row(sig / (r + sig));
    t.col_per_mm2[k] = static_cast<float>(kCols / (rk * rk));
    reach = std::max(reach, rk * cut_fraction(t.row[k], t.dark[k]));
  }
  const double hs = fp.halo_sigma_mm;
  for (int k = 0; k < 3; ++k) t.halo[k] = std::clamp(fp.halo_darkening[k], 0.0f, 1.0f);
  if (hs > 0 && std::isfinite(hs) && (t.halo[0] > 0 || t.halo[1] > 0 || t.halo[2] > 0)) {
    t.halo_row = table.gaussian_row();
    t.halo_col_per_mm2 = static_cast<float>(kCols / (9 * hs * hs));
    reach = std::max(
        reach, 3 * hs * cut_fraction(t.halo_row, std::max({t.halo[0], t.halo[1], t.halo[2]})));
  }
  t.reach2_mm2 = static_cast<float>(reach * reach);
  return t;
}

struct Box {
  int x0, y0, x1, y1;  // inclusive pixel range
};

// The pixel box of a dot's reach: the ellipse J (reach disc), J = inverse of m.
bool dot_box(const ScreenDot& d, const DotTerms& terms, int w, int h, Box& box) {
  if (!(terms.reach2_mm2 > 0)) return false;
  const double det = static_cast<double>(d.m00) * d.m11 - static_cast<double>(d.m01) * d.m10;
  if (!(std::abs(det) > 0) || !std::isfinite(det)) return false;
  // J = m^-1 = [m11 -m01; -m10 m00] / det; half-extent in x of J * disc(reach) is
  // reach * |row 0 of J|.
  const double reach = std::sqrt(static_cast<double>(terms.reach2_mm2));
  const double ex =
      reach * std::hypot(static_cast<double>(d.m11), static_cast<double>(d.m01)) / std::abs(det);
  const double ey =
      reach * std::hypot(static_cast<double>(d.m10), static_cast<double>(d.m00)) / std::abs(det);
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

// The common case (no redness halo, no mask): a dot's whole box within a tile, 8 pixels at a
// time with AVX2 gathers from the coverage rows, where the processor has AVX2 and FMA (checked
// once at run time: the build targets plain x86-64). No per-row interval: pixels beyond the
// reach clamp onto the rows' zero column and multiply by exactly 1. The same arithmetic as the
// scalar loop below but with fused multiply-adds, so results can differ from it in the last bit
// of a float; on one machine they are always the same.
struct BoxArgs {
  float* buf;              // the tile's planes
  int x0, y0;              // the tile's origin
  int bx0, bx1, by0, by1;  // the box within the tile, inclusive
  float cx, cy;            // the dot's centre
  float A, Bc, C;          // rho^2 = A dx^2 + 2 Bc dx dy + C dy^2
  const float* const* rows;
  const float* col;
  const float* dark;
};
using BoxKernel = void (*)(const BoxArgs& a);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2,fma"))) void box_avx2(const BoxArgs& a) {
  constexpr int kPlane = kTile * kTile;
  const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 va = _mm256_set1_ps(a.A), one = _mm256_set1_ps(1), zero = _mm256_setzero_ps();
  const __m256i last = _mm256_set1_epi32(kCols);
  const __m256i lane_i = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 col0 = _mm256_set1_ps(a.col[0]), col1 = _mm256_set1_ps(a.col[1]),
               col2 = _mm256_set1_ps(a.col[2]);
  const __m256 dark0 = _mm256_set1_ps(a.dark[0]), dark1 = _mm256_set1_ps(a.dark[1]),
               dark2 = _mm256_set1_ps(a.dark[2]);
  const int n = a.bx1 - a.bx0 + 1;
  const float dx0 = static_cast<float>(a.bx0) - a.cx;
  for (int y = a.by0; y <= a.by1; ++y) {
    const float dy = static_cast<float>(y) - a.cy;
    const __m256 vb2 = _mm256_set1_ps(2 * a.Bc * dy), vc = _mm256_set1_ps(a.C * dy * dy);
    float* p = a.buf + static_cast<std::size_t>((y - a.y0) * kTile + (a.bx0 - a.x0));
    for (int i = 0; i < n; i += 8) {
      const __m256i active = _mm256_cmpgt_epi32(_mm256_set1_epi32(n - i), lane_i);
      const __m256 dx = _mm256_add_ps(_mm256_set1_ps(dx0 + static_cast<float>(i)), lane);
      // rho^2 = (A dx + 2 Bc dy) dx + C dy^2
      const __m256 r2 = _mm256_max_ps(zero, _mm256_fmadd_ps(_mm256_fmadd_ps(va, dx, vb2), dx, vc));
      const __m256i i0 = _mm256_min_epi32(_mm256_cvttps_epi32(_mm256_mul_ps(r2, col0)), last);
      const __m256i i1 = _mm256_min_epi32(_mm256_cvttps_epi32(_mm256_mul_ps(r2, col1)), last);
      const __m256i i2 = _mm256_min_epi32(_mm256_cvttps_epi32(_mm256_mul_ps(r2, col2)), last);
      const __m256 f0 = _mm256_fnmadd_ps(_mm256_i32gather_ps(a.rows[0], i0, 4), dark0, one);
      const __m256 f1 = _mm256_fnmadd_ps(_mm256_i32gather_ps(a.rows[1], i1, 4), dark1, one);
      const __m256 f2 = _mm256_fnmadd_ps(_mm256_i32gather_ps(a.rows[2], i2, 4), dark2, one);
      float* q = p + i;
      _mm256_maskstore_ps(q, active, _mm256_mul_ps(_mm256_maskload_ps(q, active), f0));
      _mm256_maskstore_ps(q + kPlane, active,
                          _mm256_mul_ps(_mm256_maskload_ps(q + kPlane, active), f1));
      _mm256_maskstore_ps(q + 2 * kPlane, active,
                          _mm256_mul_ps(_mm256_maskload_ps(q + 2 * kPlane, active), f2));
    }
  }
}

BoxKernel pick_box_kernel() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &box_avx2 : nullptr;
}
#else
BoxKernel pick_box_kernel() {
  return nullptr;
}
#endif

// Chosen once, on first use (thread-safe static initialisation); immutable afterwards.
const BoxKernel box_kernel_avx2 = pick_box_kernel();

// One dot's footprint multiplied into a tile's factor buffer (three planes, R, G, B, of kTile x
// kTile floats) over [x0, x1) x [y0, y1). Row by row, only over the pixels within the dot's reach:
// rho^2 is a quadratic in x along a row, so the reach is an interval found in closed form and rho^2
// is stepped by differences. Returns whether any pixel was touched.
template <bool kHalo, bool kMasked>
bool splat_rows(const ScreenDot& d, const DotTerms& dt, const Box& b, int x0, int y0, int x1,
                int y1, const cv::Mat& mask, float* buf) {
  const int by0 = std::max(b.y0, y0), by1 = std::min(b.y1, y1 - 1);
  const int bx0 = std::max(b.x0, x0), bx1 = std::min(b.x1, x1 - 1);
  // rho^2(dx, dy) = A dx^2 + 2 Bc dx dy + C dy^2 with dx, dy the offsets from the centre.
  const float A = d.m00 * d.m00 + d.m10 * d.m10;
  const float Bc = d.m00 * d.m01 + d.m10 * d.m11;
  const float C = d.m01 * d.m01 + d.m11 * d.m11;
  const float R2 = dt.reach2_mm2;
  const std::array<float, 3> col = dt.col_per_mm2, dark = dt.dark, halo_w = dt.halo;
  const std::array<const float*, 3> rows = dt.row;
  bool any = false;
  for (int y = by0; y <= by1; ++y) {
    const float dy = static_cast<float>(y) - d.y_px;
    // A dx^2 + 2 (Bc dy) dx + (C dy^2 - R2) < 0.
    const float bq = Bc * dy, cq = C * dy * dy - R2;
    const float disc = bq * bq - A * cq;
    if (!(disc > 0)) continue;
    const float root = std::sqrt(disc);
    const float lo = (-bq - root) / A + d.x_px, hi = (-bq + root) / A + d.x_px;
    const int xa = std::max(bx0, static_cast<int>(std::ceil(lo)));
    const int xb = std::min(bx1, static_cast<int>(std::floor(hi)));
    if (xa > xb) continue;
    any = true;
    float dx = static_cast<float>(xa) - d.x_px;
    float rho2 = A * dx * dx + 2 * bq * dx + C * dy * dy;
    // rho^2(dx + 1) - rho^2(dx) = A (2 dx + 1) + 2 bq.
    float step = A * (2 * dx + 1) + 2 * bq;
    const float step2 = 2 * A;
    float* p = buf + static_cast<std::size_t>((y - y0) * kTile + (xa - x0));
    const std::uint8_t* mrow = kMasked ? mask.ptr<std::uint8_t>(y) : nullptr;
    for (int x = xa; x <= xb; ++x, ++p, rho2 += step, step += step2) {
      if constexpr (kMasked) {
        if (!mrow[x]) continue;
      }
      const float r2 = std::max(0.0f, rho2);
      float h = 0;
      if constexpr (kHalo) {
        h = dt.halo_row[std::min(static_cast<int>(r2 * dt.halo_col_per_mm2), kCols)];
      }
      for (int k = 0; k < 3; ++k) {
        const float cover = rows[k][std::min(static_cast<int>(r2 * col[k]), kCols)];
        float f = 1 - cover * dark[k];
        if constexpr (kHalo) f *= 1 - h * halo_w[k];
        p[k * kTile * kTile] *= f;
      }
    }
  }
  return any;
}

bool splat_into_tile(const ScreenDot& d, const DotTerms& dt, const Box& b, int x0, int y0, int x1,
                     int y1, const cv::Mat& mask, float* buf) {
  const bool halo = dt.halo_row != nullptr, masked = !mask.empty();
  if (halo) {
    return masked ? splat_rows<true, true>(d, dt, b, x0, y0, x1, y1, mask, buf)
                  : splat_rows<true, false>(d, dt, b, x0, y0, x1, y1, mask, buf);
  }
  return masked ? splat_rows<false, true>(d, dt, b, x0, y0, x1, y1, mask, buf)
                : splat_rows<false, false>(d, dt, b, x0, y0, x1, y1, mask, buf);
}

}  // namespace

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
  const double fb = sigma_mm / (radius_mm + sigma_mm) * kBetaSteps;
  const int b0 = std::min(static_cast<int>(fb), kBetaSteps - 1);
  const double fc = std::clamp(x * x * kCols - 0.5, 0.0, kCols - 1.0);
  const int c0 = std::min(static_cast<int>(fc), kCols - 2);
  auto at = [&](int b) {
    const float* row = &table.v[static_cast<std::size_t>(b * kStride)];
    return row[c0] + (fc - c0) * (row[c0 + 1] - row[c0]);
  };
  return at(b0) + (fb - b0) * (at(b0 + 1) - at(b0));
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
  const SrgbTables& srgb = srgb_tables();

  // Footprint tables and pixel boxes, per dot.
  const std::size_t n = dots.size();
  std::vector<DotTerms> terms(n);
  std::vector<Box> boxes(n);
  std::vector<std::uint8_t> live(n, 0);
  tbb::parallel_for(std::size_t(0), n, [&](std::size_t i) {
    terms[i] = make_terms(dots[i], table);
    live[i] = dot_box(dots[i], terms[i], w, h, boxes[i]) ? 1 : 0;
  });

  // Bin dots by tile (counting sort keeps dot order within a tile: deterministic products).
  const int tiles_x = (w + kTile - 1) / kTile, tiles_y = (h + kTile - 1) / kTile;
  const std::size_t tiles = static_cast<std::size_t>(tiles_x) * tiles_y;
  std::vector<std::uint32_t> start(tiles + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (!live[i]) continue;
    for (int ty = boxes[i].y0 / kTile; ty <= boxes[i].y1 / kTile; ++ty) {
      for (int tx = boxes[i].x0 / kTile; tx <= boxes[i].x1 / kTile; ++tx) {
        ++start[static_cast<std::size_t>(ty) * tiles_x + tx + 1];
      }
    }
  }
  for (std::size_t t = 0; t < tiles; ++t) start[t + 1] += start[t];
  std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
  std::vector<std::uint32_t> members(start.back());
  for (std::size_t i = 0; i < n; ++i) {
    if (!live[i]) continue;
    for (int ty = boxes[i].y0 / kTile; ty <= boxes[i].y1 / kTile; ++ty) {
      for (int tx = boxes[i].x0 / kTile; tx <= boxes[i].x1 / kTile; ++tx) {
        members[fill[static_cast<std::size_t>(ty) * tiles_x + tx]++] =
            static_cast<std::uint32_t>(i);
      }
    }
  }

  // Whether each (tile, dot) pair drew a pixel: one writer per entry, reduced per dot below.
  std::vector<std::uint8_t> member_drew(members.size(), 0);
  std::vector<std::uint8_t> touched(tiles, 0);
  tbb::parallel_for(std::size_t(0), tiles, [&](std::size_t t) {
    const int tx = static_cast<int>(t % tiles_x), ty = static_cast<int>(t / tiles_x);
    const int x0 = tx * kTile, y0 = ty * kTile;
    const int x1 = std::min(w, x0 + kTile), y1 = std::min(h, y0 + kTile);
    const int tw = x1 - x0;
    if (start[t] == start[t + 1]) {
      if (out.data != base.data) {
        for (int y = y0; y < y1; ++y) {
          std::memcpy(out.ptr<std::uint8_t>(y) + 3 * x0, base.ptr<std::uint8_t>(y) + 3 * x0,
                      static_cast<std::size_t>(3 * tw));
        }
      }
      return;
    }
    // Factor buffer for this tile: three planes (R, G, B) of kTile x kTile.
    thread_local std::vector<float> buf;
    buf.assign(static_cast<std::size_t>(kTile * kTile * 3), 1.0f);
    const float* plane_r = buf.data();
    const float* plane_g = plane_r + kTile * kTile;
    const float* plane_b = plane_g + kTile * kTile;
    for (std::uint32_t m = start[t]; m < start[t + 1]; ++m) {
      const std::uint32_t i = members[m];
      if (splat_into_tile(dots[i], terms[i], boxes[i], x0, y0, x1, y1, mask, buf.data())) {
        member_drew[m] = 1;
      }
    }
    touched[t] = 1;
    const std::uint8_t* product = srgb.product.data();
    for (int y = y0; y < y1; ++y) {
      const std::uint8_t* src = base.ptr<std::uint8_t>(y) + 3 * x0;
      std::uint8_t* dst = out.ptr<std::uint8_t>(y) + 3 * x0;
      const std::size_t row = static_cast<std::size_t>((y - y0) * kTile);
      const float* fr = plane_r + row;
      const float* fg = plane_g + row;
      const float* fb = plane_b + row;
      for (int x = 0; x < tw; ++x, src += 3, dst += 3) {
        // OpenCV's B, G, R bytes against the factor's R, G, B.
        const int qb = static_cast<int>(fb[x] * kFactorSteps + 0.5f);
        const int qg = static_cast<int>(fg[x] * kFactorSteps + 0.5f);
        const int qr = static_cast<int>(fr[x] * kFactorSteps + 0.5f);
        dst[0] = product[qb * 256 + src[0]];
        dst[1] = product[qg * 256 + src[1]];
        dst[2] = product[qr * 256 + src[2]];
      }
    }
  });

  CompositeStats stats;
  std::vector<std::uint8_t> drawn(n, 0);
  for (std::size_t m = 0; m < members.size(); ++m) drawn[members[m]] |= member_drew[m];
  for (std::size_t i = 0; i < n; ++i) stats.dots_drawn += drawn[i];
  for (std::size_t t = 0; t < tiles; ++t) stats.tiles_touched += touched[t];
  return stats;
}

}  // namespace stipple
