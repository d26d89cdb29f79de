// Everything one run of a plan produces, as plain data: what dots.csv, summary.json and
// chart.svg are written from (writers in output/), and what the tests read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stipple/aging/touchup.h"
#include "stipple/head/head.h"
#include "stipple/plan/plan.h"
#include "stipple/sampling/dots.h"

namespace stipple {

struct ZoneSummary {
  std::string name;
  std::string kind;
  double area_cm2 = 0;                  // surface where this zone owns the field and dots go
  double target_density_per_cm2 = 0;    // mean target of the dots field over that area
  double realised_density_per_cm2 = 0;  // dots / area
  int dots = 0;
  std::vector<int> dots_per_session;  // [session-1]
  std::vector<Vec3> boundary_mm;      // closed outline on the surface (for charts); may be empty
};

struct SessionSummary {
  int session = 1;
  int dots = 0;
  double hours = 0;  // dots / rate
  std::string date;  // ISO 8601
  double dilution_water_parts = 10;
};

struct Quote {
  std::string currency = "USD";
  std::string basis;  // "per_session" or "per_cm2"
  double unit_price = 0;
  double total = 0;
};

struct PlanResult {
  Plan plan;  // with presets expanded into zones
  Head head;
  DotMap dots;
  std::vector<ZoneSummary> zones;  // same order as plan.zones
  std::vector<SessionSummary> sessions;
  double treated_area_cm2 = 0;
  std::vector<Vec3> hairline_mm;  // the wandered hairline curve on the surface (may be empty)
  std::vector<std::pair<std::string, Vec3>> hairline_points;  // mid_frontal, frontotemporal, ...
  Quote quote;
  // The touch-up prediction (aging/touchup.h); filled by predict_touch_up on request, since it
  // needs the optics and is not part of placing dots.
  std::optional<TouchUpPrediction> touch_up;
};

}  // namespace stipple
