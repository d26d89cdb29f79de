#include "stipple/geometry/mesh_io.h"

#include <gtest/gtest.h>

#include "stipple/error_of.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>

#include "stipple/geometry/icosphere.h"
#include "stipple/head/scanned_head.h"

namespace stipple {
namespace {

const std::string kData = std::string(STIPPLE_SOURCE_DIR) + "/tests/data/heads/";

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "stipple_mesh_io_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A binary PLY of a tetrahedron, with the vertex coordinate type, count and index types given.
std::string binary_tetra(bool big_endian, const char* coord_type, const char* count_type,
                         const char* index_type) {
  std::string out =
      std::string("ply\nformat ") + (big_endian ? "binary_big_endian" : "binary_little_endian") +
      " 1.0\nelement vertex 4\nproperty " + coord_type + " x\nproperty " + coord_type +
      " y\nproperty " + coord_type + " z\nelement face 4\n" + "property list " + count_type + " " +
      index_type + " vertex_indices\nend_header\n";
  auto put = [&](const void* p, int n) {
    std::string b(static_cast<const char*>(p), static_cast<std::size_t>(n));
    if (big_endian) std::reverse(b.begin(), b.end());  // the test host is little-endian
    out += b;
  };
  const double v[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  for (const auto& p : v) {
    for (double x : p) {
      if (std::strcmp(coord_type, "float") == 0) {
        const float f = static_cast<float>(x);
        put(&f, 4);
      } else {
        put(&x, 8);
      }
    }
  }
  const int f[4][3] = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
  for (const auto& t : f) {
    if (std::strcmp(count_type, "uchar") == 0) {
      const std::uint8_t c = 3;
      put(&c, 1);
    } else {
      const std::int32_t c = 3;
      put(&c, 4);
    }
    for (int i : t) {
      const std::int32_t k = i;
      put(&k, 4);
    }
  }
  return out;
}

TEST(Icosphere, CountsClosedOutwardAndUnit) {
  for (int s : {0, 1, 3}) {
    const TriMesh m = make_icosphere(s);
    const int k = 1 << (2 * s);
    EXPECT_EQ(m.V.rows(), 10 * k + 2);
    EXPECT_EQ(m.F.rows(), 20 * k);
    EXPECT_TRUE(is_watertight(m));
    EXPECT_GT(signed_volume_mm3(m), 0);
    for (Eigen::Index i = 0; i < m.V.rows(); ++i) EXPECT_NEAR(m.V.row(i).norm(), 1.0, 1e-12);
  }
  EXPECT_NE(error_of([] { make_icosphere(10); }).find("allowed 0 - 9"), std::string::npos);
}

TEST(Icosphere, LevelsNestFaceByFace) {
  // icosphere.h: level s keeps level s - 1's vertices and splits face t into faces 4t .. 4t + 3
  // (the parametric head finds a direction's face by descending these levels).
  for (int s : {1, 2, 4}) {
    const TriMesh coarse = make_icosphere(s - 1), fine = make_icosphere(s);
    ASSERT_EQ(fine.F.rows(), 4 * coarse.F.rows());
    EXPECT_EQ(fine.V.topRows(coarse.V.rows()), coarse.V);
    auto mid = [&](int a, int b) -> Vec3 {
      return (Vec3(fine.V.row(a)) + Vec3(fine.V.row(b))).normalized();
    };
    for (Eigen::Index t = 0; t < coarse.F.rows(); ++t) {
      const int a = coarse.F(t, 0), b = coarse.F(t, 1), c = coarse.F(t, 2);
      const Eigen::Vector3i ab_bc_ca = fine.F.row(4 * t + 3);
      EXPECT_EQ(Vec3(fine.V.row(ab_bc_ca[0])), mid(a, b));
      EXPECT_EQ(Vec3(fine.V.row(ab_bc_ca[1])), mid(b, c));
      EXPECT_EQ(Vec3(fine.V.row(ab_bc_ca[2])), mid(c, a));
      EXPECT_EQ(Eigen::Vector3i(fine.F.row(4 * t)), Eigen::Vector3i(a, ab_bc_ca[0], ab_bc_ca[2]));
      EXPECT_EQ(Eigen::Vector3i(fine.F.row(4 * t + 1)),
                Eigen::Vector3i(b, ab_bc_ca[1], ab_bc_ca[0]));
      EXPECT_EQ(Eigen::Vector3i(fine.F.row(4 * t + 2)),
                Eigen::Vector3i(c, ab_bc_ca[2], ab_bc_ca[1]));
    }
    // Each midpoint made once: the new vertices are exactly the distinct midpoints.
    std::set<int> mids;
    for (Eigen::Index t = 0; t < coarse.F.rows(); ++t) {
      for (int k = 0; k < 3; ++k) mids.insert(fine.F(4 * t + 3, k));
    }
    EXPECT_EQ(static_cast<Eigen::Index>(mids.size()), fine.V.rows() - coarse.V.rows());
    EXPECT_EQ(*mids.begin(), coarse.V.rows());
  }
}

TEST(Icosphere, MirrorTwinsAcrossXEqualsZero) {
  for (int s : {0, 1, 2, 5}) {
    const TriMesh m = make_icosphere(s);
    const std::vector<int> twin = icosphere_mirror_x(m);
    ASSERT_EQ(static_cast<Eigen::Index>(twin.size()), m.V.rows());
    for (Eigen::Index i = 0; i < m.V.rows(); ++i) {
      const int j = twin[static_cast<std::size_t>(i)];
      ASSERT_GE(j, 0);
      ASSERT_LT(j, m.V.rows());
      EXPECT_EQ(m.V(j, 0), -m.V(i, 0)) << i;  // exactly
      EXPECT_EQ(m.V(j, 1), m.V(i, 1)) << i;
      EXPECT_EQ(m.V(j, 2), m.V(i, 2)) << i;
      EXPECT_EQ(twin[static_cast<std::size_t>(j)], i);
      EXPECT_EQ(j == i, m.V(i, 0) == 0) << i;
    }
  }
  TriMesh not_one = make_icosphere(2);
  not_one.F.conservativeResize(not_one.F.rows() - 1, 3);
  EXPECT_EQ(error_of([&] { icosphere_mirror_x(not_one); }),
            "icosphere mirror: 162 vertices and 319 faces are not an icosphere's");
}

TEST(Icosphere, MirrorSymmetricAboutTheCoordinatePlanes) {
  // Exactly, bit for bit: a head pushed out from it is exactly left-right symmetric.
  const TriMesh m = make_icosphere(4);
  std::set<std::array<double, 3>> points;
  for (Eigen::Index i = 0; i < m.V.rows(); ++i) points.insert({m.V(i, 0), m.V(i, 1), m.V(i, 2)});
  for (Eigen::Index i = 0; i < m.V.rows(); ++i) {
    EXPECT_TRUE(points.count({-m.V(i, 0), m.V(i, 1), m.V(i, 2)})) << i;
    EXPECT_TRUE(points.count({m.V(i, 0), -m.V(i, 1), m.V(i, 2)})) << i;
    EXPECT_TRUE(points.count({m.V(i, 0), m.V(i, 1), -m.V(i, 2)})) << i;
  }
}

TEST(MeshIo, ObjRoundTripIsExact) {
  const TriMesh m = make_icosphere(3);
  const std::string path = temp_path("round.obj");
  write_obj(m, path);
  const TriMesh r = read_obj(path);
  EXPECT_EQ(r.V, m.V);  // shortest round-trip formatting: bit for bit
  EXPECT_EQ(r.F, m.F);
}

TEST(MeshIo, PlyRoundTripIsExact) {
  TriMesh m = make_icosphere(3);
  m.V *= 93.25;
  const std::string path = temp_path("round.ply");
  write_ply(m, path);
  const TriMesh r = read_mesh(path);
  EXPECT_EQ(r.V, m.V);
  EXPECT_EQ(r.F, m.F);
}

TEST(MeshIo, ObjQuadsCornerFormsAndNegativeIndices) {
  const TriMesh m = read_mesh(kData + "cube_quads.obj");
  EXPECT_EQ(m.V.rows(), 8);
  EXPECT_EQ(m.F.rows(), 12);
  EXPECT_TRUE(is_watertight(m));
  EXPECT_NEAR(signed_volume_mm3(m), 1.0, 1e-12);  // fan triangulation kept the winding
}

TEST(MeshIo, PlyAsciiSkipsExtraPropertiesAndElements) {
  const TriMesh m = read_ply(kData + "tetra_ascii.ply");
  EXPECT_EQ(m.V.rows(), 4);
  EXPECT_EQ(m.F.rows(), 4);
  EXPECT_NEAR(signed_volume_mm3(m), 1.0 / 6.0, 1e-12);
}

TEST(MeshIo, PlyBinaryBothEndiansAndTypes) {
  for (bool big : {false, true}) {
    for (const char* coord : {"float", "double"}) {
      for (const char* count : {"uchar", "int"}) {
        for (const char* index : {"int", "uint"}) {
          const TriMesh m = parse_ply(binary_tetra(big, coord, count, index), "tetra.ply");
          ASSERT_EQ(m.V.rows(), 4) << big << coord << count << index;
          ASSERT_EQ(m.F.rows(), 4);
          EXPECT_NEAR(signed_volume_mm3(m), 1.0 / 6.0, 1e-7);
        }
      }
    }
  }
}

TEST(MeshIo, ErrorsNameFileLineOrElement) {
  EXPECT_NE(error_of([] {
              read_obj(kData + "bad_index.obj");
            }).find("line 4: vertex index 4 is out of range, allowed 1 - 3"),
            std::string::npos);
  EXPECT_NE(
      error_of([] { read_ply(kData + "bad_number.ply"); }).find("vertex 1: 'zero' is not a number"),
      std::string::npos);
  const std::string missing = error_of([] { read_mesh("/nonexistent/head.obj"); });
  EXPECT_NE(missing.find("/nonexistent/head.obj"), std::string::npos);
  EXPECT_NE(error_of([] { read_mesh(kData + "cube_quads.stl"); }).find("allowed .obj, .ply"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_obj("v 0 0 0\nv 1 0 0\nf 1 2 -3\n", "x.obj");
            }).find("line 3: relative index -3"),
            std::string::npos);
  EXPECT_NE(
      error_of([] { parse_obj("v 0 0 0\nf 0 1 2\n", "x.obj"); }).find("line 2: vertex index 0"),
      std::string::npos);
  EXPECT_NE(error_of([] {
              parse_obj("v 0 nan 0\n", "x.obj");
            }).find("line 1: vertex coordinate is not finite"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_obj("v 0 0 0\nv 1 0 0\nv 0 1 0\n", "x.obj"); }).find("no faces"),
            std::string::npos);
  EXPECT_NE(
      error_of([] { parse_obj("v 0 0\n", "x.obj"); }).find("line 1: a vertex needs 3 coordinates"),
      std::string::npos);
  EXPECT_NE(error_of([] {
              parse_ply("ply\nformat ascii 1.0\nelement vertex 3\n", "h.ply");
            }).find("no end_header"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_ply("solid x\n", "h.ply"); }).find("not a PLY file"),
            std::string::npos);
}

TEST(MeshIo, LimitsAreCheckedBeforeAllocating) {
  MeshIoLimits small;
  small.max_vertices = 3;
  const std::string e =
      error_of([&] { parse_ply(binary_tetra(false, "float", "uchar", "int"), "t.ply", small); });
  EXPECT_NE(e.find("element vertex has 4 items, the limit is 3"), std::string::npos) << e;
  // A header that claims a billion vertices fails at once, without reading or allocating them.
  const std::string huge =
      "ply\nformat binary_little_endian 1.0\nelement vertex 1000000000\nproperty float x\n"
      "property float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\n"
      "end_header\n";
  EXPECT_NE(error_of([&] { parse_ply(huge, "huge.ply"); }).find("the limit is 5000000"),
            std::string::npos);
  MeshIoLimits tiny_file;
  tiny_file.max_file_bytes = 100;
  const std::string path = temp_path("big.obj");
  write_obj(make_icosphere(2), path);
  EXPECT_NE(error_of([&] { read_obj(path, tiny_file); }).find("the limit is 100 bytes"),
            std::string::npos);
  MeshIoLimits few_faces;
  few_faces.max_faces = 11;
  EXPECT_NE(error_of([&] {
              read_obj(kData + "cube_quads.obj", few_faces);
            }).find("more than 11 triangles"),
            std::string::npos);
}

TEST(MeshIo, TruncatedBinaryPlyNamesTheElement) {
  const std::string full = binary_tetra(false, "float", "uchar", "int");
  const std::size_t header = full.find("end_header\n") + 11;
  const std::string e1 = error_of([&] { parse_ply(full.substr(0, header + 20), "cut.ply"); });
  EXPECT_NE(e1.find("cut.ply: file ends inside vertex 1"), std::string::npos) << e1;
  const std::string e2 = error_of([&] { parse_ply(full.substr(0, full.size() - 2), "cut.ply"); });
  EXPECT_NE(e2.find("file ends inside face 3"), std::string::npos) << e2;
  // Every truncation of a valid file fails cleanly (never crashes, never returns garbage).
  for (std::size_t n = 0; n < full.size(); ++n) {
    EXPECT_THROW(parse_ply(full.substr(0, n), "cut.ply"), std::runtime_error) << n;
  }
  const std::string obj = read_bytes(kData + "cube_quads.obj");
  for (std::size_t n = 0; n < obj.size(); n += 7) {
    try {
      const TriMesh m = parse_obj(obj.substr(0, n), "cut.obj");
      EXPECT_GT(m.F.rows(), 0);  // a cut at a line end can still be a valid smaller mesh
    } catch (const std::runtime_error&) {
    }
  }
}

TEST(MeshIo, GarbageNeverCrashes) {
  std::mt19937 rng(12345);
  const std::string valid = binary_tetra(true, "double", "int", "uint");
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bytes;
    if (trial % 2 == 0) {
      bytes.resize(rng() % 400);
      for (char& c : bytes) c = static_cast<char>(rng());
      if (trial % 4 == 0) bytes = "ply\nformat binary_little_endian 1.0\n" + bytes;
    } else {
      bytes = valid;  // a valid file with a few bytes flipped
      for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    try {
      const TriMesh m = parse_ply(bytes, "garbage.ply");
      for (Eigen::Index i = 0; i < m.F.rows(); ++i) {
        for (int k = 0; k < 3; ++k) {
          ASSERT_GE(m.F(i, k), 0);
          ASSERT_LT(m.F(i, k), m.V.rows());
        }
      }
    } catch (const std::runtime_error&) {
    }
    try {
      parse_obj(bytes, "garbage.obj");
    } catch (const std::runtime_error&) {
    }
  }
}

}  // namespace
}  // namespace stipple
