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

}  // namespace stipple
