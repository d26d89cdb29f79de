#include "stipple/head/scanned_head.h"

#include <gtest/gtest.h>

#include "stipple/error_of.h"

#include <Eigen/Geometry>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "stipple/geometry/mesh_io.h"
#include "stipple/head/fif_surface.h"
#include "stipple/head/parametric_head.h"

namespace stipple {
namespace {

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "stipple_scanned_head_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string point_json(const Vec3& p) {
  return "[" + std::to_string(p.x()) + ", " + std::to_string(p.y()) + ", " + std::to_string(p.z()) +
         "]";
}

// A "scan": the parametric head moved into scanner coordinates (rotated, shifted, in metres)
// with its faces reversed, as some exporters write them.
struct FakeScan {
  std::string mesh_path, landmarks_path;
  Head original;
};

FakeScan fake_scan(const std::string& tag, bool all_landmarks) {
  FakeScan s;
  s.original = make_parametric_head({}, 5);
  const Eigen::Matrix3d r = (Eigen::AngleAxisd(0.7, Vec3(0.2, 1, 0.3).normalized()) *
                             Eigen::AngleAxisd(0.3, Vec3::UnitX()))
                                .toRotationMatrix();
  const Vec3 t(120, -40, 900);
  auto to_scan_m = [&](const Vec3& p) -> Vec3 { return (r * p + t) / 1000.0; };
  TriMesh m = s.original.mesh;
  for (Eigen::Index i = 0; i < m.V.rows(); ++i)
    m.V.row(i) = to_scan_m(m.V.row(i).transpose()).transpose();
  m.F.col(1).swap(m.F.col(2));
  s.mesh_path = temp_path(tag + ".ply");
  write_ply(m, s.mesh_path);
  std::string pts;
  for (const auto& [name, p] : s.original.landmarks) {
    const bool required =
        name == "left_tragion" || name == "right_tragion" || name == "nasion" || name == "vertex";
    if (!all_landmarks && !required) continue;
    pts += std::string(pts.empty() ? "" : ", ") + "\"" + name + "\": " + point_json(to_scan_m(p));
  }
  s.landmarks_path = temp_path(tag + ".json");
  write_text(s.landmarks_path,
             "{\"stipple_head_landmarks\": 1, \"units\": \"m\", \"points\": {" + pts + "}}");
  return s;
}

TEST(ScannedHead, RecoversTheFrameLandmarksAndMeasurementsOfAKnownHead) {
  const FakeScan s = fake_scan("full", true);
  const Head h = load_scanned_head(s.mesh_path, s.landmarks_path, 1000.0);
  EXPECT_EQ(h.source, "full.ply");
  EXPECT_GT(signed_volume_mm3(h.mesh), 0);  // reversed faces were turned outward
  EXPECT_TRUE(is_watertight(h.mesh));
  for (const auto& [name, p] : s.original.landmarks) {
    EXPECT_LT((landmark(h, name) - p).norm(), 0.05) << name;
  }
  const HeadMeasurements& m = h.measurements;
  const HeadMeasurements want = measure_head(s.original.mesh, s.original.landmarks);
  EXPECT_NEAR(m.circumference_mm, want.circumference_mm, 0.5);
  EXPECT_NEAR(m.length_mm, want.length_mm, 0.2);
  EXPECT_NEAR(m.width_mm, want.width_mm, 0.2);
  EXPECT_NEAR(m.vertex_height_mm, want.vertex_height_mm, 0.2);
  EXPECT_EQ(count_non_star_faces(h.mesh, h.centre, 0.0), 0);
}

TEST(ScannedHead, EstimatesMissingLandmarks) {
  const FakeScan s = fake_scan("few", false);
  const Head h = load_scanned_head(s.mesh_path, s.landmarks_path, 1000.0);
  for (const std::string& name : anatomical_landmark_names()) {
    ASSERT_TRUE(h.landmarks.count(name)) << name;
    const Vec3 p = landmark(h, name);
    EXPECT_LT((closest_point_on_mesh(h.mesh, p) - p).norm(), 1e-6) << name;
  }
  // Estimates land near the model's own landmarks.
  EXPECT_LT((landmark(h, "glabella") - landmark(s.original, "glabella")).norm(), 6);
  EXPECT_LT((landmark(h, "opisthocranion") - landmark(s.original, "opisthocranion")).norm(), 10);
  EXPECT_LT((landmark(h, "subnasale") - landmark(s.original, "subnasale")).norm(), 6);
  EXPECT_LT((landmark(h, "menton") - landmark(s.original, "menton")).norm(), 12);
  EXPECT_LT((landmark(h, "right_canthus") - landmark(s.original, "right_canthus")).norm(), 8);
  EXPECT_NEAR(h.measurements.circumference_mm, HeadMeasurements{}.circumference_mm, 0.02 * 574.4);
}

TEST(ScannedHead, LandmarkFileErrorsNameTheField) {
  const FakeScan s = fake_scan("errors", false);
  auto load_with = [&](const std::string& json) {
    const std::string path = temp_path("bad.json");
    write_text(path, json);
    return error_of([&] { load_scanned_head(s.mesh_path, path, 1000.0); });
  };
  EXPECT_NE(load_with("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(load_with(R"({"stipple_head_landmarks": 2, "units": "m", "points": {}})")
                .find("stipple_head_landmarks must be 1"),
            std::string::npos);
  EXPECT_NE(load_with(R"({"stipple_head_landmarks": 1, "units": "cm", "points": {}})")
                .find("units = \"cm\" is not allowed"),
            std::string::npos);
  EXPECT_NE(load_with(R"({"stipple_head_landmarks": 1, "units": "m", "points": {}, "extra": 1})")
                .find("unknown key 'extra'"),
            std::string::npos);
  EXPECT_NE(
      load_with(R"({"stipple_head_landmarks": 1, "units": "m", "points": {"nose": [0, 0, 0]}})")
          .find("points.nose is not a landmark name"),
      std::string::npos);
  EXPECT_NE(
      load_with(R"({"stipple_head_landmarks": 1, "units": "m", "points": {"nasion": [0, 0]}})")
          .find("points.nasion must be an array of 3 numbers"),
      std::string::npos);
  EXPECT_NE(
      load_with(R"({"stipple_head_landmarks": 1, "units": "m", "points": {"nasion": [0, 0, 0]}})")
          .find("points.left_tragion is required"),
      std::string::npos);
  // Landmarks in mm while the mesh was scaled to mm too, but the tragia typed 1000x too close.
  EXPECT_NE(
      load_with(
          R"({"stipple_head_landmarks": 1, "units": "mm", "points": {"left_tragion": [0.1, 0, 0.9],
      "right_tragion": [0.2, 0, 0.9], "nasion": [0.15, 0.1, 0.9], "vertex": [0.15, 0, 1]}})")
          .find("allowed 60 - 250 mm"),
      std::string::npos);
  EXPECT_NE(error_of([&] {
              load_scanned_head(s.mesh_path, s.landmarks_path, 0.0);
            }).find("units_to_mm = 0 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              load_scanned_head("/nonexistent/scan.obj", s.landmarks_path, 1.0);
            }).find("/nonexistent/scan.obj"),
            std::string::npos);
}

TEST(ScannedHead, RejectsAScalpThatIsNotStarShaped) {
  // A head with a deep fold on the crown: a thin flap pulled back over the scalp.
  Head h = make_parametric_head({}, 4);
  TriMesh m = h.mesh;
  for (Eigen::Index i = 0; i < m.V.rows(); ++i) {
    Vec3 p = m.V.row(i);
    if (p.z() > 115 && std::abs(p.x()) < 25) p = Vec3(p.x(), -p.y() * 0.2 - 60, p.z() + 40);
    m.V.row(i) = p.transpose();
  }
  const std::string e = error_of([&] { make_scanned_head(m, h.landmarks, "folded"); });
  EXPECT_NE(e.find("not star-shaped"), std::string::npos) << e;
}

// ---- fsaverage: a real head scan from Debian's python3-mne (scripts/fetch-test-assets.sh) ----

std::string asset(const std::string& name) {
  return std::string(STIPPLE_TEST_ASSETS) + "/" + name;
}

bool have_assets_or_skip_message(std::string& why) {
  if (std::filesystem::exists(asset("fsaverage-head.fif")) &&
      std::filesystem::exists(asset("fsaverage-fiducials.fif"))) {
    return true;
  }
  why = "fsaverage assets missing in " + std::string(STIPPLE_TEST_ASSETS) +
        " (run scripts/fetch-test-assets.sh, or make test)";
  return false;
}

TEST(FifSurface, ReadsFsaverageHeadAndFiducials) {
  std::string why;
  if (!have_assets_or_skip_message(why)) {
    if (std::getenv("CI")) FAIL() << why;
    GTEST_SKIP() << why;
  }
  const FifSurface s = read_fif_head_surface(asset("fsaverage-head.fif"));
  EXPECT_EQ(s.id, 4);
  EXPECT_EQ(s.coord_frame, 5);  // MRI surface RAS
  EXPECT_EQ(s.mesh.V.rows(), 2033);
  EXPECT_EQ(s.mesh.F.rows(), 4062);
  EXPECT_TRUE(is_watertight(s.mesh));
  EXPECT_LT(s.mesh.V.cwiseAbs().maxCoeff(), 0.2);  // metres
  const auto fid = read_fif_fiducials(asset("fsaverage-fiducials.fif"));
  ASSERT_EQ(fid.size(), 3u);
  EXPECT_NEAR((fid.at("rpa") - fid.at("lpa")).norm(), 0.165, 0.01);
}

TEST(ScannedHead, FsaverageIsASensibleHead) {
  std::string why;
  if (!have_assets_or_skip_message(why)) {
    if (std::getenv("CI")) FAIL() << why;
    GTEST_SKIP() << why;
  }
  TriMesh mesh = read_fif_head_surface(asset("fsaverage-head.fif")).mesh;
  mesh.V *= 1000.0;
  // LPA and RPA (pre-auricular points, a few mm in front of the tragia) and the nasion, from the
  // fiducials file that ships with it.
  const auto fid = read_fif_fiducials(asset("fsaverage-fiducials.fif"));
  const std::map<std::string, Vec3> lm = {{"left_tragion", fid.at("lpa") * 1000.0},
                                          {"right_tragion", fid.at("rpa") * 1000.0},
                                          {"nasion", fid.at("nasion") * 1000.0}};
  const Head h = make_scanned_head(mesh, lm, "fsaverage-head.fif");
  EXPECT_EQ(h.mesh.V.rows(), 2033);
  EXPECT_GT(signed_volume_mm3(h.mesh), 0);
  EXPECT_EQ(count_non_star_faces(h.mesh, h.centre, 0.0), 0);
  const HeadMeasurements& m = h.measurements;
  EXPECT_GT(m.circumference_mm, 500);
  EXPECT_LT(m.circumference_mm, 640);
  EXPECT_GT(m.length_mm, 170);
  EXPECT_LT(m.length_mm, 215);
  EXPECT_GT(m.width_mm, 130);
  EXPECT_LT(m.width_mm, 170);
  EXPECT_GT(m.vertex_height_mm, 105);
  EXPECT_LT(m.vertex_height_mm, 160);
  for (const std::string& name : anatomical_landmark_names()) {
    ASSERT_TRUE(h.landmarks.count(name)) << name;
    const Vec3 p = landmark(h, name);
    EXPECT_LT((closest_point_on_mesh(h.mesh, p) - p).norm(), 1e-6) << name;
  }
  EXPECT_NEAR(landmark(h, "left_tragion").y(), 0, 1e-9);
  EXPECT_NEAR(landmark(h, "nasion").z(), 0, 1e-9);
  // The same head through the file loader, landmarks from a JSON file in metres.
  const std::string json = temp_path("fsaverage.json");
  const Vec3 v = landmark(h, "vertex");
  (void)v;
  write_text(json,
             "{\"stipple_head_landmarks\": 1, \"units\": \"m\", \"points\": {\"left_tragion\": " +
                 point_json(fid.at("lpa")) + ", \"right_tragion\": " + point_json(fid.at("rpa")) +
                 ", \"nasion\": " + point_json(fid.at("nasion")) +
                 ", \"vertex\": [0.0, -0.02, 0.1]}}");
  const Head f = load_scanned_head(asset("fsaverage-head.fif"), json, 1000.0);
  EXPECT_NEAR(f.measurements.circumference_mm, m.circumference_mm, 1.0);
}

TEST(FifSurface, MalformedFilesFailCleanly) {
  const std::string good = [] {
    const std::string p = asset("fsaverage-head.fif");
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  const std::string path = temp_path("bad.fif");
  write_text(path, "not a fif file at all, just text");
  EXPECT_NE(error_of([&] { read_fif_surfaces(path); }).find("not a FIF file"), std::string::npos);
  if (good.empty()) GTEST_SKIP() << "fsaverage-head.fif missing: the truncation part is skipped";
  for (std::size_t n :
       {std::size_t(10), std::size_t(100), std::size_t(1000), good.size() / 2, good.size() - 30}) {
    std::ofstream(path, std::ios::binary).write(good.data(), static_cast<std::streamsize>(n));
    EXPECT_THROW(read_fif_surfaces(path), std::runtime_error) << n;
  }
  // A triangle that names a node past the end.
  std::string bad = good;
  const std::size_t tris = bad.find(std::string("\x00\x00\x0c\x22", 4));  // kind 3106
  ASSERT_NE(tris, std::string::npos);
  bad[tris + 16] = '\x7f';
  std::ofstream(path, std::ios::binary).write(bad.data(), static_cast<std::streamsize>(bad.size()));
  EXPECT_NE(error_of([&] { read_fif_surfaces(path); }).find("names node"), std::string::npos);
}

}  // namespace
}  // namespace stipple
