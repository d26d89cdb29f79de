#include "stipple/render/camera.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>

namespace stipple {

Camera resized_camera(const Camera& camera, int width_px, int height_px) {
  const double sx = static_cast<double>(width_px) / camera.width_px;
  const double sy = static_cast<double>(height_px) / camera.height_px;
  Camera c = camera;
  c.width_px = width_px;
  c.height_px = height_px;
  c.fx_px = camera.fx_px * sx;
  c.fy_px = camera.fy_px * sy;
  c.cx_px = (camera.cx_px + 0.5) * sx - 0.5;
  c.cy_px = (camera.cy_px + 0.5) * sy - 0.5;
  return c;
}

std::optional<Vec3> project(const Camera& camera, const Vec3& p_mm) {
  const Vec3 c = camera.to_camera(p_mm);
  if (!(c.z() > 1.0)) return std::nullopt;
  return Vec3(camera.fx_px * c.x() / c.z() + camera.cx_px,
              camera.fy_px * c.y() / c.z() + camera.cy_px, c.z());
}

Eigen::Matrix2d tangent_jacobian(const Camera& camera, const Vec3& p_mm, const Vec3& t1,
                                 const Vec3& t2) {
  const Vec3 c = camera.to_camera(p_mm);
  const double iz = 1.0 / c.z();
  // d(pixel)/d(camera point) of the pinhole projection.
  Eigen::Matrix<double, 2, 3> dp;
  dp << camera.fx_px * iz, 0, -camera.fx_px * c.x() * iz * iz,  //
      0, camera.fy_px * iz, -camera.fy_px * c.y() * iz * iz;
  Eigen::Matrix<double, 3, 2> tangent;
  tangent.col(0) = t1;
  tangent.col(1) = t2;
  return dp * camera.R * tangent;
}

ViewAngles named_view(const std::string& name) {
  if (name == "front") return {0, 0};
  if (name == "right") return {90, 0};
  if (name == "back") return {180, 0};
  if (name == "left") return {-90, 0};
  if (name == "top") return {0, 90};
  throw std::invalid_argument(
      fmt::format("view: \"{}\" is not a view; allowed: front, top, left, right, back", name));
}

Camera orbit_camera(const Head& head, const ViewAngles& view, int width_px, int height_px,
                    double focal_35mm_equiv) {
  constexpr int kMinPx = 16, kMaxPx = 16384;
  if (width_px < kMinPx || width_px > kMaxPx) {
    throw std::invalid_argument(
        fmt::format("width: {} px is out of range {} - {}", width_px, kMinPx, kMaxPx));
  }
  if (height_px < kMinPx || height_px > kMaxPx) {
    throw std::invalid_argument(
        fmt::format("height: {} px is out of range {} - {}", height_px, kMinPx, kMaxPx));
  }
  if (!(std::abs(view.yaw_deg) <= 360)) {
    throw std::invalid_argument(
        fmt::format("yaw: {} degrees is out of range -360 - 360", view.yaw_deg));
  }
  if (!(std::abs(view.pitch_deg) <= 90)) {
    throw std::invalid_argument(
        fmt::format("pitch: {} degrees is out of range -90 - 90", view.pitch_deg));
  }
  if (!(focal_35mm_equiv >= 20 && focal_35mm_equiv <= 300)) {
    throw std::invalid_argument(
        fmt::format("focal_35mm_equiv: {} mm is out of range 20 - 300", focal_35mm_equiv));
  }
  // Bounding sphere of the mesh about its box centre.
  const auto& V = head.mesh.V;
  const Vec3 lo = V.colwise().minCoeff().transpose();
  const Vec3 hi = V.colwise().maxCoeff().transpose();
  const Vec3 centre = 0.5 * (lo + hi);
  double radius = 0;
  for (Eigen::Index i = 0; i < V.rows(); ++i) {
    radius = std::max(radius, (V.row(i).transpose() - centre).norm());
  }

  const double yaw = view.yaw_deg * std::numbers::pi / 180;
  const double pitch = view.pitch_deg * std::numbers::pi / 180;
  // Direction from the centre to the eye: yaw 0 is +y (the face), +90 is +x (the subject's
  // right), pitch lifts it toward +z.
  const Vec3 to_eye(std::sin(yaw) * std::cos(pitch), std::cos(yaw) * std::cos(pitch),
                    std::sin(pitch));
  // Image "up" follows the orbit: the head's +z tilted back by the pitch.
  const Vec3 up_world(-std::sin(yaw) * std::sin(pitch), -std::cos(yaw) * std::sin(pitch),
                      std::cos(pitch));
  const Vec3 forward = -to_eye;            // camera z
  const Vec3 down = -up_world;             // camera y
  const Vec3 right = down.cross(forward);  // camera x = y cross z
  Camera cam;
  cam.width_px = width_px;
  cam.height_px = height_px;
  cam.R.row(0) = right.transpose();
  cam.R.row(1) = down.transpose();
  cam.R.row(2) = forward.transpose();

  // 35 mm equivalent: the diagonal of a 36 x 24 mm frame (43.27 mm) maps to the image diagonal.
  const double diag_px = std::hypot(width_px, height_px);
  const double f_px = focal_35mm_equiv * diag_px / std::hypot(36.0, 24.0);
  cam.fx_px = cam.fy_px = f_px;
  cam.cx_px = 0.5 * (width_px - 1);
  cam.cy_px = 0.5 * (height_px - 1);
  // Distance so the sphere (with 6 % margin) fits the shorter image side.
  const double half_fov = std::atan(0.5 * std::min(width_px, height_px) / f_px);
  const double distance = 1.06 * radius / std::sin(half_fov);
  const Vec3 eye = centre + distance * to_eye;
  cam.t = -cam.R * eye;
  return cam;
}

}  // namespace stipple
