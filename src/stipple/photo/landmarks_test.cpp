// The landmarks sidecar: round trip, and every bad sidecar refused with its message.
#include "stipple/photo/landmarks.h"

#include <gtest/gtest.h>

#include "stipple/error_of.h"

namespace stipple {
namespace {

const char* kGood = R"({"stipple_landmarks": 1, "image": "front.jpg", "view": "front",
  "points": {"glabella": [250, 120], "nasion": [250, 140.5], "left_canthus": [290, 150],
             "right_canthus": [210, 150], "menton": [252, 330]}})";

std::string err(const std::string& text, std::optional<cv::Size> size = cv::Size(512, 512)) {
  return error_of<std::invalid_argument>([&] { parse_landmarks(text, "s.json", size); });
}

TEST(Landmarks, ParsesAndWritesTheSidecar) {
  const PhotoLandmarks lm = parse_landmarks(kGood, "s.json", cv::Size(512, 512));
  EXPECT_EQ(lm.image, "front.jpg");
  EXPECT_EQ(lm.view, "front");
  ASSERT_EQ(lm.points_px.size(), 5u);
  EXPECT_DOUBLE_EQ(lm.points_px.at("nasion").y(), 140.5);
  EXPECT_DOUBLE_EQ(lm.points_px.at("left_canthus").x(), 290);
  // Written and read back: the same points, in anatomical order.
  const std::string text = landmarks_json(lm);
  EXPECT_NE(text.find("\"stipple_landmarks\": 1"), std::string::npos);
  EXPECT_LT(text.find("glabella"), text.find("menton"));
  const PhotoLandmarks again = parse_landmarks(text, "again.json");
  EXPECT_EQ(again.points_px, lm.points_px);
  EXPECT_EQ(again.view, "front");
  EXPECT_EQ(again.image, "front.jpg");
}

TEST(Landmarks, RefusesBadSidecarsNamingTheField) {
  EXPECT_EQ(err("{"),
            "s.json: not valid JSON ([json.exception.parse_error.101] parse error at line 1, "
            "column 2: syntax error while parsing object key - unexpected end of input; "
            "expected string literal)");
  EXPECT_EQ(err("[1]"), "s.json: must be a JSON object");
  EXPECT_EQ(err(R"({"stipple_landmarks": 2, "points": {}})"),
            "s.json: stipple_landmarks: 2 is not a supported version; allowed: 1");
  EXPECT_EQ(err(R"({"points": {}})"),
            "s.json: stipple_landmarks: missing; a landmarks sidecar starts with "
            "\"stipple_landmarks\": 1");
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "colour": 1, "points": {}})"),
            "s.json: colour: unknown key; allowed: stipple_landmarks, image, view, points");
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "view": "side", "points": {}})"),
            "s.json: view: \"side\" is not a view; allowed: front, top, left, right, back, other");
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "view": "front"})"),
            "s.json: points: missing or not an object of \"name\": [x, y]");
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "points": {"chin": [1, 2]}})"),
            "s.json: points.chin: not a landmark; allowed: glabella, nasion, subnasale, menton, "
            "left_canthus, right_canthus, left_tragion, right_tragion, vertex, opisthocranion");
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "points": {"nasion": [1, "2"]}})"),
            "s.json: points.nasion: [1,\"2\"] is not [x, y] in pixels");
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "points": {"nasion": [1, 2, 3]}})"),
            "s.json: points.nasion: [1,2,3] is not [x, y] in pixels");
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "points": {"nasion": [600, 20]}})"),
            "s.json: points.nasion: [600, 20] is outside the image; allowed x 0 - 511, y 0 - 511 "
            "px");
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "points": {"nasion": [-0.5, 20]}})"),
            "s.json: points.nasion: [-0.5, 20] is outside the image; allowed x 0 - 511, y 0 - "
            "511 px");
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "points": {"nasion": [1, 2], "menton": [3, 4],
                    "vertex": [5, 6]}})"),
            "s.json: points: 3 landmarks given; at least 4 are needed to find the pose");
  // Without an image size, coordinates are not range-checked (the photo is not known yet).
  EXPECT_EQ(err(R"({"stipple_landmarks": 1, "points": {"nasion": [600, 20], "menton": [3, 4],
                    "vertex": [5, 6], "glabella": [7, 7]}})",
                std::nullopt),
            "");
  EXPECT_EQ(error_of<std::invalid_argument>([] { read_landmarks("/nonexistent/x.json"); }),
            "landmarks: \"/nonexistent/x.json\" does not exist or is not a file");
}

// Found by fuzz/photo_fuzzer.cpp: a number too large for a double, and nesting deep enough to
// exhaust the stack when the parsed document is destroyed, must both be bad input.
TEST(Landmarks, HugeNumbersAndDeepNestingAreBadInput) {
  EXPECT_EQ(error_of<std::invalid_argument>(
                [] { parse_landmarks(R"({"stipple_landmarks": 4e4444})", "s.json"); }),
            "s.json: not valid JSON ([json.exception.out_of_range.406] number overflow parsing "
            "'4e4444')");
  EXPECT_EQ(error_of<std::invalid_argument>(
                [] { parse_landmarks(std::string(100000, '[') + "1", "s.json"); }),
            "s.json: nested deeper than 8 levels; a sidecar nests 3");
  // Brackets inside strings do not count: this one fails for its missing points instead.
  const std::string msg = error_of<std::invalid_argument>(
      [] { parse_landmarks(R"({"image": "[[[[[[[[[[[[", "stipple_landmarks": 1})", "s.json"); });
  EXPECT_EQ(msg.find("nested deeper"), std::string::npos) << msg;
  EXPECT_FALSE(msg.empty());
}

TEST(Landmarks, SuggestionNeedsTheCascades) {
  const cv::Mat grey(64, 64, CV_8UC3, cv::Scalar(128, 128, 128));
  EXPECT_EQ(error_of<std::invalid_argument>([&] { suggest_landmarks(grey, "/nonexistent"); }),
            "landmarks: cannot load the Haar cascade "
            "\"/nonexistent/haarcascade_frontalface_default.xml\" (Debian package opencv-data)");
  EXPECT_EQ(error_of<std::invalid_argument>([&] { suggest_landmarks(grey); }),
            "landmarks: no face found in the photo; place the points by hand (docs/photos.md)");
}

}  // namespace
}  // namespace stipple
