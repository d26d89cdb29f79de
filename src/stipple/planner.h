// One plan, end to end: the head, the density field, every dot of every session, and the
// summaries (areas, counts, realised densities, hours, dates, quote). A plain function of its
// input: deterministic for the plan's seed, no I/O but reading the plan's head mesh.
#pragma once

#include "stipple/field/density_field.h"
#include "stipple/field/field_grid.h"
#include "stipple/output/plan_result.h"
#include "stipple/plan/plan.h"

namespace stipple {

struct PlannerOptions {
  int surface_res = 128;  // cube-map texels per face edge for the head surface (~1.2 mm)
  int field_res = 128;    // for the baked density field (~1.2 mm)
};

// Builds the plan's head (parametric, or the scanned mesh relative to plan.base_dir).
Head build_head(const Plan& plan);

// Runs the plan. Throws std::invalid_argument naming the plan field when the design cannot be
// built on this head, std::runtime_error when a file cannot be read.
PlanResult run_plan(const Plan& plan, const PlannerOptions& options = {});

// The same, with the field and grid kept for inspection (tests, benchmarks).
struct PlanRun {
  PlanResult result;
  DensityField field;
  FieldGrid grid;
};
PlanRun run_plan_detailed(const Plan& plan, const PlannerOptions& options = {});

// Adds `days` to an ISO 8601 date (YYYY-MM-DD). Throws std::invalid_argument on a bad date.
std::string add_days(const std::string& iso_date, int days);

}  // namespace stipple
