// The polygon and polyline indexes against the plain computations they stand in for.
#include "stipple/field/polygon2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

namespace stipple {
namespace {

// A star-shaped polygon with wobbly radii (concave in places), n vertices.
std::vector<Vec2> wobbly_polygon(std::mt19937_64& rng, int n, double radius) {
  std::uniform_real_distribution<double> u(0.6, 1.0);
  std::vector<Vec2> poly;
  for (int k = 0; k < n; ++k) {
    const double a = 2 * std::numbers::pi * k / n, r = radius * u(rng);
    poly.emplace_back(20 + r * std::cos(a), -10 + r * std::sin(a));
  }
  return poly;
}

TEST(PolygonSlabs, IsPointInPolygon) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-150, 150);
  for (int t = 0; t < 20; ++t) {
    const std::vector<Vec2> poly = wobbly_polygon(rng, 3 + t * 7, 100);
    const PolygonSlabs slabs(poly);
    for (int k = 0; k < 2000; ++k) {
      const Vec2 p(u(rng), u(rng));
      ASSERT_EQ(slabs.contains(p), point_in_polygon(poly, p)) << p.transpose();
    }
    for (const Vec2& v : poly) ASSERT_EQ(slabs.contains(v), point_in_polygon(poly, v));
  }
}

// Below the reach the signed distance is polygon_signed_distance's bit for bit; beyond it, the
// sign is, and the magnitude lies between the reach and the distance. Clipped or not.
TEST(PolygonReach, IsTheSignedDistanceBelowTheReach) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-200, 200);
  for (int t = 0; t < 12; ++t) {
    const std::vector<Vec2> poly = wobbly_polygon(rng, 8 + t * 11, 60 + 10 * t);
    const double reach = 0.5 + 4 * t;
    const bool clip = t % 3 == 2;
    const PolygonReach r =
        clip ? PolygonReach(poly, reach, Vec2(-40, -60), Vec2(90, 30)) : PolygonReach(poly, reach);
    for (int k = 0; k < 4000; ++k) {
      const Vec2 p = k % 4 == 0
                         ? poly[static_cast<size_t>(k) % poly.size()] + Vec2(u(rng), u(rng)) / 50
                         : Vec2(u(rng), u(rng));
      const double want = polygon_signed_distance(poly, p), got = r.signed_distance(p);
      if (std::abs(want) < reach) {
        ASSERT_EQ(got, want) << p.transpose();
      } else {
        ASSERT_EQ(std::signbit(got), std::signbit(want)) << p.transpose();
        ASSERT_GE(std::abs(got), reach) << p.transpose();
        ASSERT_LE(std::abs(got), std::abs(want)) << p.transpose();
      }
    }
  }
}

// A line wandering from the origin in `steps` steps of 0.2 - 0.5 mm; `doubled`: then back along
// itself (every vertex twice: exact ties).
std::vector<Vec3> wandering_line(std::mt19937_64& rng, int steps, bool doubled) {
  std::normal_distribution<double> n(0, 1);
  std::vector<Vec3> line{Vec3::Zero()};
  Vec3 heading(1, 0, 0);
  for (int k = 0; k < steps; ++k) {
    heading = (heading + 0.3 * Vec3(n(rng), n(rng), n(rng))).normalized();
    line.push_back(line.back() + (0.2 + 0.3 * (k % 3) / 2.0) * heading);
  }
  if (doubled) line.insert(line.end(), line.rbegin(), line.rend());
  return line;
}

// The vertex of least distance, the lowest index among equals, from any start.
TEST(PolylineNearest, IsTheNearestVertex) {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int t = 0; t < 10; ++t) {
    // A wandering line with steps of up to 0.5 mm, and one that doubles back on itself.
    const std::vector<Vec3> line = wandering_line(rng, 300 + 100 * t, t % 2 == 1);
    const PolylineNearest index(line);
    for (int k = 0; k < 3000; ++k) {
      const Vec3 c = line[static_cast<size_t>(k) % line.size()];
      const Vec3 p = c + (k % 5 + 1) * 8.0 * Vec3(u(rng), u(rng), u(rng));
      int want = -1;
      double want2 = std::numeric_limits<double>::infinity();
      for (size_t i = 0; i < line.size(); ++i) {
        const double d2 = (line[i] - p).squaredNorm();
        if (d2 < want2) want2 = d2, want = static_cast<int>(i);
      }
      double d = 0;
      const int start = static_cast<int>(rng() % line.size());
      ASSERT_EQ(index.nearest(p, start, d), want);
      ASSERT_EQ(d, std::sqrt(want2));
      ASSERT_EQ(index.nearest(p, d), want);
    }
  }
}

// The quarters listed about a point hold the nearest vertex of every point within their reach:
// nearest_in gives nearest()'s vertex and distance, ties (a line doubling back) included.
TEST(PolylineNearest, NearestInTheQuartersNearIsTheNearest) {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int t = 0; t < 6; ++t) {
    const std::vector<Vec3> line = wandering_line(rng, 400 + 150 * t, t % 2 == 1);
    const PolylineNearest index(line);
    std::vector<PolylineNearest::NearQuarter> quarters;
    for (int k = 0; k < 300; ++k) {
      const Vec3 q = line[static_cast<size_t>(k * 7) % line.size()] +
                     (k % 6) * 6.0 * Vec3(u(rng), u(rng), u(rng));
      const double reach_mm = 1 + k % 5;
      double dq = 0;
      index.nearest(q, dq);
      index.quarters_near(q, dq, reach_mm, quarters);
      for (int m = 0; m < 20; ++m) {
        Vec3 p = q + reach_mm * Vec3(u(rng), u(rng), u(rng));
        if ((p - q).norm() > reach_mm) p = q + (p - q).normalized() * reach_mm * 0.999;
        double want_d = 0, got_d = 0;
        const int start = static_cast<int>(rng() % line.size());
        const int want = index.nearest(p, start, want_d);
        ASSERT_EQ(index.nearest_in(p, quarters, (p - q).norm(), start, got_d), want);
        ASSERT_EQ(got_d, want_d);
      }
    }
  }
}

}  // namespace
}  // namespace stipple
