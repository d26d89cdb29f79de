// The sampler's spatial index: dots in a uniform 3D grid, for "is any dot too close?" and "which
// dots are near?" queries while dots are being added and removed.
//
// A dot's record is its position and its squared spacing s^2 (mm^2: the hex spacing of the full
// density at the dot). Two dots conflict when they are closer than sqrt(scale2 max(s_a^2, s_b^2)):
// the larger of the two conflict radii, each radius kappa s / sqrt(share) for the union of
// sessions being laid, so scale2 = kappa^2 / share. Keeping spacings rather than radii lets one
// grid serve every session: only the query's scale changes.
//
// Cells hold their dots inline, in blocks of eight records stored as columns (x[], y[], z[],
// s2[]: two cache lines), so a query reads a few contiguous lines per cell instead of chasing a
// linked list through dots scattered in memory (a cache miss per dot met was most of an earlier
// sampler's time), and the test takes four records at a time with SSE2 (the x86-64 baseline;
// scalar elsewhere). A dot is listed in its home cell, or, when its conflict radius can exceed
// the query reach every query covers anyway (`base_mm` of its session: the radius of a sparse
// spacing), in every cell its conflict ball overlaps. A query scans the cells within
// max(its own radius, base_mm) and so meets every dot whose ball, the candidate's or its own,
// holds the other. Only the cell index is dense (4 bytes a cell); blocks are allocated where dots
// are. Hand-written: nanoflann's trees are static, and the sampler inserts and removes at every
// step.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "stipple/geometry/mesh.h"

namespace stipple {

class ConflictGrid {
 public:
  struct Rec {
    float x, y, z, s2;  // s2 < 0: removed or unused
    float dist2(float px, float py, float pz) const {
      const float dx = x - px, dy = y - py, dz = z - pz;
      return dx * dx + dy * dy + dz * dz;
    }
  };

  // The box [lo, hi] (mm) in cells of cell_mm; points outside it fall into the border cells.
  ConflictGrid(const Vec3& lo, const Vec3& hi, double cell_mm) : lo_(lo), inv_cell_(1.0 / cell_mm) {
    for (int a = 0; a < 3; ++a)
      dim_[a] = std::max(1, static_cast<int>(std::ceil((hi[a] - lo[a]) * inv_cell_)) + 1);
    cell_.assign(static_cast<size_t>(dim_[0]) * dim_[1] * dim_[2], -1);
  }

  // Room for `dots` ids and as many blocks, so the tables are not copied as they grow (only the
  // pages written are ever touched).
  void reserve(size_t dots) {
    home_.reserve(dots);
    blocks_.reserve(dots);
    meta_.reserve(dots);
    ids_.reserve(dots * kSlots);
  }

  // Lists dot `id` at p with squared spacing s2: in its home cell when reach_mm (its largest
  // conflict radius) is within base_mm, else in every cell within reach_mm.
  // home_cell: p's cell when the caller has it (conflict's), else kNoCell.
  static constexpr size_t kNoCell = static_cast<size_t>(-1);
  void insert(int id, const Vec3& p, float s2, double reach_mm, double base_mm,
              size_t home_cell = kNoCell) {
    const Rec r{static_cast<float>(p.x()), static_cast<float>(p.y()), static_cast<float>(p.z()),
                s2};
    if (static_cast<size_t>(id) >= home_.size()) home_.resize(static_cast<size_t>(id) + 1, -1);
    if (reach_mm <= base_mm) {
      home_[static_cast<size_t>(id)] = push(home_cell == kNoCell ? index(p) : home_cell, id, r);
      return;
    }
    home_[static_cast<size_t>(id)] = -1;
    int lo[3], hi[3];
    range(p, reach_mm, lo, hi);
    for (int z = lo[2]; z <= hi[2]; ++z)
      for (int y = lo[1]; y <= hi[1]; ++y)
        for (int x = lo[0]; x <= hi[0]; ++x) push(flat(x, y, z), id, r);
  }

  // Marks dot `id` (inserted at p, listed within reach_mm) removed in every cell that lists it.
  void remove(int id, const Vec3& p, double reach_mm) {
    if (const int h = home_of(id); h >= 0) {
      blocks_[static_cast<size_t>(h / kSlots)].s2[h % kSlots] = -1;
      home_[static_cast<size_t>(id)] = -1;
      return;
    }
    int lo[3], hi[3];
    range(p, std::max(reach_mm, 0.0), lo, hi);
    for (int z = lo[2]; z <= hi[2]; ++z)
      for (int y = lo[1]; y <= hi[1]; ++y)
        for (int x = lo[0]; x <= hi[0]; ++x)
          for (int b = cell_[flat(x, y, z)]; b >= 0; b = meta_[static_cast<size_t>(b)].next) {
            Block& B = blocks_[static_cast<size_t>(b)];
            const int* ids = &ids_[static_cast<size_t>(b) * kSlots];
            for (int k = 0; k < meta_[static_cast<size_t>(b)].count; ++k)
              if (ids[k] == id) B.s2[k] = -1;
          }
  }

  // Whether a dot at p of squared spacing s2 (0: a point of no radius of its own) lies closer to
  // a live dot than sqrt(scale2 max(s2, its s2)). Scans the cells within reach_mm of p, p's own
  // first, and stops at the first such dot. *home_cell (if given): p's cell, for insert.
  bool conflict(const Vec3& p, float s2, float scale2, double reach_mm,
                size_t* home_cell = nullptr) const {
    const float px = static_cast<float>(p.x()), py = static_cast<float>(p.y()),
                pz = static_cast<float>(p.z());
    return any_cell(
        p, reach_mm,
        [&](size_t c) {
          for (int b = cell_[c]; b >= 0; b = meta_[static_cast<size_t>(b)].next) {
            if (block_hits(b, px, py, pz, s2, scale2)) return true;
          }
          return false;
        },
        home_cell);
  }

  // Whether dot `id` is listed in its home cell alone (and so can be hidden and moved in place).
  bool home_listed(int id) const { return home_of(id) >= 0; }

  // Hides a home-listed dot from every query (its slot reads as removed) until shown again with
  // its record moved to p (in place when p falls in the same cell, else re-listed there).
  void hide(int id) {
    const int h = home_of(id);
    hidden_s2_ = blocks_[static_cast<size_t>(h / kSlots)].s2[h % kSlots];
    blocks_[static_cast<size_t>(h / kSlots)].s2[h % kSlots] = -1;
  }
  void show(int id, const Vec3& old_p, const Vec3& p, float s2) {
    const int h = home_of(id);
    Block& B = blocks_[static_cast<size_t>(h / kSlots)];
    if (index(old_p) == index(p)) {
      B.x[h % kSlots] = static_cast<float>(p.x()), B.y[h % kSlots] = static_cast<float>(p.y()),
              B.z[h % kSlots] = static_cast<float>(p.z()), B.s2[h % kSlots] = s2;
      return;
    }
    const Rec r{static_cast<float>(p.x()), static_cast<float>(p.y()), static_cast<float>(p.z()),
                s2};
    home_[static_cast<size_t>(id)] = push(index(p), id, r);  // the old slot stays removed
  }

  // The squared distance from p to the nearest live dot listed in the cells within reach_mm of
  // p, or reach_mm^2 when none is closer; *at: that dot's position (p itself when none).
  float nearest2(const Vec3& p, double reach_mm, Vec3* at) const {
    const float px = static_cast<float>(p.x()), py = static_cast<float>(p.y()),
                pz = static_cast<float>(p.z());
    float best = static_cast<float>(reach_mm * reach_mm);
    int best_block = -1;
    any_cell(p, reach_mm, [&](size_t c) {
      for (int b = cell_[c]; b >= 0; b = meta_[static_cast<size_t>(b)].next) {
        const float d2 = block_nearest2(b, px, py, pz);
        if (d2 < best) best = d2, best_block = b;
      }
      return false;
    });
    *at = p;
    if (best_block >= 0) {
      const Block& B = blocks_[static_cast<size_t>(best_block)];
      for (int k = 0; k < kSlots; ++k) {
        const Rec q{B.x[k], B.y[k], B.z[k], B.s2[k]};
        if (q.s2 >= 0 && q.dist2(px, py, pz) == best) *at = Vec3(q.x, q.y, q.z);
      }
    }
    return best;
  }

  // Whether a live dot lies closer to p than sqrt(d2), whatever its own radius: cells within
  // sqrt(d2) of p, p's own first, stopping at the first such dot.
  bool any_within(const Vec3& p, float d2) const {
    const float px = static_cast<float>(p.x()), py = static_cast<float>(p.y()),
                pz = static_cast<float>(p.z());
    return any_cell(p, std::sqrt(static_cast<double>(d2)), [&](size_t c) {
      for (int b = cell_[c]; b >= 0; b = meta_[static_cast<size_t>(b)].next) {
        if (block_nearest2(b, px, py, pz) < d2) return true;
      }
      return false;
    });
  }

  // conflict() restricted to p's own cell: where every dot of radius up to base_mm is known to
  // lie farther from p than base_mm, the only possible conflicts are with dots of larger radius,
  // and those are listed in every cell their ball overlaps, p's included.
  bool conflict_in_home_cell(const Vec3& p, float s2, float scale2) const {
    const float px = static_cast<float>(p.x()), py = static_cast<float>(p.y()),
                pz = static_cast<float>(p.z());
    for (int b = cell_[index(p)]; b >= 0; b = meta_[static_cast<size_t>(b)].next) {
      if (block_hits(b, px, py, pz, s2, scale2)) return true;
    }
    return false;
  }

  // Calls f(rec, id) for every live dot listed in the cells within reach_mm of p that lies closer
  // to p than sqrt(scale2 max(s2, its s2)). A dot may be met more than once.
  template <class F>
  void for_each_near(const Vec3& p, float s2, float scale2, double reach_mm, F&& f) const {
    const float px = static_cast<float>(p.x()), py = static_cast<float>(p.y()),
                pz = static_cast<float>(p.z());
    any_cell(p, reach_mm, [&](size_t c) {
      for (int b = cell_[c]; b >= 0; b = meta_[static_cast<size_t>(b)].next) {
        const Block& B = blocks_[static_cast<size_t>(b)];
        for (int hits = block_hits(b, px, py, pz, s2, scale2); hits; hits &= hits - 1) {
          const int k = std::countr_zero(static_cast<unsigned>(hits));
          f(Rec{B.x[k], B.y[k], B.z[k], B.s2[k]}, ids_[static_cast<size_t>(b) * kSlots + k]);
        }
      }
      return false;
    });
  }

 private:
  // The cells overlapping the cube [p - reach, p + reach], p's own first (a conflict, when there
  // is one, most often lies there, and a conflict query stops at the first), until cell(c)
  // returns true.
  template <class CellF>
  bool any_cell(const Vec3& p, double reach_mm, CellF&& cell, size_t* home_out = nullptr) const {
    // The cell coordinates once (each a product and a truncation; clamped into the grid), the
    // range from them, and the cells by strides: the index arithmetic was half a query's cost.
    const double f[3] = {(p.x() - lo_[0]) * inv_cell_, (p.y() - lo_[1]) * inv_cell_,
                         (p.z() - lo_[2]) * inv_cell_};
    const double rr = reach_mm * inv_cell_;
    int lo[3], hi[3], at[3];
    for (int a = 0; a < 3; ++a) {
      at[a] = std::clamp(static_cast<int>(f[a]), 0, dim_[a] - 1);
      lo[a] = std::clamp(static_cast<int>(f[a] - rr), 0, dim_[a] - 1);
      hi[a] = std::clamp(static_cast<int>(f[a] + rr), 0, dim_[a] - 1);
    }
    const size_t sy = static_cast<size_t>(dim_[0]), sz = sy * static_cast<size_t>(dim_[1]);
    const size_t home = at[2] * sz + at[1] * sy + static_cast<size_t>(at[0]);
    if (home_out) *home_out = home;  // the same as index(p)
    if (cell(home)) return true;
    for (int z = lo[2]; z <= hi[2]; ++z) {
      for (int y = lo[1]; y <= hi[1]; ++y) {
        const size_t row = static_cast<size_t>(z) * sz + static_cast<size_t>(y) * sy;
        for (int x = lo[0]; x <= hi[0]; ++x) {
          const size_t c = row + static_cast<size_t>(x);
          if (c != home && cell(c)) return true;
        }
      }
    }
    return false;
  }

  static constexpr int kSlots = 8;
  struct alignas(64) Block {
    float x[kSlots], y[kSlots], z[kSlots], s2[kSlots];
  };
  struct Meta {
    int count, next;  // next: the older block of the same cell, or -1
  };

#if defined(__SSE2__)
  // Squared distances from (vx, vy, vz) to records h .. h + 3 of block B.
  static __m128 quad_dist2(const Block& B, int h, __m128 vx, __m128 vy, __m128 vz) {
    const __m128 dx = _mm_sub_ps(_mm_load_ps(B.x + h), vx);
    const __m128 dy = _mm_sub_ps(_mm_load_ps(B.y + h), vy);
    const __m128 dz = _mm_sub_ps(_mm_load_ps(B.z + h), vz);
    return _mm_add_ps(_mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy)), _mm_mul_ps(dz, dz));
  }
#endif
  // The slots (bits 0 - 7) of block b whose live dots lie closer to (px, py, pz) than
  // sqrt(scale2 max(s2, their s2)).
  int block_hits(int b, float px, float py, float pz, float s2, float scale2) const {
    const Block& B = blocks_[static_cast<size_t>(b)];
    int hits = 0;
#if defined(__SSE2__)
    const __m128 vx = _mm_set1_ps(px), vy = _mm_set1_ps(py), vz = _mm_set1_ps(pz);
    const __m128 vs = _mm_set1_ps(s2), vk = _mm_set1_ps(scale2), zero = _mm_setzero_ps();
    for (int h = 0; h < kSlots; h += 4) {
      const __m128 d2 = quad_dist2(B, h, vx, vy, vz);
      const __m128 q2 = _mm_load_ps(B.s2 + h);
      const __m128 reach2 = _mm_mul_ps(vk, _mm_max_ps(vs, q2));
      hits |= _mm_movemask_ps(_mm_and_ps(_mm_cmpge_ps(q2, zero), _mm_cmplt_ps(d2, reach2))) << h;
    }
#else
    for (int k = 0; k < kSlots; ++k) {
      const Rec q{B.x[k], B.y[k], B.z[k], B.s2[k]};
      if (q.s2 >= 0 && q.dist2(px, py, pz) < scale2 * std::max(s2, q.s2)) hits |= 1 << k;
    }
#endif
    return hits;
  }
  // The smallest squared distance from (px, py, pz) to a live dot of block b (+inf if none).
  float block_nearest2(int b, float px, float py, float pz) const {
    const Block& B = blocks_[static_cast<size_t>(b)];
#if defined(__SSE2__)
    const __m128 vx = _mm_set1_ps(px), vy = _mm_set1_ps(py), vz = _mm_set1_ps(pz);
    const __m128 inf = _mm_set1_ps(std::numeric_limits<float>::infinity()), zero = _mm_setzero_ps();
    __m128 best = inf;
    for (int h = 0; h < kSlots; h += 4) {
      const __m128 d2 = quad_dist2(B, h, vx, vy, vz);
      const __m128 live = _mm_cmpge_ps(_mm_load_ps(B.s2 + h), zero);
      best = _mm_min_ps(best, _mm_or_ps(_mm_and_ps(live, d2), _mm_andnot_ps(live, inf)));
    }
    best = _mm_min_ps(best, _mm_shuffle_ps(best, best, _MM_SHUFFLE(1, 0, 3, 2)));
    best = _mm_min_ps(best, _mm_shuffle_ps(best, best, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtss_f32(best);
#else
    float best = std::numeric_limits<float>::infinity();
    for (int k = 0; k < kSlots; ++k) {
      const Rec q{B.x[k], B.y[k], B.z[k], B.s2[k]};
      if (q.s2 >= 0) best = std::min(best, q.dist2(px, py, pz));
    }
    return best;
#endif
  }
  int home_of(int id) const {
    return static_cast<size_t>(id) < home_.size() ? home_[static_cast<size_t>(id)] : -1;
  }
  // Appends r to cell c; returns its slot (block * kSlots + index).
  int push(size_t c, int id, const Rec& r) {
    int b = cell_[c];
    if (b < 0 || meta_[static_cast<size_t>(b)].count == kSlots) {
      Block fresh{};
      std::fill(std::begin(fresh.s2), std::end(fresh.s2), -1.0f);
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
    B.s2[k] = r.s2;
    ids_[static_cast<size_t>(b) * kSlots + static_cast<size_t>(k)] = id;
    return b * kSlots + k++;
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
  double inv_cell_;
  int dim_[3];
  std::vector<int> cell_;  // newest block of each cell, or -1
  std::vector<Block> blocks_;
  std::vector<Meta> meta_;
  std::vector<int> ids_;
  std::vector<int> home_;  // per dot id: its slot when listed in its home cell alone, else -1
  float hidden_s2_ = 0;
};

}  // namespace stipple
