// The compositor: its footprint against closed forms, and its promises (exact copies where no
// dot reaches, in-place use, masks, errors).
#include "stipple/render/splat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <numbers>
#include <random>

#include <tbb/global_control.h>

#include "stipple/error_of.h"
#include "stipple/optics/colour.h"

namespace stipple {
namespace {

TEST(Splat, FootprintMatchesTheDiscGaussianConvolution) {
  for (double r : {0.1, 0.175, 0.3}) {
    for (double sigma : {0.02, 0.05, 0.1, 0.16, 0.3}) {
      // At the centre: 1 - exp(-r^2 / (2 sigma^2)) exactly.
      EXPECT_NEAR(disc_gaussian_coverage(0, r, sigma), 1 - std::exp(-r * r / (2 * sigma * sigma)),
                  5e-3)
          << r << " " << sigma;
      // The convolution keeps the disc's area: integral of coverage over the plane = pi r^2.
      double area = 0;
      const double reach = r + 3 * sigma, step = reach / 2000;
      double last = 1;
      for (double rho = 0.5 * step; rho < reach; rho += step) {
        const double c = disc_gaussian_coverage(rho, r, sigma);
        EXPECT_LE(c, last + 1e-6);  // falls monotonically
        last = c;
        area += c * 2 * std::numbers::pi * rho * step;
      }
      EXPECT_NEAR(area, std::numbers::pi * r * r, 0.02 * std::numbers::pi * r * r)
          << r << " " << sigma;
    }
  }
  EXPECT_EQ(disc_gaussian_coverage(0.1, 0.2, 0), 1);
  EXPECT_EQ(disc_gaussian_coverage(0.3, 0.2, 0), 0);
}

ScreenDot dot_at(float x, float y, float px_per_mm) {
  DotFootprint fp;
  fp.radius_mm = 0.2f;
  fp.sigma_mm = {0.16f, 0.13f, 0.10f};
  fp.darkening = {0.7f, 0.5f, 0.3f};
  const float J[4] = {px_per_mm, 0, 0, px_per_mm};
  ScreenDot d;
  EXPECT_TRUE(make_screen_dot(x, y, J, fp, d));
  return d;
}

TEST(Splat, CopiesWhereNoDotReachesAndWorksInPlace) {
  cv::Mat base(300, 400, CV_8UC3);
  cv::randu(base, 0, 255);
  const std::vector<ScreenDot> dots = {dot_at(100, 100, 20), dot_at(250.5f, 180.25f, 20)};
  cv::Mat out;
  const CompositeStats st = composite_dots(base, dots, out);
  EXPECT_EQ(st.dots_drawn, 2);
  // Far from both dots (more than r + 3 sigma = 0.68 mm = 14 px): bytes unchanged.
  for (int y = 0; y < 300; ++y) {
    for (int x = 0; x < 400; ++x) {
      const double d1 = std::hypot(x - 100.0, y - 100.0), d2 = std::hypot(x - 250.5, y - 180.25);
      if (std::min(d1, d2) > 15) {
        ASSERT_EQ(out.at<cv::Vec3b>(y, x), base.at<cv::Vec3b>(y, x)) << x << "," << y;
      }
    }
  }
  // Darker at the centres, red (byte 2) taken most.
  const cv::Vec3b b = base.at<cv::Vec3b>(100, 100), o = out.at<cv::Vec3b>(100, 100);
  for (int k = 0; k < 3; ++k) EXPECT_LT(o[k], b[k] + 1);
  cv::Mat in_place = base.clone();
  composite_dots(in_place, dots, in_place);
  EXPECT_EQ(cv::norm(in_place, out, cv::NORM_INF), 0);
}

TEST(Splat, MaskKeepsDotsOut) {
  const cv::Mat base(100, 100, CV_8UC3, cv::Scalar(120, 140, 170));
  cv::Mat mask(100, 100, CV_8UC1, cv::Scalar(0));
  mask(cv::Rect(0, 0, 50, 100)).setTo(255);
  const std::vector<ScreenDot> dots = {dot_at(50, 50, 40)};
  cv::Mat out;
  composite_dots(base, dots, out, mask);
  EXPECT_LT(out.at<cv::Vec3b>(50, 45)[1], 140);
  EXPECT_EQ(out.at<cv::Vec3b>(50, 55), base.at<cv::Vec3b>(50, 55));
}

// The compositor against a plain per-pixel evaluation in double precision: every dot's
// footprint from disc_gaussian_coverage at each pixel centre, with the pixel's own box widening
// sigma by a third of a pixel (splat.h), multiplied in linear light. Dots of every kind the
// kernels treat differently: blurred (the quartic segments), sharp (table lookups), with and
// without a mask (the scalar loop), foreshortened, across tile borders and the image's edges,
// on an image whose sides are not multiples of the tiles or the vectors.
std::vector<ScreenDot> assorted_dots(int w, int h, int count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<ScreenDot> dots;
  for (int i = 0; i < count; ++i) {
    DotFootprint fp;
    fp.radius_mm = 0.1f + 0.15f * u(rng);
    const bool sharp = i % 4 == 0;
    for (std::size_t k = 0; k < 3; ++k) {
      fp.sigma_mm[k] = sharp ? 0.002f * (1 + u(rng)) : 0.05f + 0.15f * u(rng);
      fp.darkening[k] = 0.2f + 0.75f * u(rng);
    }
    const float px_per_mm = 8 + 30 * u(rng), squeeze = 0.4f + 0.6f * u(rng);
    const float angle = 3.1416f * u(rng), c = std::cos(angle), s = std::sin(angle);
    // J = px_per_mm (I - (1 - squeeze) n n^T), n = (c, s).
    const float J[4] = {px_per_mm * (1 - (1 - squeeze) * c * c), -px_per_mm * (1 - squeeze) * c * s,
                        -px_per_mm * (1 - squeeze) * c * s,
                        px_per_mm * (1 - (1 - squeeze) * s * s)};
    ScreenDot d;
    EXPECT_TRUE(make_screen_dot(-10 + (w + 20) * u(rng), -10 + (h + 20) * u(rng), J, fp, d));
    dots.push_back(d);
  }
  return dots;
}

cv::Mat reference_composite(const cv::Mat& base, const std::vector<ScreenDot>& dots) {
  cv::Mat factor(base.size(), CV_64FC3, cv::Scalar(1, 1, 1));
  for (const ScreenDot& d : dots) {
    const double det_m = static_cast<double>(d.m00) * d.m11 - static_cast<double>(d.m01) * d.m10;
    const double pix_sigma_mm = 0.33 * std::sqrt(std::abs(det_m));
    for (int y = 0; y < base.rows; ++y) {
      for (int x = 0; x < base.cols; ++x) {
        const double dx = x - d.x_px, dy = y - d.y_px;
        const double u = d.m00 * dx + d.m01 * dy, v = d.m10 * dx + d.m11 * dy;
        const double rho = std::hypot(u, v);
        cv::Vec3d& f = factor.at<cv::Vec3d>(y, x);
        for (int k = 0; k < 3; ++k) {
          const double s = std::hypot(static_cast<double>(d.footprint.sigma_mm[k]), pix_sigma_mm);
          const double cover = disc_gaussian_coverage(rho, d.footprint.radius_mm, s);
          f[2 - k] *= 1 - cover * d.footprint.darkening[k];  // B, G, R bytes; R, G, B footprint
        }
      }
    }
  }
  cv::Mat out(base.size(), CV_8UC3);
  for (int y = 0; y < base.rows; ++y) {
    for (int x = 0; x < base.cols; ++x) {
      for (int c = 0; c < 3; ++c) {
        const double lin = optics::srgb_decode(base.at<cv::Vec3b>(y, x)[c] / 255.0) *
                           factor.at<cv::Vec3d>(y, x)[c];
        out.at<cv::Vec3b>(y, x)[c] =
            static_cast<std::uint8_t>(std::lround(255 * optics::srgb_encode(lin)));
      }
    }
  }
  return out;
}

TEST(Splat, AgreesWithAPerPixelReferenceOnEveryPath) {
  const int w = 531, h = 77;  // not multiples of 8, 16 or 256
  cv::Mat base(h, w, CV_8UC3);
  cv::randu(base, 40, 250);
  const std::vector<ScreenDot> dots = assorted_dots(w, h, 160, 7);
  const cv::Mat ref = reference_composite(base, dots);
  cv::Mat out, masked;
  composite_dots(base, dots, out);
  composite_dots(base, dots, masked, cv::Mat(h, w, CV_8UC1, cv::Scalar(255)));
  for (const cv::Mat* m : {&out, &masked}) {
    cv::Mat diff;
    cv::absdiff(*m, ref, diff);
    double worst = 0;
    cv::minMaxLoc(diff.reshape(1), nullptr, &worst);
    // Within one code value anywhere (the factor is quantised to 1/255, the footprint cut
    // where it takes under 0.2 % of the light, coverage tabulated or fitted), and off by one
    // in under 6 % of the values.
    EXPECT_LE(worst, 1);
    const cv::Scalar mean = cv::mean(diff);
    for (int c = 0; c < 3; ++c) EXPECT_LT(mean[c], 0.06);
  }
  // So the vector kernels (no mask) and the scalar loop (a mask that keeps everything) agree
  // to within two.
  EXPECT_LE(cv::norm(out, masked, cv::NORM_INF), 2);
  // And the dots did something: a fifth of the pixels at least are darker.
  cv::Mat darker;
  cv::compare(out, base, darker, cv::CMP_LT);
  EXPECT_GT(cv::countNonZero(darker.reshape(1)), w * h * 3 / 5);
}

// Makes composite_dots use `isa` for the scope, and the processor's best again after it (even
// when an assertion fails halfway).
class IsaScope {
 public:
  explicit IsaScope(SplatIsa isa) : ok_(use_splat_isa(isa)) {}
  ~IsaScope() { use_splat_isa(best_splat_isa()); }
  bool ok() const { return ok_; }

 private:
  bool ok_;
};

const char* isa_name(SplatIsa isa) {
  switch (isa) {
    case SplatIsa::kScalar:
      return "scalar";
    case SplatIsa::kAvx2:
      return "AVX2";
    case SplatIsa::kAvx512:
      return "AVX-512";
  }
  return "?";
}

TEST(Splat, EveryInstructionSetAgreesWithTheReference) {
  // The same bounds as above for each set of kernels on its own: the scalar loops (every
  // machine), AVX2 and AVX-512 where the processor has them (not tested where it has not).
  const int w = 531, h = 77;
  cv::Mat base(h, w, CV_8UC3);
  cv::randu(base, 40, 250);
  const std::vector<ScreenDot> dots = assorted_dots(w, h, 160, 7);
  const cv::Mat ref = reference_composite(base, dots);
  EXPECT_FALSE(use_splat_isa(static_cast<SplatIsa>(static_cast<int>(best_splat_isa()) + 1)));
  for (SplatIsa isa : {SplatIsa::kScalar, SplatIsa::kAvx2, SplatIsa::kAvx512}) {
    if (isa > best_splat_isa()) {
      std::cout << "[  SKIPPED ] " << isa_name(isa) << ": this processor lacks it\n";
      continue;
    }
    const IsaScope scope(isa);
    ASSERT_TRUE(scope.ok());
    cv::Mat out, diff;
    composite_dots(base, dots, out);
    cv::absdiff(out, ref, diff);
    double worst = 0;
    cv::minMaxLoc(diff.reshape(1), nullptr, &worst);
    EXPECT_LE(worst, 1) << isa_name(isa);
    const cv::Scalar mean = cv::mean(diff);
    for (int c = 0; c < 3; ++c) EXPECT_LT(mean[c], 0.06) << isa_name(isa);
  }
}

TEST(Splat, Avx512GivesTheBytesOfAvx2) {
  // The AVX-512 kernels do each lane's arithmetic as the AVX2 ones do, in vectors of 16 (two
  // rows to a vector for narrow dots) and under masks, and the modulate pass looks up the same
  // table entries: the same bytes, for every kind of dot, box width (1 to ~60 pixels: several
  // vectors a row) and image edge, in place or not.
  if (best_splat_isa() < SplatIsa::kAvx512) {
    GTEST_SKIP() << "this processor has no AVX-512 (F, DQ, BW, VL, VBMI): nothing to compare";
  }
  const int w = 700, h = 90;
  cv::Mat base(h, w, CV_8UC3);
  cv::randu(base, 0, 256);
  const std::vector<ScreenDot> dots = assorted_dots(w, h, 3000, 13);
  cv::Mat avx2, avx512, in_place = base.clone();
  CompositeStats s2, s512;
  {
    const IsaScope scope(SplatIsa::kAvx2);
    s2 = composite_dots(base, dots, avx2);
  }
  s512 = composite_dots(base, dots, avx512);
  composite_dots(in_place, dots, in_place);
  // The AVX-512 pass leaves each thread's tile buffer at 1 for the next tile, which then skips
  // its fill; AVX2 after it must still start from 1s and fill again after itself.
  cv::Mat avx2_again;
  {
    const IsaScope scope(SplatIsa::kAvx2);
    composite_dots(base, dots, avx2_again);
    composite_dots(base, dots, avx2_again);
  }
  EXPECT_EQ(cv::norm(avx2, avx2_again, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(avx2, avx512, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(avx512, in_place, cv::NORM_INF), 0);
  EXPECT_EQ(s2.tiles_touched, s512.tiles_touched);
  EXPECT_GT(cv::norm(avx512, base, cv::NORM_L1), 0);
}

TEST(Splat, LargeImagesCopyTheSameBytes) {
  // From 8 MB on, the runs of tiles without dots are copied with non-temporal stores, whole
  // cache lines only, and the partial lines at their ends with ordinary ones: rows of an odd
  // width (none starts on a line) must come out as in place, where nothing is copied at all,
  // on one thread as on all.
  const int w = 2049, h = 1400;  // 8.6 MB
  cv::Mat base(h, w, CV_8UC3);
  cv::randu(base, 0, 256);
  const std::vector<ScreenDot> dots = assorted_dots(w, h, 80, 17);
  cv::Mat out, one, in_place = base.clone();
  const CompositeStats st = composite_dots(base, dots, out);
  {
    tbb::global_control single(tbb::global_control::max_allowed_parallelism, 1);
    composite_dots(base, dots, one);
  }
  composite_dots(in_place, dots, in_place);
  EXPECT_LT(st.tiles_touched, st.tiles / 2);  // mostly copies
  EXPECT_EQ(cv::norm(out, in_place, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(out, one, cv::NORM_INF), 0);
  EXPECT_GT(cv::norm(out, base, cv::NORM_L1), 0);
}

TEST(Splat, SameImageOnOneThreadAsOnAll) {
  // Overlapping dots multiply in an order fixed by the tiles' member lists, which are built in
  // parallel: one thread and every thread must give the same bytes, and so must the same dots
  // handed over in the same order again.
  const int w = 700, h = 90;
  cv::Mat base(h, w, CV_8UC3);
  cv::randu(base, 40, 250);
  const std::vector<ScreenDot> dots = assorted_dots(w, h, 3000, 11);
  cv::Mat all, again, one;
  const CompositeStats s_all = composite_dots(base, dots, all);
  composite_dots(base, dots, again);
  CompositeStats s_one;
  {
    tbb::global_control single(tbb::global_control::max_allowed_parallelism, 1);
    s_one = composite_dots(base, dots, one);
  }
  EXPECT_EQ(cv::norm(all, one, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(all, again, cv::NORM_INF), 0);
  EXPECT_EQ(s_all.dots_drawn, s_one.dots_drawn);
  EXPECT_EQ(s_all.tiles_touched, s_one.tiles_touched);
  EXPECT_GT(s_all.dots_drawn, 2500);
}

TEST(Splat, BadArgumentsNameThem) {
  const cv::Mat grey(10, 10, CV_8UC1);
  cv::Mat out;
  EXPECT_EQ(error_of([&] { composite_dots(grey, {}, out); }),
            "base: the image must be 8-bit, 3 channels (B, G, R), not empty");
  const cv::Mat base(10, 10, CV_8UC3, cv::Scalar(0));
  EXPECT_EQ(error_of([&] { composite_dots(base, {}, out, cv::Mat(5, 5, CV_8UC1)); }),
            "mask: must be 8-bit, 1 channel, 10 x 10 px like the image (got 5 x 5)");
  // Edge-on and non-finite dots are refused or skipped, never drawn as garbage.
  DotFootprint fp;
  ScreenDot d;
  const float flat[4] = {10, 0, 0, 0};
  EXPECT_FALSE(make_screen_dot(5, 5, flat, fp, d));
  const float nan_j[4] = {NAN, 0, 0, 1};
  EXPECT_FALSE(make_screen_dot(5, 5, nan_j, fp, d));
  ScreenDot far = dot_at(1e9f, -1e9f, 10);
  EXPECT_EQ(composite_dots(base, std::vector<ScreenDot>{far}, out).dots_drawn, 0);
  EXPECT_EQ(cv::norm(out, base, cv::NORM_INF), 0);
}

}  // namespace
}  // namespace stipple
