#include "stipple/photo/registration.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <Eigen/SVD>
#include <opencv2/calib3d.hpp>

namespace stipple {
namespace {

// Points are "on a line" when the smaller singular value of their centred spread is under this
// fraction of the larger: the pose about that line is then not determined.
constexpr double kMinSpreadRatio = 0.05;

template <int D>
double spread_ratio(const std::vector<Eigen::Matrix<double, D, 1>>& pts) {
  Eigen::Matrix<double, D, 1> mean = Eigen::Matrix<double, D, 1>::Zero();
  for (const auto& p : pts) mean += p;
  mean /= static_cast<double>(pts.size());
  Eigen::MatrixXd centred(static_cast<Eigen::Index>(pts.size()), D);
  for (std::size_t i = 0; i < pts.size(); ++i) {
    centred.row(static_cast<Eigen::Index>(i)) = (pts[i] - mean).transpose();
  }
  const Eigen::VectorXd s = Eigen::JacobiSVD<Eigen::MatrixXd>(centred).singularValues();
  return s[0] > 0 ? s[1] / s[0] : 0;
}

}  // namespace

double focal_px_from_35mm(double focal_35mm, int width_px, int height_px) {
  if (!(focal_35mm >= 8 && focal_35mm <= 800)) {
    throw std::invalid_argument(
        fmt::format("focal_35mm: {} mm is out of range 8 - 800", focal_35mm));
  }
  if (width_px < 1 || height_px < 1 || width_px > 100000 || height_px > 100000) {
    throw std::invalid_argument(
        fmt::format("image size: {} x {} px is out of range 1 - 100000", width_px, height_px));
  }
  return focal_35mm * std::hypot(width_px, height_px) / kFullFrameDiagonalMm;
}

Registration register_photo(const Head& head, const PhotoLandmarks& landmarks, cv::Size image_size,
                            double focal_px) {
  if (image_size.width < 1 || image_size.height < 1) {
    throw std::invalid_argument(fmt::format("registration: image size {} x {} px is empty",
                                            image_size.width, image_size.height));
  }
  if (!(focal_px > 0) || !std::isfinite(focal_px)) {
    throw std::invalid_argument(
        fmt::format("registration: focal length {} px must be > 0", focal_px));
  }
  Registration reg;
  std::vector<cv::Point3d> object;
  std::vector<cv::Point2d> image;
  std::vector<Eigen::Vector3d> object_e;
  std::vector<Eigen::Vector2d> image_e;
  for (const auto& name : anatomical_landmark_names()) {
    const auto it = landmarks.points_px.find(name);
    if (it == landmarks.points_px.end()) continue;
    const auto h = head.landmarks.find(name);
    if (h == head.landmarks.end()) {
      throw std::invalid_argument(
          fmt::format("registration: the head has no landmark \"{}\"", name));
    }
    reg.used.push_back(name);
    object.emplace_back(h->second.x(), h->second.y(), h->second.z());
    image.emplace_back(it->second.x(), it->second.y());
    object_e.push_back(h->second);
    image_e.push_back(it->second);
  }
  const auto list = [&] {
    std::string s;
    for (const auto& n : reg.used) s += (s.empty() ? "" : ", ") + n;
    return s;
  };
  if (static_cast<int>(object.size()) < kMinLandmarks) {
    throw std::invalid_argument(
        fmt::format("registration: {} landmarks ({}); at least {} are needed", object.size(),
                    list(), kMinLandmarks));
  }
  if (spread_ratio<2>(image_e) < kMinSpreadRatio) {
    throw std::invalid_argument(
        fmt::format("registration: the landmarks {} lie on a line in the photo, so the pose is not "
                    "determined; add one off that line (a canthus or a tragion)",
                    list()));
  }
  if (spread_ratio<3>(object_e) < kMinSpreadRatio) {
    throw std::invalid_argument(
        fmt::format("registration: the landmarks {} lie on a line on the head, so the pose is not "
                    "determined; add one off that line",
                    list()));
  }

  const cv::Matx33d K(focal_px, 0, (image_size.width - 1) / 2.0,   //
                      0, focal_px, (image_size.height - 1) / 2.0,  //
                      0, 0, 1);
  cv::Mat rvec, tvec;
  bool ok = false;
  try {
    ok = cv::solvePnP(object, image, K, cv::noArray(), rvec, tvec, false, cv::SOLVEPNP_SQPNP);
    if (ok) cv::solvePnPRefineLM(object, image, K, cv::noArray(), rvec, tvec);
  } catch (const cv::Exception& e) {
    throw std::invalid_argument(
        fmt::format("registration: solvePnP failed on the landmarks {} ({})", list(), e.msg));
  }
  if (!ok) {
    throw std::invalid_argument(
        fmt::format("registration: no camera pose fits the landmarks {}", list()));
  }
  cv::Matx33d R;
  cv::Rodrigues(rvec, R);
  Camera& cam = reg.camera;
  cam.width_px = image_size.width;
  cam.height_px = image_size.height;
  cam.fx_px = cam.fy_px = focal_px;
  cam.cx_px = K(0, 2);
  cam.cy_px = K(1, 2);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) cam.R(r, c) = R(r, c);
    cam.t[r] = tvec.at<double>(r);
  }
  // The head must be in front of the camera (a mirrored solution can fit four points).
  for (const auto& p : object_e) {
    if (!(cam.to_camera(p).z() > 0)) {
      throw std::invalid_argument(fmt::format(
          "registration: the landmarks {} fit only with the head behind the camera; check that "
          "left and right are the subject's",
          list()));
    }
  }
  score_registration(head, landmarks, reg);
  return reg;
}

void score_registration(const Head& head, const PhotoLandmarks& landmarks, Registration& reg) {
  const Camera& cam = reg.camera;
  const double diagonal = std::hypot(cam.width_px, cam.height_px);
  reg.residual_px.clear();
  reg.warning.clear();
  reg.trusted = true;
  double sum2 = 0;
  for (const auto& name : reg.used) {
    const auto p = project(cam, head.landmarks.at(name));
    const double r = p ? (p->head<2>() - landmarks.points_px.at(name)).norm() : diagonal;
    reg.residual_px[name] = r;
    sum2 += r * r;
  }
  reg.rms_px = reg.used.empty() ? 0 : std::sqrt(sum2 / static_cast<double>(reg.used.size()));
  reg.distance_mm = cam.to_camera(head.centre).norm();
  const double limit = kWarnRmsFractionOfDiagonal * diagonal;
  if (reg.rms_px > limit) {
    std::string worst;
    double worst_r = -1;
    for (const auto& [n, r] : reg.residual_px) {
      if (r > worst_r) worst_r = r, worst = n;
    }
    reg.trusted = false;
    reg.warning = fmt::format(
        "the landmarks do not fit the head: reprojection error {:.1f} px RMS is over {:.1f} px "
        "(1 % of the image diagonal); the worst is {} ({:.1f} px); check the points and the "
        "focal length before trusting this overlay",
        reg.rms_px, limit, worst, worst_r);
  } else if (reg.used.size() == static_cast<std::size_t>(kMinLandmarks)) {
    // Four points leave two degrees of freedom to check the fit: a misplaced point can still
    // fit. Not an error, but worth saying.
    reg.warning = "only 4 landmarks: the reprojection error cannot reveal a misplaced point";
  }
}

}  // namespace stipple
