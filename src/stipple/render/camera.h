// A pinhole camera looking at the head: the one camera model the 3D views and (through
// solvePnP) the client's photos share, in OpenCV's convention so a pose from cv::solvePnP
// drops in unchanged.
//
// Camera frame: x to the image right, y down, z forward (into the scene), in mm. A head-frame
// point P (mm, head.h) maps to the camera as Xc = R P + t and to pixel coordinates as
//   x_px = fx Xc.x / Xc.z + cx,   y_px = fy Xc.y / Xc.z + cy,
// with integer pixel coordinates at pixel centres (OpenCV's convention).
#pragma once

#include <optional>
#include <string>

#include <Eigen/Core>

#include "stipple/geometry/mesh.h"
#include "stipple/head/head.h"

namespace stipple {

struct Camera {
  int width_px = 1024;
  int height_px = 1024;
  double fx_px = 1000, fy_px = 1000;  // focal length in pixels
  double cx_px = 511.5, cy_px = 511.5;
  Eigen::Matrix3d R = Eigen::Matrix3d::Identity();  // head frame -> camera frame rotation
  Vec3 t = Vec3::Zero();                            // mm

  Vec3 to_camera(const Vec3& p_mm) const { return R * p_mm + t; }
  Vec3 position_mm() const { return -R.transpose() * t; }  // the eye, in the head frame
};

// The same view at another resolution: the image plane rescaled to width x height pixels
// (pixel centres kept where they are on it), the pose unchanged. For supersampling (k times
// the size: pixel (x, y) is covered by pixels k x .. k x + k - 1 of the result) and for working
// on a smaller copy of a photo.
Camera resized_camera(const Camera& camera, int width_px, int height_px);

// Projects a head-frame point: (x_px, y_px, depth_mm) with depth the camera-frame z; nullopt
// when the point is behind the camera or closer than 1 mm to it.
std::optional<Vec3> project(const Camera& camera, const Vec3& p_mm);

// The 2x2 Jacobian d(pixel)/d(tangent mm) of a small disc at p_mm lying in the tangent plane
// spanned by the unit vectors t1, t2 (the dot's footprint maps to the image through it).
Eigen::Matrix2d tangent_jacobian(const Camera& camera, const Vec3& p_mm, const Vec3& t1,
                                 const Vec3& t2);

// A view direction: the camera orbits the head's centre. yaw 0 looks at the face, yaw +90 at
// the subject's right side, 180 at the back; pitch +90 looks straight down on the vertex (the
// face toward the bottom of the image, as a clinic's top photograph taken from in front).
struct ViewAngles {
  double yaw_deg = 0;    // -360 .. 360
  double pitch_deg = 0;  // -90 .. 90
};

// "front", "top", "left", "right", "back" (left and right are the subject's sides); throws
// std::invalid_argument naming the view and the allowed names.
ViewAngles named_view(const std::string& name);

// A camera at yaw/pitch that frames the whole head (mesh bounding sphere, with a margin) in a
// width x height image, with a portrait lens: a 35 mm equivalent focal length of
// `focal_35mm_equiv` (85 mm: the classic portrait lens, little perspective distortion).
// Throws std::invalid_argument naming the field for sizes outside 16 .. 16384 px or angles
// out of range.
Camera orbit_camera(const Head& head, const ViewAngles& view, int width_px, int height_px,
                    double focal_35mm_equiv = 85);

}  // namespace stipple
