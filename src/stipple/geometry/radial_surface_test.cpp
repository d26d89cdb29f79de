#include "stipple/geometry/radial_surface.h"

#include <gtest/gtest.h>

#include "stipple/error_of.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <string>

#include "stipple/geometry/cube_map.h"
#include "stipple/geometry/icosphere.h"
#include "stipple/head/fif_surface.h"
#include "stipple/head/parametric_head.h"
#include "stipple/head/scanned_head.h"

namespace stipple {
namespace {

// An icosphere of radius r_mm about `at`, squashed along z by `z_scale` (an ellipsoid).
TriMesh ellipsoid(double r_mm, const Vec3& at, double z_scale, int subdivisions = 3) {
  TriMesh m = make_icosphere(subdivisions);
  m.V *= r_mm;
  m.V.col(2) *= z_scale;
  m.V.rowwise() += at.transpose();
  return m;
}

// Every texel, border included, against a brute-force ray cast (Moller-Trumbore over all faces).
void expect_matches_ray_casts(const RadialSurface& s, const TriMesh& mesh) {
  const int w = s.res + 2;
  ASSERT_EQ(s.radius_mm.size(), static_cast<std::size_t>(6 * w * w));
  for (int f = 0; f < 6; ++f) {
    for (int j = 0; j < w; ++j) {
      for (int i = 0; i < w; ++i) {
        const Vec3 d = cube_texel_direction(f, i, j, s.res).normalized();
        const auto hit = ray_hit(mesh, s.centre, d);
        ASSERT_TRUE(hit.has_value()) << f << " " << i << " " << j;
        const double want = (*hit - s.centre).norm();
        EXPECT_NEAR(s.radius_mm[(f * w + j) * w + i], want, 2e-5 * want)
            << "face " << f << " texel " << i << ", " << j;
      }
    }
  }
}

TEST(RadialSurface, EveryTexelIsTheRayCastFromTheCentre) {
  // Off-centre and squashed, so the six faces see different ranges of radii, and coarse, so a
  // triangle covers many texels and texel centres fall on its edges and vertices.
  const TriMesh mesh = ellipsoid(90, Vec3(3, -4, 10), 0.8);
  const RadialSurface s = build_radial_surface(mesh, Vec3(0, 0, 12), 24);
  EXPECT_EQ(s.centre, Vec3(0, 0, 12));
  EXPECT_EQ(s.res, 24);
  expect_matches_ray_casts(s, mesh);
}

TEST(RadialSurface, RaysThroughVerticesAndEdgesMeetTheMesh) {
  // Centred on the icosphere's own centre: the texel rays along the axes and the face diagonals
  // pass exactly through vertices and edges of this (symmetric) mesh.
  const TriMesh mesh = ellipsoid(50, Vec3::Zero(), 1.0, 2);
  const RadialSurface s = build_radial_surface(mesh, Vec3::Zero(), 17);
  expect_matches_ray_casts(s, mesh);
}

TEST(RadialSurface, FarthestHitAndEitherWinding) {
  // Inside an outer shell sits a smaller one wound the other way (faces turned to the centre):
  // every ray meets both, and the map keeps the outer one.
  const TriMesh outer = ellipsoid(100, Vec3::Zero(), 0.9);
  TriMesh inner = ellipsoid(60, Vec3(5, 0, 0), 1.0, 2);
  inner.F.col(1).swap(inner.F.col(2));
  TriMesh both;
  both.V.resize(outer.V.rows() + inner.V.rows(), 3);
  both.V << outer.V, inner.V;
  both.F.resize(outer.F.rows() + inner.F.rows(), 3);
  both.F << outer.F, (inner.F.array() + static_cast<int>(outer.V.rows())).matrix();
  const Vec3 c(1, 2, 3);
  const RadialSurface s = build_radial_surface(both, c, 20);
  expect_matches_ray_casts(s, outer);
  // The inner shell alone, inside out, gives its own radii.
  expect_matches_ray_casts(build_radial_surface(inner, c, 20), inner);
}

// The farthest hit of the ray from `centre` along d over every face (the map's contract), by the
// ray-triangle test ray_hit uses: the simple reference the rasteriser must agree with.
double reference_radius(const TriMesh& mesh, const Vec3& centre, const Vec3& d) {
  double best = -1;
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    const auto t =
        ray_triangle_t(centre, d, mesh.V.row(mesh.F(f, 0)).transpose(),
                       mesh.V.row(mesh.F(f, 1)).transpose(), mesh.V.row(mesh.F(f, 2)).transpose());
    if (t && *t > best) best = *t;
  }
  return best;
}

// Every `stride`-th texel of s (border included) against reference_radius: within 1e-6 mm plus
// the rounding of the stored float (half an ulp, 2^-24 of the radius).
void expect_sampled_texels_match(const RadialSurface& s, const TriMesh& mesh, int stride) {
  const int w = s.res + 2;
  double worst = 0;
  int checked = 0;
  for (int k = 0; k < 6 * w * w; k += stride, ++checked) {
    const int f = k / (w * w), j = k / w % w, i = k % w;
    const Vec3 d = cube_texel_direction(f, i, j, s.res).normalized();
    const double want = reference_radius(mesh, s.centre, d);
    ASSERT_GT(want, 0) << "face " << f << " texel " << i << ", " << j;
    const double got = s.radius_mm[static_cast<std::size_t>(k)];
    worst = std::max(worst, std::abs(got - want));
    EXPECT_NEAR(got, want, 1e-6 + std::ldexp(want, -24))
        << "face " << f << " texel " << i << ", " << j;
  }
  EXPECT_GT(checked, 300);
  ::testing::Test::RecordProperty("max_deviation_mm", std::to_string(worst));
}

TEST(RadialSurface, ParametricHeadAtThePlannersResolutionIsTheRayCast) {
  // The planner's settings (planner.h: surface_res 256, 6 subdivisions): 81,920 triangles of
  // ~5 texel centres each, with the cube faces' seams and borders crossing them.
  const Head h = make_parametric_head();
  const RadialSurface s = build_radial_surface(h.mesh, h.centre, 256);
  expect_sampled_texels_match(s, h.mesh, 997);
  // And a coarse map, where most triangles hold no texel centre or one.
  expect_sampled_texels_match(build_radial_surface(h.mesh, h.centre, 64), h.mesh, 61);
}

TEST(RadialSurface, ScannedFsaverageHeadIsTheRayCast) {
  const std::string dir = STIPPLE_TEST_ASSETS;
  if (!std::filesystem::exists(dir + "/fsaverage-head.fif") ||
      !std::filesystem::exists(dir + "/fsaverage-fiducials.fif")) {
    const std::string why =
        "fsaverage assets missing in " + dir + " (run scripts/fetch-test-assets.sh, or make test)";
    if (std::getenv("CI")) FAIL() << why;
    GTEST_SKIP() << why;
  }
  TriMesh mesh = read_fif_head_surface(dir + "/fsaverage-head.fif").mesh;
  mesh.V *= 1000.0;
  const auto fid = read_fif_fiducials(dir + "/fsaverage-fiducials.fif");
  const std::map<std::string, Vec3> lm = {{"left_tragion", fid.at("lpa") * 1000.0},
                                          {"right_tragion", fid.at("rpa") * 1000.0},
                                          {"nasion", fid.at("nasion") * 1000.0}};
  const Head h = make_scanned_head(mesh, lm, "fsaverage-head.fif");
  // Large triangles (4,062 for the whole scalp): each covers many texels and rows.
  expect_sampled_texels_match(build_radial_surface(h.mesh, h.centre, 256), h.mesh, 97);
}

TEST(RadialSurface, RejectsBadInput) {
  const TriMesh mesh = ellipsoid(90, Vec3::Zero(), 1.0, 2);
  EXPECT_EQ(error_of<std::invalid_argument>([&] { build_radial_surface(mesh, Vec3::Zero(), 15); }),
            "radial surface: res = 15 is out of range, allowed 16 to 2048");
  EXPECT_EQ(
      error_of<std::invalid_argument>([&] { build_radial_surface(mesh, Vec3::Zero(), 2049); }),
      "radial surface: res = 2049 is out of range, allowed 16 to 2048");
  // A centre outside the surface: the rays away from it meet nothing.
  EXPECT_EQ(
      error_of<std::invalid_argument>([&] { build_radial_surface(mesh, Vec3(200, 0, 0), 16); }),
      "radial surface: a ray from the centre (200.0, 0.0, 0.0) mm misses the mesh (cube face 0, "
      "texel 0): the centre must be inside a closed head surface");
  // A hole: drop the faces around the +z pole.
  TriMesh holed = mesh;
  int kept = 0;
  for (Eigen::Index f = 0; f < mesh.F.rows(); ++f) {
    bool near_pole = false;
    for (int k = 0; k < 3; ++k) near_pole |= mesh.V(mesh.F(f, k), 2) > 85;
    if (!near_pole) holed.F.row(kept++) = mesh.F.row(f);
  }
  holed.F.conservativeResize(kept, 3);
  const std::string hole =
      error_of<std::invalid_argument>([&] { build_radial_surface(holed, Vec3::Zero(), 16); });
  EXPECT_NE(hole.find("misses the mesh (cube face 4, texel"), std::string::npos) << hole;
  TriMesh bad = mesh;
  bad.V(7, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(error_of<std::invalid_argument>([&] { build_radial_surface(bad, Vec3::Zero(), 16); }),
            "radial surface: vertex 7 has a coordinate that is not finite");
  bad = mesh;
  bad.F(3, 2) = -1;
  EXPECT_EQ(error_of<std::invalid_argument>([&] { build_radial_surface(bad, Vec3::Zero(), 16); }),
            "radial surface: face 3 names vertex -1, allowed 0 to 161");
  bad.F(3, 2) = 162;
  EXPECT_EQ(error_of<std::invalid_argument>([&] { build_radial_surface(bad, Vec3::Zero(), 16); }),
            "radial surface: face 3 names vertex 162, allowed 0 to 161");
}

}  // namespace
}  // namespace stipple
