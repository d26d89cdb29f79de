#include "stipple/sampling/sampler.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>
#include <numbers>
#include <queue>
#include <stdexcept>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "stipple/geometry/cube_map.h"
#include "stipple/sampling/rng.h"

namespace stipple {

double hex_spacing_mm(double n) {
  return std::sqrt(2.0 / (std::sqrt(3.0) * n * 0.01));
}

namespace {

struct Pt {
  Vec3 p, n;
  double density;  // final target, dots/cm2
  double s_full;   // hex spacing at the final density, mm
  int session;
  bool alive;
};

// A uniform grid over the treated region's bounding box whose cells hold their dots inline, in
// small blocks of eight records (position and squared conflict radius as floats, in columns), so
// a query reads a few contiguous cache lines per cell instead of chasing a linked list through
// dots scattered in memory (a random cache miss per dot met was most of the sampler's time), and
// the conflict test takes four records at a time (the sampler ~20 % faster than one by one). A
// dot is listed in its home cell; a dot whose conflict radius exceeds the grid's base radius is
// also copied into every cell its conflict ball overlaps (rare: the base radius is that of the
// sparse end of the field). A query scans the cells within max(r_candidate, base), and so meets
// every dot whose ball, the candidate's or its own, holds the other: the conflict rule is the
// larger of the two radii. Cells are three base radii wide: a query reads 1-2 cells an axis
// (measured on the Norwood VII plan, 1, 1.5, 2, 3 and 4 radii: 3 was fastest; smaller cells make
// the dense cell index outgrow the cache, larger ones hold more dots to test).
// Only the cell index is dense (4 bytes a cell); blocks are allocated where dots are.
// Hand-written: nanoflann's trees are static, and the sampler inserts every step.
constexpr double kCellRadii = 3;
constexpr size_t kActiveWindow = 64;
// Elimination's crowding (the smallest distance to a neighbour over the larger conflict radius)
// is only looked for up to this ratio: growth leaves every pair at 1 or more, and elimination
// removes the few per cent of overfill, crowded near 1, so it never gets to a dot with nobody
// within 1.2 radii (should it, such dots all count as 1.2 and go in id order; the key stays at
// or below the value, so the lazy greedy stays exact). Was 1.5: the same dots on the Norwood VII
// plan, 2 % faster (smaller scans).
constexpr double kCrowdingCap = 1.2;
constexpr float kCrowdingCap2 = static_cast<float>(kCrowdingCap * kCrowdingCap);

class Grid {
 public:
  struct Rec {
    float x, y, z, r2;  // r2 < 0: removed
    float dist2(float px, float py, float pz) const {
      const float dx = x - px, dy = y - py, dz = z - pz;
      return dx * dx + dy * dy + dz * dz;
    }
  };
  Grid(const Vec3& lo, const Vec3& hi, double base_radius)
      : lo_(lo), base_(base_radius), inv_cell_(1.0 / (kCellRadii * base_radius)) {
    for (int a = 0; a < 3; ++a)
      dim_[a] = std::max(1, static_cast<int>(std::ceil((hi[a] - lo[a]) * inv_cell_)) + 1);
    cell_.assign(static_cast<size_t>(dim_[0]) * dim_[1] * dim_[2], -1);
  }
  double base_radius() const { return base_; }

  void insert(int id, const Vec3& p, double radius) {
    const Rec r{static_cast<float>(p.x()), static_cast<float>(p.y()), static_cast<float>(p.z()),
                static_cast<float>(radius * radius)};
    if (radius <= base_) {
      push(index(p), id, r);
      return;
    }
    int lo[3], hi[3];
    range(p, radius, lo, hi);
    for (int z = lo[2]; z <= hi[2]; ++z)
      for (int y = lo[1]; y <= hi[1]; ++y)
        for (int x = lo[0]; x <= hi[0]; ++x) push(flat(x, y, z), id, r);
  }

  // Marks dot `id` (inserted at p with `radius`) removed in every cell that lists it.
  void remove(int id, const Vec3& p, double radius) {
    int lo[3], hi[3];
    range(p, std::max(radius, 0.0), lo, hi);
    for (int z = lo[2]; z <= hi[2]; ++z)
      for (int y = lo[1]; y <= hi[1]; ++y)
        for (int x = lo[0]; x <= hi[0]; ++x)
          for (int b = cell_[flat(x, y, z)]; b >= 0; b = meta_[static_cast<size_t>(b)].next) {
            Block& B = blocks_[static_cast<size_t>(b)];
            const int* ids = &ids_[static_cast<size_t>(b) * kSlots];
            for (int k = 0; k < meta_[static_cast<size_t>(b)].count; ++k)
              if (ids[k] == id) B.r2[k] = -1;
          }
  }

  // Calls f(rec, id) for every live dot listed in the cells within max(r, base) of p that lies
  // closer to p than sqrt(scale2 max(rc2, its r2)), found four records at a time.
  template <class F>
  void for_each_near(const Vec3& p, double r, float rc2, float scale2, F&& f) const {
    const float px = static_cast<float>(p.x()), py = static_cast<float>(p.y()),
                pz = static_cast<float>(p.z());
    any_cell(p, r, [&](size_t c) {
      for (int b = cell_[c]; b >= 0; b = meta_[static_cast<size_t>(b)].next) {
        const Block& B = blocks_[static_cast<size_t>(b)];
        for (int hits = block_hits(b, px, py, pz, rc2, scale2); hits; hits &= hits - 1) {
          const int k = std::countr_zero(static_cast<unsigned>(hits));
          f(Rec{B.x[k], B.y[k], B.z[k], B.r2[k]}, ids_[static_cast<size_t>(b) * kSlots + k]);
        }
      }
      return false;
    });
  }

  // Whether a dot at p of squared conflict radius rc2 (0: none of its own) comes closer to a live
  // dot than the larger of the two radii (the cells within max(r, base) of p, four records at a
  // time; the scan stops at the first such dot).
  bool conflict(const Vec3& p, double r, float rc2) const {
    const float px = static_cast<float>(p.x()), py = static_cast<float>(p.y()),
                pz = static_cast<float>(p.z());
    return any_cell(p, r, [&](size_t c) { return cell_conflict(c, px, py, pz, rc2); });
  }

 private:
  // The cells overlapping the cube [p - max(r, base), p + max(r, base)], p's own first (a
  // conflict, when there is one, most often lies there, and the query stops at the first), until
  // cell(c) returns true. A dot may be met more than once.
  template <class CellF>
  bool any_cell(const Vec3& p, double r, CellF&& cell) const {
    int lo[3], hi[3];
    range(p, std::max(r, base_), lo, hi);
    const size_t home = index(p);
    if (cell(home)) return true;
    for (int z = lo[2]; z <= hi[2]; ++z)
      for (int y = lo[1]; y <= hi[1]; ++y)
        for (int x = lo[0]; x <= hi[0]; ++x) {
          const size_t c = flat(x, y, z);
          if (c != home && cell(c)) return true;
        }
    return false;
  }

  // Eight records a block, as columns (x[], y[], z[], r2[]: two cache lines), so the conflict
  // test takes four at a time in SSE2 (the x86-64 baseline); unused slots have r2 = -1, like
  // removed dots. A block's count and link, and the dots' ids (needed only by elimination), are
  // kept apart (meta_, ids_).
  static constexpr int kSlots = 8;
  struct alignas(64) Block {
    float x[kSlots], y[kSlots], z[kSlots], r2[kSlots];
  };
  struct Meta {
    int count, next;  // next: the older block of the same cell, or -1
  };
  // The slots (bits 0 - 7) of block b whose live dots lie closer to (px, py, pz) than
  // sqrt(scale2 max(rc2, r2)): the conflict test (scale2 = 1), or a crowding scan's reach.
  int block_hits(int b, float px, float py, float pz, float rc2, float scale2) const {
    const Block& B = blocks_[static_cast<size_t>(b)];
    int hits = 0;
#if defined(__SSE2__)
    const __m128 vx = _mm_set1_ps(px), vy = _mm_set1_ps(py), vz = _mm_set1_ps(pz);
    const __m128 vr = _mm_set1_ps(rc2), vs = _mm_set1_ps(scale2), zero = _mm_setzero_ps();
    for (int h = 0; h < kSlots; h += 4) {
      const __m128 dx = _mm_sub_ps(_mm_load_ps(B.x + h), vx);
      const __m128 dy = _mm_sub_ps(_mm_load_ps(B.y + h), vy);
      const __m128 dz = _mm_sub_ps(_mm_load_ps(B.z + h), vz);
      const __m128 d2 =
          _mm_add_ps(_mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy)), _mm_mul_ps(dz, dz));
      const __m128 r2 = _mm_load_ps(B.r2 + h);
      const __m128 reach2 = _mm_mul_ps(vs, _mm_max_ps(vr, r2));
      hits |= _mm_movemask_ps(_mm_and_ps(_mm_cmpge_ps(r2, zero), _mm_cmplt_ps(d2, reach2))) << h;
    }
#else
    for (int k = 0; k < kSlots; ++k) {
      const Rec q{B.x[k], B.y[k], B.z[k], B.r2[k]};
      if (q.r2 >= 0 && q.dist2(px, py, pz) < scale2 * std::max(rc2, q.r2)) hits |= 1 << k;
    }
#endif
    return hits;
  }
  bool cell_conflict(size_t c, float px, float py, float pz, float rc2) const {
    for (int b = cell_[c]; b >= 0; b = meta_[static_cast<size_t>(b)].next) {
      if (block_hits(b, px, py, pz, rc2, 1.0f)) return true;
    }
    return false;
  }
  void push(size_t c, int id, const Rec& r) {
    int b = cell_[c];
    if (b < 0 || meta_[static_cast<size_t>(b)].count == kSlots) {
      Block fresh{};
      std::fill(std::begin(fresh.r2), std::end(fresh.r2), -1.0f);
      blocks_.push_back(fresh);
      meta_.push_back({0, b});
      ids_.resize(ids_.size() + kSlots);
      b = static_cast<int>(blocks_.size()) - 1;
      cell_[c] = b;
    }
    Block& B = blocks_[static_cast<size_t>(b)];
    int& k = meta_[static_cast<size_t>(b)].count;
    B.x[k] = r.x;
    B.y[k] = r.y;
    B.z[k] = r.z;
    B.r2[k] = r.r2;
    ids_[static_cast<size_t>(b) * kSlots + static_cast<size_t>(k)] = id;
    ++k;
  }
  size_t flat(int x, int y, int z) const {
    return (static_cast<size_t>(z) * dim_[1] + y) * dim_[0] + x;
  }
  int coord(double v, int a) const {
    return std::clamp(static_cast<int>((v - lo_[a]) * inv_cell_), 0, dim_[a] - 1);
  }
  size_t index(const Vec3& p) const {
    return flat(coord(p.x(), 0), coord(p.y(), 1), coord(p.z(), 2));
  }
  void range(const Vec3& p, double r, int* lo, int* hi) const {
    for (int a = 0; a < 3; ++a) lo[a] = coord(p[a] - r, a), hi[a] = coord(p[a] + r, a);
  }
  Vec3 lo_;
  double base_, inv_cell_;
  int dim_[3];
  std::vector<int> cell_;  // newest block of each cell, or -1
  std::vector<Block> blocks_;
  std::vector<Meta> meta_;
  std::vector<int> ids_;
};

struct Layer {
  double kappa;     // conflict radius over the union's hex spacing
  double inv_sqrt;  // 1 / sqrt(cumulative share): the union's spacing is s_full / sqrt(share)
  double radius(double s_full) const { return kappa * s_full * inv_sqrt; }
};

class Sampler {
 public:
  Sampler(const RadialSurface& surface, const FieldGrid& field, const SamplerParams& params)
      : surface_(surface), field_(field), params_(params), rng_(params.seed) {
    // Texels that carry dots, their bounding box, and a representative dense spacing.
    Vec3 lo = Vec3::Constant(1e9), hi = Vec3::Constant(-1e9);
    std::vector<double> spacing;
    for (size_t k = 0; k < field.area_mm2.size(); ++k) {
      if (field.area_mm2[k] > 0 && field.dots_per_cm2[k] >= params.min_density_per_cm2) {
        texels_.push_back(static_cast<int>(k));
        lo = lo.cwiseMin(field.point_mm[k]);
        hi = hi.cwiseMax(field.point_mm[k]);
        spacing.push_back(hex_spacing_mm(field.dots_per_cm2[k]));
      }
    }
    // Candidates are projected with the surface and the field read in one face projection
    // when both cube maps share a centre (they do when the field was baked on this surface).
    shared_centre_ = field.centre == surface.centre;
    lo_ = lo - Vec3::Constant(10);
    hi_ = hi + Vec3::Constant(10);
    if (!spacing.empty()) {
      // The grid's base radius: that of a sparse spacing (the 90th percentile), so that nearly
      // every dot lies within it and is listed once.
      const size_t i = spacing.size() * 9 / 10;
      std::nth_element(spacing.begin(), spacing.begin() + static_cast<long>(i), spacing.end());
      grid_spacing_mm_ = spacing[i];
    }
  }

  std::vector<SampledDot> run() {
    // Unit vectors at j 2 pi / n for the candidate rings, n up to 64 (no trigonometry per try).
    ring_.resize(65);
    for (int n = 1; n <= 64; ++n) {
      for (int j = 0; j < n; ++j) {
        ring_[n].emplace_back(std::cos(2 * std::numbers::pi * j / n),
                              std::sin(2 * std::numbers::pi * j / n));
      }
    }
    const double expected = expected_dots(field_);
    if (expected > static_cast<double>(params_.max_dots)) {
      throw std::invalid_argument(
          fmt::format("plan: the design needs {:.0f} dots, more than the limit of {}", expected,
                      params_.max_dots));
    }
    if (texels_.empty() || expected < 0.5) return {};
    double cum = 0;
    for (size_t k = 0; k < params_.session_shares.size(); ++k) {
      cum = std::min(1.0, cum + params_.session_shares[k]);
      lay_session(static_cast<int>(k) + 1, cum, static_cast<size_t>(std::llround(expected * cum)));
    }
    std::vector<SampledDot> out;
    out.reserve(static_cast<size_t>(alive_));
    for (const Pt& q : pts_) {
      if (q.alive) out.push_back({q.p, q.n, q.session, q.density});
    }
    return out;
  }

 private:
  // The surface point radially above or below x, and the baked density there. One face
  // projection serves both cube maps (radii and field) when they share a centre.
  double probe(const Vec3& x, Vec3* on_surface) const {
    if (!shared_centre_) {
      *on_surface = project_to_surface(surface_, x);
      return lookup_density(field_, *on_surface);
    }
    const Vec3 d = x - surface_.centre;
    const CubeFacePoint q = cube_face_point(d);
    const double r =
        cube_bilinear(surface_.radius_mm.data(),
                      cube_stencil_on_face(q.face, q.a, q.b, surface_.res), surface_.res);
    *on_surface = surface_.centre + d * (r / d.norm());
    return cube_bilinear(field_.dots_per_cm2.data(),
                         cube_stencil_on_face(q.face, q.a, q.b, field_.res), field_.res);
  }

  // Tries to add a dot at the surface point radially through x; returns its id or -1.
  // near_surface: x lies in a dot's tangent plane about one spacing from it, off the surface by
  // spacing^2 / (2 x the radius of curvature): a few hundredths of a millimetre where dots are
  // dense. Then x itself is first tested against the dots' own radii, and a candidate inside
  // one is turned away before it is projected and the field read (whatever its own radius, the
  // larger of the two conflicts). Most tries fail, nearly all that way (on the Norwood VII plan,
  // 595,000 of 703,000), and the projection's texel reads, scattered over two cube maps larger
  // than the cache, were most of their cost: the sampler is ~18 % faster. The few candidates
  // judged a little off where they would land change which dots are laid, not the spacing
  // statistics (sampler_test).
  int try_add(const Vec3& x, int session, const Layer& L, Grid& grid, bool near_surface = false) {
    if (near_surface && inside_a_dot(x, grid)) return -1;
    Vec3 c;
    double n = probe(x, &c);
    if (n < params_.exact_below_per_cm2 && params_.exact_density) n = params_.exact_density(c);
    if (n < params_.min_density_per_cm2) return -1;
    const double s_full = std::min(hex_spacing_mm(n), 20.0);
    const double rc = L.radius(s_full);
    if (conflicts(c, rc, grid)) return -1;
    const float cx = static_cast<float>(c.x()), cy = static_cast<float>(c.y()),
                cz = static_cast<float>(c.z());
    pts_.push_back({c, surface_normal(surface_, c), n, s_full, session, true});
    ++alive_;
    const int id = static_cast<int>(pts_.size()) - 1;
    grid.insert(id, c, rc);
    crowd2_.push_back(kCrowdingCap2);
    if (crowd_valid_) note_crowding(id, cx, cy, cz, rc, grid);
    return id;
  }

  // Whether x lies within a live dot's own conflict radius. A dot whose ball holds x is listed in
  // a cell of the scan: its home cell is within the base radius, or it is listed in x's own.
  static bool inside_a_dot(const Vec3& x, const Grid& grid) { return grid.conflict(x, 0.0, 0.0f); }

  // Whether a dot at c of conflict radius rc would come closer to a live dot than the larger of
  // their two radii.
  static bool conflicts(const Vec3& c, double rc, const Grid& grid) {
    return grid.conflict(c, rc, static_cast<float>(rc * rc));
  }

  // Elimination's crowding (see eliminate()), kept as the dots arrive: every pair of a new dot
  // and a neighbour is met once, when the later of the two is inserted, and lowers both their
  // squared ratios (earlier sessions' dots need none). The scan reaches kCrowdingCap max(r, base),
  // which covers every pair crowding() would meet for a dot of radius <= base, whichever came
  // first; so for those dots crowd2_ is at most the exact value, a valid key for the lazy greedy
  // elimination (popped keys are re-checked), and the initial crowding query per new dot is
  // saved. Dots of larger radius (sparse edges) are measured exactly at elimination.
  void note_crowding(int id, float cx, float cy, float cz, double rc, const Grid& grid) {
    const float rc2 = static_cast<float>(rc * rc);
    float best = kCrowdingCap2;
    grid.for_each_near(Vec3(cx, cy, cz), kCrowdingCap * std::max(rc, grid.base_radius()), rc2,
                       kCrowdingCap2, [&](const Grid::Rec& q, int o) {
                         if (o == id) return;
                         const float ratio2 = q.dist2(cx, cy, cz) / std::max(rc2, q.r2);
                         best = std::min(best, ratio2);
                         if (o >= session_first_id_) {
                           float& other = crowd2_[static_cast<size_t>(o)];
                           other = std::min(other, ratio2);
                         }
                       });
    crowd2_[static_cast<size_t>(id)] = std::min(crowd2_[static_cast<size_t>(id)], best);
  }

  // Grows the layer from `active` until no active dot can place a neighbour.
  void grow(std::vector<int>& active, int session, const Layer& L, Grid& grid) {
    const int k = params_.candidates_per_dot;
    while (!active.empty()) {
      // A random one of the newest 64 active dots, not of all of them (Bridson's choice): the
      // growth then walks the surface locally and its grid cells, surface and field texels stay
      // in cache (~1.5x faster on the Norwood VII plan); elimination afterwards gives the same
      // spacing statistics either way. Much smaller windows (4 - 16) grow in streaks whose
      // packing varies enough to show in 1 mm density bins across the hairline.
      const size_t window = std::min<size_t>(active.size(), kActiveWindow);
      const size_t ai = active.size() - 1 - static_cast<size_t>(rng_.below(window));
      const Pt a = pts_[static_cast<size_t>(active[ai])];
      bool placed = false;
      if (a.alive) {
        const Vec3 t1 = a.n.unitOrthogonal(), t2 = a.n.cross(t1);
        const double r0 = L.radius(a.s_full) * 1.001;
        const double phase = 2 * std::numbers::pi * rng_.uniform();
        const double cp = std::cos(phase), sp = std::sin(phase);
        // Dots of earlier sessions only start the fill: a few tries each, then the new dots
        // carry the growth on.
        const int tries = a.session < session ? std::min(k, 4) : k;
        for (int j = 0; j < tries && !placed; ++j) {
          // The ring's j-th unit vector, rotated by the phase.
          const Vec2& u = ring_[static_cast<size_t>(tries)][static_cast<size_t>(j)];
          const double ca = u.x() * cp - u.y() * sp, sa = u.y() * cp + u.x() * sp;
          const double r = r0 * (1 + params_.annulus_width * rng_.uniform());
          const int id = try_add(a.p + r * (ca * t1 + sa * t2), session, L, grid, true);
          if (id >= 0) {
            active.push_back(id);
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

  // One candidate per treated texel (at a random point in it), in texel order: finds what growth
  // did not reach. The first session tries every texel; later ones every stride-th, since every
  // island already holds dots of the first session to grow from. Texel order, not a shuffle:
  // nearly every try fails once growth has covered a region, and in texel order those tries read
  // neighbouring grid cells and texels, in cache; where growth starts does not matter.
  void sweep(int session, const Layer& L, Grid& grid) {
    std::vector<int> order;
    const size_t stride = session == 1 ? 1 : 7;
    for (size_t i = 0; i < texels_.size(); i += stride) order.push_back(texels_[i]);
    const int res = field_.res, w = res + 2;
    std::vector<int> active;
    for (int k : order) {
      const int face = k / (w * w), j = (k / w) % w, i = k % w;
      const Vec3 d = cube_texel_direction(face, i, j, res) +
                     (rng_.uniform() - 0.5) * (2.0 / res) * cube_face(face).u +
                     (rng_.uniform() - 0.5) * (2.0 / res) * cube_face(face).v;
      const int id = try_add(surface_.centre + d, session, L, grid);
      if (id >= 0) {
        active.push_back(id);
        grow(active, session, L, grid);
      }
    }
  }

  // Removes the most crowded dots of `session` until `excess` are gone. Crowding is the
  // smallest distance to a neighbour over the larger of the two conflict radii (the conflict
  // rule's own measure). Removing a dot only ever raises its neighbours' values, so a popped
  // value is re-checked and pushed back when stale (lazy greedy): no neighbour updates needed.
  // Any key at or below a dot's value works the same way, so the initial keys are those kept
  // during growth (note_crowding) where they are valid.
  void eliminate(int session, size_t excess, const Layer& L, Grid& grid) {
    // Squared distances over squared radii, on the grid's packed records; one root at the end.
    auto crowding = [&](int id) {
      const Pt& a = pts_[static_cast<size_t>(id)];
      const double ra = L.radius(a.s_full);
      const float ax = static_cast<float>(a.p.x()), ay = static_cast<float>(a.p.y()),
                  az = static_cast<float>(a.p.z()), ra2 = static_cast<float>(ra * ra);
      float best2 = kCrowdingCap2;  // nothing farther matters: only the most crowded go
      grid.for_each_near(a.p, kCrowdingCap * ra, ra2, kCrowdingCap2,
                         [&](const Grid::Rec& q, int o) {
                           if (o == id) return;
                           const float d2 = q.dist2(ax, ay, az), m2 = std::max(ra2, q.r2);
                           if (d2 < best2 * m2) best2 = d2 / m2;
                         });
      return std::sqrt(static_cast<double>(best2));
    };
    using Entry = std::pair<double, int>;
    std::vector<Entry> entries;
    for (size_t id = 0; id < pts_.size(); ++id) {
      if (!pts_[id].alive || pts_[id].session != session) continue;
      const bool kept = crowd_valid_ && L.radius(pts_[id].s_full) <= grid.base_radius();
      entries.emplace_back(
          kept ? std::sqrt(static_cast<double>(crowd2_[id])) : crowding(static_cast<int>(id)),
          static_cast<int>(id));
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
      Pt& q = pts_[static_cast<size_t>(id)];
      q.alive = false;
      grid.remove(id, q.p, L.radius(q.s_full));
      --alive_;
      ++removed;
    }
  }

  void lay_session(int session, double cum_share, size_t target) {
    // Grow an over-full layer at a small kappa, then eliminate its most crowded new dots down to
    // the exact count: elimination adapts to the holes the earlier sessions left continuously,
    // where a dart-throwing fill at the final radius would fill them in whole numbers. Should
    // growth saturate below the count, kappa shrinks and growth resumes from every dot.
    // Later sessions fill between fixed dots and pack less densely at the same kappa: they start
    // 5 % tighter, which spares a second growth pass.
    Layer L{params_.grow_kappa * (session == 1 ? 1.0 : 0.95), 1.0 / std::sqrt(cum_share)};
    std::unique_ptr<Grid> grid;
    session_first_id_ = static_cast<int>(pts_.size());
    for (int attempt = 0; attempt < 12; ++attempt) {
      grid = std::make_unique<Grid>(lo_, hi_, L.radius(grid_spacing_mm_));
      // Radii change with kappa: after a second pass elimination measures every dot afresh.
      crowd_valid_ = attempt == 0;
      std::vector<int> active;
      for (size_t id = 0; id < pts_.size(); ++id) {
        if (!pts_[id].alive) continue;
        grid->insert(static_cast<int>(id), pts_[id].p, L.radius(pts_[id].s_full));
        active.push_back(static_cast<int>(id));
      }
      grow(active, session, L, *grid);
      sweep(session, L, *grid);
      if (static_cast<size_t>(alive_) >= target) break;
      L.kappa *= 0.95;
    }
    if (static_cast<size_t>(alive_) < target) {
      throw std::runtime_error(
          fmt::format("sampler: session {} could not reach {} dots", session, target));
    }
    eliminate(session, static_cast<size_t>(alive_) - target, L, *grid);
  }

  const RadialSurface& surface_;
  const FieldGrid& field_;
  const SamplerParams& params_;
  Rng rng_;
  std::vector<int> texels_;
  Vec3 lo_, hi_;
  double grid_spacing_mm_ = 1.0;
  bool shared_centre_ = false;
  std::vector<Pt> pts_;
  std::vector<float> crowd2_;  // per dot: squared crowding of this session's dots (see above)
  bool crowd_valid_ = false;
  int session_first_id_ = 0;  // this session's dots have ids from here on
  std::vector<std::vector<Vec2>> ring_;
  int alive_ = 0;
};

}  // namespace

std::vector<SampledDot> sample_dots(const RadialSurface& surface, const FieldGrid& field,
                                    const SamplerParams& params) {
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
  Sampler s(surface, field, params);
  return s.run();
}

}  // namespace stipple
