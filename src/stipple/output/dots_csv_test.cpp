#include "stipple/output/dots_csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <locale>
#include <random>
#include <sstream>
#include <string>

namespace stipple {
namespace {

namespace fs = std::filesystem;

PlanResult two_zone_result() {
  PlanResult r;
  Zone hairline;
  hairline.name = "hairline";
  hairline.kind = "hairline";
  Zone crown;
  crown.name = "crown";
  crown.kind = "crown";
  r.plan.zones = {hairline, crown};
  return r;
}

Dot sample_dot() {
  Dot d;
  d.id = 7;
  d.session = 2;
  d.position_mm = Vec3(12.3456, -0.00004, 101.9999);
  d.normal = Vec3(0.6, 0.0, 0.8);
  d.zone = 1;
  d.diameter_mm = 0.25;
  d.depth_mm = 0.4;
  d.dilution_water_parts = 7.5;
  d.density_per_cm2 = 95.26;
  return d;
}

std::string to_csv(const PlanResult& r) {
  std::ostringstream out;
  write_dots_csv(r, out);
  return out.str();
}

fs::path temp_path(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return fs::temp_directory_path() / (std::string("stipple-dots-csv-") + info->name() + "-" + name);
}

// Reading `text` must fail with a DotsCsvError whose message contains each of `parts`.
void expect_read_error(const std::string& text, std::initializer_list<std::string> parts) {
  std::istringstream in(text);
  try {
    read_dots_csv(in, {"hairline", "crown"}, "t.csv");
    ADD_FAILURE() << "no error for:\n" << text;
  } catch (const DotsCsvError& e) {
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "message '" << e.what() << "' lacks '" << part << "'";
    }
  }
}

const std::string kHeader = std::string(kDotsCsvHeader) + "\n";
const std::string kGoodRow =
    "7,2,12.346,0.000,102.000,0.6000,0.0000,0.8000,crown,0.250,0.400,7.5:1,95.3\n";

TEST(DotsCsv, HeaderIsExact) {
  EXPECT_EQ(to_csv(two_zone_result()),
            "id,session,x_mm,y_mm,z_mm,nx,ny,nz,zone,diameter_mm,depth_mm,dilution,"
            "density_per_cm2\n");
}

TEST(DotsCsv, RowFormatting) {
  PlanResult r = two_zone_result();
  r.dots.push_back(sample_dot());
  // Positions to the micrometre (3 decimals), -0.00004 as 0.000 not -0.000, normals to 4
  // decimals, diameter and depth to 3, dilution as W:1, density to 1 decimal.
  EXPECT_EQ(to_csv(r), kHeader + kGoodRow);
}

TEST(DotsCsv, RowsInDotMapOrder) {
  PlanResult r = two_zone_result();
  for (int i = 0; i < 3; ++i) {
    Dot d = sample_dot();
    d.id = 2 - i;
    d.zone = i % 2;
    d.dilution_water_parts = 20;
    r.dots.push_back(d);
  }
  std::istringstream in(to_csv(r));
  std::string line;
  std::getline(in, line);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line.substr(0, 2), std::to_string(2 - i) + ",");
    EXPECT_NE(line.find(i % 2 == 0 ? ",hairline," : ",crown,"), std::string::npos) << line;
    EXPECT_NE(line.find(",20:1,"), std::string::npos) << line;
  }
  EXPECT_FALSE(std::getline(in, line));
}

TEST(DotsCsv, DilutionFormatting) {
  EXPECT_EQ(format_dilution_ratio(20), "20:1");
  EXPECT_EQ(format_dilution_ratio(18), "18:1");
  EXPECT_EQ(format_dilution_ratio(7.5), "7.5:1");
  EXPECT_EQ(format_dilution_ratio(0), "0:1");
  EXPECT_EQ(format_dilution_ratio(0.1), "0.1:1");
  EXPECT_EQ(format_dilution_ratio(12.3456), "12.346:1");
  EXPECT_EQ(format_dilution_ratio(6.0000001), "6:1");
  EXPECT_EQ(format_dilution_ratio(40), "40:1");
  EXPECT_THROW(format_dilution_ratio(-1), std::invalid_argument);
  EXPECT_THROW(format_dilution_ratio(std::nan("")), std::invalid_argument);
  EXPECT_THROW(format_dilution_ratio(INFINITY), std::invalid_argument);
}

TEST(DotsCsv, DilutionParsing) {
  EXPECT_EQ(parse_dilution_ratio("20:1"), 20);
  EXPECT_EQ(parse_dilution_ratio("7.5:1"), 7.5);
  EXPECT_EQ(parse_dilution_ratio("0:1"), 0);
  for (const char* bad : {"20", "20:2", "20:1.0", "abc:1", "-1:1", ":1", "inf:1", "nan:1",
                          "20:", " 20:1", "undiluted"}) {
    EXPECT_THROW(parse_dilution_ratio(bad), std::invalid_argument) << bad;
  }
  for (double w : {0.0, 0.5, 6.0, 7.25, 12.0, 18.0, 20.0, 33.333, 40.0}) {
    EXPECT_EQ(parse_dilution_ratio(format_dilution_ratio(w)), w);
  }
}

TEST(DotsCsv, ReadBackEqualsWrittenWithinRounding) {
  PlanResult r = two_zone_result();
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int i = 0; i < 2000; ++i) {
    Dot d;
    d.id = i;
    d.session = 1 + i % 3;
    d.position_mm = Vec3(80 * u(rng), 100 * u(rng), 60 + 70 * u(rng));
    d.normal = Vec3(u(rng), u(rng), 1.5 + u(rng)).normalized();
    d.zone = i % 2;
    d.diameter_mm = 0.3 + 0.1 * u(rng);
    d.depth_mm = 0.4 + 0.2 * u(rng);
    d.dilution_water_parts = std::array<double, 3>{20, 12, 6}[i % 3];
    d.density_per_cm2 = 100 + 50 * u(rng);
    r.dots.push_back(d);
  }
  std::istringstream in(to_csv(r));
  const DotMap back = read_dots_csv(in, {"hairline", "crown"});
  ASSERT_EQ(back.size(), r.dots.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    const Dot &a = r.dots[i], &b = back[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.session, b.session);
    EXPECT_EQ(a.zone, b.zone);
    EXPECT_LE((a.position_mm - b.position_mm).cwiseAbs().maxCoeff(), 0.0005 + 1e-9);
    EXPECT_LE((a.normal - b.normal).cwiseAbs().maxCoeff(), 0.00005 + 1e-9);
    EXPECT_NEAR(a.diameter_mm, b.diameter_mm, 0.0005 + 1e-9);
    EXPECT_NEAR(a.depth_mm, b.depth_mm, 0.0005 + 1e-9);
    EXPECT_EQ(a.dilution_water_parts, b.dilution_water_parts);
    EXPECT_NEAR(a.density_per_cm2, b.density_per_cm2, 0.05 + 1e-9);
  }
}

TEST(DotsCsv, FileRoundTripLeavesNoTemporary) {
  PlanResult r = two_zone_result();
  r.dots.push_back(sample_dot());
  const fs::path path = temp_path("dots.csv");
  write_dots_csv(r, path.string());
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), kHeader + kGoodRow);
  const DotMap back = read_dots_csv(path.string(), {"hairline", "crown"});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].id, 7);
  EXPECT_EQ(back[0].zone, 1);
  fs::remove(path);
}

TEST(DotsCsv, UnwritablePathNamesIt) {
  const std::string path = "/nonexistent-stipple-dir/dots.csv";
  try {
    write_dots_csv(two_zone_result(), path);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-stipple-dir/dots.csv"), std::string::npos)
        << e.what();
  }
}

// A comma-separated decimal point in the stream's or the global locale must not leak in.
struct CommaDecimal : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

TEST(DotsCsv, LocaleIndependent) {
  PlanResult r = two_zone_result();
  r.dots.push_back(sample_dot());
  const std::locale comma(std::locale::classic(), new CommaDecimal);
  const std::locale previous = std::locale::global(comma);
  std::ostringstream out;
  out.imbue(comma);
  write_dots_csv(r, out);
  std::istringstream in(out.str());
  in.imbue(comma);
  const DotMap back = read_dots_csv(in, {"hairline", "crown"});
  std::locale::global(previous);
  EXPECT_EQ(out.str(), kHeader + kGoodRow);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_NEAR(back[0].position_mm.x(), 12.346, 1e-12);
}

TEST(DotsCsv, ZoneNamesWithCommasAreQuoted) {
  PlanResult r = two_zone_result();
  r.plan.zones[1].name = "crown, \"left\"";
  r.dots.push_back(sample_dot());
  const std::string csv = to_csv(r);
  EXPECT_NE(csv.find(",\"crown, \"\"left\"\"\","), std::string::npos) << csv;
  std::istringstream in(csv);
  const DotMap back = read_dots_csv(in, {"hairline", "crown, \"left\""});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].zone, 1);
}

TEST(DotsCsv, WriterRefusesWhatCannotBeReadBack) {
  PlanResult r = two_zone_result();
  r.dots.push_back(sample_dot());
  r.dots[0].zone = 2;
  try {
    to_csv(r);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("dot 7"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("zone index 2"), std::string::npos) << e.what();
  }
  r.dots[0].zone = -1;
  EXPECT_THROW(to_csv(r), std::invalid_argument);
  r.dots[0].zone = 0;
  r.dots[0].position_mm.y() = std::nan("");
  try {
    to_csv(r);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("y_mm"), std::string::npos) << e.what();
  }
  r.dots[0].position_mm.y() = 0;
  r.dots[0].dilution_water_parts = -2;
  EXPECT_THROW(to_csv(r), std::invalid_argument);
  r.dots[0].dilution_water_parts = 10;
  r.plan.zones[0].name = "two\nlines";
  EXPECT_THROW(to_csv(r), std::invalid_argument);
}

TEST(DotsCsv, ReaderAcceptsCrlfAndByteOrderMark) {
  std::string text = "\xEF\xBB\xBF" + std::string(kDotsCsvHeader) + "\r\n" + kGoodRow;
  text.insert(text.size() - 1, "\r");
  std::istringstream in(text);
  const DotMap dots = read_dots_csv(in, {"hairline", "crown"});
  ASSERT_EQ(dots.size(), 1u);
  EXPECT_EQ(dots[0].density_per_cm2, 95.3);
}

TEST(DotsCsv, ReaderErrorsNameLineAndColumn) {
  expect_read_error("", {"t.csv", "empty file"});
  expect_read_error("id,session\n", {"t.csv:1", "header"});
  expect_read_error(kHeader + kGoodRow + "1,2,3\n", {"t.csv:3", "expected 13 columns, found 3"});
  expect_read_error(kHeader + "7,2,12.3x6,0,102,0.6,0,0.8,crown,0.25,0.4,7.5:1,95.3\n",
                    {"t.csv:2", "column 3 (x_mm)", "12.3x6"});
  expect_read_error(kHeader + "7,0,1,0,102,0.6,0,0.8,crown,0.25,0.4,7.5:1,95.3\n",
                    {"t.csv:2", "column 2 (session)"});
  expect_read_error(kHeader + "-1,1,1,0,102,0.6,0,0.8,crown,0.25,0.4,7.5:1,95.3\n",
                    {"column 1 (id)"});
  expect_read_error(kHeader + "7,1,nan,0,102,0.6,0,0.8,crown,0.25,0.4,7.5:1,95.3\n",
                    {"column 3 (x_mm)", "finite"});
  expect_read_error(kHeader + "7,1,1,0,102,0.6,0,0.6,crown,0.25,0.4,7.5:1,95.3\n",
                    {"column 6 (nx)", "unit length"});
  expect_read_error(kHeader + "7,1,1,0,102,0.6,0,0.8,temple,0.25,0.4,7.5:1,95.3\n",
                    {"column 9 (zone)", "unknown zone 'temple'"});
  expect_read_error(kHeader + "7,1,1,0,102,0.6,0,0.8,crown,0,0.4,7.5:1,95.3\n",
                    {"column 10 (diameter_mm)", "> 0"});
  expect_read_error(kHeader + "7,1,1,0,102,0.6,0,0.8,crown,0.25,0.4,7.5,95.3\n",
                    {"column 12 (dilution)", "W:1"});
  expect_read_error(kHeader + "7,1,1,0,102,0.6,0,0.8,crown,0.25,0.4,7.5:1,-3\n",
                    {"column 13 (density_per_cm2)"});
  expect_read_error(kHeader + kGoodRow + "\n" + kGoodRow, {"t.csv:3", "empty line"});
  expect_read_error(kHeader + "7,1,1,0,102,0.6,0,0.8,\"crown,0.25\n", {"t.csv:2", "quoted"});
  expect_read_error(kHeader + std::string(10000, '7') + "\n", {"t.csv:2", "longer than"});
}

TEST(DotsCsv, ReaderRefusesMoreThanTheRowLimit) {
  EXPECT_EQ(kDotsCsvMaxRows, 5'000'000u);
  // A stream that produces the header and then the same row forever, without holding it all.
  struct Endless : std::streambuf {
    std::string header = kHeader, row = kGoodRow;
    std::size_t rows = 0;
    bool in_header = true;
    int_type underflow() override {
      std::string& s = in_header ? header : row;
      if (!in_header) ++rows;
      in_header = false;
      setg(s.data(), s.data(), s.data() + s.size());
      return traits_type::to_int_type(s[0]);
    }
  } source;
  std::istream in(&source);
  try {
    read_dots_csv(in, {"hairline", "crown"}, "endless.csv", 1000);
    ADD_FAILURE() << "no error";
  } catch (const DotsCsvError& e) {
    EXPECT_NE(std::string(e.what()).find("endless.csv:1002: more than 1000 rows"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(source.rows, 1001u);
}

TEST(DotsCsv, MissingFileNamesIt) {
  try {
    read_dots_csv("/nonexistent-stipple-dir/dots.csv", {});
    ADD_FAILURE() << "no error";
  } catch (const DotsCsvError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-stipple-dir/dots.csv"), std::string::npos);
  }
}

}  // namespace
}  // namespace stipple
