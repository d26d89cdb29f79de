// Cube-map addressing: the face projection against its definition.
#include "stipple/geometry/cube_map.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace stipple {
namespace {

// cube_face_point's definition: the major face's axis, u and v as dot products.
CubeFacePoint face_point_by_dot_products(const Vec3& d) {
  const int face = cube_major_face(d);
  const CubeFace& F = cube_face(face);
  const double z = d.dot(F.axis);
  return {face, d.dot(F.u) / z, d.dot(F.v) / z};
}

// Picking components gives the same quotients bit for bit (== also holds for +0 and -0, the one
// difference a component pick can make, which no texel coordinate sees), on random directions
// and on the ties between faces: edges, corners, the axes.
TEST(CubeMap, FacePointIsTheDotProductDefinition) {
  std::vector<Vec3> dirs;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> n(0, 1);
  for (int k = 0; k < 200000; ++k) dirs.emplace_back(n(rng), n(rng), n(rng));
  for (double x : {-1.0, -0.5, 0.0, 0.5, 1.0}) {
    for (double y : {-1.0, -0.5, 0.0, 0.5, 1.0}) {
      for (double z : {-1.0, -0.5, 0.0, 0.5, 1.0}) {
        if (x != 0 || y != 0 || z != 0) dirs.emplace_back(x, y, z);
      }
    }
  }
  for (const Vec3& d : dirs) {
    const CubeFacePoint got = cube_face_point(d), want = face_point_by_dot_products(d);
    ASSERT_EQ(got.face, want.face) << d.transpose();
    ASSERT_EQ(got.a, want.a) << d.transpose();
    ASSERT_EQ(got.b, want.b) << d.transpose();
    ASSERT_LE(std::abs(got.a), 1.0);
    ASSERT_LE(std::abs(got.b), 1.0);
  }
}

}  // namespace
}  // namespace stipple
