#include "stipple/output/summary_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace stipple {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A small, self-consistent result: 3 zones, 2 sessions, 10 dots.
PlanResult sample_result() {
  PlanResult r;
  r.plan.name = "Norwood V test";
  r.plan.client = "A. Client";
  r.plan.pattern = "norwood-v";
  r.plan.seed = 12345;
  r.head.source = "parametric";
  r.head.measurements.circumference_mm = 571.26;
  const char* names[] = {"hairline", "top", "crown"};
  const char* kinds[] = {"hairline", "scalp", "crown"};
  const int per_session[3][2] = {{2, 1}, {3, 2}, {1, 1}};
  for (int z = 0; z < 3; ++z) {
    Zone zone;
    zone.name = names[z];
    zone.kind = kinds[z];
    r.plan.zones.push_back(zone);
    ZoneSummary s;
    s.name = names[z];
    s.kind = kinds[z];
    s.area_cm2 = 40.04 + 100 * z;
    s.target_density_per_cm2 = 90.06;
    s.dots_per_session = {per_session[z][0], per_session[z][1]};
    s.dots = per_session[z][0] + per_session[z][1];
    s.realised_density_per_cm2 = s.dots / s.area_cm2;
    r.zones.push_back(s);
    for (int session = 1; session <= 2; ++session) {
      for (int k = 0; k < per_session[z][session - 1]; ++k) {
        Dot d;
        d.id = static_cast<int>(r.dots.size());
        d.session = session;
        d.zone = z;
        d.position_mm = Vec3(0, 0, 100);
        d.normal = Vec3(0, 0, 1);
        r.dots.push_back(d);
      }
    }
  }
  SessionSummary s1;
  s1.session = 1;
  s1.dots = 6;
  s1.hours = 1.23456;
  s1.date = "2026-12-01";
  s1.dilution_water_parts = 20;
  SessionSummary s2;
  s2.session = 2;
  s2.dots = 4;
  s2.hours = 0.5;
  s2.date = "2026-12-08";
  s2.dilution_water_parts = 7.5;
  r.sessions = {s1, s2};
  r.treated_area_cm2 = 342.1234;
  r.hairline_points = {{"mid_frontal", Vec3(0, 95.04, 101.96)},
                       {"frontotemporal_right", Vec3(48.2, 70.1, 90.0)}};
  r.quote.currency = "EUR";
  r.quote.basis = "per_session";
  r.quote.unit_price = 3500;
  r.quote.total = 7000;
  return r;
}

TEST(SummaryJson, FormatAndProgramVersion) {
  const json j = summary_json(sample_result());
  EXPECT_EQ(j.at("stipple_summary"), 1);
  EXPECT_EQ(j.at("stipple_summary"), kSummaryFormatVersion);
  EXPECT_EQ(j.at("stipple_version"), STIPPLE_VERSION);
}

TEST(SummaryJson, FieldsPresent) {
  const json j = summary_json(sample_result());
  for (const char* key : {"stipple_summary", "stipple_version", "name", "client", "pattern", "head",
                          "seed", "treated_area_cm2", "total_dots", "zones", "sessions",
                          "total_hours", "hairline_points", "quote"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.at("name"), "Norwood V test");
  EXPECT_EQ(j.at("client"), "A. Client");
  EXPECT_EQ(j.at("pattern"), "norwood-v");
  EXPECT_EQ(j.at("seed"), 12345);
  EXPECT_EQ(j.at("head").at("source"), "parametric");
  const json& m = j.at("head").at("measurements");
  for (const char* key : {"circumference_mm", "length_mm", "width_mm", "vertex_height_mm"}) {
    EXPECT_TRUE(m.at(key).is_number()) << key;
  }
  EXPECT_EQ(m.at("circumference_mm"), 571.3);
  ASSERT_EQ(j.at("zones").size(), 3u);
  for (const json& z : j.at("zones")) {
    for (const char* key : {"name", "kind", "area_cm2", "target_density_per_cm2",
                            "realised_density_per_cm2", "dots", "dots_per_session"}) {
      EXPECT_TRUE(z.contains(key)) << key;
    }
  }
  EXPECT_EQ(j.at("zones")[1].at("name"), "top");
  EXPECT_EQ(j.at("zones")[1].at("kind"), "scalp");
  ASSERT_EQ(j.at("sessions").size(), 2u);
  for (const json& s : j.at("sessions")) {
    for (const char* key : {"session", "dots", "hours", "date", "dilution"}) {
      EXPECT_TRUE(s.contains(key)) << key;
    }
  }
  EXPECT_EQ(j.at("sessions")[0].at("date"), "2026-12-01");
  EXPECT_EQ(j.at("sessions")[0].at("dilution"), "20:1");
  EXPECT_EQ(j.at("sessions")[1].at("dilution"), "7.5:1");
  const json& mid = j.at("hairline_points").at("mid_frontal");
  ASSERT_TRUE(mid.is_array());
  ASSERT_EQ(mid.size(), 3u);
  EXPECT_EQ(mid[1], 95.0);
  EXPECT_EQ(mid[2], 102.0);
  EXPECT_TRUE(j.at("hairline_points").contains("frontotemporal_right"));
  const json& q = j.at("quote");
  EXPECT_EQ(q.at("currency"), "EUR");
  EXPECT_EQ(q.at("basis"), "per_session");
  EXPECT_EQ(q.at("unit_price"), 3500.0);
  EXPECT_EQ(q.at("total"), 7000.0);
}

TEST(SummaryJson, CountsAreConsistent) {
  const json j = summary_json(sample_result());
  const int total = j.at("total_dots");
  EXPECT_EQ(total, 10);
  int zone_sum = 0;
  std::vector<int> per_session(j.at("sessions").size(), 0);
  for (const json& z : j.at("zones")) {
    zone_sum += z.at("dots").get<int>();
    int z_sum = 0;
    ASSERT_EQ(z.at("dots_per_session").size(), per_session.size());
    for (std::size_t s = 0; s < per_session.size(); ++s) {
      per_session[s] += z.at("dots_per_session")[s].get<int>();
      z_sum += z.at("dots_per_session")[s].get<int>();
    }
    EXPECT_EQ(z_sum, z.at("dots").get<int>());
  }
  int session_sum = 0;
  for (std::size_t s = 0; s < per_session.size(); ++s) {
    EXPECT_EQ(per_session[s], j.at("sessions")[s].at("dots").get<int>());
    session_sum += j.at("sessions")[s].at("dots").get<int>();
  }
  EXPECT_EQ(zone_sum, total);
  EXPECT_EQ(session_sum, total);
}

TEST(SummaryJson, NumbersAreRounded) {
  const json j = summary_json(sample_result());
  EXPECT_EQ(j.at("treated_area_cm2"), 342.1);
  EXPECT_EQ(j.at("zones")[0].at("area_cm2"), 40.0);
  EXPECT_EQ(j.at("zones")[0].at("target_density_per_cm2"), 90.1);
  EXPECT_EQ(j.at("zones")[0].at("realised_density_per_cm2"), 0.1);  // 3 / 40.04
  EXPECT_EQ(j.at("sessions")[0].at("hours"), 1.23);
  EXPECT_EQ(j.at("total_hours"), 1.73);
  // Printed in the shortest form, not as 342.09999999999997.
  EXPECT_NE(j.dump().find("\"treated_area_cm2\":342.1,"), std::string::npos) << j.dump();
}

TEST(SummaryJson, NonFiniteNumbersNameTheField) {
  PlanResult r = sample_result();
  r.zones[2].area_cm2 = std::nan("");
  try {
    summary_json(r);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("zones[2].area_cm2"), std::string::npos) << e.what();
  }
  r = sample_result();
  r.sessions[1].dilution_water_parts = -1;
  try {
    summary_json(r);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sessions[1].dilution"), std::string::npos) << e.what();
  }
}

TEST(SummaryJson, EmptyResult) {
  const json j = summary_json(PlanResult{});
  EXPECT_EQ(j.at("total_dots"), 0);
  EXPECT_TRUE(j.at("zones").is_array());
  EXPECT_TRUE(j.at("sessions").is_array());
  EXPECT_TRUE(j.at("hairline_points").is_object());
  EXPECT_EQ(j.at("total_hours"), 0.0);
}

TEST(SummaryJson, FileIsTheSameSummaryVersionFirst) {
  const PlanResult r = sample_result();
  const fs::path path = fs::temp_directory_path() / "stipple-summary-json-test.json";
  write_summary_json(r, path.string());
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().rfind("{\n  \"stipple_summary\": 1,\n  \"stipple_version\": ", 0), 0u)
      << text.str().substr(0, 80);
  EXPECT_EQ(text.str().back(), '\n');
  EXPECT_EQ(json::parse(text.str()), summary_json(r));
  fs::remove(path);
  EXPECT_THROW(write_summary_json(r, "/nonexistent-stipple-dir/summary.json"), std::runtime_error);
}

}  // namespace
}  // namespace stipple
