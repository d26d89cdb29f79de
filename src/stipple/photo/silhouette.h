// Refining a photo's registration with the head's outline, for the top and back views where few
// landmarks are visible (a top photo shows the vertex and perhaps the glabella and the tragia:
// four points fix a pose, but a pixel of error in one swings it by degrees).
//
// The head's region in the photo is segmented with GrabCut (Rother, Kolmogorov and Blake 2004,
// cv::grabCut), seeded by the landmark pose's own rendered silhouette: inside it "probably
// head", a band around it "probably background", the rest background. The pose is then moved
// to maximise the overlap (intersection over union) of the rendered head silhouette with that
// segmentation, while the landmarks keep it from sliding along the outline: the cost is
//   (1 - IoU) + w (landmark RMS error / image diagonal)^2,
// minimised by Nelder-Mead (Nelder and Mead 1965; OpenCV's cv::DownhillSolver) over the six
// pose parameters, all at a working resolution of about 400 pixels on the long side.
#pragma once

#include <opencv2/core.hpp>

#include "stipple/head/head.h"
#include "stipple/photo/landmarks.h"
#include "stipple/photo/registration.h"

namespace stipple {

struct SilhouetteFit {
  Registration registration;  // the refined pose (rms_px and residuals recomputed)
  double iou_before = 0;      // of the landmark pose's silhouette with the segmentation
  double iou_after = 0;       // of the refined pose's
  int evaluations = 0;        // poses tried
};

// The head's silhouette through `camera` at `size` (which may be smaller than the camera's
// image: the camera is scaled to it): CV_8UC1, 255 where the head is.
cv::Mat head_silhouette(const Head& head, const Camera& camera, cv::Size size);

// The head's region in `photo_bgr` (CV_8UC3), seeded by `prior` (CV_8UC1 of the photo's size,
// non-zero where the head is expected): CV_8UC1, 255 where GrabCut puts the head. `mask`, when
// not empty, marks pixels that may not be head (0: background for sure).
cv::Mat segment_head(const cv::Mat& photo_bgr, const cv::Mat& prior, const cv::Mat& mask = {});

// Refines `initial` (from register_photo on `landmarks`) with the head's outline in
// `photo_bgr`. Never returns a pose worse than `initial` by its own cost. Deterministic.
SilhouetteFit refine_with_silhouette(const Head& head, const PhotoLandmarks& landmarks,
                                     const cv::Mat& photo_bgr, const Registration& initial,
                                     const cv::Mat& mask = {});

}  // namespace stipple
