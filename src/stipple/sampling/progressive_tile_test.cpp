// The progressive tile: every prefix is blue noise, and the built-in data is its generator's.
#include "stipple/sampling/progressive_tile.h"

#include <gtest/gtest.h>

#include <cmath>

#include "stipple/sampling/metrics.h"

namespace stipple {
namespace {

// Spacing statistics of the first `count` points on the torus: the prefix is laid out 3 x 3
// times so that the middle copy's nearest neighbours include those across the seams.
SpacingStats prefix_stats(const ProgressiveTile& t, size_t count) {
  std::vector<Vec3> p;
  for (int dj = -1; dj <= 1; ++dj) {
    for (int di = -1; di <= 1; ++di) {
      for (size_t k = 0; k < count; ++k) {
        p.emplace_back(t.x[k] + di * t.side, t.y[k] + dj * t.side, 0.0);
      }
    }
  }
  const std::vector<double> nn = nearest_neighbour_distances_mm(p);
  // The middle copy is the fifth block of `count`; its hex spacing at its own density.
  const double s = std::sqrt(2.0 * t.side * t.side / (std::sqrt(3.0) * count));
  std::vector<Vec3> mid(p.begin() + 4 * count, p.begin() + 5 * count);
  SpacingStats st;
  st.count = count;
  double sum = 0, sum2 = 0;
  st.min_ratio = 1e9;
  for (size_t k = 0; k < count; ++k) {
    const double r = nn[4 * count + k] / s;
    st.min_ratio = std::min(st.min_ratio, r);
    sum += r;
    sum2 += r * r;
  }
  st.mean_ratio = sum / count;
  st.cv = std::sqrt(std::max(0.0, sum2 / count - st.mean_ratio * st.mean_ratio)) / st.mean_ratio;
  return st;
}

TEST(ProgressiveTile, EveryPrefixIsBlueNoise) {
  const ProgressiveTile& t = builtin_progressive_tile();
  ASSERT_GT(t.size(), 4000u);
  for (double f : {0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.13, 0.17, 0.2,  0.25, 0.3,  0.35, 0.4,
                   0.45, 0.5,  0.55, 0.6,  0.65, 0.7, 0.75, 0.8,  0.85, 0.9,  0.95, 1.0}) {
    const size_t n = static_cast<size_t>(std::llround(f * t.size()));
    const SpacingStats st = prefix_stats(t, n);
    std::printf("prefix %.2f: %5zu points, min ratio %.3f, CV %.3f\n", f, n, st.min_ratio, st.cv);
    EXPECT_GE(st.min_ratio, 0.70) << "prefix " << f;
    EXPECT_LE(st.cv, 0.10) << "prefix " << f;
  }
}

TEST(ProgressiveTile, BuiltinMatchesItsGenerator) {
  const ProgressiveTile fresh = make_progressive_tile(builtin_tile_params());
  const ProgressiveTile& t = builtin_progressive_tile();
  ASSERT_EQ(t.side, fresh.side);
  ASSERT_EQ(t.size(), fresh.size())
      << "regenerate progressive_tile_data.cpp with stipple_make_tile";
  EXPECT_EQ(quantised_coordinates(t.x, t.side), quantised_coordinates(fresh.x, fresh.side));
  EXPECT_EQ(quantised_coordinates(t.y, t.side), quantised_coordinates(fresh.y, fresh.side));
}

TEST(ProgressiveTile, CellIndexListsEveryPointOnceInItsCell) {
  const ProgressiveTile& t = builtin_progressive_tile();
  ASSERT_EQ(t.cell_start.size(), static_cast<size_t>(t.side * t.side + 1));
  std::vector<int> seen(t.size(), 0);
  for (int j = 0; j < t.side; ++j) {
    for (int i = 0; i < t.side; ++i) {
      const size_t c = static_cast<size_t>(j * t.side + i);
      for (int q = t.cell_start[c]; q < t.cell_start[c + 1]; ++q) {
        const size_t k = static_cast<size_t>(t.cell_points[static_cast<size_t>(q)]);
        ++seen[k];
        EXPECT_EQ(static_cast<int>(t.x[k]), i);
        EXPECT_EQ(static_cast<int>(t.y[k]), j);
      }
    }
  }
  for (int s : seen) ASSERT_EQ(s, 1);
  // Full density is a hex spacing of ~1 unit (2 / sqrt(3) = 1.155 points per square unit for a
  // perfect lattice; a maximal Poisson-disk fill at kappa 0.75 packs fewer).
  EXPECT_GT(t.density, 0.9);
  EXPECT_LT(t.density, 1.2);
}

TEST(ProgressiveTile, RefusesBadParameters) {
  ProgressiveTileParams p;
  p.side = 4;
  EXPECT_THROW(make_progressive_tile(p), std::invalid_argument);
  p = {};
  p.level_ratio = 1.0;
  EXPECT_THROW(make_progressive_tile(p), std::invalid_argument);
  p = {};
  p.kappa = 0;
  EXPECT_THROW(make_progressive_tile(p), std::invalid_argument);
}

}  // namespace
}  // namespace stipple
