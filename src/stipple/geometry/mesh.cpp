#include "stipple/geometry/mesh.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace stipple {
namespace {

// x * 0 is 0 for a finite x and NaN for an infinite or NaN one.
bool all_finite(const MatV& V) {
  const double* x = V.data();
  const Eigen::Index n = V.size();
  double acc = 0;
  for (Eigen::Index i = 0; i < n; ++i) acc += x[i] * 0.0;
  return acc == 0;
}

// 0 <= index < n_vertices, as one unsigned comparison (a negative index wraps to a huge one).
bool indices_in_range(const MatF& F, Eigen::Index n_vertices) {
  const int* f = F.data();
  const Eigen::Index n = F.size();
  const unsigned limit =
      static_cast<unsigned>(std::min<Eigen::Index>(n_vertices, std::numeric_limits<int>::max()));
  unsigned bad = 0;
  for (Eigen::Index i = 0; i < n; ++i) bad |= static_cast<unsigned>(f[i]) >= limit;
  return bad == 0;
}

// Throws naming the first non-finite coordinate or out-of-range face index.
void name_the_bad_entry(const TriMesh& mesh, const char* what) {
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

}  // namespace

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
  // Branch-free passes first (a fraction of the instructions of the loops that name the culprit,
  // ~2.5 M for the default head); those loops run only when something is wrong.
  if (!all_finite(mesh.V) || !indices_in_range(mesh.F, mesh.V.rows())) {
    name_the_bad_entry(mesh, what);
  }
}

}  // namespace stipple
