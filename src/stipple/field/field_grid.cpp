#include "stipple/field/field_grid.h"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <stdexcept>

#include "stipple/field/surface_lookup.h"
#include "stipple/geometry/cube_map.h"

namespace stipple {
namespace {

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
  g.normal_xyz.assign(3 * n, 0.0f);
  // Every point is written by bake_geometry: Eigen's default constructor leaves them be.
  g.point_mm.resize(n);
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

// Every texel's unit direction (cube_texel_direction(f, i, j, res).normalized()), for all six
// faces from two tables: a face's direction axis + a u + b v is a signed permutation of (1, a, b)
// (cube_face), and normalising divides each component by the same root. On faces 0 - 3 the 1
// sits in x or y and b in z, so Vec3::squaredNorm sums (1 + a^2) + b^2; on faces 4 and 5,
// (a^2 + b^2) + 1. So each texel's two roots and six quotients serve the six faces bit for bit.
struct TexelDirections {
  int res = 0, wx = 0;          // texels -1 .. res + 2 a side: the border and one ring beyond
  std::vector<Vec3> side, cap;  // (1, a, b) / n and (a, b, 1) / m at (j + 1) wx + i + 1

  explicit TexelDirections(int r) : res(r), wx(r + 4) {
    side.resize(static_cast<size_t>(wx) * wx), cap.resize(side.size());
    for (int j = -1; j <= res + 2; ++j) {
      for (int i = -1; i <= res + 2; ++i) {
        const size_t k = static_cast<size_t>(j + 1) * wx + (i + 1);
        side[k] = Vec3(1, cube_face_coord(i, res), cube_face_coord(j, res)).normalized();
        cap[k] = Vec3(cube_face_coord(i, res), cube_face_coord(j, res), 1).normalized();
      }
    }
  }
  Vec3 at(int face, size_t k) const {
    const Vec3& s = side[k];
    const Vec3& c = cap[k];
    switch (face) {
      case 0:
        return s;
      case 1:
        return Vec3(-s.x(), -s.y(), s.z());
      case 2:
        return Vec3(-s.y(), s.x(), s.z());
      case 3:
        return Vec3(s.y(), -s.x(), s.z());
      case 4:
        return c;
      default:
        return Vec3(c.x(), -c.y(), -c.z());
    }
  }
};

// Each texel's surface point, and from its neighbours' the normal there: the ray cosine and the
// interior texels' areas. The points of one face and one ring beyond its border (the border
// texels' neighbours) are taken once each; the normal is the cross product of the central
// differences along the face's two texel directions (u x v is the face's outward axis).
void bake_geometry(const RadialSurface& surface, FieldGrid& g) {
  const int res = g.res, w = res + 2, wx = w + 2;
  const std::vector<double> omega = texel_solid_angles(res);
  const TexelDirections dirs(res);
  auto dir_index = [wx](int i, int j) { return static_cast<size_t>(j + 1) * wx + (i + 1); };
  tbb::parallel_for(0, 6, [&](int face) {
    Vec3* face_points = g.point_mm.data() + static_cast<size_t>(face) * w * w;
    // The face's texels straight into the grid, two a time (the same lookups, bit for bit);
    // the ring beyond the border (the border's neighbours) into `ring`: rows -1 and w, then
    // columns -1 and w.
    auto point = [&](int i, int j) {
      const Vec3 d = dirs.at(face, dir_index(i, j));
      return Vec3(surface.centre + surface_radius_inline_mm(surface, d) * d);
    };
    for (int j = 0; j < w; ++j) {
      int i = 0;
      for (; i + 1 < w; i += 2) {
        const Vec3 d0 = dirs.at(face, dir_index(i, j)), d1 = dirs.at(face, dir_index(i + 1, j));
        const Lanes r = surface_radii_mm(surface, Lanes(d0.x(), d1.x()), Lanes(d0.y(), d1.y()),
                                         Lanes(d0.z(), d1.z()));
        face_points[j * w + i] = surface.centre + r[0] * d0;
        face_points[j * w + i + 1] = surface.centre + r[1] * d1;
      }
      if (i < w) face_points[j * w + i] = point(i, j);
    }
    std::vector<Vec3> ring(static_cast<size_t>(4 * w + 4));
    for (int i = -1; i <= w; ++i) {
      ring[static_cast<size_t>(i + 1)] = point(i, -1);
      ring[static_cast<size_t>(w + 2 + i + 1)] = point(i, w);
    }
    for (int j = 0; j < w; ++j) {
      ring[static_cast<size_t>(2 * w + 4 + j)] = point(-1, j);
      ring[static_cast<size_t>(3 * w + 4 + j)] = point(w, j);
    }
    auto at = [&](int i, int j) -> const Vec3& {
      if (j < 0) return ring[static_cast<size_t>(i + 1)];
      if (j >= w) return ring[static_cast<size_t>(w + 2 + i + 1)];
      if (i < 0) return ring[static_cast<size_t>(2 * w + 4 + j)];
      if (i >= w) return ring[static_cast<size_t>(3 * w + 4 + j)];
      return face_points[j * w + i];
    };
    for (int j = 0; j < w; ++j) {
      const bool edge_row = j == 0 || j == w - 1;
      for (int i = 0; i < w; ++i) {
        const size_t k = (static_cast<size_t>(face) * w + j) * w + i;
        const Vec3& p = face_points[j * w + i];
        const Vec3 n =
            edge_row || i == 0 || i == w - 1
                ? (at(i + 1, j) - at(i - 1, j)).cross(at(i, j + 1) - at(i, j - 1))
                : (face_points[j * w + i + 1] - face_points[j * w + i - 1])
                      .cross(face_points[(j + 1) * w + i] - face_points[(j - 1) * w + i]);
        const double len = n.norm();
        const double cos_a =
            std::max(0.05, len > 0 ? std::abs(n.dot(dirs.at(face, dir_index(i, j)))) / len : 1.0);
        g.ray_cos[k] = static_cast<float>(cos_a);
        const Vec3 unit = len > 0 ? Vec3(n / len) : dirs.at(face, dir_index(i, j));
        for (int a = 0; a < 3; ++a)
          g.normal_xyz[3 * k + static_cast<size_t>(a)] = static_cast<float>(unit[a]);
        if (i >= 1 && i <= res && j >= 1 && j <= res) {
          const double r2 = (p - surface.centre).squaredNorm();
          g.area_mm2[k] = static_cast<float>(omega[static_cast<size_t>(j) * w + i] * r2 / cos_a);
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

// The bake's blocks: tiles of kTile x kTile texels, halved down to kMinBlock a side where a
// block cannot be settled at once (see bake_block).
constexpr int kTile = 8, kMinBlock = 4;

// Texels i0 .. i1 - 1 of rows j0 .. j1 - 1 of a face, walked row after row, each the other way
// from the last, so every texel is next to the one before.
void walk_block(FieldGrid& g, FieldWalker& walker, int face, int i0, int j0, int i1, int j1) {
  const int w = g.res + 2;
  for (int j = j0; j < j1; ++j) {
    for (int n = 0; n < i1 - i0; ++n) {
      const int i = (j - j0) % 2 ? i1 - 1 - n : i0 + n;
      const size_t k = (static_cast<size_t>(face) * w + j) * w + i;
      store(g, k, walker.evaluate(g.point_mm[k]));
    }
  }
}

// A block of texels (size a side, clipped to the face) left at the grid's defaults, which are
// the default sample's, where FieldWalker::default_within shows that every texel's sample is the
// default, from a ball about its middle texel's point holding every texel's point (~60 % of the
// texels on a head: the face ahead of the hairline and the neck below the margin). Where it
// cannot, the block's quarters are tried, and the texels of the smallest blocks are walked.
void bake_block(FieldGrid& g, FieldWalker& walker, int face, int i0, int j0, int size) {
  const int w = g.res + 2, i1 = std::min(w, i0 + size), j1 = std::min(w, j0 + size);
  if (i0 >= i1 || j0 >= j1) return;
  const Vec3* points = g.point_mm.data() + static_cast<size_t>(face) * w * w;
  const Vec3& c = points[(j0 + j1) / 2 * w + (i0 + i1) / 2];
  double r2 = 0;
  for (int j = j0; j < j1; ++j) {
    for (int i = i0; i < i1; ++i) r2 = std::max(r2, (points[j * w + i] - c).squaredNorm());
  }
  // A margin far above the rounding of the distances (~1e-14 mm at head scale).
  switch (walker.settle_within(c, std::sqrt(r2) * (1 + 1e-12) + 1e-9)) {
    case FieldWalker::Settled::kDefault:
      return;
    case FieldWalker::Settled::kUniform: {
      const FieldSample s = walker.evaluate(c);
      for (int j = j0; j < j1; ++j) {
        for (int i = i0; i < i1; ++i) store(g, (static_cast<size_t>(face) * w + j) * w + i, s);
      }
      return;
    }
    case FieldWalker::Settled::kNo:
      break;
  }
  if (size <= kMinBlock) return walk_block(g, walker, face, i0, j0, i1, j1);
  // The quarters in a ring, each next to the one before.
  const int h = size / 2;
  bake_block(g, walker, face, i0, j0, h);
  bake_block(g, walker, face, i0 + h, j0, h);
  bake_block(g, walker, face, i0 + h, j0 + h, h);
  bake_block(g, walker, face, i0, j0 + h, h);
}

}  // namespace

FieldGrid bake_field(const DensityField& f, int res) {
  FieldGrid g = empty_grid(f.surface, res);
  bake_geometry(f.surface, g);
  const int w = res + 2, tiles = (w + kTile - 1) / kTile;
  tbb::parallel_for(tbb::blocked_range<int>(0, 6 * tiles),
                    [&](const tbb::blocked_range<int>& rows) {
                      // One walk over the rows of tiles, each row the other way from the last, so
                      // every tile but a face's first is next to the one before: what the walker
                      // measures in one carries to the next ones.
                      FieldWalker walker(f);
                      for (int row = rows.begin(); row != rows.end(); ++row) {
                        const int face = row / tiles, tj = row % tiles;
                        for (int n = 0; n < tiles; ++n) {
                          const int ti = row % 2 ? tiles - 1 - n : n;
                          bake_block(g, walker, face, ti * kTile, tj * kTile, kTile);
                        }
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

namespace {

// The normal table's bilinear value on stencil s, renormalised (the ray direction where the
// table is missing or degenerate).
Vec3 normal_on(const FieldGrid& g, const CubeStencil& s, const Vec3& p) {
  if (g.normal_xyz.empty()) return (p - g.centre).normalized();
  const int w = g.res + 2;
  const float* t = g.normal_xyz.data() + 3 * static_cast<size_t>(s.index);
  auto at = [&](int di, int dj, int a) { return static_cast<double>(t[3 * (dj * w + di) + a]); };
  Vec3 n;
  for (int a = 0; a < 3; ++a) {
    n[a] = (1 - s.fv) * ((1 - s.fu) * at(0, 0, a) + s.fu * at(1, 0, a)) +
           s.fv * ((1 - s.fu) * at(0, 1, a) + s.fu * at(1, 1, a));
  }
  const double len = n.norm();
  return len > 0 ? Vec3(n / len) : Vec3((p - g.centre).normalized());
}

}  // namespace

FieldValue lookup_field(const FieldGrid& g, const Vec3& p) {
  const CubeStencil s = cube_stencil(p - g.centre, g.res);
  const int near = cube_nearest(s, g.res);
  return FieldValue{cube_bilinear(g.dots_per_cm2.data(), s, g.res),
                    cube_bilinear(g.diameter_min_mm.data(), s, g.res),
                    cube_bilinear(g.diameter_max_mm.data(), s, g.res),
                    cube_bilinear(g.depth_mm.data(), s, g.res),
                    g.dilution_override[static_cast<size_t>(near)],
                    g.zone[static_cast<size_t>(near)],
                    normal_on(g, s, p)};
}

Vec3 lookup_normal(const FieldGrid& g, const Vec3& p) {
  return normal_on(g, cube_stencil(p - g.centre, g.res), p);
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
