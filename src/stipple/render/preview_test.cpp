// The previews: what the issue asks of them, measured on the rendered pixels.
#include "stipple/render/preview.h"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <Eigen/SVD>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "stipple/aging/aging.h"
#include "stipple/error_of.h"
#include "stipple/example_result.h"
#include "stipple/optics/colour.h"
#include "stipple/optics/skin.h"
#include "stipple/plan/plan_json.h"
#include "stipple/planner.h"
#include "stipple/render/dot_look.h"
#include "stipple/render/image_io.h"
#include "stipple/render/swatches.h"

namespace stipple {
namespace {

double luma(const cv::Vec3b& bgr) {
  return 0.0722 * bgr[0] + 0.7152 * bgr[1] + 0.2126 * bgr[2];
}

// The mean structural similarity of two 8-bit images (Wang et al. 2004, 11x11 Gaussian window
// of sigma 1.5, K1 = 0.01, K2 = 0.03), over the channels.
double ssim(const cv::Mat& a, const cv::Mat& b) {
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  cv::Mat x, y;
  a.convertTo(x, CV_64F);
  b.convertTo(y, CV_64F);
  auto blur = [](const cv::Mat& m) {
    cv::Mat out;
    cv::GaussianBlur(m, out, cv::Size(11, 11), 1.5);
    return out;
  };
  const cv::Mat mx = blur(x), my = blur(y);
  const cv::Mat sxx = blur(x.mul(x)) - mx.mul(mx), syy = blur(y.mul(y)) - my.mul(my);
  const cv::Mat sxy = blur(x.mul(y)) - mx.mul(my);
  cv::Mat num = (2 * mx.mul(my) + c1).mul(2 * sxy + c2);
  cv::Mat den = (mx.mul(mx) + my.mul(my) + c1).mul(sxx + syy + c2);
  cv::Mat map;
  cv::divide(num, den, map);
  const cv::Scalar m = cv::mean(map);
  return (m[0] + m[1] + m[2]) / 3;
}

TEST(Preview, NoDotsRendersExactlyTheBeforeImage) {
  PlanResult empty = example_result("norwood-v");
  empty.dots.clear();
  const Camera cam = orbit_camera(empty.head, named_view("top"), 256, 256);
  const HeadView view = render_head(empty, cam);
  for (const char* at : {"before", "session1", "fresh", "healed", "10y"}) {
    const cv::Mat img = render_state(empty, view, parse_time_state(at, 3));
    EXPECT_EQ(cv::norm(img, view.before, cv::NORM_INF), 0) << at;
  }
  // And `before` of the real plan is the bare head too.
  const HeadView real = render_head(example_result("norwood-v"), cam);
  EXPECT_EQ(cv::norm(render_state(example_result("norwood-v"), real, parse_time_state("before", 3)),
                     real.before, cv::NORM_INF),
            0);
  EXPECT_EQ(cv::norm(real.before, view.before, cv::NORM_INF), 0);
}

TEST(Preview, DotsDarkenTheirCentresAndLeaveTheSkinBetween) {
  const PlanResult& r = example_result("norwood-v");
  const Camera cam = orbit_camera(r.head, named_view("top"), 2048, 2048);
  const HeadView view = render_head(r, cam);
  const TimeState healed = parse_time_state("healed", 3);
  const cv::Mat after = render_state(r, view, healed);
  const std::vector<ScreenDot> dots = visible_dots(r, view, healed);
  ASSERT_GT(dots.size(), 10000u);  // the top view sees most of a Norwood V's treated scalp

  // Dots seen at a grazing angle near the outline (foreshortened more than 3:1, the surface
  // tilted over 70 degrees) shrink to slivers thinner than a pixel: they darken too little to
  // show at their pixel, as they should, and are not counted.
  auto grazing = [](const ScreenDot& d) {
    const Eigen::JacobiSVD<Eigen::Matrix2d> svd(
        (Eigen::Matrix2d() << d.m00, d.m01, d.m10, d.m11).finished());
    return svd.singularValues()[0] > 3 * svd.singularValues()[1];
  };
  int darker = 0, counted = 0;
  for (const ScreenDot& d : dots) {
    const int x = static_cast<int>(std::lround(d.x_px)), y = static_cast<int>(std::lround(d.y_px));
    if (x < 2 || y < 2 || x >= 2046 || y >= 2046 || grazing(d)) continue;
    ++counted;
    if (luma(after.at<cv::Vec3b>(y, x)) < luma(view.before.at<cv::Vec3b>(y, x)) - 0.5) ++darker;
  }
  EXPECT_GT(counted, 0.75 * dots.size());
  EXPECT_GT(darker, 0.99 * counted) << darker << " of " << counted;

  // Midway between each dot and its nearest visible neighbour (in pixels), the after image is
  // within a few percent of the skin: dots are separate marks, not a stain.
  cv::Mat centres(2048, 2048, CV_32S, cv::Scalar(-1));
  for (std::size_t i = 0; i < dots.size(); ++i) {
    const int x = static_cast<int>(std::lround(dots[i].x_px)),
              y = static_cast<int>(std::lround(dots[i].y_px));
    if (x >= 0 && y >= 0 && x < 2048 && y < 2048) centres.at<int>(y, x) = static_cast<int>(i);
  }
  double sum_ratio = 0;
  int mids = 0;
  for (std::size_t i = 0; i < dots.size(); i += 7) {
    const ScreenDot& d = dots[i];
    double best = 1e9;
    cv::Point2f other;
    const int cx = static_cast<int>(std::lround(d.x_px)),
              cy = static_cast<int>(std::lround(d.y_px));
    for (int y = std::max(0, cy - 20); y <= std::min(2047, cy + 20); ++y) {
      for (int x = std::max(0, cx - 20); x <= std::min(2047, cx + 20); ++x) {
        const int j = centres.at<int>(y, x);
        if (j < 0 || static_cast<std::size_t>(j) == i) continue;
        const double dist = std::hypot(dots[j].x_px - d.x_px, dots[j].y_px - d.y_px);
        if (dist < best) {
          best = dist;
          other = {dots[j].x_px, dots[j].y_px};
        }
      }
    }
    if (best > 1e8) continue;
    const int mx = static_cast<int>(std::lround(0.5 * (d.x_px + other.x)));
    const int my = static_cast<int>(std::lround(0.5 * (d.y_px + other.y)));
    const double before = luma(view.before.at<cv::Vec3b>(my, mx));
    if (before < 20) continue;
    sum_ratio += luma(after.at<cv::Vec3b>(my, mx)) / before;
    ++mids;
  }
  ASSERT_GT(mids, 1000);
  EXPECT_GT(sum_ratio / mids, 0.95);
}

// A flat patch of skin with a 5 x 5 lattice of healed dots, face-on at 40 px/mm.
struct Patch {
  cv::Mat before, after;
};

Patch patch(int fitzpatrick, double depth_mm, double dilution, double age_days,
            const AgingSpec& aging = {}) {
  const optics::SkinLayers skin = optics::skin_for_fitzpatrick(fitzpatrick);
  const optics::Rgb albedo = optics::skin_reflectance(skin);
  Patch p;
  p.before =
      cv::Mat(200, 200, CV_8UC3,
              cv::Scalar(255 * optics::srgb_encode(albedo[2]), 255 * optics::srgb_encode(albedo[1]),
                         255 * optics::srgb_encode(albedo[0])));
  Dot dot;
  dot.depth_mm = depth_mm;
  dot.diameter_mm = 0.35;
  OpticsMemo memo;
  const DotFootprint fp =
      dot_footprint(skin, dilution, age_dot(dot, age_days, aging, skin.epidermis_mm), memo);
  std::vector<ScreenDot> dots;
  const float J[4] = {40, 0, 0, 40};
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) {
      ScreenDot sd;
      EXPECT_TRUE(make_screen_dot(20.0f + 40 * i, 20.0f + 40 * j, J, fp, sd));
      dots.push_back(sd);
    }
  }
  composite_dots(p.before, dots, p.after);
  return p;
}

// Per channel (R, G, B), the light the dots take from the patch, summed over pixels.
cv::Vec3d darkening(const Patch& p) {
  cv::Mat a, b;
  p.after.convertTo(a, CV_64F);
  p.before.convertTo(b, CV_64F);
  const cv::Scalar s = cv::sum(b - a);
  return {s[2], s[1], s[0]};
}

// How concentrated the mark is: the centre pixel's darkening over the total (a blurrier dot
// spreads the same darkening over more pixels).
double peakedness(const Patch& p) {
  const cv::Vec3d total = darkening(p);
  const cv::Vec3b c0 = p.before.at<cv::Vec3b>(100, 100), c1 = p.after.at<cv::Vec3b>(100, 100);
  const double centre = (c0[0] - c1[0]) + (c0[1] - c1[1]) + (c0[2] - c1[2]);
  return centre / (total[0] + total[1] + total[2]);
}

TEST(Preview, LessDilutionIsDarker) {
  double last = 0;
  for (double w : {20.0, 12.0, 6.0, 0.0}) {
    const cv::Vec3d d = darkening(patch(3, 0.4, w, 28));
    const double total = d[0] + d[1] + d[2];
    EXPECT_GT(total, last * 1.02) << w;
    last = total;
  }
}

TEST(Preview, DeeperIsBluerAndBlurrier) {
  double last_red_over_blue = 0, last_peak = 1;
  for (double depth : {0.25, 0.4, 0.6, 0.9}) {
    const Patch p = patch(2, depth, 6, 28);
    const cv::Vec3d d = darkening(p);
    const double red_over_blue = d[0] / d[2];
    EXPECT_GT(red_over_blue, last_red_over_blue) << depth;  // red taken ever more than blue
    EXPECT_LT(peakedness(p), last_peak) << depth;
    last_red_over_blue = red_over_blue;
    last_peak = peakedness(p);
  }
}

TEST(Preview, LaterYearsAreLighterAndBlurrier) {
  const double healed = 28, year = 365.25;
  double last_total = 1e18, last_peak = 1;
  for (double t : {healed, 1 * year, 3 * year, 5 * year, 10 * year}) {
    const Patch p = patch(3, 0.4, 6, t);
    const cv::Vec3d d = darkening(p);
    const double total = d[0] + d[1] + d[2];
    EXPECT_LT(total, last_total) << t;
    EXPECT_LT(peakedness(p), last_peak) << t;
    last_total = total;
    last_peak = peakedness(p);
  }
}

TEST(Preview, HigherFitzpatrickTypeHasLowerContrast) {
  double last = 1e9;
  for (int type = 1; type <= 6; ++type) {
    const Patch p = patch(type, 0.4, 6, 28);
    const cv::Vec3b s = p.before.at<cv::Vec3b>(100, 100), c = p.after.at<cv::Vec3b>(100, 100);
    auto lab = [](const cv::Vec3b& bgr) {
      return optics::lab_from_linear(
          optics::linear_from_srgb(optics::Rgb(bgr[2] / 255.0, bgr[1] / 255.0, bgr[0] / 255.0)));
    };
    const double de = optics::ciede2000(lab(s), lab(c));
    EXPECT_LT(de, last) << type;
    EXPECT_GT(de, 2) << type;  // still visible on the darkest skin
    last = de;
  }
}

TEST(Preview, FreshIsDarkerLargerAndRedderThanHealed) {
  const Patch fresh = patch(2, 0.4, 6, 0), healed = patch(2, 0.4, 6, 28);
  const cv::Vec3d f = darkening(fresh), h = darkening(healed);
  EXPECT_GT(f[0] + f[1] + f[2], 1.2 * (h[0] + h[1] + h[2]));
  // Redness: around the dot green and blue drop relative to red, compared with healed skin.
  const cv::Vec3b ring = fresh.after.at<cv::Vec3b>(100, 100 + 18);  // 0.45 mm from a centre
  const cv::Vec3b skin = fresh.before.at<cv::Vec3b>(100, 100 + 18);
  EXPECT_LT(static_cast<double>(ring[1]) / ring[2], static_cast<double>(skin[1]) / skin[2] - 0.01);
}

TEST(Preview, DeterministicAndIndependentOfThreads) {
  const PlanResult& r = example_result("norwood-v");
  const Camera cam = orbit_camera(r.head, ViewAngles{35, 20}, 384, 320);
  const TimeState at = parse_time_state("3y", 3);
  const cv::Mat a = render_state(r, render_head(r, cam), at);
  cv::Mat b;
  {
    tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    b = render_state(r, render_head(r, cam), at);
  }
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0);
}

// Small golden images, compared by SSIM. STIPPLE_UPDATE_GOLDEN=1 rewrites them (after a change
// that is meant to change the pictures: look at them before committing).
void expect_matches_golden(const cv::Mat& img, const std::string& name) {
  const std::string path = std::string(STIPPLE_SOURCE_DIR) + "/tests/data/golden/" + name;
  if (std::getenv("STIPPLE_UPDATE_GOLDEN")) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    write_image(img, path);
  }
  const cv::Mat golden = cv::imread(path, cv::IMREAD_COLOR);
  ASSERT_FALSE(golden.empty()) << path;
  ASSERT_EQ(golden.size(), img.size()) << path;
  EXPECT_GT(ssim(img, golden), 0.98) << path;
}

TEST(Preview, GoldenImages) {
  const PlanResult& r = example_result("norwood-v");
  const HeadView top = render_head(r, orbit_camera(r.head, named_view("top"), 160, 160));
  expect_matches_golden(top.before, "norwood-v-top-before.png");
  expect_matches_golden(render_state(r, top, parse_time_state("healed", 3)),
                        "norwood-v-top-healed.png");
  const HeadView front = render_head(r, orbit_camera(r.head, named_view("front"), 128, 160));
  expect_matches_golden(render_state(r, front, parse_time_state("fresh", 3)),
                        "norwood-v-front-fresh.png");
  SwatchGridSpec spec;
  spec.cell_px = 32;
  expect_matches_golden(render_swatch_grid(spec), "optics-grid-small.png");
}

TEST(Preview, SessionsAddDots) {
  const PlanResult& r = example_result("norwood-v");
  const HeadView view = render_head(r, orbit_camera(r.head, named_view("top"), 256, 256));
  std::size_t last = 0;
  for (const char* at : {"session1", "session2", "session3"}) {
    const std::size_t n = visible_dots(r, view, parse_time_state(at, 3)).size();
    EXPECT_GT(n, last) << at;
    last = n;
  }
}

TEST(Preview, LabelledRowAndImageErrors) {
  const cv::Mat a(100, 80, CV_8UC3, cv::Scalar(10, 20, 30));
  const cv::Mat row = labelled_row({a, a, a}, {"Before", "After", "10 years"});
  EXPECT_EQ(row.rows, 100 + 24);
  EXPECT_GT(row.cols, 240);
  EXPECT_NE(error_of([&] { labelled_row({a}, {}); }).find("one label per panel"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { write_image(a, "/tmp/x.gif"); }),
            "out: \"/tmp/x.gif\" must end in .png, .jpg or .jpeg (the format follows the "
            "extension)");
  EXPECT_EQ(error_of([] { named_view("side"); }),
            "view: \"side\" is not a view; allowed: front, top, left, right, back");
  const Head head = example_result("norwood-v").head;
  EXPECT_EQ(error_of([&] {
              orbit_camera(head, {0, 0}, 20000, 100);
            }),
            "width: 20000 px is out of range 16 - 16384");
  EXPECT_EQ(error_of([&] {
              orbit_camera(head, {0, 95}, 100, 100);
            }),
            "pitch: 95 degrees is out of range -90 - 90");
}

}  // namespace
}  // namespace stipple
