// summary.json: what a plan run amounts to (areas, counts, realised densities, hours, dates,
// quote), for the web front end, clinics' tools and reports. Field by field in docs/formats.md.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "stipple/output/plan_result.h"

namespace stipple {

// The value of "stipple_summary" in every summary this build writes. Bump it (and document the
// change in docs/formats.md) whenever a field is removed, renamed or changes meaning or unit.
inline constexpr int kSummaryFormatVersion = 1;

// The summary of one run. Numbers are rounded to what they can honestly claim: areas to
// 0.1 cm2, densities to 0.1 dots/cm2, hours to 0.01 h, money to 0.01, positions to 0.1 mm.
// Throws std::invalid_argument naming the field when a number is not finite.
nlohmann::json summary_json(const PlanResult& result);

// Writes summary_json(result), indented by 2, with a final line break. Written under a
// temporary name and renamed into place; throws std::runtime_error naming the path.
void write_summary_json(const PlanResult& result, const std::string& path);

}  // namespace stipple
