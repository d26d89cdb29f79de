// Cube-map addressing shared by every per-direction table (radii, the baked density field).
//
// Face f: 0 +x, 1 -x, 2 +y, 3 -y, 4 +z, 5 -z. A direction on face f is axis + a u + b v with
// a, b in [-1, 1]. Each face stores (res + 2)^2 texels: a one-texel border on every side holds
// the values just beyond the face, so a bilinear 2x2 stencil never crosses a seam.
#pragma once

#include <algorithm>
#include <cmath>

#include "stipple/geometry/mesh.h"

namespace stipple {

struct CubeFace {
  Vec3 axis, u, v;
};

inline const CubeFace& cube_face(int f) {
  static const CubeFace kFaces[6] = {{Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1)},
                                     {Vec3(-1, 0, 0), Vec3(0, -1, 0), Vec3(0, 0, 1)},
                                     {Vec3(0, 1, 0), Vec3(-1, 0, 0), Vec3(0, 0, 1)},
                                     {Vec3(0, -1, 0), Vec3(1, 0, 0), Vec3(0, 0, 1)},
                                     {Vec3(0, 0, 1), Vec3(1, 0, 0), Vec3(0, 1, 0)},
                                     {Vec3(0, 0, -1), Vec3(1, 0, 0), Vec3(0, -1, 0)}};
  return kFaces[f];
}

inline int cube_major_face(const Vec3& d) {
  const double ax = std::abs(d.x()), ay = std::abs(d.y()), az = std::abs(d.z());
  if (ax >= ay && ax >= az) return d.x() >= 0 ? 0 : 1;
  if (ay >= az) return d.y() >= 0 ? 2 : 3;
  return d.z() >= 0 ? 4 : 5;
}

// Continuous texel coordinate of face coordinate a: texel i (0 .. res + 1, border included) has
// its centre at a = -1 + (i - 0.5) 2 / res.
inline double cube_texel_coord(double a, int res) {
  return (a + 1.0) * 0.5 * res + 0.5;
}
inline double cube_face_coord(double t, int res) {
  return (t - 0.5) * 2.0 / res - 1.0;
}

// Direction (not normalised) through the centre of texel (i, j) of face f.
inline Vec3 cube_texel_direction(int f, int i, int j, int res) {
  const CubeFace& F = cube_face(f);
  return F.axis + cube_face_coord(i, res) * F.u + cube_face_coord(j, res) * F.v;
}

// The bilinear stencil of direction d: texel (i, j) .. (i + 1, j + 1) of face `face`, weights
// fu, fv toward i + 1 and j + 1; `index` is the flat index of (face, i, j).
struct CubeStencil {
  int face, i, j, index;
  double fu, fv;
};

// Direction d projected onto its major face: face coordinates (a, b) in [-1, 1].
struct CubeFacePoint {
  int face;
  double a, b;
};

// Every face's axis, u and v are signed unit vectors (cube_face), so d.dot(axis), d.dot(u) and
// d.dot(v) are single components of d, signs flipped: picking them gives the same quotients as
// the three dot products, bit for bit (the products with 0 add only zeros), without the nine
// multiplies. The radial surface's every lookup goes through here.
inline CubeFacePoint cube_face_point(const Vec3& d) {
  const double x = d.x(), y = d.y(), z = d.z();
  switch (cube_major_face(d)) {
    case 0:
      return {0, y / x, z / x};
    case 1:
      return {1, -y / -x, z / -x};
    case 2:
      return {2, -x / y, z / y};
    case 3:
      return {3, x / -y, z / -y};
    case 4:
      return {4, x / z, y / z};
    default:
      return {5, x / -z, -y / -z};
  }
}

// The stencil of face coordinates (a, b) on face `face`: several tables of different resolutions
// about the same centre (the surface radii, the baked field) share one face projection.
inline CubeStencil cube_stencil_on_face(int face, double a, double b, int res) {
  CubeStencil s;
  s.face = face;
  const double tu = cube_texel_coord(a, res), tv = cube_texel_coord(b, res);
  const int w = res + 2;
  s.i = std::clamp(static_cast<int>(tu), 0, w - 2);
  s.j = std::clamp(static_cast<int>(tv), 0, w - 2);
  s.fu = std::clamp(tu - s.i, 0.0, 1.0);
  s.fv = std::clamp(tv - s.j, 0.0, 1.0);
  s.index = (s.face * w + s.j) * w + s.i;
  return s;
}

inline CubeStencil cube_stencil(const Vec3& d, int res) {
  const CubeFacePoint q = cube_face_point(d);
  return cube_stencil_on_face(q.face, q.a, q.b, res);
}

template <class T>
inline double cube_bilinear(const T* table, const CubeStencil& s, int res) {
  const int w = res + 2;
  const T* r = table + s.index;
  return (1 - s.fv) * ((1 - s.fu) * r[0] + s.fu * r[1]) +
         s.fv * ((1 - s.fu) * r[w] + s.fu * r[w + 1]);
}

// Nearest texel's flat index.
inline int cube_nearest(const CubeStencil& s, int res) {
  const int w = res + 2;
  return s.index + (s.fv >= 0.5 ? w : 0) + (s.fu >= 0.5 ? 1 : 0);
}

// Solid angle (sr) of texel (i, j) of any face: (2/res)^2 / (1 + a^2 + b^2)^(3/2).
inline double cube_texel_solid_angle(int i, int j, int res) {
  const double a = cube_face_coord(i, res), b = cube_face_coord(j, res), h = 2.0 / res;
  return h * h / std::pow(1 + a * a + b * b, 1.5);
}

}  // namespace stipple
