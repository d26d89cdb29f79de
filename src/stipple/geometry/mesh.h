// A triangle mesh in millimetres, as plain data (libigl style: V is #V x 3, F is #F x 3).
#pragma once

#include <Eigen/Core>
#include <Eigen/Geometry>

namespace stipple {

using Vec3 = Eigen::Vector3d;
using Vec2 = Eigen::Vector2d;
using MatV = Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>;
using MatF = Eigen::Matrix<int, Eigen::Dynamic, 3, Eigen::RowMajor>;

// V: #V x 3 vertex positions (mm); F: #F x 3 vertex indices, counter-clockwise seen from outside
// (so the cross product (v1 - v0) x (v2 - v0) points out of the head).
struct TriMesh {
  MatV V;
  MatF F;
};

// Area of each face in mm2 (#F).
Eigen::VectorXd face_areas_mm2(const TriMesh& mesh);

// Area-weighted unit vertex normals (#V x 3). Degenerate neighbourhoods get (0, 0, 1).
MatV vertex_normals(const TriMesh& mesh);

// Total surface area in mm2.
double surface_area_mm2(const TriMesh& mesh);

// Throws std::invalid_argument naming the problem if a face index is out of range, a
// coordinate is not finite, or the mesh is empty.
void validate_mesh(const TriMesh& mesh, const char* what);

}  // namespace stipple
