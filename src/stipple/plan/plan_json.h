// The plan file: JSON, {"stipple_plan": 1, ...}, documented field by field in
// docs/plan-format.md. Parsing validates everything it reads: an unknown key, a wrong type, a
// number out of its range or a broken cross-field rule is a PlanError naming the JSON path, the
// value and what is allowed. Any input, however malformed, gives either a Plan or a PlanError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "stipple/plan/plan.h"

namespace stipple {

// A plan that cannot be used. what() is the full message, e.g.
//   plan: /hairline/transition_width_mm = 25 is out of range, allowed 5 to 10
// and path() the JSON pointer of the offending value ("" for the whole document or file).
class PlanError : public std::runtime_error {
 public:
  PlanError(std::string path, const std::string& message)
      : std::runtime_error(message), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The one plan format version this build reads and writes.
inline constexpr int kPlanFormatVersion = 1;

// Limits that keep a hostile or broken file from exhausting memory or the stack.
inline constexpr std::size_t kMaxPlanBytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr int kMaxJsonDepth = 32;              // a valid plan nests 6 levels deep
inline constexpr std::size_t kMaxZones = 200;         // zones + scars
inline constexpr std::size_t kMaxShapePoints = 2000;  // per shape
inline constexpr std::size_t kMaxSessions = 6;

// Added to half a FUT scar's width (and to an FUE scar's radius) so the pigment covers the
// scar's edge and a little of the skin beside it, where the scar's pale margin shows.
inline constexpr double kScarMarginMm = 2.0;

// The "pattern" values a plan may name, "custom" first; presets.h expands the others.
const std::vector<std::string>& known_patterns();

// Parses and validates a plan. base_dir is the folder relative paths in the plan (head mesh,
// landmarks) are resolved against; it is stored in Plan::base_dir. Throws PlanError.
Plan parse_plan(std::string_view json_text, const std::string& base_dir);

// Reads a plan file (at most kMaxPlanBytes) and parses it with base_dir = the file's folder.
// Throws PlanError, also when the file cannot be read.
Plan load_plan(const std::string& path);

// The plan as JSON, such that parse_plan(plan_to_json(p).dump(), p.base_dir) equals p. Scars
// are written as the zones they became. A zone with given_keys writes only those keys (it may be
// a partial override of a preset zone); a zone without writes every key.
nlohmann::json plan_to_json(const Plan& plan);

// Parses a dilution written "W:P" (water:pigment, e.g. "20:1", "3:0.5") or "undiluted" into
// water parts per pigment part; false when the text is neither (the range is not checked).
bool parse_dilution(std::string_view text, double& water_parts);

// The dilution as written in a plan: "undiluted" for 0, else "W:1" in the fewest digits that
// read back to the same double.
std::string format_dilution(double water_parts);

}  // namespace stipple
