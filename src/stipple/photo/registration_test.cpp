// Registration against ground truth from the renderer: the head seen through known cameras,
// its visible landmarks projected to make the sidecar, the pose recovered by solvePnP.
#include "stipple/photo/registration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "stipple/error_of.h"
#include "stipple/example_result.h"
#include "stipple/output/plan_result.h"
#include "stipple/photo/silhouette.h"
#include "stipple/plan/plan_json.h"
#include "stipple/planner.h"
#include "stipple/render/preview.h"
#include "stipple/render/raster.h"

namespace stipple {
namespace {

// The landmarks a photographer would see through `cam`: projected, in the image, and not
// hidden behind the head (depth test against the rendered geometry buffer).
PhotoLandmarks visible_landmarks(const Head& head, const Camera& cam, const GBuffer& g) {
  PhotoLandmarks lm;
  for (const auto& [name, p] : head.landmarks) {
    const auto q = project(cam, p);
    if (!q) continue;
    const long x = std::lround((*q)[0]), y = std::lround((*q)[1]);
    if (x < 0 || y < 0 || x >= g.width_px || y >= g.height_px) continue;
    const float surface = g.depth_mm[static_cast<std::size_t>(y) * g.width_px + x];
    const bool in_front =
        surface < std::numeric_limits<float>::infinity() && (*q)[2] <= surface + 2.0;
    // On the outline: a photographer sees the chin's lowest point, or the profile's glabella
    // and nasion, as the edge of the head even where the surface behind them is nearer.
    bool on_outline = false;
    for (long dy = -3; dy <= 3 && !on_outline; ++dy) {
      for (long dx = -3; dx <= 3 && !on_outline; ++dx) {
        const long u = x + dx, v = y + dy;
        on_outline = u < 0 || v < 0 || u >= g.width_px || v >= g.height_px || !g.covered(u, v);
      }
    }
    if (!in_front && !on_outline) continue;
    lm.points_px[name] = q->head<2>();
  }
  return lm;
}

double rotation_error_deg(const Eigen::Matrix3d& a, const Eigen::Matrix3d& b) {
  const double c = std::clamp(((a.transpose() * b).trace() - 1) / 2, -1.0, 1.0);
  return std::acos(c) * 180 / std::numbers::pi;
}

struct Pose {
  double yaw, pitch, focal_35mm;
};

TEST(Registration, RecoversRenderedPosesWithin2DegreesAnd2Mm) {
  const PlanResult& r = example_result("norwood-v");
  const Head& head = r.head;
  double worst_deg = 0, worst_mm = 0, worst_dot_px = 0;
  int dots_checked = 0;
  // Front, three-quarter, side and raised views, at 35, 50, 85 and 135 mm equivalent (the
  // camera distance grows with the focal length, orbit_camera keeps the head framed).
  for (const Pose pose : {Pose{0, 0, 50}, Pose{30, 10, 85}, Pose{-45, 20, 35}, Pose{90, 0, 85},
                          Pose{-90, 15, 135}, Pose{0, 45, 50}, Pose{20, -10, 135}}) {
    SCOPED_TRACE(testing::Message()
                 << "yaw " << pose.yaw << " pitch " << pose.pitch << " f35 " << pose.focal_35mm);
    const Camera truth =
        orbit_camera(head, ViewAngles{pose.yaw, pose.pitch}, 2000, 2000, pose.focal_35mm);
    const GBuffer g = rasterize(head.mesh, truth);
    // Through the sidecar, as a user's file would carry them (0.1 px).
    const PhotoLandmarks lm =
        parse_landmarks(landmarks_json(visible_landmarks(head, truth, g)), "truth.json");
    ASSERT_GE(lm.points_px.size(), 4u);
    const Registration reg = register_photo(head, lm, cv::Size(2000, 2000), truth.fx_px);
    EXPECT_LT(reg.rms_px, 0.05);
    EXPECT_TRUE(reg.trusted) << reg.warning;
    const double deg = rotation_error_deg(reg.camera.R, truth.R);
    const double mm = (reg.camera.t - truth.t).norm();
    EXPECT_LT(deg, 2.0);
    EXPECT_LT(mm, 2.0);
    worst_deg = std::max(worst_deg, deg);
    worst_mm = std::max(worst_mm, mm);
    // Every visible dot lands within 1 px of its true projection.
    for (const Dot& dot : r.dots) {
      const auto t = project(truth, dot.position_mm);
      const auto e = project(reg.camera, dot.position_mm);
      if (!t || dot.normal.dot(truth.position_mm() - dot.position_mm) <= 0) continue;
      if ((*t)[0] < 0 || (*t)[1] < 0 || (*t)[0] > 1999 || (*t)[1] > 1999) continue;
      ASSERT_TRUE(e.has_value());
      const double px = (e->head<2>() - t->head<2>()).norm();
      worst_dot_px = std::max(worst_dot_px, px);
      ++dots_checked;
    }
  }
  EXPECT_LT(worst_dot_px, 1.0);
  EXPECT_GT(dots_checked, 10000);
  std::printf(
      "[ ground truth ] worst rotation %.4f deg, translation %.4f mm, dot %.4f px over %d "
      "dots\n",
      worst_deg, worst_mm, worst_dot_px, dots_checked);
}

TEST(Registration, NoisyLandmarksGiveASaneErrorAndWrongOnesAWarning) {
  const Head& head = example_result("norwood-v").head;
  const Camera truth = orbit_camera(head, ViewAngles{15, 5}, 2000, 2000, 50);
  const GBuffer g = rasterize(head.mesh, truth);
  const PhotoLandmarks exact = visible_landmarks(head, truth, g);
  // A careful hand: 3 px of noise (1 sigma) on every point.
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 3);
  PhotoLandmarks noisy = exact;
  for (auto& [n, p] : noisy.points_px) p += Eigen::Vector2d(noise(rng), noise(rng));
  const Registration ok = register_photo(head, noisy, cv::Size(2000, 2000), truth.fx_px);
  EXPECT_TRUE(ok.trusted) << ok.warning;
  EXPECT_GT(ok.rms_px, 0.3);
  EXPECT_LT(ok.rms_px, 6.0);
  EXPECT_LT(rotation_error_deg(ok.camera.R, truth.R), 5.0);
  // Gross: the subnasale 300 px off.
  PhotoLandmarks wrong = exact;
  ASSERT_TRUE(wrong.points_px.count("subnasale"));
  wrong.points_px["subnasale"] += Eigen::Vector2d(300, -200);
  const Registration bad = register_photo(head, wrong, cv::Size(2000, 2000), truth.fx_px);
  EXPECT_FALSE(bad.trusted);
  EXPECT_GT(bad.rms_px, 28.0);
  EXPECT_NE(bad.warning.find("the landmarks do not fit the head: reprojection error"),
            std::string::npos)
      << bad.warning;
}

TEST(Registration, RefusesLandmarksThatDoNotDetermineThePose) {
  const Head& head = example_result("norwood-v").head;
  PhotoLandmarks lm;
  lm.points_px = {{"glabella", {1000, 700}}, {"nasion", {1000, 760}}, {"subnasale", {1000, 1000}}};
  EXPECT_EQ(error_of<std::invalid_argument>(
                [&] { register_photo(head, lm, cv::Size(2000, 2000), 2000); }),
            "registration: 3 landmarks (glabella, nasion, subnasale); at least 4 are needed");
  // The midline only, seen from the front: a vertical line in the photo.
  lm.points_px["menton"] = {1001, 1250};
  EXPECT_EQ(error_of<std::invalid_argument>(
                [&] { register_photo(head, lm, cv::Size(2000, 2000), 2000); }),
            "registration: the landmarks glabella, nasion, subnasale, menton lie on a line in the "
            "photo, so the pose is not determined; add one off that line (a canthus or a "
            "tragion)");
  EXPECT_EQ(
      error_of<std::invalid_argument>([&] { register_photo(head, lm, cv::Size(2000, 2000), -1); }),
      "registration: focal length -1 px must be > 0");
}

TEST(Registration, FocalLengthFrom35mmEquivalent) {
  // A 6000 x 4000 photo at 50 mm equivalent: diagonal 7211 px over 43.27 mm.
  EXPECT_NEAR(focal_px_from_35mm(50, 6000, 4000), 50 * std::hypot(6000, 4000) / 43.2666, 1e-9);
  EXPECT_NEAR(focal_px_from_35mm(36, 3600, 2400), 3600, 0.5);  // full-frame width = 36 mm
  EXPECT_EQ(error_of<std::invalid_argument>([] { focal_px_from_35mm(2, 100, 100); }),
            "focal_35mm: 2 mm is out of range 8 - 800");
}

}  // namespace
}  // namespace stipple

namespace stipple {
namespace {

// A top photo: few landmarks, placed a little off (as by hand on a photo where the face is
// foreshortened), then the head's outline pulls the pose back.
TEST(Registration, SilhouetteRefinesATopViewFromFewLandmarks) {
  const PlanResult& r = example_result("norwood-v");
  const Head& head = r.head;
  // The top view's outline pins the pose well (the dots' error halves); the back of a head is
  // nearly round, so there the outline fixes the distance and tilt but cannot see a small turn
  // about the vertical: it must at least do no harm.
  struct Case {
    ViewAngles view;
    double max_error_ratio;
  };
  for (const Case c : {Case{{0, 50}, 0.7}, Case{{180, 15}, 1.1}}) {
    const ViewAngles view = c.view;
    SCOPED_TRACE(testing::Message() << "yaw " << view.yaw_deg << " pitch " << view.pitch_deg);
    const Camera truth = orbit_camera(head, view, 800, 600, 50);
    const HeadView photo = render_head(r, truth);
    PhotoLandmarks lm = visible_landmarks(head, truth, rasterize(head.mesh, truth));
    ASSERT_GE(lm.points_px.size(), 4u);
    lm.view = view.yaw_deg == 0 ? "top" : "back";
    // Hand placement off by 8 px (1 % of the width), in a fixed pattern.
    int k = 0;
    for (auto& [name, p] : lm.points_px) {
      p += 8.0 * Eigen::Vector2d(std::cos(2.4 * k), std::sin(2.4 * k));
      ++k;
    }
    const Registration initial = register_photo(head, lm, cv::Size(800, 600), truth.fx_px);
    const SilhouetteFit fit = refine_with_silhouette(head, lm, photo.before, initial);
    const double before_deg = rotation_error_deg(initial.camera.R, truth.R);
    const double after_deg = rotation_error_deg(fit.registration.camera.R, truth.R);
    // What the client sees: where the visible dots land, against their true projections.
    auto dot_error_px = [&](const Camera& cam) {
      double sum = 0;
      int n = 0;
      for (const Dot& dot : r.dots) {
        const auto t = project(truth, dot.position_mm);
        if (!t || dot.normal.dot((truth.position_mm() - dot.position_mm).normalized()) <= 0.3) {
          continue;
        }
        if ((*t)[0] < 0 || (*t)[1] < 0 || (*t)[0] > 799 || (*t)[1] > 599) continue;
        const auto e = project(cam, dot.position_mm);
        sum += e ? (e->head<2>() - t->head<2>()).norm() : 1000;
        ++n;
      }
      return sum / std::max(1, n);
    };
    const double before_px = dot_error_px(initial.camera);
    const double after_px = dot_error_px(fit.registration.camera);
    std::printf(
        "[ silhouette ] %zu landmarks: IoU %.4f -> %.4f, rotation %.2f -> %.2f deg, dots off by "
        "%.2f -> %.2f px (of 800), %d poses\n",
        lm.points_px.size(), fit.iou_before, fit.iou_after, before_deg, after_deg, before_px,
        after_px, fit.evaluations);
    EXPECT_GE(fit.iou_after, fit.iou_before);
    EXPECT_GT(fit.iou_after, 0.97);
    EXPECT_LT(after_px, c.max_error_ratio * before_px);
  }
}

}  // namespace
}  // namespace stipple
