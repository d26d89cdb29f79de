#include "stipple/photo/silhouette.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <opencv2/calib3d.hpp>
#include <opencv2/core/optim.hpp>
#include <opencv2/imgproc.hpp>

#include "stipple/render/raster.h"

namespace stipple {
namespace {

// The working resolution: the long side of the photo as the fit sees it. The outline of a head
// filling the frame then moves a pixel for ~0.5 mm: finer than landmarks placed by hand.
constexpr int kWorkLongSidePx = 400;
// The landmarks' weight against the overlap: an RMS error of 1 % of the diagonal costs as
// much as 1 % of overlap.
constexpr double kLandmarkWeight = 10;
// GrabCut's seeds: the band around the prior silhouette that may be head or background, as a
// fraction of the working image's long side, and its iterations.
constexpr double kBandFraction = 0.06;
constexpr int kGrabCutIterations = 4;
// Nelder-Mead: first steps (radians, mm), and how long it may search.
constexpr double kRotationStep = 0.04, kTranslationStep = 4, kDepthStep = 12;
constexpr int kMaxEvaluations = 400;

double iou(const cv::Mat& a, const cv::Mat& b) {
  const double inter = cv::countNonZero(a & b);
  const double uni = cv::countNonZero(a | b);
  return uni > 0 ? inter / uni : 0;
}

// A camera moved from `base` by x = (rotation vector in the camera frame, translation in mm).
Camera moved(const Camera& base, const double* x) {
  cv::Matx33d dR;
  cv::Rodrigues(cv::Vec3d(x[0], x[1], x[2]), dR);
  Eigen::Matrix3d d;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) d(r, c) = dR(r, c);
  }
  Camera c = base;
  c.R = d * base.R;
  c.t = d * base.t + Vec3(x[3], x[4], x[5]);
  return c;
}

// Silhouettes compared smoothly: a hard outline moves in whole pixels, which leaves the simplex
// on flat steps. The rendered silhouette is anti-aliased (2 x 2 samples a pixel) and both are
// blurred by a Gaussian of kSoftSigmaPx, so the overlap changes with sub-pixel moves.
constexpr double kSoftSigmaPx = 1.5;

cv::Mat soften(const cv::Mat& mask8) {
  cv::Mat f;
  mask8.convertTo(f, CV_32F, 1.0 / 255);
  cv::GaussianBlur(f, f, cv::Size(0, 0), kSoftSigmaPx);
  return f;
}

cv::Mat soft_silhouette(const Head& head, const Camera& camera, cv::Size size) {
  const cv::Mat fine = head_silhouette(head, camera, cv::Size(2 * size.width, 2 * size.height));
  cv::Mat coarse;
  cv::resize(fine, coarse, size, 0, 0, cv::INTER_AREA);
  return soften(coarse);
}

// Soft intersection over union: sum(min) / sum(max) of the two coverages.
double soft_overlap(const cv::Mat& a, const cv::Mat& b) {
  const double inter = cv::sum(cv::min(a, b))[0];
  const double uni = cv::sum(cv::max(a, b))[0];
  return uni > 0 ? inter / uni : 0;
}

class PoseCost : public cv::MinProblemSolver::Function {
 public:
  PoseCost(const Head& head, const PhotoLandmarks& landmarks, const Registration& initial,
           const cv::Mat& target, cv::Size work)
      : head_(head), landmarks_(landmarks), initial_(initial), target_(target), work_(work) {}

  int getDims() const override { return 6; }

  double calc(const double* x) const override {
    ++evaluations;
    const Camera cam = moved(initial_.camera, x);
    const double overlap = soft_overlap(soft_silhouette(head_, cam, work_), target_);
    Registration r = initial_;
    r.camera = cam;
    score_registration(head_, landmarks_, r);
    const double diagonal = std::hypot(cam.width_px, cam.height_px);
    const double e = r.rms_px / diagonal;
    return (1 - overlap) + kLandmarkWeight * e * e;
  }

  mutable int evaluations = 0;

 private:
  const Head& head_;
  const PhotoLandmarks& landmarks_;
  const Registration& initial_;
  cv::Mat target_;
  cv::Size work_;
};

}  // namespace

cv::Mat head_silhouette(const Head& head, const Camera& camera, cv::Size size) {
  const GBuffer g = rasterize(head.mesh, resized_camera(camera, size.width, size.height),
                              /*with_normals=*/false);
  cv::Mat out(size, CV_8UC1);
  for (int y = 0; y < size.height; ++y) {
    std::uint8_t* row = out.ptr<std::uint8_t>(y);
    for (int x = 0; x < size.width; ++x) row[x] = g.covered(x, y) ? 255 : 0;
  }
  return out;
}

cv::Mat segment_head(const cv::Mat& photo_bgr, const cv::Mat& prior, const cv::Mat& mask) {
  if (photo_bgr.type() != CV_8UC3 || photo_bgr.empty()) {
    throw std::invalid_argument("segment_head: the photo must be 8-bit, 3 channels");
  }
  if (prior.type() != CV_8UC1 || prior.size() != photo_bgr.size()) {
    throw std::invalid_argument(
        "segment_head: the prior must be 8-bit, 1 channel, the photo's size");
  }
  const int band = std::max(
      3, static_cast<int>(std::lround(kBandFraction * std::max(photo_bgr.cols, photo_bgr.rows))));
  const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * band + 1, 2 * band + 1});
  cv::Mat grown, shrunk;
  cv::dilate(prior, grown, kernel);
  cv::erode(prior, shrunk, kernel);
  cv::Mat seeds(photo_bgr.size(), CV_8UC1, cv::Scalar(cv::GC_BGD));
  seeds.setTo(cv::GC_PR_BGD, grown);
  seeds.setTo(cv::GC_PR_FGD, prior);
  seeds.setTo(cv::GC_FGD, shrunk);
  if (!mask.empty()) seeds.setTo(cv::GC_BGD, mask == 0);
  if (cv::countNonZero(seeds == cv::GC_FGD) == 0 || cv::countNonZero(seeds == cv::GC_BGD) == 0) {
    // Nothing sure on one side (the prior fills the frame or is a sliver): keep the prior.
    return prior.clone();
  }
  cv::Mat bgd, fgd;
  cv::theRNG().state = 0x5713;  // GrabCut's k-means seeding draws from OpenCV's generator
  cv::grabCut(photo_bgr, seeds, cv::Rect(), bgd, fgd, kGrabCutIterations, cv::GC_INIT_WITH_MASK);
  return (seeds == cv::GC_FGD) | (seeds == cv::GC_PR_FGD);
}

SilhouetteFit refine_with_silhouette(const Head& head, const PhotoLandmarks& landmarks,
                                     const cv::Mat& photo_bgr, const Registration& initial,
                                     const cv::Mat& mask) {
  if (photo_bgr.type() != CV_8UC3 || photo_bgr.cols != initial.camera.width_px ||
      photo_bgr.rows != initial.camera.height_px) {
    throw std::invalid_argument(fmt::format(
        "silhouette: the photo ({} x {} px) must be the registered camera's size ({} x {} px)",
        photo_bgr.cols, photo_bgr.rows, initial.camera.width_px, initial.camera.height_px));
  }
  const double s = std::min(
      1.0, static_cast<double>(kWorkLongSidePx) / std::max(photo_bgr.cols, photo_bgr.rows));
  const cv::Size work(std::max(16, static_cast<int>(std::lround(photo_bgr.cols * s))),
                      std::max(16, static_cast<int>(std::lround(photo_bgr.rows * s))));
  cv::Mat small, small_mask;
  cv::resize(photo_bgr, small, work, 0, 0, cv::INTER_AREA);
  if (!mask.empty()) cv::resize(mask, small_mask, work, 0, 0, cv::INTER_NEAREST);
  const cv::Mat prior = head_silhouette(head, initial.camera, work);
  const cv::Mat target = segment_head(small, prior, small_mask);

  SilhouetteFit fit;
  fit.registration = initial;
  fit.iou_before = iou(prior, target);
  const cv::Ptr<PoseCost> cost =
      cv::makePtr<PoseCost>(head, landmarks, initial, soften(target), work);
  const double zero[6] = {0, 0, 0, 0, 0, 0};
  const double start_cost = cost->calc(zero);
  cv::Ptr<cv::DownhillSolver> solver = cv::DownhillSolver::create(
      cost,
      cv::Mat(1, 6, CV_64F,
              std::array<double, 6>{kRotationStep, kRotationStep, kRotationStep, kTranslationStep,
                                    kTranslationStep, kDepthStep}
                  .data())
          .clone(),
      cv::TermCriteria(cv::TermCriteria::MAX_ITER + cv::TermCriteria::EPS, kMaxEvaluations, 1e-6));
  cv::Mat x = cv::Mat::zeros(1, 6, CV_64F);
  const double best = solver->minimize(x);
  fit.evaluations = cost->evaluations;
  if (!(best < start_cost)) {
    fit.iou_after = fit.iou_before;
    return fit;  // the landmark pose was already the best the outline could say
  }
  fit.registration.camera = moved(initial.camera, x.ptr<double>());
  score_registration(head, landmarks, fit.registration);
  fit.iou_after = iou(head_silhouette(head, fit.registration.camera, work), target);
  return fit;
}

}  // namespace stipple
