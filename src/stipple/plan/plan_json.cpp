// Reading and writing plan files (docs/plan-format.md).
//
// Two layers: a SAX handler builds the JSON document with limits (size, nesting depth, duplicate
// keys), so no input can exhaust the stack or be silently ambiguous; then typed readers walk the
// document, each check naming the JSON pointer of the value it rejects.
#include "stipple/plan/plan_json.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <system_error>

#include <fmt/format.h>

namespace stipple {
namespace {

using nlohmann::json;
using Keys = std::span<const std::string_view>;

// Free-text fields (name, client, pigment) and file paths: generous, but bounded.
constexpr std::size_t kMaxTextBytes = 200;
constexpr std::size_t kMaxPathBytes = 1024;
// How much of a rejected value an error message quotes.
constexpr std::size_t kMaxQuotedBytes = 60;
// The seed must survive a trip through JavaScript's doubles (the web studio): 0 .. 2^53.
constexpr std::uint64_t kMaxSeed = std::uint64_t{1} << 53;
constexpr double kShareSumTolerance = 1e-6;
constexpr double kChartLimitMm = 300;
// Scar defaults (docs/plan-format.md): scar tissue holds pigment less evenly than scalp, so scars
// are done a little sparser (80/cm2) with a darker mix (8:1) and a hard 1 mm edge.
constexpr double kScarDensityPerCm2 = 80;
constexpr double kScarFeatherMm = 1;
constexpr double kScarDilutionWaterParts = 8;
constexpr double kFueDefaultDiameterMm = 1.0;  // domain.md: FUE dot scars up to ~1 mm

// ---------------------------------------------------------------------------------------------
// Messages

// Message text must stay printable and valid in any output (a terminal, a JSON API response),
// so bytes outside printable ASCII are written as \xNN.
std::string printable_ascii(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

// Cuts text to at most max_bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// A value as it would appear in the file, shortened for a message (JSON escapes, ASCII only).
std::string shown_value(const json& value) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxQuotedBytes) {
      const json shortened = std::string(utf8_prefix(text, kMaxQuotedBytes)) + "...";
      return shortened.dump(-1, ' ', true, json::error_handler_t::replace);
    }
  }
  std::string text = value.dump(-1, ' ', true, json::error_handler_t::replace);
  if (text.size() > kMaxQuotedBytes) text = text.substr(0, kMaxQuotedBytes) + "...";
  return text;
}
std::string shown(std::string_view text) {
  return shown_value(json(std::string(text)));
}

std::string number_text(double value) {
  return fmt::format("{}", value);
}

std::string type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

std::string joined(Keys words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

// Every error goes through here: "plan: <path><detail>", where detail starts with ": " or " = ".
[[noreturn]] void fail(const std::string& path, const std::string& detail) {
  const std::string where = path.empty() ? "top level" : printable_ascii(path);
  throw PlanError(path, "plan: " + where + detail);
}

[[noreturn]] void fail_type(const std::string& path, const json& value, const char* expected) {
  fail(path,
       fmt::format(": expected {}, got {} {}", expected, type_name(value), shown_value(value)));
}

struct Range {
  double min;
  double max;
};

[[noreturn]] void fail_range(const std::string& path, const std::string& value, Range range) {
  fail(path, fmt::format(" = {} is out of range, allowed {} to {}", value, number_text(range.min),
                         number_text(range.max)));
}

// ---------------------------------------------------------------------------------------------
// The document, built with limits

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string child_path(const std::string& path, std::string_view key) {
  return path + "/" + pointer_token(key);
}
std::string child_path(const std::string& path, std::size_t index) {
  return path + "/" + std::to_string(index);
}

// nlohmann's own DOM parser would accept duplicate keys (keeping the last) and any nesting
// depth (later recursive walks could then overflow the stack); this builder refuses both.
class LimitedDomBuilder final : public nlohmann::json_sax<json> {
 public:
  bool null() override { return add(json(nullptr)); }
  bool boolean(bool value) override { return add(json(value)); }
  bool number_integer(number_integer_t value) override { return add(json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return add(json(value)); }
  bool number_float(number_float_t value, const string_t&) override {
    if (!std::isfinite(value)) return stop(next_path(), ": numbers must be finite");
    return add(json(value));
  }
  bool string(string_t& value) override { return add(json(std::move(value))); }
  bool binary(binary_t&) override { return stop(next_path(), ": binary values are not JSON"); }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& key) override {
    const Frame& top = stack_.back();
    if (top.node->contains(key)) {
      return stop(top.path, fmt::format(": duplicate key {}", shown(key)));
    }
    key_ = std::move(key);
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const json::exception& error) override {
    // nlohmann's text starts with "[json.exception.parse_error.101] "; the id means nothing
    // to a user, the position and reason do.
    std::string_view text = error.what();
    if (auto end = text.find("] "); text.starts_with("[json.exception.") && end != text.npos) {
      text.remove_prefix(end + 2);
    }
    return stop("", ": not valid JSON: " + printable_ascii(text));
  }

  // Only meaningful after sax_parse returned false.
  const std::string& error_path() const { return error_path_; }
  const std::string& error_detail() const { return error_detail_; }
  json& root() { return root_; }

 private:
  struct Frame {
    json* node;
    std::string path;
  };

  std::string next_path() const {
    if (stack_.empty()) return "";
    const Frame& top = stack_.back();
    return top.node->is_array() ? child_path(top.path, top.node->size())
                                : child_path(top.path, key_);
  }

  json* place(json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& top = *stack_.back().node;
    if (top.is_array()) {
      top.push_back(std::move(value));
      return &top.back();
    }
    json& slot = top[key_];
    slot = std::move(value);
    return &slot;
  }

  bool add(json value) {
    place(std::move(value));
    return true;
  }

  bool open(json container) {
    std::string path = next_path();
    if (stack_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
      return stop(path, fmt::format(": nested deeper than {} levels", kMaxJsonDepth));
    }
    json* node = place(std::move(container));
    stack_.push_back({node, std::move(path)});
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  bool stop(std::string path, std::string detail) {
    error_path_ = std::move(path);
    error_detail_ = std::move(detail);
    return false;
  }

  json root_;
  std::vector<Frame> stack_;
  std::string key_;
  std::string error_path_;
  std::string error_detail_;
};

json parse_document(std::string_view text) {
  if (text.size() > kMaxPlanBytes) {
    fail("", fmt::format(": the plan is {} bytes, allowed at most {} (1 MiB)", text.size(),
                         kMaxPlanBytes));
  }
  LimitedDomBuilder builder;
  const char* begin = text.data();
  if (!json::sax_parse(begin, begin + text.size(), &builder)) {
    fail(builder.error_path(), builder.error_detail());
  }
  return std::move(builder.root());
}

// ---------------------------------------------------------------------------------------------
// Typed readers. Each takes the value and its JSON pointer, and throws PlanError naming both.

const json& expect_object(const json& value, const std::string& path) {
  if (!value.is_object()) fail_type(path, value, "an object");
  return value;
}

const json& expect_array(const json& value, const std::string& path) {
  if (!value.is_array()) fail_type(path, value, "an array");
  return value;
}

void check_keys(const json& object, const std::string& path, Keys allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      fail(path, fmt::format(": unknown key {}; allowed keys: {}", shown(key), joined(allowed)));
    }
  }
}

// An object whose keys are all in `allowed`, with its path, for the readers below.
struct Obj {
  const json& value;
  std::string path;

  const json* find(std::string_view key) const {
    auto it = value.find(std::string(key));
    return it == value.end() ? nullptr : &*it;
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  std::string at(std::string_view key) const { return child_path(path, key); }
  const json& require(std::string_view key, std::string_view why = {}) const {
    const json* v = find(key);
    if (v == nullptr) {
      fail(path, fmt::format(": missing key \"{}\"{}", key,
                             why.empty() ? "" : " (" + std::string(why) + ")"));
    }
    return *v;
  }
};

Obj object_at(const json& value, const std::string& path, Keys allowed) {
  expect_object(value, path);
  check_keys(value, path, allowed);
  return Obj{value, path};
}

double to_number(const json& value, const std::string& path) {
  if (!value.is_number()) fail_type(path, value, "a number");
  const double number = value.get<double>();
  if (!std::isfinite(number)) fail(path, ": numbers must be finite");
  return number;
}

double to_number(const json& value, const std::string& path, Range range) {
  const double number = to_number(value, path);
  if (!(number >= range.min && number <= range.max)) fail_range(path, number_text(number), range);
  return number;
}

// A whole number in [min, max]. JSON has one number type, so 3.0 counts as 3.
std::int64_t to_integer(const json& value, const std::string& path, std::int64_t min,
                        std::int64_t max) {
  if (!value.is_number()) fail_type(path, value, "a whole number");
  const Range range{static_cast<double>(min), static_cast<double>(max)};
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (min > 0 && n < static_cast<std::uint64_t>(min)) fail_range(path, std::to_string(n), range);
    if (n > static_cast<std::uint64_t>(max)) fail_range(path, std::to_string(n), range);
    return static_cast<std::int64_t>(n);
  }
  if (value.is_number_integer()) {
    const auto n = value.get<std::int64_t>();
    if (n < min || n > max) fail_range(path, std::to_string(n), range);
    return n;
  }
  const double d = to_number(value, path);
  if (d != std::floor(d)) fail(path, fmt::format(" = {} is not a whole number", number_text(d)));
  if (!(d >= range.min && d <= range.max)) fail_range(path, number_text(d), range);
  return static_cast<std::int64_t>(d);
}

bool to_bool(const json& value, const std::string& path) {
  if (!value.is_boolean()) fail_type(path, value, "true or false");
  return value.get<bool>();
}

const std::string& to_string(const json& value, const std::string& path) {
  if (!value.is_string()) fail_type(path, value, "a string");
  return value.get_ref<const std::string&>();
}

// Free text: bounded, and without control characters (it ends up in reports and charts).
std::string to_text(const json& value, const std::string& path, std::size_t max_bytes) {
  const std::string& text = to_string(value, path);
  if (text.size() > max_bytes) {
    fail(path, fmt::format(": {} bytes long, allowed at most {}", text.size(), max_bytes));
  }
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      fail(path, fmt::format(" = {} contains a control character", shown(text)));
    }
  }
  return text;
}

std::string to_choice(const json& value, const std::string& path, Keys choices) {
  const std::string& text = to_string(value, path);
  if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
    fail(path, fmt::format(" = {} is not allowed; allowed: {}", shown(text), joined(choices)));
  }
  return text;
}

// Optional members: assign when present, keep the default otherwise.
void read(const Obj& o, std::string_view key, Range range, double& out) {
  if (const json* v = o.find(key)) out = to_number(*v, o.at(key), range);
}
void read(const Obj& o, std::string_view key, std::int64_t min, std::int64_t max, int& out) {
  if (const json* v = o.find(key)) out = static_cast<int>(to_integer(*v, o.at(key), min, max));
}
void read(const Obj& o, std::string_view key, bool& out) {
  if (const json* v = o.find(key)) out = to_bool(*v, o.at(key));
}
void read_text(const Obj& o, std::string_view key, std::size_t max_bytes, std::string& out) {
  if (const json* v = o.find(key)) out = to_text(*v, o.at(key), max_bytes);
}

ChartPoint to_chart_point(const json& value, const std::string& path) {
  if (!value.is_array() || value.size() != 2) {
    fail_type(path, value, "[u_mm, v_mm], an array of 2 numbers");
  }
  const Range range{-kChartLimitMm, kChartLimitMm};
  return ChartPoint{to_number(value[0], child_path(path, 0), range),
                    to_number(value[1], child_path(path, 1), range)};
}

// `subject` names what the points are for in a message: "a polygon shape", "an FUT scar".
std::vector<ChartPoint> to_chart_points(const json& value, const std::string& path,
                                        std::size_t min_count, const std::string& subject) {
  expect_array(value, path);
  if (value.size() < min_count || value.size() > kMaxShapePoints) {
    fail(path, fmt::format(": {} needs {} to {} points, got {}", subject, min_count,
                           kMaxShapePoints, value.size()));
  }
  std::vector<ChartPoint> points;
  points.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    points.push_back(to_chart_point(value[i], child_path(path, i)));
  }
  return points;
}

const Range kDilutionRange{0, 40};

double to_dilution(const json& value, const std::string& path) {
  const std::string& text = to_string(value, path);
  double water_parts = 0;
  if (!parse_dilution(text, water_parts)) {
    fail(path, fmt::format(" = {} is not a dilution; write water:pigment parts such as \"20:1\", "
                           "or \"undiluted\"",
                           shown(text)));
  }
  if (!(water_parts >= kDilutionRange.min && water_parts <= kDilutionRange.max)) {
    fail(path, fmt::format(" = {} is out of range, allowed 0 to 40 parts water per part pigment "
                           "(\"undiluted\" to \"40:1\")",
                           shown(text)));
  }
  return water_parts;
}

bool is_real_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  auto number = [&](std::size_t from, std::size_t count) {
    int n = 0;
    for (std::size_t i = from; i < from + count; ++i) n = n * 10 + (text[i] - '0');
    return n;
  };
  const int year = number(0, 4);
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                         std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  return date.ok() && year >= 2000 && year <= 2100;
}

// ---------------------------------------------------------------------------------------------
// The plan's parts. Key lists are in the order messages list them and given_keys records them.

constexpr std::string_view kTopKeys[] = {
    "stipple_plan", "name",    "client",   "pattern", "head",  "hairline",           "zones",
    "scars",        "pigment", "sessions", "skin",    "aging", "rate_dots_per_hour", "price",
    "seed"};
constexpr std::string_view kParametricHeadKeys[] = {"kind", "measurements"};
constexpr std::string_view kMeshHeadKeys[] = {"kind", "mesh", "landmarks", "units_to_mm"};
constexpr std::string_view kHeadKinds[] = {"parametric", "mesh"};
constexpr std::string_view kMeasurementKeys[] = {"circumference_mm", "length_mm", "width_mm",
                                                 "vertex_height_mm"};
constexpr std::string_view kHairlineKeys[] = {"enabled",
                                              "mid_frontal_height_mm",
                                              "frontotemporal_distance_mm",
                                              "temporal_peak_distance_mm",
                                              "transition_width_mm",
                                              "depth_mm",
                                              "irregularity_mm",
                                              "irregularity_wavelength_mm",
                                              "sentinel_depth_mm",
                                              "sentinel_fraction",
                                              "density_per_cm2",
                                              "diameter_min_mm",
                                              "diameter_max_mm",
                                              "depth_target_mm"};
constexpr std::string_view kZoneKeys[] = {"name",
                                          "kind",
                                          "shape",
                                          "density_per_cm2",
                                          "existing_density_per_cm2",
                                          "diameter_min_mm",
                                          "diameter_max_mm",
                                          "depth_mm",
                                          "feather_mm",
                                          "dilution",
                                          "whorl"};
constexpr std::string_view kZoneKinds[] = {"scalp", "hairline", "crown", "scar", "patch", "blend"};
constexpr std::string_view kShapeKeys[] = {"kind", "points", "centre", "radius_mm"};
constexpr std::string_view kShapeKinds[] = {"polygon", "circle",          "strip",
                                            "discs",   "behind_hairline", "whole_scalp"};
constexpr std::string_view kWhorlKeys[] = {"enabled",   "centre", "radius_mm",
                                           "amplitude", "arms",   "clockwise"};
constexpr std::string_view kScarTypes[] = {"fut", "fue"};
constexpr std::string_view kFutScarKeys[] = {"type",
                                             "name",
                                             "points",
                                             "width_mm",
                                             "density_per_cm2",
                                             "existing_density_per_cm2",
                                             "diameter_min_mm",
                                             "diameter_max_mm",
                                             "depth_mm",
                                             "feather_mm",
                                             "dilution"};
constexpr std::string_view kFueScarKeys[] = {"type",
                                             "name",
                                             "points",
                                             "diameter_mm",
                                             "density_per_cm2",
                                             "existing_density_per_cm2",
                                             "diameter_min_mm",
                                             "diameter_max_mm",
                                             "depth_mm",
                                             "feather_mm",
                                             "dilution"};
constexpr std::string_view kPigmentKeys[] = {"name", "needle", "needle_diameter_mm"};
constexpr std::string_view kSessionsKeys[] = {"sessions", "spacing_days", "start_date"};
constexpr std::string_view kSessionKeys[] = {"share", "dilution"};
constexpr std::string_view kPriceKeys[] = {"basis", "amount", "currency"};
constexpr std::string_view kPriceBases[] = {"per_session", "per_cm2"};
constexpr std::string_view kSkinKeys[] = {"fitzpatrick", "epidermis_mm", "hair_colour"};
constexpr std::string_view kAgingKeys[] = {
    "early_loss_fraction", "early_loss_weeks", "fade_per_year", "spread_mm2_per_year",
    "drift_mm_per_year",   "blowout_depth_mm", "healed_days",   "touchup_contrast_fraction"};

const Range kDensityRange{20, 200};
const Range kExistingDensityRange{0, 200};
const Range kDiameterRange{0.1, 1.0};
const Range kPigmentDepthRange{0.2, 1.2};
const Range kRadiusRange{0.2, 100};

HeadSpec parse_head(const json& value, const std::string& path) {
  HeadSpec head;
  expect_object(value, path);
  std::string kind = "parametric";
  if (const json* k = Obj{value, path}.find("kind"))
    kind = to_choice(*k, path + "/kind", kHeadKinds);
  if (kind == "parametric") {
    const Obj o = object_at(value, path, kParametricHeadKeys);
    head.kind = HeadSpec::Kind::kParametric;
    if (const json* m = o.find("measurements")) {
      const Obj mo = object_at(*m, o.at("measurements"), kMeasurementKeys);
      HeadMeasurements& hm = head.measurements;
      read(mo, "circumference_mm", {480, 660}, hm.circumference_mm);
      read(mo, "length_mm", {165, 225}, hm.length_mm);
      read(mo, "width_mm", {130, 175}, hm.width_mm);
      read(mo, "vertex_height_mm", {105, 160}, hm.vertex_height_mm);
    }
    return head;
  }
  const Obj o = object_at(value, path, kMeshHeadKeys);
  head.kind = HeadSpec::Kind::kMesh;
  auto file = [&](std::string_view key, std::initializer_list<std::string_view> extensions) {
    const std::string p = o.at(key);
    std::string name =
        to_text(o.require(key, "a mesh head needs a mesh and its landmarks"), p, kMaxPathBytes);
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (std::string_view ext : extensions) {
      if (lower.ends_with(ext)) return name;
    }
    std::string endings;
    for (std::string_view ext : extensions)
      endings += (endings.empty() ? "" : " or ") + std::string(ext);
    fail(p, fmt::format(" = {} must name a file ending in {}", shown(name), endings));
  };
  head.mesh_path = file("mesh", {".obj", ".ply"});
  head.landmarks_path = file("landmarks", {".json"});
  read(o, "units_to_mm", {0.001, 1000}, head.mesh_units_to_mm);
  return head;
}

void check_diameters(const Obj& o, double min_mm, double max_mm) {
  if (min_mm > max_mm) {
    fail(o.at("diameter_min_mm"), fmt::format(" = {} is larger than {} = {}", number_text(min_mm),
                                              o.at("diameter_max_mm"), number_text(max_mm)));
  }
}

HairlineSpec parse_hairline(const json& value, const std::string& path) {
  const Obj o = object_at(value, path, kHairlineKeys);
  HairlineSpec h;
  read(o, "enabled", h.enabled);
  read(o, "mid_frontal_height_mm", {60, 100}, h.mid_frontal_height_mm);
  read(o, "frontotemporal_distance_mm", {60, 100}, h.frontotemporal_distance_mm);
  read(o, "temporal_peak_distance_mm", {30, 70}, h.temporal_peak_distance_mm);
  read(o, "transition_width_mm", {5, 10}, h.transition_width_mm);
  read(o, "depth_mm", {20, 40}, h.depth_mm);
  read(o, "irregularity_mm", {0, 5}, h.irregularity_mm);
  read(o, "irregularity_wavelength_mm", {5, 60}, h.irregularity_wavelength_mm);
  read(o, "sentinel_depth_mm", {0, 8}, h.sentinel_depth_mm);
  read(o, "sentinel_fraction", {0, 0.5}, h.sentinel_fraction);
  read(o, "density_per_cm2", kDensityRange, h.density_per_cm2);
  read(o, "diameter_min_mm", kDiameterRange, h.diameter_min_mm);
  read(o, "diameter_max_mm", kDiameterRange, h.diameter_max_mm);
  read(o, "depth_target_mm", kPigmentDepthRange, h.depth_target_mm);
  check_diameters(o, h.diameter_min_mm, h.diameter_max_mm);
  return h;
}

const char* shape_kind_name(ZoneShape::Kind kind) {
  switch (kind) {
    case ZoneShape::Kind::kPolygon:
      return "polygon";
    case ZoneShape::Kind::kCircle:
      return "circle";
    case ZoneShape::Kind::kStrip:
      return "strip";
    case ZoneShape::Kind::kDiscs:
      return "discs";
    case ZoneShape::Kind::kBehindHairline:
      return "behind_hairline";
    case ZoneShape::Kind::kWholeScalp:
      return "whole_scalp";
  }
  return "polygon";
}

ZoneShape::Kind shape_kind_from_name(const std::string& name) {
  for (auto kind :
       {ZoneShape::Kind::kPolygon, ZoneShape::Kind::kCircle, ZoneShape::Kind::kStrip,
        ZoneShape::Kind::kDiscs, ZoneShape::Kind::kBehindHairline, ZoneShape::Kind::kWholeScalp}) {
    if (name == shape_kind_name(kind)) return kind;
  }
  return ZoneShape::Kind::kPolygon;  // unreachable after to_choice
}

// Which of points / centre / radius_mm a shape kind uses; the others are an error rather than
// silently ignored, because a circle given "points" was most likely meant as a polygon.
struct ShapeUse {
  std::size_t min_points;  // 0: no points
  bool centre;
  bool radius;
};

ShapeUse shape_use(ZoneShape::Kind kind) {
  switch (kind) {
    case ZoneShape::Kind::kPolygon:
      return {3, false, false};
    case ZoneShape::Kind::kCircle:
      return {0, true, true};
    case ZoneShape::Kind::kStrip:
      return {2, false, true};
    case ZoneShape::Kind::kDiscs:
      return {1, false, true};
    default:
      return {0, false, false};
  }
}

ZoneShape parse_shape(const json& value, const std::string& path) {
  const Obj o = object_at(value, path, kShapeKeys);
  ZoneShape shape;
  const std::string kind_name = to_choice(o.require("kind"), o.at("kind"), kShapeKinds);
  shape.kind = shape_kind_from_name(kind_name);
  const ShapeUse use = shape_use(shape.kind);
  std::vector<std::string_view> used = {"kind"};
  if (use.min_points > 0) used.push_back("points");
  if (use.centre) used.push_back("centre");
  if (use.radius) used.push_back("radius_mm");
  for (std::string_view key : kShapeKeys) {
    if (o.has(key) && std::find(used.begin(), used.end(), key) == used.end()) {
      fail(path, fmt::format(": key \"{}\" is not used by a {} shape, which takes: {}", key,
                             kind_name, joined(used)));
    }
  }
  if (use.min_points > 0) {
    const std::string why = fmt::format("a {} needs at least {} points", kind_name, use.min_points);
    shape.points = to_chart_points(o.require("points", why), o.at("points"), use.min_points,
                                   fmt::format("a {} shape", kind_name));
  }
  if (use.centre) {
    shape.centre =
        to_chart_point(o.require("centre", "[u_mm, v_mm] of the circle"), o.at("centre"));
  }
  if (use.radius) {
    const std::string why = fmt::format("a {} needs a radius, 0.2 to 100 mm", kind_name);
    shape.radius_mm = to_number(o.require("radius_mm", why), o.at("radius_mm"), kRadiusRange);
  }
  return shape;
}

Whorl parse_whorl(const json& value, const std::string& path) {
  const Obj o = object_at(value, path, kWhorlKeys);
  Whorl w;
  read(o, "enabled", w.enabled);
  if (const json* c = o.find("centre")) w.centre = to_chart_point(*c, o.at("centre"));
  read(o, "radius_mm", {10, 80}, w.radius_mm);
  read(o, "amplitude", {0, 0.4}, w.amplitude);
  read(o, "arms", 1, 4, w.arms);
  read(o, "clockwise", w.clockwise);
  return w;
}

bool is_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 40) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string to_zone_name(const json& value, const std::string& path) {
  const std::string& name = to_string(value, path);
  if (!is_zone_name(name)) {
    fail(path, fmt::format(" = {} is not a zone name: 1 to 40 characters of a-z, 0-9, _ and -",
                           shown(name)));
  }
  return name;
}

// The members a zone and a scar share.
void read_zone_values(const Obj& o, Zone& zone) {
  read(o, "density_per_cm2", kDensityRange, zone.density_per_cm2);
  read(o, "existing_density_per_cm2", kExistingDensityRange, zone.existing_density_per_cm2);
  read(o, "diameter_min_mm", kDiameterRange, zone.diameter_min_mm);
  read(o, "diameter_max_mm", kDiameterRange, zone.diameter_max_mm);
  read(o, "depth_mm", kPigmentDepthRange, zone.depth_mm);
  read(o, "feather_mm", {0, 40}, zone.feather_mm);
  if (const json* d = o.find("dilution"))
    zone.dilution_water_parts = to_dilution(*d, o.at("dilution"));
}

// Pairs of values that must be ordered. In a partial zone (overriding a preset zone) a missing
// value is not known yet, so the pair is checked only when both were given; the preset expander
// checks the merged zone.
void check_zone_pairs(const Obj& o, const Zone& zone, bool complete) {
  auto known = [&](std::string_view a, std::string_view b) {
    return complete || (o.has(a) && o.has(b));
  };
  if (known("diameter_min_mm", "diameter_max_mm")) {
    check_diameters(o, zone.diameter_min_mm, zone.diameter_max_mm);
  }
  if (known("existing_density_per_cm2", "density_per_cm2") &&
      zone.existing_density_per_cm2 > zone.density_per_cm2) {
    fail(o.at("existing_density_per_cm2"),
         fmt::format(" = {} is larger than {} = {} (the target includes existing hair)",
                     number_text(zone.existing_density_per_cm2), o.at("density_per_cm2"),
                     number_text(zone.density_per_cm2)));
  }
}

// complete: the plan has no preset, so this zone stands alone and needs a shape.
Zone parse_zone(const json& value, const std::string& path, bool complete) {
  const Obj o = object_at(value, path, kZoneKeys);
  Zone zone;
  for (std::string_view key : kZoneKeys) {
    if (o.has(key)) zone.given_keys.emplace_back(key);
  }
  zone.name = to_zone_name(o.require("name"), o.at("name"));
  if (const json* k = o.find("kind")) zone.kind = to_choice(*k, o.at("kind"), kZoneKinds);
  if (const json* s = o.find("shape")) {
    zone.shape = parse_shape(*s, o.at("shape"));
  } else if (complete) {
    o.require("shape", "with pattern \"custom\" every zone needs a shape");
  }
  read_zone_values(o, zone);
  if (const json* w = o.find("whorl")) zone.whorl = parse_whorl(*w, o.at("whorl"));
  check_zone_pairs(o, zone, complete);
  return zone;
}

// A scar becomes an ordinary zone of kind "scar": FUT a strip, FUE discs, each widened by
// kScarMarginMm so the pigment covers the scar's edge.
Zone parse_scar(const json& value, const std::string& path, std::size_t index) {
  expect_object(value, path);
  const json& type_value = Obj{value, path}.require("type", "\"fut\" or \"fue\"");
  const std::string type = to_choice(type_value, child_path(path, "type"), kScarTypes);
  const bool fut = type == "fut";
  const Obj o = object_at(value, path, fut ? Keys(kFutScarKeys) : Keys(kFueScarKeys));

  Zone zone;
  zone.name = fmt::format("scar_{}", index + 1);
  if (const json* n = o.find("name")) zone.name = to_zone_name(*n, o.at("name"));
  zone.kind = "scar";
  zone.density_per_cm2 = kScarDensityPerCm2;
  zone.existing_density_per_cm2 = 0;
  zone.feather_mm = kScarFeatherMm;
  zone.dilution_water_parts = kScarDilutionWaterParts;
  if (fut) {
    zone.shape.kind = ZoneShape::Kind::kStrip;
    zone.shape.points = to_chart_points(o.require("points", "the scar's centre line"),
                                        o.at("points"), 2, "an FUT scar");
    const double width_mm =
        to_number(o.require("width_mm", "2 to 20 mm"), o.at("width_mm"), {2, 20});
    zone.shape.radius_mm = width_mm / 2 + kScarMarginMm;
  } else {
    zone.shape.kind = ZoneShape::Kind::kDiscs;
    zone.shape.points =
        to_chart_points(o.require("points", "the scars' centres"), o.at("points"), 1, "FUE scars");
    double diameter_mm = kFueDefaultDiameterMm;
    read(o, "diameter_mm", {0.5, 3}, diameter_mm);
    zone.shape.radius_mm = diameter_mm / 2 + kScarMarginMm;
  }
  read_zone_values(o, zone);
  check_zone_pairs(o, zone, true);
  // Every value of the zone is now decided, so it is a complete zone: all keys but the whorl.
  for (std::string_view key : kZoneKeys) {
    if (key != "whorl") zone.given_keys.emplace_back(key);
  }
  return zone;
}

std::vector<Zone> parse_zones(const Obj& top, bool complete) {
  const json* zones = top.find("zones");
  const json* scars = top.find("scars");
  if (zones) expect_array(*zones, top.at("zones"));
  if (scars) expect_array(*scars, top.at("scars"));
  const std::size_t zone_count = zones ? zones->size() : 0;
  const std::size_t scar_count = scars ? scars->size() : 0;
  if (zone_count + scar_count > kMaxZones) {
    fail(zones ? top.at("zones") : top.at("scars"),
         fmt::format(": {} zones and {} scars, allowed at most {} together", zone_count, scar_count,
                     kMaxZones));
  }
  std::vector<Zone> out;
  std::map<std::string, std::string> name_paths;
  auto add = [&](Zone zone, const std::string& path, bool name_given) {
    auto [it, inserted] = name_paths.emplace(zone.name, path);
    if (!inserted) {
      fail(name_given ? path + "/name" : path,
           fmt::format("{}{} is already the name of {}; zone names must be unique",
                       name_given ? " = " : ": the default name ", shown(zone.name), it->second));
    }
    out.push_back(std::move(zone));
  };
  for (std::size_t i = 0; i < zone_count; ++i) {
    const std::string path = child_path(top.at("zones"), i);
    add(parse_zone((*zones)[i], path, complete), path, true);
  }
  // Scars come after the zones: later zones are drawn on top, and a scar must be covered.
  for (std::size_t i = 0; i < scar_count; ++i) {
    const std::string path = child_path(top.at("scars"), i);
    add(parse_scar((*scars)[i], path, i), path, (*scars)[i].contains("name"));
  }
  return out;
}

PigmentSpec parse_pigment(const json& value, const std::string& path) {
  const Obj o = object_at(value, path, kPigmentKeys);
  PigmentSpec p;
  read_text(o, "name", kMaxTextBytes, p.name);
  read_text(o, "needle", kMaxTextBytes, p.needle);
  read(o, "needle_diameter_mm", {0.18, 0.35}, p.needle_diameter_mm);
  return p;
}

SessionsSpec parse_sessions(const json& value, const std::string& path) {
  const Obj o = object_at(value, path, kSessionsKeys);
  SessionsSpec s;
  if (const json* list = o.find("sessions")) {
    const std::string list_path = o.at("sessions");
    expect_array(*list, list_path);
    if (list->empty() || list->size() > kMaxSessions) {
      fail(list_path, fmt::format(": {} sessions is out of range, allowed 1 to {}", list->size(),
                                  kMaxSessions));
    }
    s.sessions.clear();
    double sum = 0;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Obj so = object_at((*list)[i], child_path(list_path, i), kSessionKeys);
      Session session;
      session.share =
          to_number(so.require("share", "its part of the dots, 0 to 1"), so.at("share"), {0, 1});
      if (session.share <= 0) {
        fail(so.at("share"), " = 0 is out of range, allowed more than 0 up to 1");
      }
      session.dilution_water_parts =
          to_dilution(so.require("dilution", "water:pigment such as \"12:1\""), so.at("dilution"));
      sum += session.share;
      s.sessions.push_back(session);
    }
    if (std::abs(sum - 1) > kShareSumTolerance) {
      fail(list_path, fmt::format(": the shares sum to {}, they must sum to 1", number_text(sum)));
    }
  }
  read(o, "spacing_days", 7, 30, s.spacing_days);
  if (const json* d = o.find("start_date")) {
    const std::string date = to_text(*d, o.at("start_date"), kMaxTextBytes);
    if (!is_real_date(date)) {
      fail(o.at("start_date"),
           fmt::format(" = {} is not a real date YYYY-MM-DD between 2000 and 2100", shown(date)));
    }
    s.start_date = date;
  }
  return s;
}

PriceSpec parse_price(const json& value, const std::string& path) {
  const Obj o = object_at(value, path, kPriceKeys);
  PriceSpec p;
  if (const json* b = o.find("basis")) {
    p.basis = to_choice(*b, o.at("basis"), kPriceBases) == "per_cm2"
                  ? PriceSpec::Basis::kPerCm2
                  : PriceSpec::Basis::kPerSession;
  }
  read(o, "amount", {0, 100000}, p.amount);
  if (const json* c = o.find("currency")) {
    const std::string& code = to_string(*c, o.at("currency"));
    const bool iso = code.size() == 3 && std::all_of(code.begin(), code.end(), [](char ch) {
                       return ch >= 'A' && ch <= 'Z';
                     });
    if (!iso) {
      fail(o.at("currency"),
           fmt::format(" = {} is not a 3-letter ISO 4217 code such as \"USD\"", shown(code)));
    }
    p.currency = code;
  }
  return p;
}

bool is_hex_colour(std::string_view text) {
  return text.size() == 7 && text[0] == '#' &&
         std::all_of(text.begin() + 1, text.end(), [](char c) { return std::isxdigit(c) != 0; });
}

SkinSpec parse_skin(const json& value, const std::string& path) {
  const Obj o = object_at(value, path, kSkinKeys);
  SkinSpec s;
  read(o, "fitzpatrick", 1, 6, s.fitzpatrick);
  read(o, "epidermis_mm", {0.04, 0.15}, s.epidermis_mm);
  if (const json* c = o.find("hair_colour")) {
    const std::string colour = to_text(*c, o.at("hair_colour"), kMaxTextBytes);
    if (!is_hex_colour(colour)) {
      fail(o.at("hair_colour"),
           fmt::format(" = {} is not an sRGB colour \"#rrggbb\" such as \"#2b2420\"",
                       shown(colour)));
    }
    s.hair_colour = colour;
  }
  return s;
}

AgingSpec parse_aging(const json& value, const std::string& path) {
  const Obj o = object_at(value, path, kAgingKeys);
  AgingSpec a;
  read(o, "early_loss_fraction", {0, 0.6}, a.early_loss_fraction);
  read(o, "early_loss_weeks", {1, 12}, a.early_loss_weeks);
  read(o, "fade_per_year", {0, 0.5}, a.fade_per_year);
  read(o, "spread_mm2_per_year", {0, 0.05}, a.spread_mm2_per_year);
  read(o, "drift_mm_per_year", {0, 0.05}, a.drift_mm_per_year);
  read(o, "blowout_depth_mm", {0.5, 1.5}, a.blowout_depth_mm);
  read(o, "healed_days", 14, 60, a.healed_days);
  read(o, "touchup_contrast_fraction", {0.3, 0.95}, a.touchup_contrast_fraction);
  return a;
}

std::vector<std::string_view> pattern_views() {
  std::vector<std::string_view> views;
  for (const auto& p : known_patterns()) views.emplace_back(p);
  return views;
}

Plan plan_from_document(const json& root, const std::string& base_dir) {
  expect_object(root, "");
  // The version first: a file from a newer Stipple should say so, not trip over a new key.
  const Obj unchecked{root, ""};
  const json& version =
      unchecked.require("stipple_plan", "the format version; this build reads version 1");
  if (!version.is_number() || version.get<double>() != kPlanFormatVersion) {
    fail("/stipple_plan", fmt::format(" = {} is not supported; supported version: {}",
                                      shown_value(version), kPlanFormatVersion));
  }
  check_keys(root, "", kTopKeys);
  const Obj top{root, ""};

  Plan plan;
  plan.version = kPlanFormatVersion;
  plan.base_dir = base_dir;
  read_text(top, "name", kMaxTextBytes, plan.name);
  read_text(top, "client", kMaxTextBytes, plan.client);
  if (const json* p = top.find("pattern")) {
    const auto views = pattern_views();
    plan.pattern = to_choice(*p, "/pattern", views);
  }
  if (const json* h = top.find("head")) plan.head = parse_head(*h, "/head");
  if (const json* h = top.find("hairline")) plan.hairline = parse_hairline(*h, "/hairline");
  plan.zones = parse_zones(top, plan.pattern == "custom");
  if (const json* p = top.find("pigment")) plan.pigment = parse_pigment(*p, "/pigment");
  if (const json* s = top.find("sessions")) plan.sessions = parse_sessions(*s, "/sessions");
  if (const json* s = top.find("skin")) plan.skin = parse_skin(*s, "/skin");
  if (const json* a = top.find("aging")) plan.aging = parse_aging(*a, "/aging");
  read(top, "rate_dots_per_hour", {2000, 8000}, plan.rate_dots_per_hour);
  if (const json* p = top.find("price")) plan.price = parse_price(*p, "/price");
  if (const json* s = top.find("seed")) {
    plan.seed =
        static_cast<std::uint64_t>(to_integer(*s, "/seed", 0, static_cast<std::int64_t>(kMaxSeed)));
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Writing

json point_json(const ChartPoint& p) {
  return json::array({p.u_mm, p.v_mm});
}

json points_json(const std::vector<ChartPoint>& points) {
  json out = json::array();
  for (const auto& p : points) out.push_back(point_json(p));
  return out;
}

json shape_json(const ZoneShape& shape) {
  const ShapeUse use = shape_use(shape.kind);
  json out = {{"kind", shape_kind_name(shape.kind)}};
  if (use.min_points > 0) out["points"] = points_json(shape.points);
  if (use.centre) out["centre"] = point_json(shape.centre);
  if (use.radius) out["radius_mm"] = shape.radius_mm;
  return out;
}

json whorl_json(const Whorl& w) {
  return {{"enabled", w.enabled},     {"centre", point_json(w.centre)},
          {"radius_mm", w.radius_mm}, {"amplitude", w.amplitude},
          {"arms", w.arms},           {"clockwise", w.clockwise}};
}

json zone_json(const Zone& zone) {
  auto wanted = [&](std::string_view key) {
    return zone.given_keys.empty() ||
           std::find(zone.given_keys.begin(), zone.given_keys.end(), key) != zone.given_keys.end();
  };
  json out = json::object();
  out["name"] = zone.name;
  if (wanted("kind")) out["kind"] = zone.kind;
  if (wanted("shape")) out["shape"] = shape_json(zone.shape);
  if (wanted("density_per_cm2")) out["density_per_cm2"] = zone.density_per_cm2;
  if (wanted("existing_density_per_cm2")) {
    out["existing_density_per_cm2"] = zone.existing_density_per_cm2;
  }
  if (wanted("diameter_min_mm")) out["diameter_min_mm"] = zone.diameter_min_mm;
  if (wanted("diameter_max_mm")) out["diameter_max_mm"] = zone.diameter_max_mm;
  if (wanted("depth_mm")) out["depth_mm"] = zone.depth_mm;
  if (wanted("feather_mm")) out["feather_mm"] = zone.feather_mm;
  if (wanted("dilution") && zone.dilution_water_parts) {
    out["dilution"] = format_dilution(*zone.dilution_water_parts);
  }
  if (wanted("whorl")) out["whorl"] = whorl_json(zone.whorl);
  return out;
}

json head_json(const HeadSpec& head) {
  if (head.kind == HeadSpec::Kind::kMesh) {
    return {{"kind", "mesh"},
            {"mesh", head.mesh_path},
            {"landmarks", head.landmarks_path},
            {"units_to_mm", head.mesh_units_to_mm}};
  }
  const HeadMeasurements& m = head.measurements;
  return {{"kind", "parametric"},
          {"measurements",
           {{"circumference_mm", m.circumference_mm},
            {"length_mm", m.length_mm},
            {"width_mm", m.width_mm},
            {"vertex_height_mm", m.vertex_height_mm}}}};
}

json hairline_json(const HairlineSpec& h) {
  return {{"enabled", h.enabled},
          {"mid_frontal_height_mm", h.mid_frontal_height_mm},
          {"frontotemporal_distance_mm", h.frontotemporal_distance_mm},
          {"temporal_peak_distance_mm", h.temporal_peak_distance_mm},
          {"transition_width_mm", h.transition_width_mm},
          {"depth_mm", h.depth_mm},
          {"irregularity_mm", h.irregularity_mm},
          {"irregularity_wavelength_mm", h.irregularity_wavelength_mm},
          {"sentinel_depth_mm", h.sentinel_depth_mm},
          {"sentinel_fraction", h.sentinel_fraction},
          {"density_per_cm2", h.density_per_cm2},
          {"diameter_min_mm", h.diameter_min_mm},
          {"diameter_max_mm", h.diameter_max_mm},
          {"depth_target_mm", h.depth_target_mm}};
}

json sessions_json(const SessionsSpec& s) {
  json list = json::array();
  for (const auto& session : s.sessions) {
    list.push_back(
        {{"share", session.share}, {"dilution", format_dilution(session.dilution_water_parts)}});
  }
  return {{"sessions", list}, {"spacing_days", s.spacing_days}, {"start_date", s.start_date}};
}

bool is_decimal(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == 0) return false;
  if (i == text.size()) return true;
  if (text[i] != '.' || i + 1 == text.size()) return false;
  for (++i; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// A plain decimal (digits, optionally "." and digits): no sign, exponent, inf or nan, which
// from_chars alone would accept.
bool parse_decimal(std::string_view text, double& out) {
  text = trimmed(text);
  if (text.size() > 400 || !is_decimal(text)) return false;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() && std::isfinite(out);
}

}  // namespace

const std::vector<std::string>& known_patterns() {
  static const std::vector<std::string> patterns = {
      "custom",      "norwood-i",          "norwood-ii", "norwood-iia",
      "norwood-iii", "norwood-iii-vertex", "norwood-iv", "norwood-iva",
      "norwood-v",   "norwood-va",         "norwood-vi", "norwood-vii",
      "ludwig-i",    "ludwig-ii",          "ludwig-iii", "alopecia-areata"};
  return patterns;
}

bool parse_dilution(std::string_view text, double& water_parts) {
  text = trimmed(text);
  if (text == "undiluted") {
    water_parts = 0;
    return true;
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  double water = 0;
  double pigment = 0;
  if (!parse_decimal(text.substr(0, colon), water) ||
      !parse_decimal(text.substr(colon + 1), pigment) || !(pigment > 0)) {
    return false;
  }
  const double ratio = water / pigment;
  if (!std::isfinite(ratio)) return false;
  water_parts = ratio;
  return true;
}

std::string format_dilution(double water_parts) {
  if (water_parts == 0) return "undiluted";
  // Fixed notation (parse_dilution takes no exponent), shortest digits that read back exactly.
  char buffer[400];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, water_parts, std::chars_format::fixed);
  if (result.ec != std::errc()) return fmt::format("{}:1", water_parts);
  return std::string(buffer, result.ptr) + ":1";
}

Plan parse_plan(std::string_view json_text, const std::string& base_dir) {
  const json document = parse_document(json_text);
  return plan_from_document(document, base_dir);
}

Plan load_plan(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path file(path);
  if (!fs::is_regular_file(file, ec)) {
    fail("", fmt::format(": cannot read {}: not a regular file", shown(path)));
  }
  const auto size = fs::file_size(file, ec);
  if (ec) fail("", fmt::format(": cannot read {}: {}", shown(path), ec.message()));
  if (size > kMaxPlanBytes) {
    fail("", fmt::format(": {} is {} bytes, allowed at most {} (1 MiB)", shown(path), size,
                         kMaxPlanBytes));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("", fmt::format(": cannot open {}", shown(path)));
  // Read at most one byte past the limit, in case the file grew since it was measured.
  std::string text(kMaxPlanBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) fail("", fmt::format(": cannot read {}", shown(path)));
  text.resize(static_cast<std::size_t>(in.gcount()));
  std::string base_dir = file.parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  return parse_plan(text, base_dir);
}

nlohmann::json plan_to_json(const Plan& plan) {
  json zones = json::array();
  for (const auto& zone : plan.zones) zones.push_back(zone_json(zone));
  return {{"stipple_plan", plan.version},
          {"name", plan.name},
          {"client", plan.client},
          {"pattern", plan.pattern},
          {"head", head_json(plan.head)},
          {"hairline", hairline_json(plan.hairline)},
          {"zones", zones},
          {"pigment",
           {{"name", plan.pigment.name},
            {"needle", plan.pigment.needle},
            {"needle_diameter_mm", plan.pigment.needle_diameter_mm}}},
          {"sessions", sessions_json(plan.sessions)},
          {"skin",
           {{"fitzpatrick", plan.skin.fitzpatrick},
            {"epidermis_mm", plan.skin.epidermis_mm},
            {"hair_colour", plan.skin.hair_colour}}},
          {"aging",
           {{"early_loss_fraction", plan.aging.early_loss_fraction},
            {"early_loss_weeks", plan.aging.early_loss_weeks},
            {"fade_per_year", plan.aging.fade_per_year},
            {"spread_mm2_per_year", plan.aging.spread_mm2_per_year},
            {"drift_mm_per_year", plan.aging.drift_mm_per_year},
            {"blowout_depth_mm", plan.aging.blowout_depth_mm},
            {"healed_days", plan.aging.healed_days},
            {"touchup_contrast_fraction", plan.aging.touchup_contrast_fraction}}},
          {"rate_dots_per_hour", plan.rate_dots_per_hour},
          {"price",
           {{"basis", plan.price.basis == PriceSpec::Basis::kPerCm2 ? "per_cm2" : "per_session"},
            {"amount", plan.price.amount},
            {"currency", plan.price.currency}}},
          {"seed", plan.seed}};
}

}  // namespace stipple
