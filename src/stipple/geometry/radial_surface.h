// A star-shaped surface as a cube map of radii about a centre: r(direction).
//
// The scalp is star-shaped from a point inside the cranium, so every surface point is
// centre + r(d) d for a unit direction d. A cube map samples r(d) without the poles a
// latitude-longitude grid would put on the vertex (where SMP is densest) or anywhere else, and
// lookups need no trigonometry. Built once from the head mesh by casting one ray per texel;
// each face carries a one-texel border so bilinear lookups never cross a face seam.
#pragma once

#include <vector>

#include "stipple/geometry/mesh.h"

namespace stipple {

struct RadialSurface {
  Vec3 centre = Vec3::Zero();
  int res = 0;                   // texels along a face edge (without the border)
  std::vector<float> radius_mm;  // 6 faces x (res + 2)^2, texel centres, border included
};

// Casts a ray from `centre` through every texel centre and keeps the farthest hit of `mesh`.
// Throws std::invalid_argument if some direction misses the mesh (centre outside the head, or
// a mesh with holes). res: 16 - 2048 texels per face edge.
RadialSurface build_radial_surface(const TriMesh& mesh, const Vec3& centre, int res);

// r(d) in mm for a non-zero direction d (need not be unit), bilinear in the cube face.
double surface_radius_mm(const RadialSurface& s, const Vec3& d);

// The surface point in direction d from the centre: centre + r(d) d/|d|.
Vec3 project_to_surface(const RadialSurface& s, const Vec3& p);

// Unit outward normal at the surface point in direction of p, from the radius gradient on p's
// cube face (central differences over half a texel either side).
Vec3 surface_normal(const RadialSurface& s, const Vec3& p);

}  // namespace stipple
