// PointIndex's bounded search against the unbounded one.
#include "stipple/geometry/point_index.h"

#include <gtest/gtest.h>

#include <random>

namespace stipple {
namespace {

TEST(PointIndex, NearestWithinABound) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(-50, 50);
  std::vector<Vec3> pts;
  for (int k = 0; k < 500; ++k) pts.emplace_back(u(rng), u(rng), u(rng));
  const PointIndex index(pts);
  for (int k = 0; k < 5000; ++k) {
    const Vec3 q(u(rng), u(rng), u(rng));
    const int i = index.nearest(q);
    const double d = (pts[static_cast<size_t>(i)] - q).norm();
    EXPECT_EQ(index.nearest(q, d * 1.001 + 1e-9), i);
    EXPECT_EQ(index.nearest(q, d * 0.999), -1);
  }
  EXPECT_EQ(PointIndex().nearest(Vec3::Zero(), 10), -1);
}

}  // namespace
}  // namespace stipple
