// Registration: the camera that took a photo, found from the photo's landmarks (landmarks.h)
// and the same landmarks on the plan's head (head.h), with cv::solvePnP (the Perspective-n-
// Point problem; SQPnP, Terzakis and Lourakis 2020, refined by Levenberg-Marquardt on the
// reprojection error). The result is a Camera (render/camera.h) in OpenCV's convention, so the
// plan's dots are projected into the photo exactly as into a rendered view.
//
// Scale: under a pinhole camera a head k times larger seen from k times farther gives the same
// photo, so one photo cannot tell the client's head size from the distance. The pose is found
// for the plan's head (its measurements), and the overlay is exact for any k: every dot of the
// plan lies on the head surface, and scaling the head and the distance together moves no pixel.
// Registration::distance_mm is the distance *for the plan's head size*; what is measured is the
// ratio of the two (docs/photos.md).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "stipple/head/head.h"
#include "stipple/photo/landmarks.h"
#include "stipple/render/camera.h"

namespace stipple {

// Without EXIF FocalLengthIn35mmFilm, the focal length assumed (35 mm equivalent, mm): 50 mm,
// between a phone's main camera (24 - 28 mm) and a portrait lens (85 mm), the focal length at
// which a head-and-shoulders photo is usually taken (phones' "portrait" modes use 2x, ~50 mm).
// A wrong focal length changes the perspective slightly; the pose error it causes shows in
// the reprojection error.
inline constexpr double kDefaultFocal35mm = 50;
// The diagonal of the 35 mm film frame (36 x 24 mm), for 35 mm equivalent focal lengths.
inline constexpr double kFullFrameDiagonalMm = 43.2666;
// A fit is flagged untrustworthy when its RMS reprojection error exceeds this fraction of the
// image diagonal (1 %: ~28 px on a 2000 x 2000 photo, several times what a careful hand
// placement misses by, and where dots start to land visibly off the hairline).
inline constexpr double kWarnRmsFractionOfDiagonal = 0.01;

// The focal length in pixels of a `width` x `height` photo with a 35 mm equivalent focal
// length `focal_35mm` (f_px = f35 * diagonal_px / 43.27 mm). Throws std::invalid_argument
// naming the field for a focal length outside 8 - 800 mm or a size outside 1 - 100000 px.
double focal_px_from_35mm(double focal_35mm, int width_px, int height_px);

struct Registration {
  Camera camera;                              // the photo's size, principal point at the centre
  double rms_px = 0;                          // root-mean-square reprojection error
  std::map<std::string, double> residual_px;  // per landmark used
  std::vector<std::string> used;              // the landmarks used, anatomical order
  double distance_mm = 0;                     // camera to the head's centre, for the plan head
  bool trusted = true;                        // false when `warning` is set
  std::string warning;                        // empty, or why the fit should not be trusted
};

// Registers `head` to the photo of size `image_size` with landmarks `landmarks` (pixels) and
// focal length `focal_px`. Uses every landmark the sidecar gives (at least kMinLandmarks).
// Throws std::invalid_argument naming the problem: fewer than 4 landmarks, landmarks on a line
// in the photo or on a line on the head (the pose is not determined), a landmark the head does
// not have, no pose with the head in front of the camera.
Registration register_photo(const Head& head, const PhotoLandmarks& landmarks, cv::Size image_size,
                            double focal_px);

// Fills reg.residual_px, rms_px, distance_mm, trusted and warning for reg.camera and the
// landmarks named in reg.used (register_photo calls it; so does any refinement of the pose).
void score_registration(const Head& head, const PhotoLandmarks& landmarks, Registration& reg);

}  // namespace stipple
