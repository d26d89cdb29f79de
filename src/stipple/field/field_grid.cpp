#include "stipple/field/field_grid.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <stdexcept>

#include "stipple/field/surface_lookup.h"
#include "stipple/geometry/cube_map.h"

namespace stipple {
namespace {

// Slack for bounds built from distances computed in floating point (each within ~1e-13 mm of
// the truth at head scale): far above rounding, far below anything the field resolves.
constexpr double kBoundSlackMm = 1e-9;

FieldGrid empty_grid(const RadialSurface& surface, int res) {
  if (res < 16 || res > 1024) {
    throw std::invalid_argument(
        fmt::format("field grid: res = {} is out of range, allowed 16 to 1024", res));
  }
  FieldGrid g;
  g.res = res;
  g.centre = surface.centre;
  const int w = res + 2;
  const size_t n = static_cast<size_t>(6) * w * w;
  g.dots_per_cm2.assign(n, 0.0f);
  g.diameter_min_mm.assign(n, 0.25f);
  g.diameter_max_mm.assign(n, 0.45f);
  g.depth_mm.assign(n, 0.4f);
  g.dilution_override.assign(n, -1.0f);
  g.zone.assign(n, -1);
  g.area_mm2.assign(n, 0.0f);
  g.ray_cos.assign(n, 0.0f);
  g.point_mm.assign(n, Vec3::Zero());
  return g;
}

// The solid angles of one face's texels, the same for all six: only the interior's are read.
// Where the face coordinates are mirror images bit for bit (res a power of two: every
// coordinate is a short binary fraction), a quarter of them is computed and the rest mirrored.
std::vector<double> texel_solid_angles(int res) {
  const int w = res + 2;
  bool mirrored = true;
  for (int i = 0; i < w; ++i)
    mirrored = mirrored && cube_face_coord(res + 1 - i, res) == -cube_face_coord(i, res);
  auto fold = [&](int i) { return mirrored ? std::min(i, res + 1 - i) : i; };
  std::vector<double> omega(static_cast<size_t>(w) * w, 0.0);
  for (int j = 1; j <= res; ++j) {
    for (int i = 1; i <= res; ++i) {
      const int fi = fold(i), fj = fold(j);
      const size_t k = static_cast<size_t>(j) * w + i, fk = static_cast<size_t>(fj) * w + fi;
      omega[k] = fk < k ? omega[fk] : cube_texel_solid_angle(i, j, res);
    }
  }
  return omega;
}

// Each texel's surface point, and from its neighbours' the normal there: the ray cosine and the
// interior texels' areas. The points of one face and one ring beyond its border (the border
// texels' neighbours) are taken once each; the normal is the cross product of the central
// differences along the face's two texel directions (u x v is the face's outward axis).
void bake_geometry(const RadialSurface& surface, FieldGrid& g) {
  const int res = g.res, w = res + 2, wx = w + 2;
  const std::vector<double> omega = texel_solid_angles(res);
  tbb::parallel_for(0, 6, [&](int face) {
    std::vector<Vec3> p(static_cast<size_t>(wx) * wx);  // texel (i, j) at (j + 1) wx + i + 1
    for (int j = -1; j <= w; ++j) {
      for (int i = -1; i <= w; ++i) {
        const Vec3 d = cube_texel_direction(face, i, j, res).normalized();
        p[static_cast<size_t>(j + 1) * wx + (i + 1)] =
            surface.centre + surface_radius_inline_mm(surface, d) * d;
      }
    }
    for (int j = 0; j < w; ++j) {
      for (int i = 0; i < w; ++i) {
        const size_t c = static_cast<size_t>(j + 1) * wx + (i + 1);
        const size_t k = (static_cast<size_t>(face) * w + j) * w + i;
        const Vec3 d = cube_texel_direction(face, i, j, res).normalized();
        const Vec3 n = (p[c + 1] - p[c - 1]).cross(p[c + wx] - p[c - wx]);
        const double len = n.norm();
        const double cos_a = std::max(0.05, len > 0 ? std::abs(n.dot(d)) / len : 1.0);
        g.point_mm[k] = p[c];
        g.ray_cos[k] = static_cast<float>(cos_a);
        if (i >= 1 && i <= res && j >= 1 && j <= res) {
          const double r = (p[c] - surface.centre).norm();
          g.area_mm2[k] = static_cast<float>(omega[static_cast<size_t>(j) * w + i] * r * r / cos_a);
        }
      }
    }
  });
}

void store(FieldGrid& g, size_t k, const FieldSample& s) {
  g.dots_per_cm2[k] = static_cast<float>(s.dots_per_cm2);
  g.diameter_min_mm[k] = static_cast<float>(s.diameter_min_mm);
  g.diameter_max_mm[k] = static_cast<float>(s.diameter_max_mm);
  g.depth_mm[k] = static_cast<float>(s.depth_mm);
  g.dilution_override[k] = static_cast<float>(s.dilution_override);
  g.zone[k] = static_cast<std::int16_t>(s.zone);
}

// The last point along a row where a line's nearest-vertex distance was searched for: the
// distance is 1-Lipschitz, so it bounds the next points' within their distance from it.
struct Anchor {
  Vec3 point_mm = Vec3::Zero();
  double distance_mm = -1;  // < 0: none yet
  int nearest = 0;          // its nearest vertex, where the next search starts

  void bound(const Vec3& p, NearestBound& b) const {
    b.exact_mm = -1, b.nearest = -1, b.start = nearest;
    if (distance_mm < 0) {
      b.lo_mm = 0, b.hi_mm = std::numeric_limits<double>::infinity();
      return;
    }
    const double e = (p - point_mm).norm();
    b.lo_mm = distance_mm - e - kBoundSlackMm;
    b.hi_mm = distance_mm + e + kBoundSlackMm;
  }
  void update(const Vec3& p, const NearestBound& b) {
    if (b.exact_mm >= 0) point_mm = p, distance_mm = b.exact_mm, nearest = b.nearest;
  }
};

}  // namespace

FieldGrid bake_field(const DensityField& f, int res) {
  FieldGrid g = empty_grid(f.surface, res);
  bake_geometry(f.surface, g);
  const int w = res + 2;
  const size_t n_zones = f.zones.size();
  tbb::parallel_for(0, 6 * w, [&](int row) {
    // Along a row neighbouring texels are ~1 mm apart, so each search's distance bounds the
    // next texels' and most of them need none (evaluate_field's hints).
    FieldHints hints;
    hints.zones.resize(n_zones);
    Anchor hairline;
    std::vector<Anchor> zones(n_zones);
    for (int i = 0; i < w; ++i) {
      const size_t k = static_cast<size_t>(row) * w + i;
      const Vec3& p = g.point_mm[k];
      hairline.bound(p, hints.hairline);
      for (size_t z = 0; z < n_zones; ++z) zones[z].bound(p, hints.zones[z]);
      store(g, k, evaluate_field(f, p, hints));
      hairline.update(p, hints.hairline);
      for (size_t z = 0; z < n_zones; ++z) zones[z].update(p, hints.zones[z]);
    }
  });
  return g;
}

FieldGrid bake_function(const RadialSurface& surface, int res,
                        const std::function<FieldSample(const Vec3&)>& field) {
  FieldGrid g = empty_grid(surface, res);
  bake_geometry(surface, g);
  tbb::parallel_for(size_t{0}, g.point_mm.size(),
                    [&](size_t k) { store(g, k, field(g.point_mm[k])); });
  return g;
}

FieldValue lookup_field(const FieldGrid& g, const Vec3& p) {
  const CubeStencil s = cube_stencil(p - g.centre, g.res);
  const int near = cube_nearest(s, g.res);
  return FieldValue{cube_bilinear(g.dots_per_cm2.data(), s, g.res),
                    cube_bilinear(g.diameter_min_mm.data(), s, g.res),
                    cube_bilinear(g.diameter_max_mm.data(), s, g.res),
                    cube_bilinear(g.depth_mm.data(), s, g.res),
                    g.dilution_override[static_cast<size_t>(near)],
                    g.zone[static_cast<size_t>(near)]};
}

double lookup_density(const FieldGrid& g, const Vec3& p) {
  return cube_bilinear(g.dots_per_cm2.data(), cube_stencil(p - g.centre, g.res), g.res);
}

double expected_dots(const FieldGrid& g) {
  double n = 0;
  for (size_t k = 0; k < g.area_mm2.size(); ++k) n += g.area_mm2[k] * g.dots_per_cm2[k] * 0.01;
  return n;
}

}  // namespace stipple
