// Comparing plans field by field, for round-trip tests, the fuzzer and callers that need to know
// whether an edited plan changed. plan.h's structs carry no operator== (HeadMeasurements lives
// in head.h), so the comparison is spelled out here, one line per field.
#pragma once

#include <string>

#include "stipple/plan/plan.h"

namespace stipple {

// "" when a and b are equal in every field (doubles compared exactly, including base_dir and
// Zone::given_keys); otherwise the first difference as "<path>: <a> vs <b>", the path in the
// plan file's JSON names where it has one (e.g. "/zones/1/shape/radius_mm: 3 vs 4").
std::string plan_difference(const Plan& a, const Plan& b);

}  // namespace stipple
