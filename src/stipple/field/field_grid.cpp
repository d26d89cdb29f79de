#include "stipple/field/field_grid.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <stdexcept>

#include "stipple/geometry/cube_map.h"

namespace stipple {

FieldGrid bake_field(const DensityField& f, int res) {
  return bake_function(f.surface, res, [&f](const Vec3& p) { return evaluate_field(f, p); });
}

FieldGrid bake_function(const RadialSurface& surface, int res,
                        const std::function<FieldSample(const Vec3&)>& field) {
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
  g.ray_cos.assign(n, 1.0f);
  g.point_mm.assign(n, Vec3::Zero());
  tbb::parallel_for(0, 6 * w, [&](int row) {
    const int face = row / w, j = row % w;
    for (int i = 0; i < w; ++i) {
      const size_t k = (static_cast<size_t>(face) * w + j) * w + i;
      const Vec3 d = cube_texel_direction(face, i, j, res).normalized();
      const Vec3 p = surface.centre + surface_radius_mm(surface, d) * d;
      g.point_mm[k] = p;
      const FieldSample s = field(p);
      g.dots_per_cm2[k] = static_cast<float>(s.dots_per_cm2);
      g.diameter_min_mm[k] = static_cast<float>(s.diameter_min_mm);
      g.diameter_max_mm[k] = static_cast<float>(s.diameter_max_mm);
      g.depth_mm[k] = static_cast<float>(s.depth_mm);
      g.dilution_override[k] = static_cast<float>(s.dilution_override);
      g.zone[k] = static_cast<std::int16_t>(s.zone);
      const double cos_a = std::max(0.05, surface_normal(surface, p).dot(d));
      g.ray_cos[k] = static_cast<float>(cos_a);
      if (i >= 1 && i <= res && j >= 1 && j <= res) {
        const double r = (p - surface.centre).norm();
        g.area_mm2[k] = static_cast<float>(cube_texel_solid_angle(i, j, res) * r * r / cos_a);
      }
    }
  });
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
