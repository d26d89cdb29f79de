// For tests: a shipped example plan (examples/NAME.json), run once per test binary and kept,
// since placing its dots takes a second.
#pragma once

#include <map>
#include <string>

#include "stipple/output/plan_result.h"
#include "stipple/plan/plan_json.h"
#include "stipple/planner.h"

namespace stipple {

// The result of run_plan on examples/`name`.json (STIPPLE_SOURCE_DIR is the test binary's).
inline const PlanResult& example_result(const std::string& name) {
  static std::map<std::string, PlanResult> done;  // tests run on one thread
  auto it = done.find(name);
  if (it == done.end()) {
    it = done.emplace(name, run_plan(load_plan(std::string(STIPPLE_SOURCE_DIR) + "/examples/" +
                                               name + ".json")))
             .first;
  }
  return it->second;
}

}  // namespace stipple
