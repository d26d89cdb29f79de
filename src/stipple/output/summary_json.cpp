#include "stipple/output/summary_json.h"

#include "stipple/output/write_file.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "stipple/output/dots_csv.h"

#ifndef STIPPLE_VERSION
#define STIPPLE_VERSION "unknown"
#endif

namespace stipple {
namespace {

// Rounds to `decimals` decimals. Dividing the rounded integer by an exact power of ten gives the
// double nearest to the decimal, which nlohmann::json prints in its shortest round-trip form
// ("312.4", not "312.40000000000003" as multiplying by 0.1 would give).
double rounded(double v, int decimals, const std::string& field) {
  if (!std::isfinite(v)) {
    throw std::invalid_argument(fmt::format("summary.json: {} is not finite", field));
  }
  const double scale = std::pow(10.0, decimals);
  const double r = std::round(v * scale) / scale;
  return r == 0.0 ? 0.0 : r;  // no "-0.0"
}

template <class Json>
Json point_mm(const Vec3& p, const std::string& field) {
  return Json::array(
      {rounded(p.x(), 1, field), rounded(p.y(), 1, field), rounded(p.z(), 1, field)});
}

const char* basis_name(PriceSpec::Basis basis) {
  return basis == PriceSpec::Basis::kPerCm2 ? "per_cm2" : "per_session";
}

// Built as either nlohmann::json (the API: plain values, keys sorted) or nlohmann::ordered_json
// (the file: keys in this order, the version first, so a person reading it sees it grouped).
template <class Json>
Json build_summary(const PlanResult& r) {
  using json = Json;
  json j;
  j["stipple_summary"] = kSummaryFormatVersion;
  j["stipple_version"] = STIPPLE_VERSION;
  j["name"] = r.plan.name;
  j["client"] = r.plan.client;
  j["pattern"] = r.plan.pattern;
  const HeadMeasurements& m = r.head.measurements;
  j["head"] = {{"source", r.head.source},
               {"measurements",
                {{"circumference_mm", rounded(m.circumference_mm, 1, "head.circumference_mm")},
                 {"length_mm", rounded(m.length_mm, 1, "head.length_mm")},
                 {"width_mm", rounded(m.width_mm, 1, "head.width_mm")},
                 {"vertex_height_mm", rounded(m.vertex_height_mm, 1, "head.vertex_height_mm")}}}};
  j["seed"] = r.plan.seed;
  j["treated_area_cm2"] = rounded(r.treated_area_cm2, 1, "treated_area_cm2");
  j["total_dots"] = r.dots.size();

  json zones = json::array();
  for (std::size_t i = 0; i < r.zones.size(); ++i) {
    const ZoneSummary& z = r.zones[i];
    const std::string f = fmt::format("zones[{}]", i);
    zones.push_back({{"name", z.name},
                     {"kind", z.kind},
                     {"area_cm2", rounded(z.area_cm2, 1, f + ".area_cm2")},
                     {"target_density_per_cm2",
                      rounded(z.target_density_per_cm2, 1, f + ".target_density_per_cm2")},
                     {"realised_density_per_cm2",
                      rounded(z.realised_density_per_cm2, 1, f + ".realised_density_per_cm2")},
                     {"dots", z.dots},
                     {"dots_per_session", z.dots_per_session}});
  }
  j["zones"] = std::move(zones);

  json sessions = json::array();
  double total_hours = 0;
  for (std::size_t i = 0; i < r.sessions.size(); ++i) {
    const SessionSummary& s = r.sessions[i];
    const std::string f = fmt::format("sessions[{}]", i);
    std::string dilution;
    try {
      dilution = format_dilution_ratio(s.dilution_water_parts);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("summary.json: {}.dilution: {}", f, e.what()));
    }
    sessions.push_back({{"session", s.session},
                        {"dots", s.dots},
                        {"hours", rounded(s.hours, 2, f + ".hours")},
                        {"date", s.date},
                        {"dilution", dilution}});
    total_hours += s.hours;
  }
  j["sessions"] = std::move(sessions);
  // From the unrounded session hours, so it may differ from the sum of the rounded ones by 0.01.
  j["total_hours"] = rounded(total_hours, 2, "total_hours");

  json points = json::object();
  for (const auto& [name, p] : r.hairline_points) {
    points[name] = point_mm<json>(p, "hairline_points." + name);
  }
  j["hairline_points"] = std::move(points);

  j["quote"] = {{"currency", r.quote.currency},
                {"basis", r.quote.basis.empty() ? basis_name(r.plan.price.basis) : r.quote.basis},
                {"unit_price", rounded(r.quote.unit_price, 2, "quote.unit_price")},
                {"total", rounded(r.quote.total, 2, "quote.total")}};
  if (r.touch_up) {
    const TouchUpPrediction& t = *r.touch_up;
    j["touch_up"] = {
        {"due", t.due_within_horizon},
        {"due_date", t.due_within_horizon ? json(t.due_date) : json(nullptr)},
        {"years_after_last_session", rounded(t.years_after_last_session, 2, "touch_up.years")},
        {"contrast_healed_de00", rounded(t.contrast_healed_de00, 2, "touch_up.contrast_healed")},
        {"threshold_de00", rounded(t.threshold_de00, 2, "touch_up.threshold_de00")},
        {"horizon_years", t.horizon_years}};
  }
  return j;
}

}  // namespace

nlohmann::json summary_json(const PlanResult& result) {
  return build_summary<nlohmann::json>(result);
}

void write_summary_json(const PlanResult& result, const std::string& path) {
  // Build first, so a bad value throws before anything touches the disk.
  const std::string text = build_summary<nlohmann::ordered_json>(result).dump(2) + "\n";
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  });
}

}  // namespace stipple
