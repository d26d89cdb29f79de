// The landmarks of a photo: pixel coordinates of the head's named landmarks (head.h), kept in a
// JSON sidecar beside the photo (docs/formats.md, "Photo landmarks"):
//   {"stipple_landmarks": 1, "image": "front.jpg", "view": "front",
//    "points": {"glabella": [x, y], "nasion": [x, y], ...}}
// Pixel coordinates are in the upright photo (EXIF orientation applied), x to the right, y
// down, integers at pixel centres (OpenCV's convention). Left and right are the subject's.
//
// For frontal photos, suggest_landmarks proposes points from OpenCV's Haar cascades (face and
// eyes) and facial proportions, for the user to adjust.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <Eigen/Core>
#include <opencv2/core.hpp>

namespace stipple {

inline constexpr int kLandmarksVersion = 1;
inline constexpr int kMinLandmarks = 4;

struct PhotoLandmarks {
  std::string image;                                 // the photo's file name, as written
  std::string view = "front";                        // front, top, left, right, back or other
  std::map<std::string, Eigen::Vector2d> points_px;  // anatomical_landmark_names() only
};

// The view names a sidecar may give: front, top, left, right, back, other.
const std::vector<std::string>& landmark_view_names();

// Parses a sidecar. `source` names it in errors. When `image_size` is given, every point must
// lie in the image: 0 <= x <= width - 1, 0 <= y <= height - 1. Throws std::invalid_argument
// naming the source, the JSON path, the value and the allowed range: not JSON, not an object,
// unknown keys, a version other than 1, an unknown view, an unknown landmark name, a point that
// is not two finite numbers, a point outside the image, fewer than kMinLandmarks points.
PhotoLandmarks parse_landmarks(const std::string& json_text, const std::string& source,
                               std::optional<cv::Size> image_size = std::nullopt);

// Reads the sidecar at `path` (at most 1 MB) and parses it. Throws std::invalid_argument as
// parse_landmarks, and when the file cannot be read.
PhotoLandmarks read_landmarks(const std::string& path,
                              std::optional<cv::Size> image_size = std::nullopt);

// The sidecar as JSON text (points rounded to 0.1 px), ready to write.
std::string landmarks_json(const PhotoLandmarks& landmarks);

// What suggest_landmarks found, in pixels of the upright photo.
struct LandmarkSuggestion {
  cv::Rect face;                                // the largest face the cascade found
  std::optional<cv::Rect> left_eye, right_eye;  // the subject's eyes, when found
  PhotoLandmarks landmarks;  // glabella, nasion, canthi, subnasale, menton; view "front"
};

// The folder of Debian's opencv-data Haar cascades.
inline const char* kHaarCascadeDir = "/usr/share/opencv4/haarcascades";

// Suggests the frontal landmarks of `photo_bgr` (CV_8UC3): the largest face found by
// haarcascade_frontalface_default.xml (Viola and Jones 2001, as trained in OpenCV), its eyes
// by haarcascade_eye.xml in the upper half of the face box, and from the eye centres the points
// by facial proportions (see the .cpp, after Farkas 1994). When the eyes are not found, the
// face box's typical eye positions stand in. Throws std::invalid_argument when the cascades
// cannot be loaded from `cascade_dir` (naming the file) or when no face is found.
LandmarkSuggestion suggest_landmarks(const cv::Mat& photo_bgr,
                                     const std::string& cascade_dir = kHaarCascadeDir);

}  // namespace stipple
