#include "stipple/output/chart_svg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>

// LeakSanitizer (make test-sanitize) reports fontconfig's font cache, which cairo's text drawing
// fills once per process, as leaked: fontconfig keeps its patterns behind encoded offsets that a
// leak checker cannot follow. Suppress exactly that library; a leak anywhere else still fails.
// The sanitizer runtime calls this hook when present; in other builds it is an unused symbol.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}

namespace stipple {
namespace {

namespace fs = std::filesystem;

constexpr double kPi = 3.14159265358979323846;

// An ellipsoidal stand-in for a head (semi-axes 76 x 100 x 125 mm about the origin), so the
// chart can be tested without the head builder.
Vec3 ellipsoid_point(double polar, double azimuth) {
  return Vec3(76 * std::sin(polar) * std::cos(azimuth), 100 * std::sin(polar) * std::sin(azimuth),
              125 * std::cos(polar));
}

Vec3 ellipsoid_normal(const Vec3& p) {
  return Vec3(p.x() / (76.0 * 76.0), p.y() / (100.0 * 100.0), p.z() / (125.0 * 125.0)).normalized();
}

TriMesh ellipsoid_mesh(int around = 96, int down = 64) {
  TriMesh m;
  m.V.resize(around * (down + 1), 3);
  for (int j = 0; j <= down; ++j) {
    for (int i = 0; i < around; ++i) {
      m.V.row(j * around + i) = ellipsoid_point(kPi * j / down, 2 * kPi * i / around).transpose();
    }
  }
  m.F.resize(2 * around * down, 3);
  int f = 0;
  for (int j = 0; j < down; ++j) {
    for (int i = 0; i < around; ++i) {
      const int i2 = (i + 1) % around;
      const int a = j * around + i, b = j * around + i2;
      const int c = (j + 1) * around + i, d = (j + 1) * around + i2;
      m.F.row(f++) << a, c, d;
      m.F.row(f++) << a, d, b;
    }
  }
  return m;
}

// A result with `dots` dots on the upper part of the ellipsoid spread over `sessions` sessions,
// two zones with outlines, a hairline and its points.
PlanResult synthetic_result(int dots, int sessions) {
  PlanResult r;
  r.plan.name = "Synthetic chart test";
  r.plan.client = "Test Client";
  r.plan.pattern = "norwood-v";
  r.head.mesh = ellipsoid_mesh();
  r.head.landmarks["left_canthus"] = ellipsoid_point(1.75, kPi / 2 + 0.6);
  r.head.landmarks["right_canthus"] = ellipsoid_point(1.75, kPi / 2 - 0.6);
  Zone top;
  top.name = "top";
  Zone crown;
  crown.name = "crown";
  crown.kind = "crown";
  r.plan.zones = {top, crown};
  r.zones.resize(2);
  r.zones[0].name = "top";
  r.zones[0].kind = "scalp";
  r.zones[1].name = "crown";
  r.zones[1].kind = "crown";
  for (ZoneSummary& z : r.zones) z.dots_per_session.assign(sessions, 0);
  for (int k = 0; k < 48; ++k) {
    const double t = 2 * kPi * k / 48;
    r.zones[0].boundary_mm.push_back(ellipsoid_point(1.0, t));
    r.zones[1].boundary_mm.push_back(
        ellipsoid_point(0.6 + 0.2 * std::cos(t), -kPi / 2 + 0.5 * std::sin(t)));
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  while (static_cast<int>(r.dots.size()) < dots) {
    // Uniform on the cap of polar angle < 1.0 (z > 125 cos 1).
    const double polar = std::acos(1 - u(rng) * (1 - std::cos(1.0)));
    const double azimuth = 2 * kPi * u(rng);
    Dot d;
    d.id = static_cast<int>(r.dots.size());
    d.session = 1 + d.id % sessions;
    d.position_mm = ellipsoid_point(polar, azimuth);
    d.normal = ellipsoid_normal(d.position_mm);
    d.zone = polar > 0.4 && std::sin(azimuth) < -0.3 ? 1 : 0;
    d.diameter_mm = 0.35;
    d.dilution_water_parts = 20;
    d.density_per_cm2 = 100;
    ++r.zones[d.zone].dots;
    ++r.zones[d.zone].dots_per_session[d.session - 1];
    r.dots.push_back(d);
  }
  for (int s = 1; s <= sessions; ++s) {
    SessionSummary summary;
    summary.session = s;
    summary.dots = r.zones[0].dots_per_session[s - 1] + r.zones[1].dots_per_session[s - 1];
    summary.hours = summary.dots / 4000.0;
    summary.date = "2026-12-0" + std::to_string(s);
    summary.dilution_water_parts = 20 - 4 * s;
    r.sessions.push_back(summary);
  }
  for (int k = 0; k <= 40; ++k) {
    r.hairline_mm.push_back(ellipsoid_point(1.0, kPi / 2 + (k / 40.0 - 0.5) * 2.0));
  }
  r.hairline_points = {{"mid_frontal", ellipsoid_point(1.0, kPi / 2)},
                       {"frontotemporal_left", ellipsoid_point(1.0, kPi / 2 + 1.0)},
                       {"frontotemporal_right", ellipsoid_point(1.0, kPi / 2 - 1.0)}};
  r.treated_area_cm2 = 300;
  r.quote.currency = "USD";
  r.quote.total = 10500;
  return r;
}

// The dot batches: cairo writes each as one <path> whose style has round line caps (nothing
// else on the chart uses them). Returns the number of such paths per stroke colour.
std::map<std::string, int> dot_paths_by_colour(const std::string& svg) {
  std::map<std::string, int> count;
  const std::string open = "<path style=\"";
  for (auto at = svg.find(open); at != std::string::npos; at = svg.find(open, at + 1)) {
    const auto begin = at + open.size();
    const std::string style = svg.substr(begin, svg.find('"', begin) - begin);
    if (style.find("stroke-linecap:round") == std::string::npos) continue;
    const auto stroke = style.find("stroke:rgb(");
    if (stroke == std::string::npos) continue;
    const auto colour = stroke + std::string("stroke:").size();
    ++count[style.substr(colour, style.find(')', colour) + 1 - colour)];
  }
  return count;
}

TEST(ChartSvg, WellFormedPage) {
  const std::string svg = chart_svg(synthetic_result(2000, 3));
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("width=\"1200pt\""), std::string::npos);
  EXPECT_NE(svg.find("height=\"700pt\""), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  // Dashed zone outlines, and the shaded silhouette.
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(svg.find("radialGradient"), std::string::npos);
}

TEST(ChartSvg, OneDotPathPerSessionAndPanel) {
  const std::string svg = chart_svg(synthetic_result(3000, 3));
  const auto paths = dot_paths_by_colour(svg);
  ASSERT_EQ(paths.size(), 3u) << "one colour per session";
  for (const auto& [colour, n] : paths) {
    EXPECT_EQ(n, 3) << colour << ": one path in each of the TOP, FRONT and BACK panels";
  }
  // The first session is Okabe-Ito blue, as cairo prints it.
  EXPECT_EQ(paths.count("rgb(0%,44.705882%,69.803922%)"), 1u);
}

TEST(ChartSvg, SessionColoursAreDistinctOkabeIto) {
  const ChartRgb blue = session_colour(1);
  EXPECT_DOUBLE_EQ(blue.r, 0.0);
  EXPECT_DOUBLE_EQ(blue.g, 0x72 / 255.0);
  EXPECT_DOUBLE_EQ(blue.b, 0xB2 / 255.0);
  for (int a = 1; a <= 6; ++a) {
    for (int b = a + 1; b <= 6; ++b) {
      const ChartRgb ca = session_colour(a), cb = session_colour(b);
      EXPECT_GT(std::abs(ca.r - cb.r) + std::abs(ca.g - cb.g) + std::abs(ca.b - cb.b), 0.2)
          << a << " vs " << b;
    }
  }
  // Past the palette the colours repeat rather than fail.
  EXPECT_DOUBLE_EQ(session_colour(9).g, session_colour(1).g);
  EXPECT_DOUBLE_EQ(session_colour(0).g, session_colour(8).g);
}

TEST(ChartSvg, FiftyThousandDotsStaySmall) {
  const std::string svg = chart_svg(synthetic_result(50000, 3));
  std::cout << "chart.svg with 50,000 dots: " << svg.size() << " bytes\n";
  EXPECT_LT(svg.size(), 6u * 1000 * 1000);
  EXPECT_EQ(dot_paths_by_colour(svg).size(), 3u);
}

TEST(ChartSvg, DotsFacingAwayOrHiddenAreNotDrawn) {
  PlanResult r = synthetic_result(0, 1);
  // Faces away from every viewer: under the chin, normal straight down (edge-on from the front
  // and from behind).
  Dot under;
  under.position_mm = ellipsoid_point(kPi, 0);
  under.normal = Vec3(0, 0, -1);
  under.zone = 0;
  // Faces up but sits inside the head, under the crown: hidden in the TOP view by the depth
  // test, and edge-on (n.y = 0) in the FRONT and BACK views.
  Dot inside;
  inside.position_mm = Vec3(0, -20, 10);
  inside.normal = Vec3(0, 0, 1);
  inside.zone = 0;
  r.dots = {under, inside};
  EXPECT_TRUE(dot_paths_by_colour(chart_svg(r)).empty());

  // The same dot on the surface, on the crown, is drawn in the TOP and BACK views only.
  r.dots[1].position_mm = ellipsoid_point(0.3, -kPi / 2);
  r.dots[1].normal = ellipsoid_normal(r.dots[1].position_mm);
  ASSERT_LT(r.dots[1].normal.y(), 0);
  const auto paths = dot_paths_by_colour(chart_svg(r));
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths.begin()->second, 2);
}

TEST(ChartSvg, DegenerateInputStillDraws) {
  // No head, no dots, no zones: a page with titles and an empty legend.
  const std::string empty = chart_svg(PlanResult{});
  EXPECT_EQ(empty.rfind("<?xml", 0), 0u);
  EXPECT_NE(empty.find("</svg>"), std::string::npos);

  // Invalid UTF-8 and control characters in names, non-finite coordinates, a bad face index.
  PlanResult r = synthetic_result(500, 2);
  r.plan.name = "Bad \xff\xfe name\x01";
  r.plan.client = std::string(500, 'x');
  for (int i = 0; i < 300; ++i) r.plan.pattern += "\u00e9\u6f22";  // shortened at a code point
  r.zones[0].name = "zone \xc3";
  r.dots[3].position_mm.x() = std::nan("");
  r.dots[4].normal.z() = INFINITY;
  r.hairline_mm[2].y() = std::nan("");
  r.head.mesh.F(0, 0) = 1 << 30;
  std::string svg;
  ASSERT_NO_THROW(svg = chart_svg(r));
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(ChartSvg, WritesTheFile) {
  const PlanResult r = synthetic_result(1000, 2);
  const fs::path path = fs::temp_directory_path() / "stipple-chart-svg-test.svg";
  write_chart_svg(r, path.string());
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), chart_svg(r));
  fs::remove(path);
  EXPECT_THROW(write_chart_svg(r, "/nonexistent-stipple-dir/chart.svg"), std::runtime_error);
}

}  // namespace
}  // namespace stipple
