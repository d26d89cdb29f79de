#include "stipple/sampling/progressive_tile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "stipple/sampling/rng.h"

namespace stipple {

namespace tile_data {
// progressive_tile_data.cpp, written by stipple_make_tile.
extern const int kSide;
extern const unsigned kCount;
extern const std::uint16_t kX[];
extern const std::uint16_t kY[];
}  // namespace tile_data

namespace {

// Points on the torus [0, side)^2 in a uniform grid whose cells are at least `radius` wide, so
// every point within `radius` of a query lies in the query's cell or the eight around it.
// Hand-written: the tile is periodic, which no packaged spatial index handles.
class TorusGrid {
 public:
  TorusGrid(double side, double radius, const std::vector<double>& px,
            const std::vector<double>& py)
      : side_(side), px_(px), py_(py) {
    n_ = std::max(1, static_cast<int>(side / radius));
    cell_ = side / n_;
    cells_.assign(static_cast<size_t>(n_) * n_, {});
    for (size_t i = 0; i < px.size(); ++i) add(static_cast<int>(i));
  }
  void add(int i) {
    cells_[cell_of(px_[static_cast<size_t>(i)], py_[static_cast<size_t>(i)])].push_back(i);
  }

  // Whether some point lies closer than `radius` (<= the cell width) to (x, y), periodically.
  bool occupied(double x, double y, double radius) const {
    const int ci = static_cast<int>(x / cell_) % n_, cj = static_cast<int>(y / cell_) % n_;
    const int reach = n_ >= 3 ? 1 : n_;  // a torus of fewer than 3 cells: look at every cell
    for (int dj = -reach; dj <= reach; ++dj) {
      for (int di = -reach; di <= reach; ++di) {
        if (n_ < 3 && (std::abs(di) >= n_ || std::abs(dj) >= n_)) continue;
        const int i = (ci + di + n_) % n_, j = (cj + dj + n_) % n_;
        for (int o : cells_[static_cast<size_t>(j) * n_ + i]) {
          if (dist2(x, y, px_[static_cast<size_t>(o)], py_[static_cast<size_t>(o)]) <
              radius * radius)
            return true;
        }
      }
    }
    return false;
  }

  double dist2(double ax, double ay, double bx, double by) const {
    double dx = std::abs(ax - bx), dy = std::abs(ay - by);
    dx = std::min(dx, side_ - dx);
    dy = std::min(dy, side_ - dy);
    return dx * dx + dy * dy;
  }

 private:
  size_t cell_of(double x, double y) const {
    const int i = std::min(n_ - 1, static_cast<int>(x / cell_));
    const int j = std::min(n_ - 1, static_cast<int>(y / cell_));
    return static_cast<size_t>(j) * n_ + i;
  }
  double side_;
  const std::vector<double>& px_;
  const std::vector<double>& py_;
  int n_ = 1;
  double cell_ = 1;
  std::vector<std::vector<int>> cells_;
};

double wrap(double v, double side) {
  v = std::fmod(v, side);
  if (v < 0) v += side;
  return v >= side ? 0.0 : v;
}

void check(bool ok, const char* field, double value, const char* range) {
  if (!ok) {
    throw std::invalid_argument(
        fmt::format("progressive tile: {} = {} is out of range, allowed {}", field, value, range));
  }
}

ProgressiveTile index_tile(int side, std::vector<float> x, std::vector<float> y) {
  ProgressiveTile t;
  t.side = side;
  t.x = std::move(x);
  t.y = std::move(y);
  const size_t n = t.x.size(), cells = static_cast<size_t>(side) * side;
  auto cell = [&](size_t k) {
    const int i = std::min(side - 1, static_cast<int>(t.x[k]));
    const int j = std::min(side - 1, static_cast<int>(t.y[k]));
    return static_cast<size_t>(j) * side + i;
  };
  t.cell_start.assign(cells + 1, 0);
  for (size_t k = 0; k < n; ++k) ++t.cell_start[cell(k) + 1];
  std::partial_sum(t.cell_start.begin(), t.cell_start.end(), t.cell_start.begin());
  t.cell_points.resize(n);
  std::vector<int> fill(t.cell_start.begin(), t.cell_start.end() - 1);
  for (size_t k = 0; k < n; ++k)
    t.cell_points[static_cast<size_t>(fill[cell(k)]++)] = static_cast<int>(k);
  t.density = static_cast<double>(n) / (static_cast<double>(side) * side);
  return t;
}

}  // namespace

ProgressiveTileParams builtin_tile_params() {
  return ProgressiveTileParams{};
}

ProgressiveTile make_progressive_tile(const ProgressiveTileParams& p) {
  check(p.side >= 8 && p.side <= 256, "side", p.side, "8 - 256");
  check(p.min_fraction > 0 && p.min_fraction < 1, "min_fraction", p.min_fraction, "(0, 1)");
  check(p.level_ratio > 1 && p.level_ratio <= 2, "level_ratio", p.level_ratio, "(1, 2]");
  check(p.kappa > 0 && p.kappa <= 1, "kappa", p.kappa, "(0, 1]");
  check(p.tries >= 1 && p.tries <= 1000, "tries", p.tries, "1 - 1000");
  const double side = p.side;
  Rng rng(p.seed);
  std::vector<double> px, py;
  std::vector<int> level;
  // Full density: a hex spacing of 1 tile unit, 2 / sqrt(3) points per square unit.
  const double full_count = side * side * 2 / std::sqrt(3.0);
  std::vector<double> fractions;
  for (double f = p.min_fraction; f < 1 - 1e-9; f *= p.level_ratio) fractions.push_back(f);
  fractions.push_back(1.0);
  for (size_t l = 0; l < fractions.size(); ++l) {
    const double r = p.kappa / std::sqrt(fractions[l]);
    TorusGrid grid(side, r, px, py);
    auto add = [&](double x, double y) {
      px.push_back(x);
      py.push_back(y);
      level.push_back(static_cast<int>(l));
      grid.add(static_cast<int>(px.size()) - 1);
    };
    // Bridson's growth from every point so far: candidates uniform in the annulus [r, 2r),
    // drawn by rejection from the square around it (no trigonometry).
    std::vector<int> active(px.size());
    std::iota(active.begin(), active.end(), 0);
    auto grow = [&] {
      while (!active.empty()) {
        const size_t ai = static_cast<size_t>(rng.below(active.size()));
        const double ax = px[static_cast<size_t>(active[ai])];
        const double ay = py[static_cast<size_t>(active[ai])];
        bool placed = false;
        for (int t = 0; t < p.tries && !placed;) {
          const double dx = (rng.uniform() * 4 - 2) * r, dy = (rng.uniform() * 4 - 2) * r;
          const double d2 = dx * dx + dy * dy;
          if (d2 < r * r || d2 >= 4 * r * r) continue;  // outside the annulus: draw again
          ++t;
          const double x = wrap(ax + dx, side), y = wrap(ay + dy, side);
          if (!grid.occupied(x, y, r)) {
            add(x, y);
            active.push_back(static_cast<int>(px.size()) - 1);
            placed = true;
          }
        }
        if (!placed) {
          active[ai] = active.back();
          active.pop_back();
        }
      }
    };
    grow();
    // Darts anywhere, for holes no growth reached (the first level starts from nothing).
    const int darts = std::max(64, static_cast<int>(8 * full_count * fractions[l]));
    for (int t = 0; t < darts; ++t) {
      const double x = rng.uniform() * side, y = rng.uniform() * side;
      if (grid.occupied(x, y, r)) continue;
      add(x, y);
      active.push_back(static_cast<int>(px.size()) - 1);
      grow();
    }
  }
  // Rank: level by level, random within a level.
  std::vector<double> key(px.size());
  for (size_t i = 0; i < px.size(); ++i) key[i] = level[i] + rng.uniform();
  std::vector<int> order(px.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return key[static_cast<size_t>(a)] < key[static_cast<size_t>(b)];
  });
  std::vector<float> x, y;
  x.reserve(px.size());
  y.reserve(px.size());
  for (int i : order) {
    x.push_back(static_cast<float>(px[static_cast<size_t>(i)]));
    y.push_back(static_cast<float>(py[static_cast<size_t>(i)]));
  }
  return index_tile(p.side, std::move(x), std::move(y));
}

std::vector<std::uint16_t> quantised_coordinates(const std::vector<float>& v, int side) {
  std::vector<std::uint16_t> q(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const double u = std::floor(static_cast<double>(v[i]) / side * 65536.0);
    q[i] = static_cast<std::uint16_t>(std::clamp(u, 0.0, 65535.0));
  }
  return q;
}

const ProgressiveTile& builtin_progressive_tile() {
  // Immutable data, built once (thread-safe initialisation of a local static).
  static const ProgressiveTile tile = [] {
    std::vector<float> x(tile_data::kCount), y(tile_data::kCount);
    const double unit = static_cast<double>(tile_data::kSide) / 65536.0;
    for (unsigned i = 0; i < tile_data::kCount; ++i) {
      // The centre of the quantisation step, so the stored and the generated points differ by at
      // most half a step (side / 131072).
      x[i] = static_cast<float>((tile_data::kX[i] + 0.5) * unit);
      y[i] = static_cast<float>((tile_data::kY[i] + 0.5) * unit);
    }
    return index_tile(tile_data::kSide, std::move(x), std::move(y));
  }();
  return tile;
}

}  // namespace stipple
