#include "stipple/geometry/mesh.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace stipple {

Eigen::VectorXd face_areas_mm2(const TriMesh& mesh) {
  Eigen::VectorXd a(mesh.F.rows());
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const Vec3 p0 = mesh.V.row(mesh.F(f, 0));
    const Vec3 p1 = mesh.V.row(mesh.F(f, 1));
    const Vec3 p2 = mesh.V.row(mesh.F(f, 2));
    a(f) = 0.5 * (p1 - p0).cross(p2 - p0).norm();
  }
  return a;
}

MatV vertex_normals(const TriMesh& mesh) {
  MatV n = MatV::Zero(mesh.V.rows(), 3);
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const Vec3 p0 = mesh.V.row(mesh.F(f, 0));
    const Vec3 p1 = mesh.V.row(mesh.F(f, 1));
    const Vec3 p2 = mesh.V.row(mesh.F(f, 2));
    const Vec3 w = (p1 - p0).cross(p2 - p0);  // length = 2 x area: area weighting for free
    for (int k = 0; k < 3; ++k) n.row(mesh.F(f, k)) += w.transpose();
  }
  for (Eigen::Index v = 0; v < n.rows(); ++v) {
    const double len = n.row(v).norm();
    if (len > 0) {
      n.row(v) /= len;
    } else {
      n.row(v) = Vec3(0, 0, 1).transpose();
    }
  }
  return n;
}

double surface_area_mm2(const TriMesh& mesh) {
  return face_areas_mm2(mesh).sum();
}

void validate_mesh(const TriMesh& mesh, const char* what) {
  if (mesh.V.rows() < 4 || mesh.F.rows() < 4) {
    throw std::invalid_argument(
        fmt::format("{}: a mesh needs at least 4 vertices and 4 faces, got {} and {}", what,
                    mesh.V.rows(), mesh.F.rows()));
  }
  for (Eigen::Index v = 0; v < mesh.V.rows(); ++v) {
    for (int k = 0; k < 3; ++k) {
      if (!std::isfinite(mesh.V(v, k))) {
        throw std::invalid_argument(
            fmt::format("{}: vertex {} has a coordinate that is not finite", what, v));
      }
    }
  }
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    for (int k = 0; k < 3; ++k) {
      const int i = mesh.F(f, k);
      if (i < 0 || i >= mesh.V.rows()) {
        throw std::invalid_argument(fmt::format("{}: face {} names vertex {}, allowed 0 to {}",
                                                what, f, i, mesh.V.rows() - 1));
      }
    }
  }
}

}  // namespace stipple
