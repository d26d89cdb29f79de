// The unit icosphere: a regular icosahedron whose triangles are split in four `subdivisions`
// times, new vertices pushed onto the unit sphere.
//
// Why an icosphere and not a latitude-longitude sphere: its vertices are spread almost evenly
// (edge lengths within ~20 % of each other at every level) and it has no poles, so a surface
// built by pushing its vertices radially (the parametric head) has no crowded vertex or chart
// seam on the crown, where SMP is densest. The starting icosahedron is the one with vertices
// (0, +-1, +-phi) and cyclic permutations: it is mirror-symmetric about the three coordinate
// planes, and so is every subdivision, which keeps left and right of a head exactly symmetric.
#pragma once

#include <vector>

#include "stipple/geometry/mesh.h"

namespace stipple {

// Vertices on the unit sphere, faces counter-clockwise seen from outside.
// 10 * 4^s + 2 vertices and 20 * 4^s faces; subdivisions allowed 0 - 9.
// The levels nest, so a face can be found by descending from the icosahedron: the vertices of
// level s - 1 are the first vertices of level s, and face t = (a, b, c) of level s - 1 becomes
// faces 4t .. 4t + 3 = (a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca) of level s, where ab
// is the midpoint of a and b pushed onto the sphere.
// Throws std::invalid_argument naming `subdivisions` outside that range.
TriMesh make_icosphere(int subdivisions);

// For each vertex of make_icosphere(subdivisions), the vertex that is its mirror image across the
// plane x = 0 (itself on that plane): exactly, V(m, 0) = -V(i, 0) with the same y and z, bit for
// bit. Found from the nesting of the levels (a midpoint's image is the midpoint of its edge's
// image), not by searching coordinates. Throws std::invalid_argument if `icosphere` does not have
// the face count of an icosphere.
std::vector<int> icosphere_mirror_x(const TriMesh& icosphere);

}  // namespace stipple
