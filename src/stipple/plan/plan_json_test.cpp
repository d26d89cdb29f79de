#include "stipple/plan/plan_json.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "stipple/plan/plan_compare.h"

namespace stipple {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = STIPPLE_SOURCE_DIR;

// The PlanError message parse_plan gives for `text`, or "" when it parses.
std::string parse_error(const std::string& text) {
  try {
    parse_plan(text, ".");
  } catch (const PlanError& e) {
    return e.what();
  }
  return "";
}

std::vector<fs::path> example_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSourceDir / "examples")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A scratch folder under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            (std::string("stipple-plan-") + info->test_suite_name() + "-" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// -------------------------------------------------------------------------------------------
// Defaults

TEST(PlanJson, MinimalPlanHasTheDefaultsOfPlanH) {
  const Plan plan = parse_plan(R"({"stipple_plan": 1})", "some/dir");
  Plan expected;
  expected.base_dir = "some/dir";
  EXPECT_EQ(plan_difference(plan, expected), "");
  EXPECT_EQ(plan.pattern, "custom");
  EXPECT_TRUE(plan.zones.empty());
  EXPECT_EQ(plan.seed, 1u);
}

TEST(PlanJson, DefaultSessionsAreLighterFirst) {
  const Plan plan = parse_plan(R"({"stipple_plan": 1})", ".");
  const auto& s = plan.sessions.sessions;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0].share, 0.40);
  EXPECT_DOUBLE_EQ(s[1].share, 0.35);
  EXPECT_DOUBLE_EQ(s[2].share, 0.25);
  EXPECT_DOUBLE_EQ(s[0].dilution_water_parts, 20);
  EXPECT_DOUBLE_EQ(s[1].dilution_water_parts, 12);
  EXPECT_DOUBLE_EQ(s[2].dilution_water_parts, 6);
  EXPECT_EQ(plan.sessions.spacing_days, 7);
}

TEST(PlanJson, KnownPatterns) {
  const auto& patterns = known_patterns();
  ASSERT_EQ(patterns.size(), 16u);
  EXPECT_EQ(patterns.front(), "custom");
  const std::set<std::string> unique(patterns.begin(), patterns.end());
  EXPECT_EQ(unique.size(), patterns.size());
  for (const auto& p : patterns) {
    EXPECT_EQ(parse_error(R"({"stipple_plan": 1, "pattern": ")" + p + R"("})"), "") << p;
  }
}

// -------------------------------------------------------------------------------------------
// Error messages: the exact wording of the two forms the format promises.

TEST(PlanJson, OutOfRangeMessageNamesPathValueAndRange) {
  try {
    parse_plan(R"({"stipple_plan": 1, "hairline": {"transition_width_mm": 25}})", ".");
    FAIL() << "no error";
  } catch (const PlanError& e) {
    EXPECT_STREQ(e.what(),
                 "plan: /hairline/transition_width_mm = 25 is out of range, allowed 5 to 10");
    EXPECT_EQ(e.path(), "/hairline/transition_width_mm");
  }
}

TEST(PlanJson, UnknownKeyMessageListsAllowedKeys) {
  EXPECT_EQ(parse_error(R"({"stipple_plan": 1, "zones": [
      {"name": "a", "shape": {"kind": "circle", "centre": [0, 0], "radious": 20}}]})"),
            "plan: /zones/0/shape: unknown key \"radious\"; allowed keys: kind, points, "
            "centre, radius_mm");
}

TEST(PlanJson, PlanErrorIsARuntimeError) {
  try {
    parse_plan("{", ".");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("plan: top level: not valid JSON"), std::string::npos)
        << e.what();
  }
}

// -------------------------------------------------------------------------------------------
// Examples

TEST(PlanJson, ExamplesAllParse) {
  const auto files = example_files();
  const std::set<std::string> expected = {"alopecia-areata.json", "ludwig-ii.json",
                                          "norwood-iii.json",     "norwood-v.json",
                                          "norwood-vii.json",     "scar-fut.json"};
  std::set<std::string> found;
  for (const auto& f : files) found.insert(f.filename().string());
  for (const auto& name : expected) EXPECT_TRUE(found.count(name)) << name;
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    const Plan plan = load_plan(file.string());
    EXPECT_EQ(plan.base_dir, file.parent_path().string());
    EXPECT_FALSE(plan.client.empty());
    EXPECT_FALSE(plan.name.empty());
    EXPECT_NE(std::find(known_patterns().begin(), known_patterns().end(), plan.pattern),
              known_patterns().end());
  }
}

TEST(PlanJson, ExamplesRoundTrip) {
  for (const auto& file : example_files()) {
    SCOPED_TRACE(file.string());
    const Plan plan = load_plan(file.string());
    const nlohmann::json written = plan_to_json(plan);
    const Plan again = parse_plan(written.dump(2), plan.base_dir);
    EXPECT_EQ(plan_difference(plan, again), "");
    // Writing is stable: the re-read plan writes the same document.
    EXPECT_EQ(plan_to_json(again), written);
  }
}

// Every ```json block of docs/plan-format.md is a complete plan (fragments are ```text).
TEST(PlanJson, DocumentationExamplesParse) {
  std::ifstream in(kSourceDir / "docs" / "plan-format.md");
  ASSERT_TRUE(in);
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  int blocks = 0;
  for (std::size_t at = text.find("```json\n"); at != std::string::npos;
       at = text.find("```json\n", at)) {
    const std::size_t begin = at + 8;
    const std::size_t end = text.find("```", begin);
    ASSERT_NE(end, std::string::npos);
    const std::string block = text.substr(begin, end - begin);
    EXPECT_EQ(parse_error(block), "") << block;
    at = end + 3;
    ++blocks;
  }
  EXPECT_GE(blocks, 2);
}

TEST(PlanJson, ScarExampleBecomesScarZoneOnTop) {
  const Plan plan = load_plan((kSourceDir / "examples" / "scar-fut.json").string());
  ASSERT_EQ(plan.zones.size(), 2u);
  EXPECT_EQ(plan.zones[0].kind, "blend");
  const Zone& scar = plan.zones[1];
  EXPECT_EQ(scar.name, "fut_scar");
  EXPECT_EQ(scar.kind, "scar");
  EXPECT_EQ(scar.shape.kind, ZoneShape::Kind::kStrip);
  EXPECT_DOUBLE_EQ(scar.shape.radius_mm, 4.0 / 2 + kScarMarginMm);
  ASSERT_TRUE(scar.dilution_water_parts.has_value());
  EXPECT_DOUBLE_EQ(*scar.dilution_water_parts, 8);
}

TEST(PlanJson, AlopeciaExampleHasThreePatches) {
  const Plan plan = load_plan((kSourceDir / "examples" / "alopecia-areata.json").string());
  EXPECT_EQ(plan.pattern, "alopecia-areata");
  ASSERT_EQ(plan.zones.size(), 3u);
  for (const Zone& z : plan.zones) {
    EXPECT_EQ(z.kind, "patch");
    EXPECT_EQ(z.shape.kind, ZoneShape::Kind::kCircle);
    EXPECT_GE(z.shape.radius_mm, 15);
    EXPECT_LE(z.shape.radius_mm, 30);
  }
}

// -------------------------------------------------------------------------------------------
// Round trip of a plan built in code, with every field away from its default.

Plan everything_plan() {
  Plan p;
  p.name = "Everything, \"quoted\" and caf\xc3\xa9";
  p.client = "Zo\xc3\xab";
  p.pattern = "norwood-va";
  p.head.kind = HeadSpec::Kind::kMesh;
  p.head.mesh_path = "heads/scan.PLY";
  p.head.landmarks_path = "heads/scan.json";
  p.head.mesh_units_to_mm = 1000;
  p.hairline.enabled = false;
  p.hairline.mid_frontal_height_mm = 91.25;
  p.hairline.frontotemporal_distance_mm = 77;
  p.hairline.temporal_peak_distance_mm = 44;
  p.hairline.transition_width_mm = 6.5;
  p.hairline.depth_mm = 35;
  p.hairline.irregularity_mm = 0.1;
  p.hairline.irregularity_wavelength_mm = 33;
  p.hairline.sentinel_depth_mm = 0;
  p.hairline.sentinel_fraction = 0.3;
  p.hairline.density_per_cm2 = 111;
  p.hairline.diameter_min_mm = 0.15;
  p.hairline.diameter_max_mm = 0.15;
  p.hairline.depth_target_mm = 0.9;
  const ZoneShape::Kind kinds[] = {ZoneShape::Kind::kPolygon,        ZoneShape::Kind::kCircle,
                                   ZoneShape::Kind::kStrip,          ZoneShape::Kind::kDiscs,
                                   ZoneShape::Kind::kBehindHairline, ZoneShape::Kind::kWholeScalp};
  int i = 0;
  for (auto kind : kinds) {
    Zone z;
    z.name = "zone-" + std::to_string(i);
    z.kind = i % 2 ? "crown" : "patch";
    z.shape.kind = kind;
    if (kind == ZoneShape::Kind::kPolygon) z.shape.points = {{-1.5, 2}, {3, 4.25}, {5, -6}};
    if (kind == ZoneShape::Kind::kStrip) z.shape.points = {{-80, -150}, {80, -150.5}};
    if (kind == ZoneShape::Kind::kDiscs) z.shape.points = {{0.1, -140}};
    if (kind == ZoneShape::Kind::kCircle) z.shape.centre = {12.5, -60};
    if (kind == ZoneShape::Kind::kCircle || kind == ZoneShape::Kind::kStrip ||
        kind == ZoneShape::Kind::kDiscs) {
      z.shape.radius_mm = 0.2 + i;
    }
    z.density_per_cm2 = 150 + i;
    z.existing_density_per_cm2 = 10.0 / 3;
    z.diameter_min_mm = 0.3;
    z.diameter_max_mm = 0.6;
    z.depth_mm = 0.7;
    z.feather_mm = 12.75;
    if (i % 2) z.dilution_water_parts = 20.0 / 3;
    z.whorl.enabled = i == 1;
    z.whorl.centre = {0, -75};
    z.whorl.radius_mm = 40;
    z.whorl.amplitude = 0.2;
    z.whorl.arms = 3;
    z.whorl.clockwise = false;
    p.zones.push_back(z);
    ++i;
  }
  p.pigment = {"ink", "3RL 0.30 mm", 0.3};
  p.sessions.sessions = {{0.1, 40}, {0.2, 0}, {0.3, 5.5}, {0.4, 1e-9}};
  p.sessions.spacing_days = 30;
  p.sessions.start_date = "2028-02-29";
  p.rate_dots_per_hour = 2000;
  p.price = {PriceSpec::Basis::kPerCm2, 12.5, "EUR"};
  p.seed = std::uint64_t{1} << 53;
  p.base_dir = "/clinic/plans";
  return p;
}

TEST(PlanJson, RoundTripOfEveryField) {
  const Plan plan = everything_plan();
  const Plan again = parse_plan(plan_to_json(plan).dump(), plan.base_dir);
  // Zones built in code have no given_keys; read back, every written key is given.
  Plan expected = plan;
  for (Zone& z : expected.zones) z.given_keys = again.zones[&z - expected.zones.data()].given_keys;
  EXPECT_EQ(plan_difference(expected, again), "");
  ASSERT_EQ(again.zones.size(), 6u);
  EXPECT_EQ(again.zones[0].given_keys,
            (std::vector<std::string>{"name", "kind", "shape", "density_per_cm2",
                                      "existing_density_per_cm2", "diameter_min_mm",
                                      "diameter_max_mm", "depth_mm", "feather_mm", "whorl"}));
  EXPECT_EQ(again.zones[1].given_keys.size(), 11u);  // with "dilution"
  // And the second trip is exact, given_keys included.
  EXPECT_EQ(plan_difference(again, parse_plan(plan_to_json(again).dump(), plan.base_dir)), "");
}

TEST(PlanJson, PlanDifferenceNamesTheField) {
  Plan a = everything_plan();
  Plan b = a;
  EXPECT_EQ(plan_difference(a, b), "");
  b.zones[2].shape.points[1].v_mm = -149;
  EXPECT_EQ(plan_difference(a, b), "/zones/2/shape/points/1/1: -150.5 vs -149");
  b = a;
  b.sessions.sessions[1].dilution_water_parts = 1;
  EXPECT_EQ(plan_difference(a, b), "/sessions/sessions/1/dilution: 0 vs 1");
}

// -------------------------------------------------------------------------------------------
// Zones, presets and scars

TEST(PlanJson, PartialZoneOverridesAPresetZone) {
  const Plan plan = parse_plan(R"({"stipple_plan": 1, "pattern": "norwood-v",
      "zones": [{"name": "crown", "density_per_cm2": 110, "diameter_min_mm": 0.6}]})",
                               ".");
  ASSERT_EQ(plan.zones.size(), 1u);
  const Zone& z = plan.zones[0];
  EXPECT_EQ(z.given_keys, (std::vector<std::string>{"name", "density_per_cm2", "diameter_min_mm"}));
  EXPECT_DOUBLE_EQ(z.density_per_cm2, 110);
  // diameter_max_mm is the preset's, unknown here: the pair is not checked yet.
  EXPECT_DOUBLE_EQ(z.diameter_min_mm, 0.6);
  // Written back partial, so it still merges the same way.
  const nlohmann::json written = plan_to_json(plan)["zones"][0];
  EXPECT_EQ(written, nlohmann::json::parse(
                         R"({"name": "crown", "density_per_cm2": 110, "diameter_min_mm": 0.6})"));
  EXPECT_EQ(plan_difference(plan, parse_plan(plan_to_json(plan).dump(), ".")), "");
}

TEST(PlanJson, PartialZoneStillChecksGivenPairs) {
  EXPECT_NE(parse_error(R"({"stipple_plan": 1, "pattern": "norwood-v", "zones": [
      {"name": "crown", "diameter_min_mm": 0.6, "diameter_max_mm": 0.4}]})")
                .find("/zones/0/diameter_min_mm = 0.6 is larger than"),
            std::string::npos);
}

TEST(PlanJson, CustomZoneKeysAreRecordedInCanonicalOrder) {
  const Plan plan = parse_plan(R"({"stipple_plan": 1, "zones": [
      {"feather_mm": 4, "shape": {"kind": "whole_scalp"}, "name": "all"}]})",
                               ".");
  EXPECT_EQ(plan.zones[0].given_keys, (std::vector<std::string>{"name", "shape", "feather_mm"}));
}

TEST(PlanJson, ShapesOfEveryKind) {
  const Plan plan = parse_plan(R"({"stipple_plan": 1, "zones": [
      {"name": "a", "shape": {"kind": "polygon", "points": [[0, 0], [10, 0], [0, 10]]}},
      {"name": "b", "shape": {"kind": "circle", "centre": [5, -70], "radius_mm": 30}},
      {"name": "c", "shape": {"kind": "strip", "points": [[0, 0], [10, 0]], "radius_mm": 3}},
      {"name": "d", "shape": {"kind": "discs", "points": [[0, -140]], "radius_mm": 2}},
      {"name": "e", "shape": {"kind": "behind_hairline"}},
      {"name": "f", "shape": {"kind": "whole_scalp"}}]})",
                               ".");
  ASSERT_EQ(plan.zones.size(), 6u);
  EXPECT_EQ(plan.zones[0].shape.kind, ZoneShape::Kind::kPolygon);
  EXPECT_EQ(plan.zones[0].shape.points.size(), 3u);
  EXPECT_EQ(plan.zones[1].shape.kind, ZoneShape::Kind::kCircle);
  EXPECT_DOUBLE_EQ(plan.zones[1].shape.centre.v_mm, -70);
  EXPECT_DOUBLE_EQ(plan.zones[1].shape.radius_mm, 30);
  EXPECT_EQ(plan.zones[2].shape.kind, ZoneShape::Kind::kStrip);
  EXPECT_EQ(plan.zones[3].shape.kind, ZoneShape::Kind::kDiscs);
  EXPECT_EQ(plan.zones[4].shape.kind, ZoneShape::Kind::kBehindHairline);
  EXPECT_EQ(plan.zones[5].shape.kind, ZoneShape::Kind::kWholeScalp);
}

TEST(PlanJson, ScarsBecomeScarZonesAfterTheZones) {
  const Plan plan = parse_plan(R"({"stipple_plan": 1, "zones": [
        {"name": "blend", "kind": "blend", "shape": {"kind": "whole_scalp"}}],
      "scars": [
        {"type": "fut", "points": [[-80, -150], [0, -155], [80, -150]], "width_mm": 6},
        {"type": "fue", "points": [[-10, -140], [10, -140]]},
        {"type": "fue", "name": "fue_big", "points": [[0, -130]], "diameter_mm": 3,
         "density_per_cm2": 100, "dilution": "undiluted"}]})",
                               ".");
  ASSERT_EQ(plan.zones.size(), 4u);
  EXPECT_EQ(plan.zones[0].name, "blend");
  const Zone& fut = plan.zones[1];
  EXPECT_EQ(fut.name, "scar_1");
  EXPECT_EQ(fut.kind, "scar");
  EXPECT_EQ(fut.shape.kind, ZoneShape::Kind::kStrip);
  EXPECT_EQ(fut.shape.points.size(), 3u);
  EXPECT_DOUBLE_EQ(fut.shape.radius_mm, 3 + kScarMarginMm);
  EXPECT_DOUBLE_EQ(fut.density_per_cm2, 80);
  EXPECT_DOUBLE_EQ(fut.existing_density_per_cm2, 0);
  EXPECT_DOUBLE_EQ(fut.feather_mm, 1);
  EXPECT_DOUBLE_EQ(fut.dilution_water_parts.value_or(-1), 8);
  const Zone& fue = plan.zones[2];
  EXPECT_EQ(fue.name, "scar_2");
  EXPECT_EQ(fue.shape.kind, ZoneShape::Kind::kDiscs);
  EXPECT_DOUBLE_EQ(fue.shape.radius_mm, 0.5 + kScarMarginMm);
  const Zone& big = plan.zones[3];
  EXPECT_EQ(big.name, "fue_big");
  EXPECT_DOUBLE_EQ(big.shape.radius_mm, 1.5 + kScarMarginMm);
  EXPECT_DOUBLE_EQ(big.density_per_cm2, 100);
  EXPECT_DOUBLE_EQ(big.dilution_water_parts.value_or(-1), 0);
  // Scars are complete zones, so they round-trip as zones.
  EXPECT_EQ(plan_difference(plan, parse_plan(plan_to_json(plan).dump(), ".")), "");
}

TEST(PlanJson, ScarDefaultNameClashIsReported) {
  EXPECT_NE(parse_error(R"({"stipple_plan": 1,
      "zones": [{"name": "scar_1", "shape": {"kind": "whole_scalp"}}],
      "scars": [{"type": "fue", "points": [[0, -140]]}]})")
                .find("plan: /scars/0: the default name \"scar_1\" is already the name of "
                      "/zones/0"),
            std::string::npos);
}

TEST(PlanJson, MeshHead) {
  const Plan plan = parse_plan(R"({"stipple_plan": 1, "head": {"kind": "mesh",
      "mesh": "heads/x.ply", "landmarks": "heads/x.json", "units_to_mm": 1000}})",
                               "/plans");
  EXPECT_EQ(plan.head.kind, HeadSpec::Kind::kMesh);
  EXPECT_EQ(plan.head.mesh_path, "heads/x.ply");
  EXPECT_EQ(plan.head.landmarks_path, "heads/x.json");
  EXPECT_DOUBLE_EQ(plan.head.mesh_units_to_mm, 1000);
  EXPECT_EQ(plan.base_dir, "/plans");
}

// -------------------------------------------------------------------------------------------
// Numbers, sessions, dilutions, dates, seeds

TEST(PlanJson, SharesMaySumToOneWithinTolerance) {
  EXPECT_EQ(parse_error(R"({"stipple_plan": 1, "sessions": {"sessions": [
      {"share": 0.3333333, "dilution": "20:1"}, {"share": 0.3333333, "dilution": "12:1"},
      {"share": 0.3333334, "dilution": "6:1"}]}})"),
            "");
  EXPECT_NE(parse_error(R"({"stipple_plan": 1, "sessions": {"sessions": [
      {"share": 0.5, "dilution": "20:1"}, {"share": 0.50001, "dilution": "12:1"}]}})"),
            "");
  EXPECT_NE(parse_error(R"({"stipple_plan": 1, "sessions": {"sessions": [
      {"share": 0, "dilution": "20:1"}, {"share": 1, "dilution": "12:1"}]}})")
                .find("/sessions/sessions/0/share = 0 is out of range"),
            std::string::npos);
}

TEST(PlanJson, Dilutions) {
  double w = -1;
  EXPECT_TRUE(parse_dilution("20:1", w));
  EXPECT_DOUBLE_EQ(w, 20);
  EXPECT_TRUE(parse_dilution("3:0.5", w));
  EXPECT_DOUBLE_EQ(w, 6);
  EXPECT_TRUE(parse_dilution(" 12 : 1 ", w));
  EXPECT_DOUBLE_EQ(w, 12);
  EXPECT_TRUE(parse_dilution("undiluted", w));
  EXPECT_DOUBLE_EQ(w, 0);
  EXPECT_TRUE(parse_dilution("0:1", w));
  EXPECT_DOUBLE_EQ(w, 0);
  for (const char* bad : {"", "abc", "20", ":1", "20:", "20:0", "-1:1", "1e3:1", "inf:1", "nan:1",
                          "20:1:1", "20;1", "0x10:1", "+2:1", "2.:1", ".5:1"}) {
    EXPECT_FALSE(parse_dilution(bad, w)) << bad;
  }
  EXPECT_EQ(format_dilution(20), "20:1");
  EXPECT_EQ(format_dilution(0), "undiluted");
  EXPECT_EQ(format_dilution(12.5), "12.5:1");
  EXPECT_EQ(format_dilution(1e-7), "0.0000001:1");
  for (double value : {20.0 / 3, 1e-9, 39.999999999999993, 0.1, 40.0}) {
    ASSERT_TRUE(parse_dilution(format_dilution(value), w)) << value;
    EXPECT_EQ(w, value);
  }
}

TEST(PlanJson, Dates) {
  for (const char* good : {"2026-12-01", "2028-02-29", "2000-01-01", "2100-12-31"}) {
    EXPECT_EQ(parse_error(std::string(R"({"stipple_plan": 1, "sessions": {"start_date": ")") +
                          good + "\"}}"),
              "")
        << good;
  }
  for (const char* bad : {"2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "2026-1-01",
                          "26-12-01", "2026-12-01T10:00", "1999-12-31", "2026/12/01", ""}) {
    EXPECT_NE(parse_error(std::string(R"({"stipple_plan": 1, "sessions": {"start_date": ")") + bad +
                          "\"}}")
                  .find("is not a real date"),
              std::string::npos)
        << bad;
  }
}

TEST(PlanJson, Seeds) {
  EXPECT_EQ(parse_plan(R"({"stipple_plan": 1, "seed": 9007199254740992})", ".").seed,
            std::uint64_t{1} << 53);
  EXPECT_EQ(parse_plan(R"({"stipple_plan": 1, "seed": 0})", ".").seed, 0u);
  EXPECT_EQ(parse_plan(R"({"stipple_plan": 1, "seed": 1e3})", ".").seed, 1000u);
  EXPECT_NE(parse_error(R"({"stipple_plan": 1, "seed": 9007199254740993})"), "");
  EXPECT_NE(parse_error(R"({"stipple_plan": 1, "seed": 1.5})").find("is not a whole number"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"stipple_plan": 1, "seed": "1"})").find("expected a whole number"),
            std::string::npos);
}

TEST(PlanJson, IntegersAsWholeFloatsAreAccepted) {
  const Plan plan = parse_plan(R"({"stipple_plan": 1.0, "sessions": {"spacing_days": 14.0}})", ".");
  EXPECT_EQ(plan.sessions.spacing_days, 14);
}

TEST(PlanJson, ErrorMessagesArePrintableAscii) {
  const std::string message =
      parse_error("{\"stipple_plan\": 1, \"caf\xc3\xa9\": 1, \"x\": \"\xff\"}");
  ASSERT_NE(message, "");
  for (unsigned char c : message) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << message;
  const std::string unknown = parse_error("{\"stipple_plan\": 1, \"caf\xc3\xa9\": 1}");
  EXPECT_NE(unknown.find("unknown key \"caf\\u00e9\""), std::string::npos) << unknown;
}

TEST(PlanJson, LongValuesAreShortenedInMessages) {
  const std::string long_name(5000, 'x');
  const std::string message =
      parse_error(R"({"stipple_plan": 1, "pattern": ")" + long_name + "\"}");
  EXPECT_LT(message.size(), 400u);
  EXPECT_NE(message.find("...\" is not allowed"), std::string::npos);
}

// -------------------------------------------------------------------------------------------
// Files and limits

TEST(PlanJson, LoadPlanSetsBaseDirToTheFilesFolder) {
  TempDir dir;
  write_file(dir.path() / "p.json", R"({"stipple_plan": 1})");
  EXPECT_EQ(load_plan((dir.path() / "p.json").string()).base_dir, dir.path().string());
}

TEST(PlanJson, LoadPlanRejectsTwoMebibytes) {
  TempDir dir;
  const fs::path file = dir.path() / "big.json";
  write_file(file, R"({"stipple_plan": 1, "name": ")" + std::string(2 << 20, 'x') + "\"}");
  try {
    load_plan(file.string());
    FAIL() << "no error";
  } catch (const PlanError& e) {
    EXPECT_NE(std::string(e.what()).find("allowed at most 1048576 (1 MiB)"), std::string::npos)
        << e.what();
  }
  EXPECT_NE(parse_error(std::string(kMaxPlanBytes + 1, ' ')).find("allowed at most 1048576"),
            std::string::npos);
}

TEST(PlanJson, LoadPlanReportsMissingFilesAndFolders) {
  TempDir dir;
  for (const fs::path& p : {dir.path() / "missing.json", dir.path()}) {
    try {
      load_plan(p.string());
      FAIL() << "no error for " << p;
    } catch (const PlanError& e) {
      EXPECT_NE(std::string(e.what()).find("cannot read"), std::string::npos) << e.what();
    }
  }
}

// Every file in tests/data/bad-plans must fail with the substring expected.txt gives it.
TEST(BadPlans, EachFailsWithItsExpectedMessage) {
  const fs::path dir = kSourceDir / "tests" / "data" / "bad-plans";
  std::ifstream list(dir / "expected.txt");
  ASSERT_TRUE(list) << "missing " << (dir / "expected.txt");
  std::map<std::string, std::string> expected;
  std::string line;
  while (std::getline(list, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << "no tab in: " << line;
    ASSERT_TRUE(expected.emplace(line.substr(0, tab), line.substr(tab + 1)).second) << line;
  }
  EXPECT_GE(expected.size(), 25u);
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.insert(entry.path().filename().string());
  }
  for (const auto& f : files) EXPECT_TRUE(expected.count(f)) << f << " not in expected.txt";
  for (const auto& [name, substring] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(files.count(name)) << "expected.txt names a missing file";
    try {
      load_plan((dir / name).string());
      ADD_FAILURE() << "parsed without error";
    } catch (const PlanError& e) {
      EXPECT_NE(std::string(e.what()).find(substring), std::string::npos)
          << "message: " << e.what() << "\nexpected to contain: " << substring;
    }
  }
}

}  // namespace
}  // namespace stipple
