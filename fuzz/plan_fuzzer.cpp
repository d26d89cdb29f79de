// libFuzzer target for the plan parser (make fuzz). Any input must give a Plan or a PlanError:
// another exception escaping, a crash or a sanitizer report is a bug. A plan that parses must
// also survive plan_to_json and parse back to itself.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "stipple/plan/plan_compare.h"
#include "stipple/plan/plan_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  stipple::Plan plan;
  try {
    plan = stipple::parse_plan(text, "fuzz");
  } catch (const stipple::PlanError&) {
    return 0;
  }
  const std::string written = stipple::plan_to_json(plan).dump();
  stipple::Plan again;
  try {
    again = stipple::parse_plan(written, "fuzz");
  } catch (const stipple::PlanError& e) {
    std::fprintf(stderr, "a parsed plan does not read back: %s\n%s\n", e.what(), written.c_str());
    std::abort();
  }
  const std::string difference = stipple::plan_difference(plan, again);
  if (!difference.empty()) {
    std::fprintf(stderr, "round trip changed %s\n%s\n", difference.c_str(), written.c_str());
    std::abort();
  }
  return 0;
}
