#include "stipple/photo/landmarks.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "stipple/head/head.h"

namespace stipple {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& path,
                       const std::string& what) {
  throw std::invalid_argument(fmt::format("{}: {}: {}", source, path, what));
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

const std::vector<std::string>& landmark_view_names() {
  static const std::vector<std::string> names = {"front", "top", "left", "right", "back", "other"};
  return names;
}

// The deepest nesting of arrays and objects in `text` (outside strings). A sidecar nests two
// levels; refusing deep input before parsing keeps nlohmann's recursive destructor off the
// stack's limit (the fuzzer's finding: a megabyte of '[').
int nesting_depth(const std::string& text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

constexpr int kMaxSidecarDepth = 8;

PhotoLandmarks parse_landmarks(const std::string& json_text, const std::string& source,
                               std::optional<cv::Size> image_size) {
  if (nesting_depth(json_text) > kMaxSidecarDepth) {
    throw std::invalid_argument(fmt::format("{}: nested deeper than {} levels; a sidecar nests 3",
                                            source, kMaxSidecarDepth));
  }
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
    throw std::invalid_argument(fmt::format("{}: not valid JSON ({})", source, e.what()));
  }
  if (!doc.is_object()) {
    throw std::invalid_argument(fmt::format("{}: must be a JSON object", source));
  }
  for (const auto& [key, value] : doc.items()) {
    if (key != "stipple_landmarks" && key != "image" && key != "view" && key != "points") {
      fail(source, key, "unknown key; allowed: stipple_landmarks, image, view, points");
    }
  }
  if (!doc.contains("stipple_landmarks")) {
    fail(source, "stipple_landmarks",
         "missing; a landmarks sidecar starts with "
         "\"stipple_landmarks\": 1");
  }
  const json& version = doc["stipple_landmarks"];
  if (!version.is_number_integer() || version.get<long long>() != kLandmarksVersion) {
    fail(source, "stipple_landmarks",
         fmt::format("{} is not a supported version; allowed: {}", version.dump(),
                     kLandmarksVersion));
  }
  PhotoLandmarks out;
  if (doc.contains("image")) {
    if (!doc["image"].is_string()) fail(source, "image", "must be a string (the photo's name)");
    out.image = doc["image"].get<std::string>();
  }
  if (doc.contains("view")) {
    const json& v = doc["view"];
    const auto& views = landmark_view_names();
    if (!v.is_string() ||
        std::find(views.begin(), views.end(), v.get<std::string>()) == views.end()) {
      fail(source, "view", fmt::format("{} is not a view; allowed: {}", v.dump(), joined(views)));
    }
    out.view = v.get<std::string>();
  }
  if (!doc.contains("points") || !doc["points"].is_object()) {
    fail(source, "points", "missing or not an object of \"name\": [x, y]");
  }
  const auto& names = anatomical_landmark_names();
  for (const auto& [name, value] : doc["points"].items()) {
    const std::string path = "points." + name;
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      fail(source, path, fmt::format("not a landmark; allowed: {}", joined(names)));
    }
    if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number()) {
      fail(source, path, fmt::format("{} is not [x, y] in pixels", value.dump()));
    }
    const Eigen::Vector2d p(value[0].get<double>(), value[1].get<double>());
    if (!std::isfinite(p.x()) || !std::isfinite(p.y())) {
      fail(source, path, fmt::format("{} is not [x, y] in pixels", value.dump()));
    }
    if (image_size) {
      const int w = image_size->width, h = image_size->height;
      if (p.x() < 0 || p.y() < 0 || p.x() > w - 1 || p.y() > h - 1) {
        fail(source, path,
             fmt::format("[{:g}, {:g}] is outside the image; allowed x 0 - {}, y 0 - {} px", p.x(),
                         p.y(), w - 1, h - 1));
      }
    }
    out.points_px[name] = p;
  }
  if (static_cast<int>(out.points_px.size()) < kMinLandmarks) {
    fail(source, "points",
         fmt::format("{} landmark{} given; at least {} are needed to find the pose",
                     out.points_px.size(), out.points_px.size() == 1 ? "" : "s", kMinLandmarks));
  }
  return out;
}

PhotoLandmarks read_landmarks(const std::string& path, std::optional<cv::Size> image_size) {
  constexpr std::uintmax_t kMaxBytes = 1 << 20;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw std::invalid_argument(
        fmt::format("landmarks: \"{}\" does not exist or is not a file", path));
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxBytes) {
    throw std::invalid_argument(fmt::format(
        "landmarks: \"{}\" is {} bytes, over the limit of {} bytes", path, size, kMaxBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  if (!in) throw std::invalid_argument(fmt::format("landmarks: \"{}\" cannot be read", path));
  return parse_landmarks(s.str(), path, image_size);
}

std::string landmarks_json(const PhotoLandmarks& landmarks) {
  // Written by hand so the points keep the anatomical order and one point a line.
  std::string s = fmt::format(
      "{{\n  \"stipple_landmarks\": {},\n  \"image\": {},\n  \"view\": {},\n"
      "  \"points\": {{",
      kLandmarksVersion, json(landmarks.image).dump(), json(landmarks.view).dump());
  bool first = true;
  for (const auto& name : anatomical_landmark_names()) {
    const auto it = landmarks.points_px.find(name);
    if (it == landmarks.points_px.end()) continue;
    s += fmt::format("{}\n    \"{}\": [{:.1f}, {:.1f}]", first ? "" : ",", name, it->second.x(),
                     it->second.y());
    first = false;
  }
  s += "\n  }\n}\n";
  return s;
}

LandmarkSuggestion suggest_landmarks(const cv::Mat& photo_bgr, const std::string& cascade_dir) {
  if (photo_bgr.empty() || photo_bgr.type() != CV_8UC3) {
    throw std::invalid_argument("suggest_landmarks: the photo must be 8-bit BGR");
  }
  auto load = [&](const char* file) {
    const std::string path = (std::filesystem::path(cascade_dir) / file).string();
    cv::CascadeClassifier c;
    if (!std::filesystem::exists(path) || !c.load(path)) {
      throw std::invalid_argument(fmt::format(
          "landmarks: cannot load the Haar cascade \"{}\" (Debian package opencv-data)", path));
    }
    return c;
  };
  cv::CascadeClassifier face_cascade = load("haarcascade_frontalface_default.xml");
  cv::CascadeClassifier eye_cascade = load("haarcascade_eye.xml");

  // Detection runs on a copy at most 1024 px on its long side (faces in portraits are large;
  // the cascades' cost grows with the pixel count), and results are scaled back.
  cv::Mat gray;
  cv::cvtColor(photo_bgr, gray, cv::COLOR_BGR2GRAY);
  const double shrink = std::min(1.0, 1024.0 / std::max(gray.cols, gray.rows));
  if (shrink < 1) cv::resize(gray, gray, cv::Size(), shrink, shrink, cv::INTER_AREA);
  cv::equalizeHist(gray, gray);
  std::vector<cv::Rect> faces;
  const int min_face = std::max(24, std::min(gray.cols, gray.rows) / 10);
  face_cascade.detectMultiScale(gray, faces, 1.1, 5, 0, cv::Size(min_face, min_face));
  if (faces.empty()) {
    throw std::invalid_argument(
        "landmarks: no face found in the photo; place the points by hand (docs/photos.md)");
  }
  const cv::Rect face =
      *std::max_element(faces.begin(), faces.end(),
                        [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });
  // Eyes: in the upper half of the face box, one each side of its centre line.
  const cv::Rect upper(face.x, face.y, face.width, face.height / 2);
  std::vector<cv::Rect> eyes;
  eye_cascade.detectMultiScale(gray(upper), eyes, 1.1, 3, 0,
                               cv::Size(face.width / 8, face.width / 8));
  std::optional<cv::Rect> image_left, image_right;
  const int mid = face.width / 2;
  for (const cv::Rect& e : eyes) {
    const bool left_half = e.x + e.width / 2 < mid;
    auto& slot = left_half ? image_left : image_right;
    if (!slot || e.area() > slot->area()) slot = e;
  }
  auto centre = [&](const cv::Rect& r) {
    return Eigen::Vector2d(upper.x + r.x + 0.5 * r.width, upper.y + r.y + 0.5 * r.height);
  };
  // Typical eye centres in a frontalface_default box (measured on the cascade's boxes: eyes at
  // 30 % and 70 % of the width, 38 % of the height) stand in for eyes not found.
  Eigen::Vector2d eye_l =
      image_left ? centre(*image_left)
                 : Eigen::Vector2d(face.x + 0.30 * face.width, face.y + 0.38 * face.height);
  Eigen::Vector2d eye_r =
      image_right ? centre(*image_right)
                  : Eigen::Vector2d(face.x + 0.70 * face.width, face.y + 0.38 * face.height);
  // Facial proportions in units of the interpupillary distance d (about 62 mm in adults),
  // from the eye-line midpoint, u along the eye line toward the image right, v down: outer
  // canthi (exocanthion) at +-0.72 d (ex-ex ~ 90 mm), nasion 0.15 d above the eye line,
  // glabella 0.4 d above, subnasale 0.7 d below (n-sn ~ 50 mm), menton 1.75 d below (sn-gn
  // ~ 65 mm). Adult
  // norms of Farkas (1994), "Anthropometry of the Head and Face", rounded: a starting point for
  // the user to adjust, not a measurement.
  const Eigen::Vector2d m = 0.5 * (eye_l + eye_r);
  const double d = (eye_r - eye_l).norm();
  const Eigen::Vector2d u = (eye_r - eye_l).normalized();
  const Eigen::Vector2d v(-u.y(), u.x());  // down when u points right
  LandmarkSuggestion s;
  auto back = [&](const Eigen::Vector2d& p) { return Eigen::Vector2d(p / shrink); };
  s.face = cv::Rect(
      cv::Point(static_cast<int>(face.x / shrink), static_cast<int>(face.y / shrink)),
      cv::Size(static_cast<int>(face.width / shrink), static_cast<int>(face.height / shrink)));
  auto scaled = [&](const cv::Rect& r) {
    return cv::Rect(static_cast<int>((upper.x + r.x) / shrink),
                    static_cast<int>((upper.y + r.y) / shrink), static_cast<int>(r.width / shrink),
                    static_cast<int>(r.height / shrink));
  };
  // The subject's left eye is on the image right in a frontal photo.
  if (image_right) s.left_eye = scaled(*image_right);
  if (image_left) s.right_eye = scaled(*image_left);
  PhotoLandmarks& lm = s.landmarks;
  lm.view = "front";
  lm.points_px["left_canthus"] = back(m + 0.72 * d * u);
  lm.points_px["right_canthus"] = back(m - 0.72 * d * u);
  lm.points_px["nasion"] = back(m - 0.15 * d * v);
  lm.points_px["glabella"] = back(m - 0.4 * d * v);
  lm.points_px["subnasale"] = back(m + 0.7 * d * v);
  lm.points_px["menton"] = back(m + 1.75 * d * v);
  // Keep every point inside the image (a chin below the frame is clamped to the edge).
  for (auto& [name, p] : lm.points_px) {
    p.x() = std::clamp(p.x(), 0.0, photo_bgr.cols - 1.0);
    p.y() = std::clamp(p.y(), 0.0, photo_bgr.rows - 1.0);
  }
  return s;
}

}  // namespace stipple
