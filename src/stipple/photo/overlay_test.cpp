// The overlay on photos: the renderer's moments on a photo, the mask, and a real photograph
// (the public-domain astronaut portrait of Debian's python3-skimage, fetched at test setup by
// scripts/fetch-test-assets.sh; the tests skip without it).
#include "stipple/photo/overlay.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "stipple/error_of.h"
#include "stipple/example_result.h"
#include "stipple/photo/landmarks.h"
#include "stipple/photo/photo_io.h"
#include "stipple/photo/registration.h"
#include "stipple/plan/plan_json.h"
#include "stipple/planner.h"

namespace stipple {
namespace {

// Pixels where two images differ, as a mask.
cv::Mat changed(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff, gray, out;
  cv::absdiff(a, b, diff);
  cv::cvtColor(diff, gray, cv::COLOR_BGR2GRAY);
  cv::threshold(gray, out, 0, 255, cv::THRESH_BINARY);
  // absdiff of a single channel can round to 0 in grey; take any channel.
  std::vector<cv::Mat> ch;
  cv::split(diff, ch);
  out = (ch[0] > 0) | (ch[1] > 0) | (ch[2] > 0);
  return out;
}

// Sum over pixels and channels of how much darker `after` is than `before`.
double darkening(const cv::Mat& before, const cv::Mat& after) {
  cv::Mat d;
  cv::subtract(before, after, d, cv::noArray(), CV_32F);
  const cv::Scalar s = cv::sum(cv::max(d, 0));
  return s[0] + s[1] + s[2];
}

// A "photo": the head rendered at a three-quarter view, registered from its projected
// landmarks.
struct Synthetic {
  cv::Mat photo;
  HeadView view;
};

const Synthetic& synthetic() {
  static const Synthetic s = [] {
    const PlanResult& r = example_result("norwood-v");
    const Camera cam = orbit_camera(r.head, ViewAngles{20, 35}, 640, 640, 50);
    Synthetic out;
    out.photo = render_head(r, cam).before;
    out.view = photo_view(r.head, cam, out.photo);
    return out;
  }();
  return s;
}

TEST(PhotoOverlay, EveryMomentWorksOnAPhotoAndOnlyDarkens) {
  const PlanResult& r = example_result("norwood-v");
  const Synthetic& s = synthetic();
  // `before` is the photo itself, untouched.
  EXPECT_EQ(
      cv::norm(render_photo_state(r, s.view, parse_time_state("before", 3)), s.photo, cv::NORM_INF),
      0);
  double previous = 0;
  for (const char* at : {"session1", "session2", "session3"}) {
    CompositeStats stats;
    const cv::Mat img = render_photo_state(r, s.view, parse_time_state(at, 3), cv::Mat(), &stats);
    EXPECT_GT(stats.dots_drawn, 1000) << at;
    // The dots modulate the photo: never a brighter pixel.
    cv::Mat brighter;
    cv::compare(img, s.photo, brighter, cv::CMP_GT);
    EXPECT_EQ(cv::countNonZero(brighter.reshape(1)), 0) << at;
    EXPECT_GT(darkening(s.photo, img), 0) << at;
    EXPECT_GT(stats.dots_drawn, previous) << at;  // each session adds dots
    previous = stats.dots_drawn;
  }
  // Years later the dots have faded.
  const double healed =
      darkening(s.photo, render_photo_state(r, s.view, parse_time_state("healed", 3)));
  const double ten = darkening(s.photo, render_photo_state(r, s.view, parse_time_state("10y", 3)));
  EXPECT_LT(ten, healed);
}

TEST(PhotoOverlay, MaskKeepsDotsOffExcludedPixels) {
  const PlanResult& r = example_result("norwood-v");
  const Synthetic& s = synthetic();
  cv::Mat mask(s.photo.size(), CV_8UC1, cv::Scalar(0));
  mask(cv::Rect(0, 0, s.photo.cols / 2, s.photo.rows)).setTo(255);  // left half only
  const cv::Mat img = render_photo_state(r, s.view, parse_time_state("healed", 3), mask);
  const cv::Mat ch = changed(s.photo, img);
  EXPECT_GT(cv::countNonZero(ch(cv::Rect(0, 0, s.photo.cols / 2, s.photo.rows))), 1000);
  EXPECT_EQ(cv::countNonZero(ch(cv::Rect(s.photo.cols / 2, 0, s.photo.cols / 2, s.photo.rows))), 0);
}

TEST(PhotoOverlay, BadMaskAndMismatchedPhotoAreRefused) {
  const Synthetic& s = synthetic();
  const std::string dir =
      std::filesystem::temp_directory_path() / ("stipple-overlay-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/mask.png";
  ASSERT_TRUE(cv::imwrite(path, cv::Mat(100, 80, CV_8UC1, cv::Scalar(255))));
  EXPECT_EQ(error_of<std::invalid_argument>([&] { read_mask(path, s.photo.size()); }),
            "mask: \"" + path + "\" is 80 x 100 px; it must be the photo's size, 640 x 640 px");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(error_of<std::invalid_argument>([&] {
              photo_view(example_result("norwood-v").head, s.view.camera, cv::Mat(10, 10, CV_8UC3));
            }),
            "photo_view: the photo is 10 x 10 px but the camera is 640 x 640 px");
}

TEST(PhotoOverlay, SkinToneIsSampledUnderTheDots) {
  const PlanResult& r = example_result("norwood-v");
  // The synthetic photo is the plan's own skin (type 3) under studio light: sampling it must
  // find a type near 3, since only chromaticity is compared.
  const auto est = estimate_skin_type(r, synthetic().view);
  ASSERT_TRUE(est.has_value());
  EXPECT_GT(est->samples, 1000);
  EXPECT_NEAR(est->fitzpatrick, r.plan.skin.fitzpatrick, 1);
}

// ---- A real photograph: the astronaut portrait (512 x 512, public domain, NASA) ----

std::string asset(const std::string& name) {
  return std::string(STIPPLE_TEST_ASSETS) + "/" + name;
}

class PhotoAstronaut : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(asset("astronaut.png"))) {
      GTEST_SKIP() << "astronaut.png missing in " << STIPPLE_TEST_ASSETS
                   << "; run scripts/fetch-test-assets.sh (make test-assets)";
    }
    photo_ = read_photo(asset("astronaut.png"));
    hand_ = read_landmarks(std::string(STIPPLE_SOURCE_DIR) + "/tests/data/photos/astronaut.json",
                           cv::Size(photo_.width_px(), photo_.height_px()));
  }
  Photo photo_;
  PhotoLandmarks hand_;  // placed by hand, looking at the picture
};

TEST_F(PhotoAstronaut, SuggestionsLandOnTheFace) {
  const LandmarkSuggestion s = suggest_landmarks(photo_.bgr);
  // The face box holds the hand-placed eyes, nose and brow.
  for (const char* n : {"glabella", "nasion", "subnasale", "left_canthus", "right_canthus"}) {
    const Eigen::Vector2d p = hand_.points_px.at(n);
    EXPECT_TRUE(s.face.contains(cv::Point(static_cast<int>(p.x()), static_cast<int>(p.y())))) << n;
  }
  EXPECT_GT(s.face.width, 60);
  EXPECT_LT(s.face.width, 160);
  // Each eye on its side (the subject's left eye on the image right) at the canthi's height.
  ASSERT_TRUE(s.left_eye && s.right_eye);
  const double mid = hand_.points_px.at("nasion").x();
  const cv::Point le = (s.left_eye->tl() + s.left_eye->br()) / 2;
  const cv::Point re = (s.right_eye->tl() + s.right_eye->br()) / 2;
  EXPECT_GT(le.x, mid);
  EXPECT_LT(re.x, mid);
  EXPECT_NEAR(le.y, hand_.points_px.at("left_canthus").y(), 10);
  EXPECT_NEAR(re.y, hand_.points_px.at("right_canthus").y(), 10);
  // Every suggested point within 15 px (3 % of the image) of where a person put it; the
  // menton, farthest from the eyes the proportions start from, within 20 px.
  for (const auto& [n, p] : s.landmarks.points_px) {
    EXPECT_LT((p - hand_.points_px.at(n)).norm(), n == "menton" ? 20.0 : 15.0)
        << n << " at " << p.transpose();
  }
}

TEST_F(PhotoAstronaut, OverlayPutsDotsOnlyAboveTheBrowsCentredOnTheFace) {
  const PlanResult& r = example_result("norwood-v");
  const cv::Size size(photo_.width_px(), photo_.height_px());
  const Registration reg = register_photo(
      r.head, hand_, size, focal_px_from_35mm(kDefaultFocal35mm, size.width, size.height));
  EXPECT_TRUE(reg.trusted) << reg.warning;
  EXPECT_LT(reg.rms_px, 5.0);
  const HeadView view = photo_view(r.head, reg.camera, photo_.bgr);
  CompositeStats stats;
  const cv::Mat after =
      render_photo_state(r, view, parse_time_state("healed", 3), cv::Mat(), &stats);
  EXPECT_GT(stats.dots_drawn, 500);
  const cv::Mat ch = changed(photo_.bgr, after);
  ASSERT_GT(cv::countNonZero(ch), 200);
  // Above the brows: the brows run at about the glabella's height in this photo.
  const double brow_y = hand_.points_px.at("glabella").y();
  cv::Rect box = cv::boundingRect(ch);
  EXPECT_LT(box.br().y - 1, brow_y) << "lowest changed row " << box.br().y - 1;
  // Centred on the face's centre line (the mean x of the midline landmarks).
  const cv::Moments m = cv::moments(ch, true);
  const double centroid_x = m.m10 / m.m00;
  double face_x = 0;
  for (const char* n : {"glabella", "nasion", "subnasale", "menton"}) {
    face_x += hand_.points_px.at(n).x() / 4;
  }
  EXPECT_NEAR(centroid_x, face_x, 0.1 * size.width);
  std::printf(
      "[ astronaut ] rms %.2f px, %d dots drawn, changed pixels down to y %d (brows %.0f), "
      "centroid x %.1f vs face %.1f\n",
      reg.rms_px, stats.dots_drawn, box.br().y - 1, brow_y, centroid_x, face_x);
}

}  // namespace
}  // namespace stipple
