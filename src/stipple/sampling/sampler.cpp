#include "stipple/sampling/sampler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <queue>
#include <stdexcept>

#include "stipple/geometry/cube_map.h"
#include "stipple/sampling/conflict_grid.h"
#include "stipple/sampling/progressive_tile.h"
#include "stipple/sampling/rng.h"

namespace stipple {

double hex_spacing_mm(double n) {
  return std::sqrt(2.0 / (std::sqrt(3.0) * n * 0.01));
}

namespace {

// Grid cells are three conflict radii of a sparse spacing wide: a query reads 1-2 cells an axis
// (measured on the Norwood VII plan with the earlier growth sampler, 1, 1.5, 2, 3 and 4 radii:
// 3 was fastest; smaller cells make the dense cell index outgrow the cache, larger ones hold
// more dots to test).
constexpr double kCellRadii = 4;
// The growth picks its parent among the newest 64 active dots rather than all of them (Bridson's
// choice), so it walks the surface locally and its grid cells and texels stay in cache.
constexpr size_t kActiveWindow = 64;
// The fallback's elimination looks for crowding up to this ratio only: it removes the few
// crowded dots of an overfull layer, all near 1.
constexpr double kCrowdingCap = 1.2;
// A patch whose outline meets its tangent plane at a grazing angle (the ray's cosine to the
// plane normal below this) is split: the plane no longer follows the surface there.
constexpr double kMinPlaneCos = 0.3;
constexpr int kMinPatchTexels = 2;
// Relaxation: a dot's step over its nearest-neighbour distance (0.2 and 0.3 measured alike on
// the uniform benchmark field, CV 0.085; two more random tries a dot bought 0.002 for 30 % more
// of the relaxation's time).
constexpr double kRelaxStep = 0.2;
// The fallback's smallest conflict radius over the union's spacing: a good pattern keeps every
// dot's nearest neighbour at 0.65 of its spacing or more (domain.md), with a margin for rounding.
constexpr double kMinKappa = 0.655;

// A laid dot (40 bytes: the sampler's working set is tens of thousands of these).
struct Pt {
  Vec3 p;
  float density;  // final target, dots/cm2
  float s_full;   // hex spacing at the final density, mm
  float lambda;   // the tile's entry fraction; < 0 for grown dots
  int session;
  bool alive;
  bool seam;  // within the seam band of its patch
};

// A tile point projected onto the surface, not yet laid.
struct Candidate {
  Vec3 p;
  float density;
  float lambda;
  bool seam;
};

// A patch: texels i0..i1 x j0..j1 (inclusive) of a cube face of the field grid.
struct Patch {
  int face, i0, i1, j0, j1;
};

// Per session: the conflict scales and the grid reach (all radii scale with 1 / sqrt(share)).
struct Level {
  int session;
  double inv_sqrt_share;
  float scale2;          // kappa^2 / share: conflict radius^2 over spacing^2
  double radius_per_mm;  // kappa / sqrt(share): conflict radius over spacing
  double base_mm;        // conflict radius of the grid's base (sparse) spacing
};

class Sampler {
 public:
  Sampler(const RadialSurface& surface, const FieldGrid& field, const SamplerParams& params)
      : surface_(surface),
        field_(field),
        params_(params),
        tile_(builtin_progressive_tile()),
        rng_(params.seed) {
    Vec3 lo = Vec3::Constant(1e9), hi = Vec3::Constant(-1e9);
    // The grid's base spacing: a sparse one (the 90th percentile of the treated texels'
    // spacings), so that nearly every dot's conflict ball lies within the base reach and it is
    // listed once. Spacing falls as density rises, so it is the spacing of the 10th percentile
    // of density: one root instead of one a texel.
    std::vector<float> density;
    // Reserved at their bounds (pages a vector never writes are never touched), so they are
    // not copied as they grow: copies of a few MB were ~5 % of a plan, in page faults.
    texels_.reserve(field.area_mm2.size());
    density.reserve(field.area_mm2.size());
    for (size_t k = 0; k < field.area_mm2.size(); ++k) {
      if (field.area_mm2[k] > 0 && field.dots_per_cm2[k] >= params.min_density_per_cm2) {
        texels_.push_back(static_cast<int>(k));
        lo = lo.cwiseMin(field.point_mm[k]);
        hi = hi.cwiseMax(field.point_mm[k]);
        density.push_back(field.dots_per_cm2[k]);
      }
    }
    lo_ = lo - Vec3::Constant(10);
    hi_ = hi + Vec3::Constant(10);
    if (!density.empty()) {
      const size_t i = density.size() - 1 - density.size() * 9 / 10;
      std::nth_element(density.begin(), density.begin() + static_cast<long>(i), density.end());
      base_spacing_mm_ = hex_spacing_mm(density[i]);
    }
    const int res = field.res;
    patch_ = params.patch_texels > 0 ? params.patch_texels : std::max(kMinPatchTexels, res / 4);
  }

  std::vector<SampledDot> run() {
    const double expected = expected_dots(field_);
    if (expected > static_cast<double>(params_.max_dots)) {
      throw std::invalid_argument(
          fmt::format("plan: the design needs {:.0f} dots, more than the limit of {}", expected,
                      params_.max_dots));
    }
    if (texels_.empty() || expected < 0.5) return {};
    // Generous bounds (the candidates ~1.1 x and the dots ~1.0 x the expected count on the
    // examples); only what is written is touched.
    const size_t room = static_cast<size_t>(expected * 2) + 1024;
    candidates_.reserve(room);
    pts_.reserve(room);
    seam_ids_.reserve(room / 4);
    ring_.resize(65);
    for (int n = 1; n <= 64; ++n) {
      for (int j = 0; j < n; ++j) {
        ring_[static_cast<size_t>(n)].emplace_back(std::cos(2 * std::numbers::pi * j / n),
                                                   std::sin(2 * std::numbers::pi * j / n));
      }
    }
    patch_of_.assign(field_.dots_per_cm2.size(), -1);
    for (int f = 0; f < 6; ++f) {
      for (int j0 = 1; j0 <= field_.res; j0 += patch_) {
        for (int i0 = 1; i0 <= field_.res; i0 += patch_) {
          lay_patch({f, i0, std::min(field_.res, i0 + patch_ - 1), j0,
                     std::min(field_.res, j0 + patch_ - 1)});
        }
      }
    }
    stats_.patches = patches_.size();
    stats_.candidates = candidates_.size();
    const double kappa = params_.kappa;
    grid_ = std::make_unique<ConflictGrid>(lo_, hi_, kCellRadii * kappa * base_spacing_mm_);
    grid_->reserve(room);
    used_.assign(candidates_.size(), 0);
    sort_by_lambda();
    // The candidates of each session's own range of lambda, in patch order.
    by_session_.assign(params_.session_shares.size(), {});
    {
      std::vector<double> bounds;
      double c = 0;
      for (double sh : params_.session_shares) bounds.push_back(c = std::min(1.0, c + sh));
      bounds.back() = 1e30;
      for (size_t q = 0; q < candidates_.size(); ++q) {
        size_t b = 0;
        while (candidates_[q].lambda >= bounds[b]) ++b;
        by_session_[b].push_back(static_cast<int>(q));
      }
    }
    double cum = 0;
    const size_t sessions = params_.session_shares.size();
    for (size_t k = 0; k < sessions; ++k) {
      cum = std::min(1.0, cum + params_.session_shares[k]);
      const double is = 1.0 / std::sqrt(cum);
      const Level L{static_cast<int>(k) + 1, is, static_cast<float>(kappa * kappa / cum),
                    kappa * is, kappa * is * base_spacing_mm_};
      lay_session(L, cum, k + 1 == sessions, static_cast<size_t>(std::llround(expected * cum)));
    }
    std::vector<SampledDot> out;
    out.reserve(static_cast<size_t>(alive_));
    for (Pt& q : pts_) {
      if (!q.alive) continue;
      out.push_back(
          {q.p, params_.normals ? normal_at(q.p) : Vec3(Vec3::Zero()), q.session, q.density});
    }
    return out;
  }

 private:
  // ---- the tile, patch by patch ----

  // Texel k's flat index in the field grid.
  size_t texel(int face, int i, int j) const {
    const int w = field_.res + 2;
    return (static_cast<size_t>(face) * w + j) * w + i;
  }

  // Lays the tile over patch P (appends to candidates_), or splits P where its tangent plane
  // does not follow the surface well enough.
  void lay_patch(const Patch& P) {
    float n_max = 0;
    for (int j = P.j0 - 1; j <= P.j1 + 1; ++j)
      for (int i = P.i0 - 1; i <= P.i1 + 1; ++i)
        n_max = std::max(n_max, field_.dots_per_cm2[texel(P.face, i, j)]);
    if (n_max < params_.min_density_per_cm2) return;
    const int res = field_.res;
    const CubeFace& F = cube_face(P.face);
    const Vec3 O = surface_.centre;
    const Vec3 dc = F.axis + cube_face_coord(0.5 * (P.i0 + P.i1), res) * F.u +
                    cube_face_coord(0.5 * (P.j0 + P.j1), res) * F.v;
    const Vec3 c = project_to_surface(surface_, O + dc);
    const Vec3 nrm = surface_normal(surface_, c);
    // The plane's axes along the face's: the patch's outline (texel rows and columns, great
    // circles that project to straight lines) then lies nearly along the plane's axes, and its
    // bounding box, the tile cells visited, holds little more than the patch.
    const Vec3 fu = F.u - nrm * nrm.dot(F.u);
    const Vec3 e1 = fu.squaredNorm() > 1e-12 ? Vec3(fu.normalized()) : nrm.unitOrthogonal();
    const Vec3 e2 = nrm.cross(e1);
    // The tile's full density: the densest texel (and its neighbours, which bilinear lookups
    // reach) plus the reserve. sigma: mm per tile unit.
    const double n_tile = n_max * (1 + params_.reserve);
    const double sigma = std::sqrt(100 * tile_.density / n_tile);
    // The patch outline (texel edges, 8 samples a side) in the tangent plane, by central
    // projection from the centre: its bounding box holds every point the patch owns.
    double u0 = 1e18, u1 = -1e18, v0 = 1e18, v1 = -1e18;
    bool grazing = false;
    const double lo_i = P.i0 - 0.5, hi_i = P.i1 + 0.5, lo_j = P.j0 - 0.5, hi_j = P.j1 + 0.5;
    for (int side = 0; side < 4 && !grazing; ++side) {
      for (int t = 0; t <= 8; ++t) {
        const double a = t / 8.0;
        const double ti = side < 2 ? lo_i + a * (hi_i - lo_i) : (side == 2 ? lo_i : hi_i);
        const double tj = side < 2 ? (side == 0 ? lo_j : hi_j) : lo_j + a * (hi_j - lo_j);
        const Vec3 d =
            (F.axis + cube_face_coord(ti, res) * F.u + cube_face_coord(tj, res) * F.v).normalized();
        const double cos_n = d.dot(nrm);
        if (cos_n < kMinPlaneCos) {
          grazing = true;
          break;
        }
        const Vec3 q = O + d * ((c - O).dot(nrm) / cos_n) - c;
        u0 = std::min(u0, q.dot(e1)), u1 = std::max(u1, q.dot(e1));
        v0 = std::min(v0, q.dot(e2)), v1 = std::max(v1, q.dot(e2));
      }
    }
    // The tile must not repeat within the patch either.
    const bool too_big = std::max(u1 - u0, v1 - v0) > 0.9 * sigma * tile_.side;
    if ((grazing || too_big) && P.i1 - P.i0 + 1 > kMinPatchTexels) {
      const int mi = (P.i0 + P.i1) / 2, mj = (P.j0 + P.j1) / 2;
      lay_patch({P.face, P.i0, mi, P.j0, mj});
      lay_patch({P.face, mi + 1, P.i1, P.j0, mj});
      lay_patch({P.face, P.i0, mi, mj + 1, P.j1});
      lay_patch({P.face, mi + 1, P.i1, mj + 1, P.j1});
      return;
    }
    if (grazing) return;  // a sliver at a grazing angle: the fallback fills it, if it must
    const int id = static_cast<int>(patches_.size());
    patches_.push_back(P);
    for (int j = P.j0; j <= P.j1; ++j)
      for (int i = P.i0; i <= P.i1; ++i) patch_of_[texel(P.face, i, j)] = id;

    // The tile's placement: a random offset on the torus and one of the eight symmetries of
    // the square, from a stream of the patch's own (so a split elsewhere moves nothing here).
    Rng prng(params_.seed ^
             (0x9e3779b97f4a7c15ULL * (1 + static_cast<std::uint64_t>(P.face) +
                                       6 * (P.i0 + 1031ULL * (P.j0 + 1031ULL * P.i1)))));
    const int sym = static_cast<int>(prng.below(8));
    const double ox = prng.uniform() * tile_.side, oy = prng.uniform() * tile_.side;
    // Tile coordinates (X, Y) = S(u / sigma, v / sigma) + (ox, oy), S a symmetry.
    auto to_tile = [&](double u, double v, double* X, double* Y) {
      if (sym & 1) std::swap(u, v);
      if (sym & 2) u = -u;
      if (sym & 4) v = -v;
      *X = u + ox, *Y = v + oy;
    };
    double X0 = 1e18, X1 = -1e18, Y0 = 1e18, Y1 = -1e18;
    for (double u : {u0, u1})
      for (double v : {v0, v1}) {
        double X, Y;
        to_tile(u / sigma, v / sigma, &X, &Y);
        X0 = std::min(X0, X), X1 = std::max(X1, X), Y0 = std::min(Y0, Y), Y1 = std::max(Y1, Y);
      }
    // The symmetry's inverse as the images of the tile's axes in the tangent plane, mm per unit.
    double ax_u = 1, ax_v = 0, ay_u = 0, ay_v = 1;  // (u, v) of tile unit vectors x and y
    {
      // S maps (u, v) -> (X, Y); invert by applying S^-1 to (1, 0) and (0, 1).
      auto inv = [&](double X, double Y, double* u, double* v) {
        if (sym & 4) Y = -Y;
        if (sym & 2) X = -X;
        if (sym & 1) std::swap(X, Y);
        *u = X, *v = Y;
      };
      inv(1, 0, &ax_u, &ax_v);
      inv(0, 1, &ay_u, &ay_v);
    }
    const Vec3 tx = sigma * (ax_u * e1 + ax_v * e2), ty = sigma * (ay_u * e1 + ay_v * e2);
    const Vec3 origin = c - ox * tx - oy * ty;  // the plane point of tile coordinates (0, 0)
    // Every quantity the loop needs is affine in the tile coordinates (x, y) of a point within a
    // cell, d = p - centre = g + x tx + y ty: its projections on the face's axes (for the face
    // coordinates a = d.u / d.axis, b = d.v / d.axis) and on the plane normal (for J).
    const double tx_z = tx.dot(F.axis), ty_z = ty.dot(F.axis), tx_a = tx.dot(F.u),
                 ty_a = ty.dot(F.u), tx_b = tx.dot(F.v), ty_b = ty.dot(F.v), tx_n = tx.dot(nrm),
                 ty_n = ty.dot(nrm);
    const double inv_count = 1.0 / static_cast<double>(tile_.size());
    const double cap = 1 + params_.reserve;
    const int L = tile_.side, rs = surface_.res, ws = rs + 2, w = res + 2;
    const double lo_u = P.i0 - 0.5, hi_u = P.i1 + 0.5, lo_v = P.j0 - 0.5, hi_v = P.j1 + 0.5;
    const double band = params_.seam_band_spacings;
    const float* density = field_.dots_per_cm2.data() + static_cast<size_t>(P.face) * w * w;
    const float* ray_cos = field_.ray_cos.empty()
                               ? nullptr
                               : field_.ray_cos.data() + static_cast<size_t>(P.face) * w * w;
    const float* radius = surface_.radius_mm.data() + static_cast<size_t>(P.face) * ws * ws;
    // Bilinear interpolation at continuous texel coordinates (t, u) of a (res + 2)^2 face table,
    // as cube_stencil_on_face and cube_bilinear do it, without their clamps: every lookup here
    // is of a point the patch owns, within the face (|a|, |b| <= 1: t, u in [0.5, res + 0.5]),
    // where the clamps change nothing.
    auto bilinear = [](const float* t, int width, double tu, double tv) {
      const int i = static_cast<int>(tu), j = static_cast<int>(tv);
      const double fu = tu - i, fv = tv - j;
      const float* r = t + static_cast<size_t>(j) * width + i;
      return (1 - fv) * ((1 - fu) * r[0] + fu * r[1]) +
             fv * ((1 - fu) * r[width] + fu * r[width + 1]);
    };
    // The cells' places in the tile (cx, cy modulo its side) stepped along, not divided out:
    // two integer divisions a cell were a tenth of the loop's time.
    const int cx0 = static_cast<int>(std::floor(X0)), cx1 = static_cast<int>(std::floor(X1));
    const int wx0 = ((cx0 % L) + L) % L;
    int wy = ((static_cast<int>(std::floor(Y0)) % L) + L) % L;
    for (int cy = static_cast<int>(std::floor(Y0)); cy <= static_cast<int>(std::floor(Y1));
         ++cy, wy = wy + 1 == L ? 0 : wy + 1) {
      int wx = wx0;
      for (int cx = cx0; cx <= cx1; ++cx, wx = wx + 1 == L ? 0 : wx + 1) {
        const size_t cell = static_cast<size_t>(wy) * L + wx;
        const Vec3 g = origin + (cx - wx) * tx + (cy - wy) * ty - O;
        const double g_z = g.dot(F.axis), g_a = g.dot(F.u), g_b = g.dot(F.v), g_n = g.dot(nrm);
        for (int q = tile_.cell_start[cell]; q < tile_.cell_start[cell + 1]; ++q) {
          const int k = tile_.cell_points[static_cast<size_t>(q)];
          const double x = tile_.x[static_cast<size_t>(k)], y = tile_.y[static_cast<size_t>(k)];
          const double z = g_z + x * tx_z + y * ty_z;
          if (!(z > 0)) continue;
          const double a = (g_a + x * tx_a + y * ty_a) / z, b = (g_b + x * tx_b + y * ty_b) / z;
          const double tu = cube_texel_coord(a, res), tv = cube_texel_coord(b, res);
          // Owned by this patch: in its texels (a point on another face has |a| or |b| > 1).
          if (tu < lo_u || tu >= hi_u || tv < lo_v || tv >= hi_v) continue;
          double n = bilinear(density, w, tu, tv);
          // lambda = rho n_tile / (n J) with J within a few per cent of 1 over a patch: most
          // points the field does not want are turned away before the surface is read.
          const double rho = k * inv_count;
          if (rho * n_tile >= 1.5 * cap * n) continue;
          const double r = bilinear(radius, ws, cube_texel_coord(a, rs), cube_texel_coord(b, rs));
          const double len = z * std::sqrt(1 + a * a + b * b);  // |d|, d = z (axis + a u + b v)
          const Vec3 d = g + x * tx + y * ty;
          const Vec3 xs = O + d * (r / len);
          if (n < params_.exact_below_per_cm2 && params_.exact_density) {
            n = params_.exact_density(xs);
          }
          if (n < params_.min_density_per_cm2) continue;
          // J: the surface area over the plane area it comes from, by central projection:
          // (r_surface / r_plane)^2 cos(ray, plane normal) / cos(ray, surface normal).
          const double cos_p = std::abs(g_n + x * tx_n + y * ty_n) / len;
          const double cos_s = ray_cos ? std::max(0.05, bilinear(ray_cos, w, tu, tv)) : cos_p;
          const double J = (r / len) * (r / len) * cos_p / cos_s;
          const double lambda = rho * n_tile / (n * J);
          if (lambda >= cap) continue;
          const bool seam =
              edge_distance_texels(P, tu, tv) * texel_mm(r, a, b) < band * hex_spacing_mm(n);
          candidates_.push_back({xs, static_cast<float>(n), static_cast<float>(lambda), seam});
        }
      }
    }
  }

  // Distance (texels) from continuous texel coordinates (tu, tv) to the edge of patch P.
  static double edge_distance_texels(const Patch& P, double tu, double tv) {
    return std::min(std::min(tu - (P.i0 - 0.5), (P.i1 + 0.5) - tu),
                    std::min(tv - (P.j0 - 0.5), (P.j1 + 0.5) - tv));
  }

  // A texel's edge on the surface (mm), at the lower bound over directions: the face
  // coordinates a, b span 2 / res a texel, and d(angle) / d(a) = 1 / (1 + a^2 + b^2) at most.
  double texel_mm(double r_mm, double a, double b) const {
    return r_mm * (2.0 / field_.res) / (1 + a * a + b * b);
  }

  // Whether a dot at p of full-density spacing s_mm lies within the seam band of its patch.
  bool in_seam_band(const Vec3& p, double s_mm) const {
    const Vec3 d = p - field_.centre;
    const CubeFacePoint q = cube_face_point(d);
    const int res = field_.res;
    const double tu = cube_texel_coord(q.a, res), tv = cube_texel_coord(q.b, res);
    const int i = std::clamp(static_cast<int>(std::lround(tu)), 1, res);
    const int j = std::clamp(static_cast<int>(std::lround(tv)), 1, res);
    const int id = patch_of_[texel(q.face, i, j)];
    if (id < 0) return true;  // not in a patch: grown ground, keep growing
    return edge_distance_texels(patches_[static_cast<size_t>(id)], tu, tv) *
               texel_mm(d.norm(), q.a, q.b) <
           params_.seam_band_spacings * s_mm;
  }

  // ---- laying dots ----

  // The surface normal at p: from the field's normal table when it has one (the bake's), else
  // from the surface itself.
  Vec3 normal_at(const Vec3& p) const {
    return field_.normal_xyz.empty() ? surface_normal(surface_, p) : lookup_normal(field_, p);
  }

  // Lays a dot at surface point c of density n unless a live dot lies within the larger of the
  // two conflict radii (scale2 = kappa^2 / share); returns its id or -1.
  int lay(const Vec3& c, double n, const Level& L, float scale2, float lambda, bool seam) {
    const double s_full = std::min(hex_spacing_mm(n), 20.0);
    const float s2 = static_cast<float>(s_full * s_full);
    const double rc = std::sqrt(static_cast<double>(scale2)) * s_full;
    size_t home = 0;
    if (grid_->conflict(c, s2, scale2, std::max(rc, L.base_mm), &home)) return -1;
    pts_.push_back(
        {c, static_cast<float>(n), static_cast<float>(s_full), lambda, L.session, true, seam});
    ++alive_;
    const int id = static_cast<int>(pts_.size()) - 1;
    grid_->insert(id, c, s2, L.radius_per_mm * s_full, L.base_mm, home);
    if (seam) seam_ids_.push_back(id);
    return id;
  }

  void unlay(int id, const Level& L) {
    Pt& q = pts_[static_cast<size_t>(id)];
    q.alive = false;
    grid_->remove(id, q.p, std::max(L.radius_per_mm * q.s_full, L.base_mm));
    --alive_;
  }

  // A growth candidate: the surface point radially through x, if the field wants a dot there
  // and no dot conflicts. near_surface: x lies in a dot's tangent plane about one spacing from
  // it (off the surface by a few hundredths of a millimetre), so x itself is first tested against
  // the dots' own radii, and one inside such a ball is turned away before the surface and the
  // field are read (most tries fail that way, and the reads were most of their cost).
  int try_grow(const Vec3& x, const Level& L, bool near_surface, float scale2) {
    if (near_surface && grid_->conflict(x, 0.0f, scale2, L.base_mm)) return -1;
    const Vec3 d = x - surface_.centre;
    const CubeFacePoint q = cube_face_point(d);
    const double r =
        cube_bilinear(surface_.radius_mm.data(),
                      cube_stencil_on_face(q.face, q.a, q.b, surface_.res), surface_.res);
    const Vec3 c = surface_.centre + d * (r / d.norm());
    double n = cube_bilinear(field_.dots_per_cm2.data(),
                             cube_stencil_on_face(q.face, q.a, q.b, field_.res), field_.res);
    if (n < params_.exact_below_per_cm2 && params_.exact_density) n = params_.exact_density(c);
    if (n < params_.min_density_per_cm2) return -1;
    return lay(c, n, L, scale2, -1.0f, true);
  }

  // Bridson's growth from `active` until no active dot can place a neighbour. When `seam_only`,
  // new dots carry the growth on only within the seam band.
  void grow(std::vector<int>& active, const Level& L, bool seam_only, size_t stop_at,
            float scale2) {
    const int k = seam_only ? params_.seam_candidates_per_dot : params_.candidates_per_dot;
    while (!active.empty() && static_cast<size_t>(alive_) < stop_at) {
      const size_t window = std::min<size_t>(active.size(), kActiveWindow);
      const size_t ai = active.size() - 1 - static_cast<size_t>(rng_.below(window));
      Pt& a = pts_[static_cast<size_t>(active[ai])];
      bool placed = false;
      if (a.alive) {
        const Vec3 n = normal_at(a.p);
        const Vec3 t1 = n.unitOrthogonal(), t2 = n.cross(t1);
        const double r0 = std::sqrt(static_cast<double>(scale2)) * a.s_full * 1.001;
        const Vec3 origin = a.p;
        // A random phase, one of 64 (the ring's own directions; with the random radius no
        // pattern shows, and there is no sine or cosine per parent).
        const Vec2& ph = ring_[64][static_cast<size_t>(rng_.below(64))];
        const double cp = ph.x(), sp = ph.y();
        for (int j = 0; j < k && !placed; ++j) {
          const Vec2& u = ring_[static_cast<size_t>(k)][static_cast<size_t>(j)];
          const double ca = u.x() * cp - u.y() * sp, sa = u.y() * cp + u.x() * sp;
          const double r = r0 * (1 + params_.annulus_width * rng_.uniform());
          const int id = try_grow(origin + r * (ca * t1 + sa * t2), L, true, scale2);
          if (id >= 0) {
            const Pt& np = pts_[static_cast<size_t>(id)];
            if (!seam_only || in_seam_band(np.p, np.s_full)) active.push_back(id);
            placed = true;
          }
        }
      }
      if (!placed) {
        active[ai] = active.back();
        active.pop_back();
      }
    }
  }

  // One try per treated texel (at a random point in it), growing from every success: finds
  // what growth from the dots did not reach (islands). Fallback only.
  void sweep(const Level& L, size_t stop_at, float scale2) {
    const int res = field_.res;
    std::vector<int> active;
    for (int k : texels_) {
      if (static_cast<size_t>(alive_) >= stop_at) return;
      const int w = res + 2, face = k / (w * w), j = (k / w) % w, i = k % w;
      const Vec3 d = cube_texel_direction(face, i, j, res) +
                     (rng_.uniform() - 0.5) * (2.0 / res) * cube_face(face).u +
                     (rng_.uniform() - 0.5) * (2.0 / res) * cube_face(face).v;
      const int id = try_grow(surface_.centre + d, L, false, scale2);
      if (id >= 0) {
        active.push_back(id);
        grow(active, L, false, stop_at, scale2);
      }
    }
  }

  // Removes the most crowded dots of the session until `excess` are gone (fallback only).
  // Crowding: the smallest distance to a neighbour over the larger of the two conflict radii.
  // Removing a dot only ever raises its neighbours' values, so a popped value is re-checked and
  // pushed back when stale (lazy greedy).
  // One pass over the session's dots: each steps kRelaxStep of its nearest-neighbour distance
  // straight away from that neighbour (in its tangent plane), when the step takes it farther
  // from every dot than the nearest was, without a conflict. Dots where the field is thin
  // (sentinels, edges) stay put, none moves to where it is thin, and dots listed in several grid
  // cells (sparse ones) stay too. Returns the number of dots moved.
  size_t relax(const Level& L) {
    size_t moves = 0;
    for (size_t i = 0; i < pts_.size(); ++i) {
      Pt& a = pts_[i];
      const int id = static_cast<int>(i);
      if (!a.alive || a.session != L.session || a.density < params_.exact_below_per_cm2 ||
          !grid_->home_listed(id))
        continue;
      grid_->hide(id);
      // Nearest neighbours lie within one union spacing but for a few lone dots, which then
      // count as that far (and move only into more room than that).
      Vec3 q_near;
      const float now = grid_->nearest2(a.p, a.s_full * L.inv_sqrt_share, &q_near);
      const Vec3 n = (a.p - surface_.centre).normalized();
      Vec3 away = a.p - q_near;
      away -= n * n.dot(away);
      Vec3 to = a.p;
      double to_density = a.density, to_spacing = a.s_full;
      if (away.squaredNorm() > 0) {
        const Vec3 d = a.p + kRelaxStep * std::sqrt(static_cast<double>(now)) * away.normalized() -
                       surface_.centre;
        const CubeFacePoint q = cube_face_point(d);
        const double r =
            cube_bilinear(surface_.radius_mm.data(),
                          cube_stencil_on_face(q.face, q.a, q.b, surface_.res), surface_.res);
        const Vec3 c = surface_.centre + d * (r / d.norm());
        const double nd =
            cube_bilinear(field_.dots_per_cm2.data(),
                          cube_stencil_on_face(q.face, q.a, q.b, field_.res), field_.res);
        const double s_full = std::min(hex_spacing_mm(nd), 20.0);
        const float s2 = static_cast<float>(s_full * s_full);
        // Farther from every dot than the nearest was, and no conflict; a radius beyond the
        // base would need listing in more cells, so such a move is not taken. When the nearest
        // was already beyond the base radius, no dot of radius up to the base can conflict:
        // only the home cell is searched for the larger ones.
        if (nd >= params_.exact_below_per_cm2 && L.radius_per_mm * s_full <= L.base_mm &&
            !grid_->any_within(c, now) &&
            !(now >= L.base_mm * L.base_mm ? grid_->conflict_in_home_cell(c, s2, L.scale2)
                                           : grid_->conflict(c, s2, L.scale2, L.base_mm))) {
          to = c, to_density = nd, to_spacing = s_full;
        }
      }
      grid_->show(id, a.p, to, static_cast<float>(to_spacing * to_spacing));
      if (to != a.p) {
        a.p = to, a.density = static_cast<float>(to_density),
        a.s_full = static_cast<float>(to_spacing);
        ++moves;
      }
    }
    return moves;
  }

  void eliminate(size_t excess, const Level& L) {
    const float cap2 = static_cast<float>(kCrowdingCap * kCrowdingCap);
    auto crowding = [&](int id) {
      const Pt& a = pts_[static_cast<size_t>(id)];
      const float ax = static_cast<float>(a.p.x()), ay = static_cast<float>(a.p.y()),
                  az = static_cast<float>(a.p.z()), s2 = static_cast<float>(a.s_full * a.s_full);
      const double reach = kCrowdingCap * std::max(L.radius_per_mm * a.s_full, L.base_mm);
      float best2 = cap2;
      grid_->for_each_near(a.p, s2, L.scale2 * cap2, reach, [&](const ConflictGrid::Rec& q, int o) {
        if (o == id) return;
        const float m2 = L.scale2 * std::max(s2, q.s2);
        best2 = std::min(best2, q.dist2(ax, ay, az) / m2);
      });
      return std::sqrt(static_cast<double>(best2));
    };
    using Entry = std::pair<double, int>;
    std::vector<Entry> entries;
    for (size_t id = 0; id < pts_.size(); ++id) {
      if (pts_[id].alive && pts_[id].session == L.session)
        entries.emplace_back(crowding(static_cast<int>(id)), static_cast<int>(id));
    }
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap(std::greater<>{},
                                                                        std::move(entries));
    for (size_t removed = 0; removed < excess && !heap.empty();) {
      const auto [c, id] = heap.top();
      heap.pop();
      const double now = crowding(id);
      if (now > c) {
        heap.emplace(now, id);
        continue;
      }
      unlay(id, L);
      ++removed;
    }
  }

  // A tile candidate was turned away (a seam, or a density gradient steep enough that the
  // tile's neighbour at the denser side sits within the sparser dot's radius): a few tries at
  // random points within one conflict radius of it, the first that fits replaces it.
  bool replace(const Candidate& c, const Level& L) {
    const Vec3 n = (c.p - surface_.centre).normalized();
    const Vec3 t1 = n.unitOrthogonal(), t2 = n.cross(t1);
    const double r =
        std::sqrt(static_cast<double>(L.scale2)) * std::min(hex_spacing_mm(c.density), 20.0);
    for (int t = 0; t < params_.candidates_per_dot; ++t) {
      double u, v;
      do {
        u = 2 * rng_.uniform() - 1, v = 2 * rng_.uniform() - 1;
      } while (u * u + v * v > 1);
      if (try_grow(c.p + r * (u * t1 + v * t2), L, true, L.scale2) >= 0) return true;
    }
    return false;
  }

  // Orders every candidate by lambda (by_lambda_), a counting sort on 2^16 buckets over
  // [0, 1 + reserve): ties within a bucket (lambdas 2e-5 apart) keep the candidates' order.
  void sort_by_lambda() {
    constexpr int kBuckets = 1 << 16;
    const double scale = kBuckets / (1 + params_.reserve);
    std::vector<int> start(kBuckets + 1, 0);
    std::vector<int> bucket(candidates_.size());
    for (size_t q = 0; q < candidates_.size(); ++q) {
      bucket[q] = std::clamp(static_cast<int>(candidates_[q].lambda * scale), 0, kBuckets - 1);
      ++start[static_cast<size_t>(bucket[q]) + 1];
    }
    for (int b = 0; b < kBuckets; ++b)
      start[static_cast<size_t>(b) + 1] += start[static_cast<size_t>(b)];
    by_lambda_.resize(candidates_.size());
    for (size_t q = 0; q < candidates_.size(); ++q) {
      by_lambda_[static_cast<size_t>(start[static_cast<size_t>(bucket[q])]++)] =
          static_cast<int>(q);
    }
  }

  // Lays the unused candidates of lambda below `hi`, in lambda order, until `target` dots are
  // alive.
  void top_up(double hi, const Level& L, size_t target) {
    while (lambda_cursor_ < by_lambda_.size() &&
           used_[static_cast<size_t>(by_lambda_[lambda_cursor_])])
      ++lambda_cursor_;
    for (size_t t = lambda_cursor_; t < by_lambda_.size() && static_cast<size_t>(alive_) < target;
         ++t) {
      const size_t q = static_cast<size_t>(by_lambda_[t]);
      if (used_[q]) continue;
      const Candidate& c = candidates_[q];
      if (c.lambda >= hi) break;
      used_[q] = 1;
      if (lay(c.p, c.density, L, L.scale2, c.lambda, c.seam) >= 0) ++stats_.tile_dots;
    }
  }

  // Session L.session: the tile's candidates below the union's share, the seam growth, then the
  // candidates about the share in lambda order up to the exact count.
  void lay_session(const Level& L, double share, bool last, size_t target) {
    const double lo_tail = last ? 1.0 - params_.tail : share - params_.tail;
    const double hi_tail = last ? 1e30 : share + params_.tail;
    const int first_id = static_cast<int>(pts_.size());
    std::vector<int> rejected;
    // The candidates below the tail: the previous session's leftovers (its tail was not all
    // needed), then this session's own, each in patch order (earlier ones were all used).
    const size_t k = static_cast<size_t>(L.session - 1);
    for (size_t b = k > 0 ? k - 1 : 0; b <= k; ++b) {
      for (int qi : by_session_[b]) {
        const size_t q = static_cast<size_t>(qi);
        if (used_[q]) continue;
        const Candidate& c = candidates_[q];
        if (c.lambda >= lo_tail) continue;
        used_[q] = 1;
        if (lay(c.p, c.density, L, L.scale2, c.lambda, c.seam) < 0) {
          rejected.push_back(qi);
        } else {
          ++stats_.tile_dots;
        }
      }
    }
    for (int q : rejected) stats_.replaced += replace(candidates_[static_cast<size_t>(q)], L);
    stats_.rejected += rejected.size();
    // Seams: every dot in a seam band seeds the growth.
    std::vector<int> active;
    for (int id : seam_ids_) {
      if (pts_[static_cast<size_t>(id)].alive) active.push_back(id);
    }
    const int before_seams = alive_;
    grow(active, L, true, static_cast<size_t>(-1), L.scale2);
    stats_.seam_dots += static_cast<size_t>(alive_ - before_seams);
    top_up(hi_tail, L, target);
    // Still short (steep gradients turn many candidates away: the sparse side's radius rules):
    // the later candidates, in lambda order, borrowed from the sessions after.
    if (static_cast<size_t>(alive_) < target) top_up(1e30, L, target);
    if (static_cast<size_t>(alive_) > target) {
      // Over (the seam growth added more than the tail could leave out): the session's
      // highest-lambda tile dots go, evenly spread like the tile's ranks.
      std::vector<std::pair<float, int>> mine;
      for (size_t id = static_cast<size_t>(first_id); id < pts_.size(); ++id) {
        if (pts_[id].alive && pts_[id].lambda >= 0) mine.emplace_back(pts_[id].lambda, id);
      }
      const size_t excess = std::min(mine.size(), static_cast<size_t>(alive_) - target);
      std::nth_element(mine.begin(), mine.begin() + static_cast<long>(excess), mine.end(),
                       std::greater<>());
      std::sort(mine.begin(), mine.begin() + static_cast<long>(excess), std::greater<>());
      for (size_t e = 0; e < excess; ++e) unlay(mine[e].second, L);
      stats_.removed += excess;
    }
    // Short of every candidate (a field the tile cannot follow): grow from every dot and sweep
    // the texels, at the tile's radius, then at smaller radii down to kMinKappa; the most
    // crowded are eliminated down to the count. A design whose count cannot be met at that
    // spacing keeps fewer dots in this session; the next session's union makes them up.
    float scale2 = L.scale2;
    for (int attempt = 0; static_cast<size_t>(alive_) < target && attempt < 4; ++attempt) {
      std::vector<int> all;
      for (size_t id = 0; id < pts_.size(); ++id) {
        if (pts_[id].alive) all.push_back(static_cast<int>(id));
      }
      const int before = alive_;
      grow(all, L, false, static_cast<size_t>(-1), scale2);
      sweep(L, static_cast<size_t>(-1), scale2);
      stats_.fallback_dots += static_cast<size_t>(alive_ - before);
      if (static_cast<size_t>(alive_) > target) {
        stats_.removed += static_cast<size_t>(alive_) - target;
        eliminate(static_cast<size_t>(alive_) - target, L);
      }
      scale2 =
          std::max(scale2 * 0.97f * 0.97f, static_cast<float>(kMinKappa * kMinKappa) * L.scale2 /
                                               static_cast<float>(params_.kappa * params_.kappa));
    }
    if (last && static_cast<size_t>(alive_) < target) stats_.short_by = target - alive_;
    if (last) {
      for (int k = 0; k < params_.relax_passes; ++k) stats_.relaxed += relax(L);
    }
  }

  const RadialSurface& surface_;
  const FieldGrid& field_;
  const SamplerParams& params_;
  const ProgressiveTile& tile_;
  Rng rng_;
  std::vector<int> texels_;
  Vec3 lo_, hi_;
  double base_spacing_mm_ = 1.0;
  int patch_ = 16;
  std::vector<Patch> patches_;
  std::vector<int> patch_of_;  // per field texel: its patch, or -1
  std::vector<Candidate> candidates_;
  std::vector<char> used_;
  std::vector<int> by_lambda_;                // candidates in lambda order
  std::vector<std::vector<int>> by_session_;  // candidates by the session their lambda falls in
  std::vector<int> seam_ids_;                 // dots laid with the seam flag
  size_t lambda_cursor_ = 0;                  // by_lambda_ is used up to here
  std::unique_ptr<ConflictGrid> grid_;
  std::vector<Pt> pts_;
  std::vector<std::vector<Vec2>> ring_;
  int alive_ = 0;
  SamplerStats stats_;

 public:
  const SamplerStats& stats() const { return stats_; }
};

}  // namespace

std::vector<SampledDot> sample_dots(const RadialSurface& surface, const FieldGrid& field,
                                    const SamplerParams& params, SamplerStats* stats) {
  if (params.session_shares.empty() || params.session_shares.size() > 6) {
    throw std::invalid_argument(
        fmt::format("sampler: {} sessions, allowed 1 to 6", params.session_shares.size()));
  }
  for (double s : params.session_shares) {
    if (!(s > 0 && s <= 1))
      throw std::invalid_argument(fmt::format("sampler: session share {} outside (0, 1]", s));
  }
  if (params.candidates_per_dot < 1 || params.candidates_per_dot > 64) {
    throw std::invalid_argument(
        fmt::format("sampler: candidates_per_dot = {} is out of range, allowed 1 to 64",
                    params.candidates_per_dot));
  }
  if (params.seam_candidates_per_dot < 1 || params.seam_candidates_per_dot > 64) {
    throw std::invalid_argument(
        fmt::format("sampler: seam_candidates_per_dot = {} is out of range, allowed 1 to 64",
                    params.seam_candidates_per_dot));
  }
  if (params.patch_texels < 0 || params.patch_texels > 1024 || params.relax_passes < 0 ||
      params.relax_passes > 16 ||
      !(params.seam_band_spacings >= 0 && params.seam_band_spacings <= 16)) {
    throw std::invalid_argument(
        fmt::format("sampler: patch_texels = {} (allowed 0 - 1024), relax_passes = {} (0 - 16) or "
                    "seam_band_spacings = {} (0 - 16) out of range",
                    params.patch_texels, params.relax_passes, params.seam_band_spacings));
  }
  if (!(params.kappa >= kMinKappa && params.kappa <= 1)) {
    throw std::invalid_argument(fmt::format("sampler: kappa = {} is out of range, allowed {} to 1",
                                            params.kappa, kMinKappa));
  }
  if (!(params.reserve >= 0 && params.reserve <= 0.5) || !(params.tail > 0 && params.tail <= 0.2)) {
    throw std::invalid_argument(fmt::format(
        "sampler: reserve = {} (allowed 0 - 0.5) or tail = {} (allowed (0, 0.2]) out of range",
        params.reserve, params.tail));
  }
  if (field.centre != surface.centre) {
    throw std::invalid_argument("sampler: the field grid must be baked about the surface's centre");
  }
  Sampler s(surface, field, params);
  std::vector<SampledDot> dots = s.run();
  if (stats) *stats = s.stats();
  return dots;
}

}  // namespace stipple
