// The `stipple` command as a user runs it: exit codes, messages, and the files `plan` writes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Single-quotes an argument for /bin/sh.
std::string quoted(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("stipple-cli-test-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Runs the stipple binary with `args`, capturing stdout, stderr and the exit code.
  CliRun run(const std::vector<std::string>& args) const {
    std::string cmd = quoted(STIPPLE_BINARY);
    for (const std::string& a : args) {
      cmd += ' ';
      cmd += quoted(a);
    }
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    cmd += " >";
    cmd += quoted(out.string());
    cmd += " 2>";
    cmd += quoted(err.string());
    const int status = std::system(cmd.c_str());
    CliRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_text(out);
    r.err = read_text(err);
    return r;
  }

  fs::path write_file(const std::string& name, const std::string& text) const {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  static std::string example(const std::string& name) {
    return std::string(STIPPLE_SOURCE_DIR) + "/examples/" + name;
  }

  // A failure of bad input: exit 2 and one "stipple: error:" line, never a crash.
  static void expect_bad_input(const CliRun& r) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("stipple: error: ", 0), 0u) << r.err;
    EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }

  fs::path dir_;
};

TEST_F(Cli, Version) {
  const CliRun r = run({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string("stipple ") + STIPPLE_VERSION + "\n");
}

TEST_F(Cli, Help) {
  const CliRun r = run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("plan"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--version"), std::string::npos) << r.out;

  const CliRun p = run({"plan", "--help"});
  EXPECT_EQ(p.exit_code, 0);
  EXPECT_NE(p.out.find("--out"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("--quiet"), std::string::npos) << p.out;
}

TEST_F(Cli, UsageErrorsExitTwo) {
  const CliRun none = run({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("stipple: error:"), std::string::npos) << none.err;

  const CliRun unknown =
      run({"plan", example("norwood-v.json"), "--out", (dir_ / "out").string(), "--frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--frobnicate"), std::string::npos) << unknown.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));

  const CliRun no_out = run({"plan", example("norwood-v.json")});
  EXPECT_EQ(no_out.exit_code, 2);
  EXPECT_NE(no_out.err.find("--out"), std::string::npos) << no_out.err;
}

TEST_F(Cli, MissingPlanFileNamesIt) {
  const std::string missing = (dir_ / "no-such-plan.json").string();
  const CliRun r = run({"plan", missing, "--out", (dir_ / "out").string()});
  expect_bad_input(r);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(Cli, BadPlanExitsTwoWithTheMessage) {
  // A value out of range: the message names the field (tests/data/bad-plans/expected.txt).
  const CliRun range =
      run({"plan", std::string(STIPPLE_SOURCE_DIR) + "/tests/data/bad-plans/transition-width.json",
           "--out", (dir_ / "out").string()});
  expect_bad_input(range);
  EXPECT_NE(range.err.find("transition_width_mm"), std::string::npos) << range.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));

  // Not JSON at all, and binary junk.
  const CliRun text = run({"plan", write_file("bad.json", "{ this is not json").string(), "--out",
                           (dir_ / "out").string()});
  expect_bad_input(text);
  const CliRun junk = run({"plan", write_file("junk.json", std::string("\0\xff\xfe{[", 5)).string(),
                           "--out", (dir_ / "out").string()});
  expect_bad_input(junk);

  // A directory where the plan should be.
  const CliRun dir = run({"plan", dir_.string(), "--out", (dir_ / "out").string()});
  expect_bad_input(dir);
}

TEST_F(Cli, OutputFolderThatIsAFile) {
  const fs::path file = write_file("not-a-folder", "x");
  const CliRun r = run({"plan", example("norwood-v.json"), "--out", file.string()});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("not-a-folder"), std::string::npos) << r.err;
}

// Needs the planner (stipple/planner.h, run_plan).
TEST_F(Cli, PlanNorwoodV) {
  const fs::path out = dir_ / "norwood v out";  // a space, to be sure paths are quoted right
  const CliRun r = run({"plan", example("norwood-v.json"), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;

  const fs::path csv = out / "dots.csv", json = out / "summary.json", svg = out / "chart.svg";
  ASSERT_TRUE(fs::is_regular_file(csv));
  ASSERT_TRUE(fs::is_regular_file(json));
  ASSERT_TRUE(fs::is_regular_file(svg));
  for (const fs::path& p : {csv, json, svg}) {
    EXPECT_NE(r.out.find(p.string()), std::string::npos) << "stdout names " << p << ":\n" << r.out;
    EXPECT_FALSE(fs::exists(p.string() + ".tmp"));
  }
  EXPECT_NE(r.out.find("Treated area"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Quote"), std::string::npos) << r.out;

  // dots.csv: the header, then one row per dot.
  std::ifstream in(csv);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line,
            "id,session,x_mm,y_mm,z_mm,nx,ny,nz,zone,diameter_mm,depth_mm,dilution,"
            "density_per_cm2");
  long long rows = 0;
  while (std::getline(in, line)) ++rows;

  // summary.json: the totals agree with each other and with the CSV.
  const nlohmann::json s = nlohmann::json::parse(read_text(json));
  EXPECT_EQ(s.at("stipple_summary"), 1);
  EXPECT_EQ(s.at("pattern"), "norwood-v");
  const long long total = s.at("total_dots");
  EXPECT_GT(total, 1000);
  EXPECT_EQ(rows, total);
  long long zone_sum = 0, session_sum = 0;
  for (const auto& z : s.at("zones")) zone_sum += z.at("dots").get<long long>();
  for (const auto& x : s.at("sessions")) session_sum += x.at("dots").get<long long>();
  EXPECT_EQ(zone_sum, total);
  EXPECT_EQ(session_sum, total);
  EXPECT_EQ(s.at("sessions").size(), 3u);
  EXPECT_EQ(s.at("sessions")[0].at("dilution"), "20:1");

  const std::string chart = read_text(svg);
  EXPECT_EQ(chart.rfind("<?xml", 0), 0u);
  EXPECT_NE(chart.find("<svg"), std::string::npos);
  EXPECT_LT(chart.size(), 6u * 1000 * 1000);

  // --quiet prints nothing and writes the same files.
  const CliRun q =
      run({"plan", example("norwood-v.json"), "--out", (dir_ / "quiet").string(), "--quiet"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_TRUE(q.out.empty()) << q.out;
  EXPECT_EQ(read_text(dir_ / "quiet" / "dots.csv"), read_text(csv)) << "deterministic for a seed";
}

}  // namespace

namespace {

TEST_F(Cli, RenderWritesPngAndJpegAndPrintsTheTouchUp) {
  const fs::path png = dir_ / "after.png", jpg = dir_ / "strip.jpg";
  CliRun r = run({"render", example("norwood-iii.json"), "--view", "top", "--at", "healed",
                  "--size", "200", "--out", png.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("Touch-up: due about 20"), std::string::npos) << r.out;
  const std::string bytes = read_text(png);
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  r = run({"render", example("norwood-iii.json"), "--yaw", "30", "--pitch", "20", "--size", "120",
           "--strip", "years", "--quiet", "--out", jpg.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  const std::string jpeg = read_text(jpg);
  ASSERT_GT(jpeg.size(), 3u);
  EXPECT_EQ(static_cast<unsigned char>(jpeg[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(jpeg[1]), 0xD8);
}

TEST_F(Cli, RenderBadArgumentsNameThem) {
  const std::string out = (dir_ / "x.png").string();
  CliRun r = run({"render", example("norwood-iii.json"), "--at", "later", "--out", out});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("at: \"later\" is not a time"), std::string::npos) << r.err;
  r = run({"render", example("norwood-iii.json"), "--view", "side", "--out", out});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("view: \"side\" is not a view"), std::string::npos) << r.err;
  r = run({"render", example("norwood-iii.json"), "--out", (dir_ / "x.gif").string()});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("must end in .png, .jpg or .jpeg"), std::string::npos) << r.err;
  r = run({"render", example("norwood-iii.json"), "--size", "9", "--out", out});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("width: 9 px is out of range 16 - 16384"), std::string::npos) << r.err;
  r = run(
      {"render", example("norwood-iii.json"), "--size", "9000", "--strip", "years", "--out", out});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("over the limit of 100000000 pixels"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(Cli, MatchPrintsADilutionPerSession) {
  CliRun r = run({"match", "--hair", "#2b2420", "--fitzpatrick", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"session", "dilution", "dE00", "\n  1 ", "\n  2 ", "\n  3 "}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
  r = run({"match", "--hair", "brown", "--fitzpatrick", "3"});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("hair_colour"), std::string::npos) << r.err;
  r = run({"match", "--fitzpatrick", "7"});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("--fitzpatrick: 7 is out of range 1 - 6"), std::string::npos) << r.err;
}

TEST_F(Cli, SwatchesWritesTheGrid) {
  const fs::path png = dir_ / "grid.png";
  CliRun r = run({"swatches", "--cell", "32", "--out", png.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(fs::file_size(png), 1000u);
}

}  // namespace

// ---- Photos (docs/photos.md) ----

TEST_F(Cli, RenderOnAPhotoBadArgumentsNameThem) {
  const std::string out = (dir_ / "x.jpg").string();
  const fs::path photo = write_file("client.jpg", "not a jpeg at all");
  const fs::path side = write_file(
      "client.json",
      R"({"stipple_landmarks": 1, "points": {"nasion": [1, 2], "menton": [3, 4], "vertex": [5, 6]}})");
  CliRun r = run({"render", example("norwood-iii.json"), "--photo", photo.string(), "--landmarks",
                  side.string(), "--view", "front", "--out", out});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("--view, --yaw, --pitch, --size, --width and --height do not apply"),
            std::string::npos)
      << r.err;
  r = run({"render", example("norwood-iii.json"), "--photo", photo.string(), "--out", out});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("--photo needs --landmarks"), std::string::npos) << r.err;
  r = run({"render", example("norwood-iii.json"), "--landmarks", side.string(), "--out", out});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("apply only with --photo"), std::string::npos) << r.err;
  r = run({"render", example("norwood-iii.json"), "--photo", photo.string(), "--landmarks",
           side.string(), "--out", out});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("photo: \"" + photo.string() +
                       "\" is not a JPEG, PNG or WebP image (unknown magic bytes)"),
            std::string::npos)
      << r.err;
  r = run({"landmarks", photo.string()});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("unknown magic bytes"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(Cli, LandmarksAndRenderOnTheAstronaut) {
  const std::string asset = std::string(STIPPLE_TEST_ASSETS) + "/astronaut.png";
  if (!fs::exists(asset)) GTEST_SKIP() << "astronaut.png missing; run make test-assets";
  const fs::path photo = dir_ / "astronaut.png";
  fs::copy_file(asset, photo);
  CliRun r = run({"landmarks", photo.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("eyes: both found"), std::string::npos) << r.out;
  const std::string side = read_text(dir_ / "astronaut.json");
  EXPECT_NE(side.find("\"image\": \"astronaut.png\""), std::string::npos) << side;
  EXPECT_NE(side.find("\"left_canthus\""), std::string::npos) << side;
  // A second run does not replace the (maybe adjusted) sidecar.
  r = run({"landmarks", photo.string()});
  expect_bad_input(r);
  EXPECT_NE(r.err.find("exists (it may hold adjusted points); give --force"), std::string::npos)
      << r.err;

  const fs::path out = dir_ / "after.jpg";
  r = run({"render", example("norwood-v.json"), "--photo", photo.string(), "--landmarks",
           std::string(STIPPLE_SOURCE_DIR) + "/tests/data/photos/astronaut.json", "--at", "healed",
           "--compare", "--skin", "photo", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("Registered 6 landmarks: reprojection error"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Skin: Fitzpatrick type"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(1026 x 544 px)"), std::string::npos) << r.out;
  EXPECT_GT(fs::file_size(out), 10000u);
}
