#include "stipple/geometry/radial_surface.h"

#include "stipple/geometry/cube_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace stipple {
namespace {

// Moller-Trumbore ray/triangle intersection; returns t > 0 of origin + t dir or -1.
double intersect(const Vec3& o, const Vec3& dir, const Vec3& p0, const Vec3& p1, const Vec3& p2) {
  const Vec3 e1 = p1 - p0, e2 = p2 - p0;
  const Vec3 h = dir.cross(e2);
  const double det = e1.dot(h);
  if (std::abs(det) < 1e-14) return -1;
  const double inv = 1.0 / det;
  const Vec3 s = o - p0;
  const double u = inv * s.dot(h);
  // A tiny tolerance so rays through shared edges are not lost between two triangles.
  constexpr double kEps = 1e-9;
  if (u < -kEps || u > 1 + kEps) return -1;
  const Vec3 q = s.cross(e1);
  const double v = inv * dir.dot(q);
  if (v < -kEps || u + v > 1 + kEps) return -1;
  const double t = inv * e2.dot(q);
  return t > 0 ? t : -1;
}

}  // namespace

RadialSurface build_radial_surface(const TriMesh& mesh, const Vec3& centre, int res) {
  if (res < 16 || res > 2048) {
    throw std::invalid_argument(
        fmt::format("radial surface: res = {} is out of range, allowed 16 to 2048", res));
  }
  validate_mesh(mesh, "radial surface");
  RadialSurface s;
  s.centre = centre;
  s.res = res;
  const int w = res + 2;
  s.radius_mm.assign(6 * w * w, -1.0f);

  // Each texel's unit ray direction, once per face rather than once per triangle that covers it.
  std::vector<Vec3> dirs(static_cast<size_t>(w) * w);
  for (int f = 0; f < 6; ++f) {
    const CubeFace& B = cube_face(f);
    float* face = s.radius_mm.data() + f * w * w;
    for (int j = 0; j < w; ++j)
      for (int i = 0; i < w; ++i)
        dirs[static_cast<size_t>(j) * w + i] = cube_texel_direction(f, i, j, res).normalized();
    for (Eigen::Index t = 0; t < mesh.F.rows(); ++t) {
      const Vec3 p[3] = {mesh.V.row(mesh.F(t, 0)), mesh.V.row(mesh.F(t, 1)),
                         mesh.V.row(mesh.F(t, 2))};
      double amin = 1e9, amax = -1e9, bmin = 1e9, bmax = -1e9;
      bool in_front = true;
      for (const Vec3& q : p) {
        const Vec3 d = q - centre;
        const double z = d.dot(B.axis);
        if (z <= 1e-9) {
          in_front = false;
          break;
        }
        const double a = d.dot(B.u) / z, b = d.dot(B.v) / z;
        amin = std::min(amin, a), amax = std::max(amax, a);
        bmin = std::min(bmin, b), bmax = std::max(bmax, b);
      }
      if (!in_front) continue;
      // Texel i's centre is at texel coordinate i: only centres inside the triangle's projected
      // bounding box can hit it (the slack of 1e-6 texel keeps the rays the intersection's own
      // 1e-9 edge tolerance admits; floor / ceil of the box tried ~4x more texels, all misses).
      constexpr double kSlack = 1e-6;
      const int i0 = std::max(0, static_cast<int>(std::ceil(cube_texel_coord(amin, res) - kSlack)));
      const int i1 =
          std::min(w - 1, static_cast<int>(std::floor(cube_texel_coord(amax, res) + kSlack)));
      const int j0 = std::max(0, static_cast<int>(std::ceil(cube_texel_coord(bmin, res) - kSlack)));
      const int j1 =
          std::min(w - 1, static_cast<int>(std::floor(cube_texel_coord(bmax, res) + kSlack)));
      for (int j = j0; j <= j1; ++j) {
        for (int i = i0; i <= i1; ++i) {
          const Vec3& dir = dirs[static_cast<size_t>(j) * w + i];
          const double hit = intersect(centre, dir, p[0], p[1], p[2]);
          if (hit > 0 && hit > face[j * w + i]) face[j * w + i] = static_cast<float>(hit);
        }
      }
    }
  }
  for (int f = 0; f < 6; ++f) {
    for (int k = 0; k < w * w; ++k) {
      if (s.radius_mm[f * w * w + k] <= 0) {
        throw std::invalid_argument(
            fmt::format("radial surface: a ray from the centre ({:.1f}, {:.1f}, {:.1f}) mm misses "
                        "the mesh (cube face {}, "
                        "texel {}): the centre must be inside a closed head surface",
                        centre.x(), centre.y(), centre.z(), f, k));
      }
    }
  }
  return s;
}

double surface_radius_mm(const RadialSurface& s, const Vec3& d) {
  return cube_bilinear(s.radius_mm.data(), cube_stencil(d, s.res), s.res);
}

Vec3 project_to_surface(const RadialSurface& s, const Vec3& p) {
  const Vec3 d = p - s.centre;
  const double len = d.norm();
  if (!(len > 0)) return s.centre + Vec3(0, 0, surface_radius_mm(s, Vec3(0, 0, 1)));
  return s.centre + d * (surface_radius_mm(s, d) / len);
}

Vec3 surface_normal(const RadialSurface& s, const Vec3& p) {
  // On p's cube face the surface is P(a, b) = centre + r(a, b) D / |D|, D = axis + a u + b v;
  // its tangents dP/da = r_a D^ + r (u - D^ (D^ . u)) / |D| (and so for b), with r's derivatives
  // by central differences over half a texel either side: smooth over the bilinear kinks, far
  // below the dot spacing, and five lookups on one face (no direction normalised per lookup).
  const Vec3 d = p - s.centre;
  if (!(d.squaredNorm() > 0)) return Vec3::UnitZ();
  const CubeFacePoint q = cube_face_point(d);
  const CubeFace& F = cube_face(q.face);
  auto radius = [&](double a, double b) {
    return cube_bilinear(s.radius_mm.data(), cube_stencil_on_face(q.face, a, b, s.res), s.res);
  };
  const double h = 1.0 / s.res;  // half a texel (a texel spans 2 / res of the face)
  const double r0 = radius(q.a, q.b);
  const double ra = (radius(q.a + h, q.b) - radius(q.a - h, q.b)) / (2 * h);
  const double rb = (radius(q.a, q.b + h) - radius(q.a, q.b - h)) / (2 * h);
  const Vec3 D = F.axis + q.a * F.u + q.b * F.v;
  const double len = D.norm();
  const Vec3 u = D / len;
  const Vec3 pa = ra * u + (r0 / len) * (F.u - u * u.dot(F.u));
  const Vec3 pb = rb * u + (r0 / len) * (F.v - u * u.dot(F.v));
  Vec3 n = pa.cross(pb);
  if (n.dot(u) < 0) n = -n;
  const double nl = n.norm();
  return nl > 0 ? Vec3(n / nl) : u;
}

}  // namespace stipple
