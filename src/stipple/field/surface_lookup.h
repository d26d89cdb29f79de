// surface_radius_mm (radial_surface.h) inlined, for the field's loops that look the surface up
// once a sample (the scalp chart's 119,000 meridian samples, the baked grid's texel points).
#pragma once

#include "stipple/geometry/cube_map.h"
#include "stipple/geometry/radial_surface.h"

namespace stipple {

// The radius surface_radius_mm(s, d) returns, bit for bit, for a finite non-zero d. It takes the
// same face projection, texel coordinates and bilinear weights, without the stencil's clamps:
// on its major face |a|, |b| <= 1 (a quotient of magnitudes |n| <= |z| is at most 1 when
// rounded), so a texel coordinate (a + 1) res / 2 + 1/2 lies in [1/2, res + 1/2], its integer
// part in [0, res] = [0, w - 2] and its fraction in [0, 1): every clamp would leave its value as
// it is. Inlined and without them, a lookup costs about half as many instructions.
inline double surface_radius_inline_mm(const RadialSurface& s, const Vec3& d) {
  const CubeFacePoint q = cube_face_point(d);
  const double tu = cube_texel_coord(q.a, s.res), tv = cube_texel_coord(q.b, s.res);
  const int i = static_cast<int>(tu), j = static_cast<int>(tv), w = s.res + 2;
  const double fu = tu - i, fv = tv - j;
  const float* r = s.radius_mm.data() + (q.face * w + j) * w + i;
  return (1 - fv) * ((1 - fu) * r[0] + fu * r[1]) + fv * ((1 - fu) * r[w] + fu * r[w + 1]);
}

// Two lookups side by side, one in each lane (on x86-64 one SSE2 register, elsewhere two
// scalars: Eigen picks). Each lane does the scalar path's operations in the scalar path's order,
// so each value is the one surface_radius_inline_mm computes, bit for bit.
using Lanes = Eigen::Array2d;

// surface_radius_inline_mm in both lanes, for directions (x, y, z) whose major face is `face`
// in both: the same component quotients (cube_face_point), texel coordinates and weights.
inline Lanes surface_radii_on_face_mm(const RadialSurface& s, int face, const Lanes& x,
                                      const Lanes& y, const Lanes& z) {
  Lanes a, b;
  switch (face) {
    case 0:
      a = y / x, b = z / x;
      break;
    case 1:
      a = -y / -x, b = z / -x;
      break;
    case 2:
      a = -x / y, b = z / y;
      break;
    case 3:
      a = x / -y, b = z / -y;
      break;
    case 4:
      a = x / z, b = y / z;
      break;
    default:
      a = x / -z, b = -y / -z;
      break;
  }
  const double res = s.res;
  const Lanes tu = (a + 1.0) * 0.5 * res + 0.5, tv = (b + 1.0) * 0.5 * res + 0.5;
  const int w = s.res + 2;
  const int i0 = static_cast<int>(tu[0]), i1 = static_cast<int>(tu[1]);
  const int j0 = static_cast<int>(tv[0]), j1 = static_cast<int>(tv[1]);
  const Lanes fu = tu - Lanes(i0, i1), fv = tv - Lanes(j0, j1);
  const float* r0 = s.radius_mm.data() + (face * w + j0) * w + i0;
  const float* r1 = s.radius_mm.data() + (face * w + j1) * w + i1;
  const Lanes r00(r0[0], r1[0]), r10(r0[1], r1[1]), r01(r0[w], r1[w]), r11(r0[w + 1], r1[w + 1]);
  return (1 - fv) * ((1 - fu) * r00 + fu * r10) + fv * ((1 - fu) * r01 + fu * r11);
}

// surface_radius_inline_mm of the directions (x[0], y[0], z[0]) and (x[1], y[1], z[1]).
inline Lanes surface_radii_mm(const RadialSurface& s, const Lanes& x, const Lanes& y,
                              const Lanes& z) {
  const Vec3 d0(x[0], y[0], z[0]), d1(x[1], y[1], z[1]);
  const int f0 = cube_major_face(d0);
  if (f0 == cube_major_face(d1)) return surface_radii_on_face_mm(s, f0, x, y, z);
  return Lanes(surface_radius_inline_mm(s, d0), surface_radius_inline_mm(s, d1));
}

}  // namespace stipple
