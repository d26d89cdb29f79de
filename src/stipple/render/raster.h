// Rasterising the head mesh into a geometry buffer: per pixel the camera depth and the smooth
// (interpolated vertex) normal of the nearest surface. The skin shading reads it, and the dot
// splatter uses its depth to hide occluded dots. A software rasteriser: no GPU on the machines
// Stipple runs on, and a z-buffer over ~80 k triangles is a few lines (why no library).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "stipple/geometry/mesh.h"
#include "stipple/render/camera.h"

namespace stipple {

struct GBuffer {
  int width_px = 0;
  int height_px = 0;
  // Row-major, width x height. depth_mm is the camera-frame z of the nearest front-facing
  // surface at the pixel centre, +infinity where the head is not.
  std::vector<float> depth_mm;
  std::vector<Eigen::Vector3f> normal;  // unit, head frame; (0, 0, 0) where the head is not;
                                        // empty when rasterised without normals

  bool covered(int x, int y) const {
    return depth_mm[static_cast<std::size_t>(y) * width_px + x] <
           std::numeric_limits<float>::infinity();
  }
};

// Rasterises `mesh` (mm, head frame, counter-clockwise outward faces) through `camera`;
// back faces are culled. Pixel centres are sampled (integer coordinates, OpenCV's convention).
// Deterministic and parallel (bands of rows, oneTBB). Throws std::invalid_argument for an
// image over 16384 x 16384 px or 268 M pixels. Without normals (with_normals false) only the
// depth is filled: enough to hide occluded dots on a photo, at a third of the memory.
GBuffer rasterize(const TriMesh& mesh, const Camera& camera, bool with_normals = true);

}  // namespace stipple
