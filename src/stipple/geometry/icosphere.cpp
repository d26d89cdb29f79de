#include "stipple/geometry/icosphere.h"

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace stipple {
namespace {

constexpr int kNext[3] = {1, 2, 0}, kPrev[3] = {2, 0, 1};  // k + 1 and k - 1, mod 3

// A face during the subdivision: its corners v[0..2] and, for each edge k (corner k to corner
// k + 1), the face across it and that face's index for the same edge, packed as 4 face + edge.
// Carrying this adjacency from level to level lets every edge find its midpoint without a hash
// map of vertex pairs, which was most of the icosphere's time (the map's lookups and nodes: ~27 M
// instructions at 6 levels, now ~5 M) and of its memory.
struct Face {
  int v[3];
  int across[3];
};

// The icosahedron's faces with their neighbours, found by comparing edges (20 faces: brute force
// is the simplest correct way).
std::vector<Face> icosahedron_faces() {
  constexpr int kFaces[20][3] = {{0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11},
                                 {1, 5, 9},  {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
                                 {3, 9, 4},  {3, 4, 2},  {3, 2, 6},   {3, 6, 8},  {3, 8, 9},
                                 {4, 9, 5},  {2, 4, 11}, {6, 2, 10},  {8, 6, 7},  {9, 8, 1}};
  std::vector<Face> faces(20);
  for (int t = 0; t < 20; ++t) {
    for (int k = 0; k < 3; ++k) faces[t].v[k] = kFaces[t][k];
  }
  for (Face& f : faces) {
    for (int k = 0; k < 3; ++k) {
      for (int u = 0; u < 20; ++u) {
        for (int j = 0; j < 3; ++j) {
          if (faces[u].v[j] == f.v[kNext[k]] && faces[u].v[kNext[j]] == f.v[k]) {
            f.across[k] = 4 * u + j;
          }
        }
      }
    }
  }
  return faces;
}

// One subdivision of the n faces `in` into `out` (4 n faces, `kStride` ints each: the corners,
// then with kAdjacency the packed neighbours), adding the edge midpoints to V after row nv.
//
// Face t = (a, b, c) with edge midpoints m0 = ab, m1 = bc, m2 = ca becomes faces 4t .. 4t + 3 =
// (a, m0, m2), (b, m1, m0), (c, m2, m1), (m0, m1, m2) (icosphere.h). Midpoints are numbered in
// the order faces and edges are visited (faces in order, edges 0, 1, 2), each the first time its
// edge is met: the numbering of the vertex-pair map this replaces, so the mesh is unchanged bit
// for bit. An edge met the second time takes its midpoint from the neighbour's children, already
// written: corner child j of face u holds u's midpoint m_j as its second corner.
template <bool kAdjacency>
void subdivide(const Face* in, int n, int* out, MatV& V, int& nv) {
  constexpr int kStride = kAdjacency ? 6 : 3;
  for (int t = 0; t < n; ++t) {
    const Face& F = in[t];
    int m[3];
    for (int k = 0; k < 3; ++k) {
      const int u = F.across[k] >> 2, j = F.across[k] & 3;
      if (u < t) {
        m[k] = out[(4 * u + j) * kStride + 1];
      } else {
        const Vec3 s = Vec3(V.row(F.v[k])) + Vec3(V.row(F.v[kNext[k]]));
        V.row(nv) = s.normalized();
        m[k] = nv++;
      }
    }
    int* c = out + 4 * t * kStride;
    for (int k = 0; k < 3; ++k, c += kStride) {
      // Corner child k = (v_k, m_k, m_{k-1}).
      c[0] = F.v[k];
      c[1] = m[k];
      c[2] = m[kPrev[k]];
      if constexpr (kAdjacency) {
        // Edge 0 is the half of parent edge k at v_k; the neighbour u runs that edge as its edge
        // j, from v_{k+1} to v_k, so the half is in u's corner child j + 1, as its edge 2.
        const int u = F.across[k] >> 2, j = F.across[k] & 3;
        c[3] = 4 * (4 * u + kNext[j]) + 2;
        // Edge 1 faces the middle child's edge k - 1.
        c[4] = 4 * (4 * t + 3) + kPrev[k];
        // Edge 2 is the half of parent edge k - 1 at v_k: in the neighbour across that edge, the
        // corner child at v_k, as its edge 0.
        const int u2 = F.across[kPrev[k]] >> 2, j2 = F.across[kPrev[k]] & 3;
        c[5] = 4 * (4 * u2 + j2);
      }
    }
    // Middle child (m0, m1, m2): its edge k faces corner child k + 1's edge 1.
    c[0] = m[0];
    c[1] = m[1];
    c[2] = m[2];
    if constexpr (kAdjacency) {
      for (int k = 0; k < 3; ++k) c[3 + k] = 4 * (4 * t + kNext[k]) + 1;
    }
  }
}

// Corner k of face t of subdivision level `level` of an icosphere with faces F of `levels`
// subdivisions (icosphere.h): corner child k of t, face 4t + k of the next level, keeps that
// corner first, and so do its first children down to the last level.
int level_corner(const MatF& F, int levels, int level, Eigen::Index t, int k) {
  if (level == levels) return F(t, k);
  return F((4 * t + k) << (2 * (levels - level - 1)), 0);
}

// A face's mirror image: the face t' onto which x -> -x maps it, corner k going to corner
// (turn - k) mod 3 of t' (a mirror reverses the winding).
struct MirrorFace {
  int face, turn;
};

}  // namespace

TriMesh make_icosphere(int subdivisions) {
  if (subdivisions < 0 || subdivisions > 9) {
    throw std::invalid_argument(
        fmt::format("icosphere subdivisions = {} is out of range: allowed 0 - 9", subdivisions));
  }
  const double phi = (1.0 + std::sqrt(5.0)) / 2.0;
  const Vec3 base[12] = {{-1, phi, 0}, {1, phi, 0}, {-1, -phi, 0}, {1, -phi, 0},  //
                         {0, -1, phi}, {0, 1, phi}, {0, -1, -phi}, {0, 1, -phi},  //
                         {phi, 0, -1}, {phi, 0, 1}, {-phi, 0, -1}, {-phi, 0, 1}};
  const Eigen::Index k = Eigen::Index(1) << (2 * subdivisions);
  TriMesh mesh;
  mesh.V.resize(10 * k + 2, 3);
  mesh.F.resize(20 * k, 3);
  for (int i = 0; i < 12; ++i) mesh.V.row(i) = base[i].normalized();
  int nv = 12;

  // Levels before the last keep their adjacency; the last writes the corners straight into F.
  // Two buffers, the larger for level s - 1 (a quarter of the faces), the smaller for s - 2.
  std::vector<Face> faces = icosahedron_faces(), next;
  int n = 20;
  for (int level = 0; level + 1 < subdivisions; ++level, n *= 4) {
    next.resize(4 * static_cast<std::size_t>(n));
    static_assert(sizeof(Face) == 6 * sizeof(int));
    subdivide<true>(faces.data(), n, &next[0].v[0], mesh.V, nv);
    faces.swap(next);
  }
  if (subdivisions == 0) {
    for (int t = 0; t < 20; ++t) {
      for (int c = 0; c < 3; ++c) mesh.F(t, c) = faces[t].v[c];
    }
  } else {
    subdivide<false>(faces.data(), n, mesh.F.data(), mesh.V, nv);
  }
  return mesh;
}

std::vector<int> icosphere_mirror_x(const TriMesh& icosphere) {
  const MatF& F = icosphere.F;
  int levels = 0;
  while (levels <= 9 && (Eigen::Index(20) << (2 * levels)) < F.rows()) ++levels;
  if (levels > 9 || (Eigen::Index(20) << (2 * levels)) != F.rows() ||
      icosphere.V.rows() != 10 * (Eigen::Index(1) << (2 * levels)) + 2) {
    throw std::invalid_argument(
        fmt::format("icosphere mirror: {} vertices and {} faces are not an icosphere's",
                    icosphere.V.rows(), F.rows()));
  }
  std::vector<int> mirror(static_cast<std::size_t>(icosphere.V.rows()), -1);
  // The icosahedron's vertices and faces by comparison (12 and 20).
  for (int i = 0; i < 12; ++i) {
    for (int j = 0; j < 12; ++j) {
      if (icosphere.V(j, 0) == -icosphere.V(i, 0) && icosphere.V(j, 1) == icosphere.V(i, 1) &&
          icosphere.V(j, 2) == icosphere.V(i, 2)) {
        mirror[i] = j;
      }
    }
  }
  std::vector<MirrorFace> faces(20, {-1, 0}), next;
  for (int t = 0; t < 20; ++t) {
    for (int u = 0; u < 20; ++u) {
      for (int turn = 0; turn < 3; ++turn) {
        bool match = true;
        for (int k = 0; k < 3; ++k) {
          match &= level_corner(F, levels, 0, u, (turn + 3 - k) % 3) ==
                   mirror[level_corner(F, levels, 0, t, k)];
        }
        if (match) faces[t] = {u, turn};
      }
    }
  }
  // Level by level: face t's midpoints m_k (the corners of its middle child 4t + 3) mirror onto
  // its image's midpoints m_{turn - k - 1}; its children onto the image's children: corner child
  // k onto corner child turn - k (turn 0), the middle child onto the middle child (turn - 1).
  for (int level = 0; level < levels; ++level) {
    const bool last = level + 1 == levels;
    if (!last) next.resize(4 * faces.size());
    for (std::size_t t = 0; t < faces.size(); ++t) {
      const MirrorFace& m = faces[t];
      const Eigen::Index mid = 4 * static_cast<Eigen::Index>(t) + 3, mid_image = 4 * m.face + 3;
      for (int k = 0; k < 3; ++k) {
        mirror[level_corner(F, levels, level + 1, mid, k)] =
            level_corner(F, levels, level + 1, mid_image, (m.turn + 5 - k) % 3);
      }
      if (last) continue;
      for (int k = 0; k < 3; ++k) next[4 * t + k] = {4 * m.face + (m.turn + 3 - k) % 3, 0};
      next[4 * t + 3] = {4 * m.face + 3, (m.turn + 2) % 3};
    }
    if (!last) faces.swap(next);
  }
  return mirror;
}

}  // namespace stipple
