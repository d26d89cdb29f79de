// The density field baked into a cube map about the head centre, for the sampler's hot loop:
// bilinear lookups instead of evaluating zones and the hairline per candidate. The field
// varies over millimetres (feathers >= 5 mm, transition 5 - 10 mm), so texels of ~1 mm keep
// its shape; owners (zones) are looked up at the nearest texel.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "stipple/field/density_field.h"

namespace stipple {

struct FieldGrid {
  int res = 0;  // texels per face edge (without border), as in cube_map.h
  Vec3 centre = Vec3::Zero();
  std::vector<float> dots_per_cm2;  // 6 (res + 2)^2, border included
  std::vector<float> diameter_min_mm, diameter_max_mm, depth_mm, dilution_override;
  std::vector<std::int16_t> zone;  // -1 outside every zone
  std::vector<float> area_mm2;     // surface area of each interior texel (0 on the border)
  // At each texel (border included), the cosine of the angle between the ray from `centre`
  // through the texel centre and the surface normal there, clamped to >= 0.05 as the area is
  // (area = solid angle x r^2 / ray_cos): how much a texel's patch of surface is inclined to the
  // ray, e.g. to turn an area on the cube face into one on the surface. The normal is the cross
  // product of the central differences of the neighbouring texels' points along the face's u
  // and v (one texel beyond the border for the border's), not surface_normal().
  std::vector<float> ray_cos;
  // The same normal, unit length, at each texel (border included), x, y, z interleaved: dots
  // take theirs from it (lookup_normal) rather than from the surface's finite differences.
  std::vector<float> normal_xyz;
  std::vector<Vec3> point_mm;  // surface point at each texel centre
};

// Evaluates `field` at every texel centre (in parallel) and measures each texel's surface area
// and ray cosine. res: 16 - 1024. The same values as bake_function(field.surface, res,
// evaluate_field) gives, bit for bit: a FieldWalker walks the rows, texel after neighbouring
// texel, which spares most texels the searches and the chart projection.
FieldGrid bake_field(const DensityField& field, int res);

// The same for any field given as a function of a surface point (tests, benchmarks).
FieldGrid bake_function(const RadialSurface& surface, int res,
                        const std::function<FieldSample(const Vec3&)>& field);

struct FieldValue {
  double dots_per_cm2, diameter_min_mm, diameter_max_mm, depth_mm, dilution_override;
  int zone;
  Vec3 normal;  // unit outward surface normal (from normal_xyz; the ray direction without it)
};

// Bilinear lookup (the zone and the dilution override from the nearest texel).
FieldValue lookup_field(const FieldGrid& grid, const Vec3& p);
double lookup_density(const FieldGrid& grid, const Vec3& p);

// The surface's unit outward normal at p, bilinear in the normal table (renormalised).
Vec3 lookup_normal(const FieldGrid& grid, const Vec3& p);

// Expected dot count: the integral of the density over the surface.
double expected_dots(const FieldGrid& grid);

}  // namespace stipple
