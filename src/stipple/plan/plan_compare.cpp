#include "stipple/plan/plan_compare.h"

#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

namespace stipple {
namespace {

// Collects the first difference; later comparisons are no-ops once one is found.
class Differ {
 public:
  const std::string& result() const { return first_; }

  template <typename T>
  void same(const std::string& path, const T& a, const T& b) {
    if (first_.empty() && !(a == b)) first_ = fmt::format("{}: {} vs {}", path, text(a), text(b));
  }

  void same(const std::string& path, const ChartPoint& a, const ChartPoint& b) {
    same(path + "/0", a.u_mm, b.u_mm);
    same(path + "/1", a.v_mm, b.v_mm);
  }

  void same(const std::string& path, const std::vector<ChartPoint>& a,
            const std::vector<ChartPoint>& b) {
    same(path + " (count)", a.size(), b.size());
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
      same(fmt::format("{}/{}", path, i), a[i], b[i]);
    }
  }

  void same(const std::string& path, const std::optional<double>& a,
            const std::optional<double>& b) {
    same(path + " (given)", a.has_value(), b.has_value());
    if (a && b) same(path, *a, *b);
  }

  void same(const std::string& path, const std::vector<std::string>& a,
            const std::vector<std::string>& b) {
    same(path + " (count)", a.size(), b.size());
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
      same(fmt::format("{}/{}", path, i), a[i], b[i]);
    }
  }

 private:
  template <typename T>
  static std::string text(const T& value) {
    if constexpr (std::is_enum_v<T>) {
      return std::to_string(static_cast<int>(value));
    } else if constexpr (std::is_same_v<T, std::string>) {
      return "\"" + value + "\"";
    } else {
      return fmt::format("{}", value);
    }
  }

  std::string first_;
};

void compare(Differ& d, const std::string& p, const HeadSpec& a, const HeadSpec& b) {
  d.same(p + "/kind", a.kind, b.kind);
  const std::string m = p + "/measurements";
  d.same(m + "/circumference_mm", a.measurements.circumference_mm, b.measurements.circumference_mm);
  d.same(m + "/length_mm", a.measurements.length_mm, b.measurements.length_mm);
  d.same(m + "/width_mm", a.measurements.width_mm, b.measurements.width_mm);
  d.same(m + "/vertex_height_mm", a.measurements.vertex_height_mm, b.measurements.vertex_height_mm);
  d.same(p + "/mesh", a.mesh_path, b.mesh_path);
  d.same(p + "/landmarks", a.landmarks_path, b.landmarks_path);
  d.same(p + "/units_to_mm", a.mesh_units_to_mm, b.mesh_units_to_mm);
}

void compare(Differ& d, const std::string& p, const HairlineSpec& a, const HairlineSpec& b) {
  d.same(p + "/enabled", a.enabled, b.enabled);
  d.same(p + "/mid_frontal_height_mm", a.mid_frontal_height_mm, b.mid_frontal_height_mm);
  d.same(p + "/frontotemporal_distance_mm", a.frontotemporal_distance_mm,
         b.frontotemporal_distance_mm);
  d.same(p + "/temporal_peak_distance_mm", a.temporal_peak_distance_mm,
         b.temporal_peak_distance_mm);
  d.same(p + "/transition_width_mm", a.transition_width_mm, b.transition_width_mm);
  d.same(p + "/depth_mm", a.depth_mm, b.depth_mm);
  d.same(p + "/irregularity_mm", a.irregularity_mm, b.irregularity_mm);
  d.same(p + "/irregularity_wavelength_mm", a.irregularity_wavelength_mm,
         b.irregularity_wavelength_mm);
  d.same(p + "/sentinel_depth_mm", a.sentinel_depth_mm, b.sentinel_depth_mm);
  d.same(p + "/sentinel_fraction", a.sentinel_fraction, b.sentinel_fraction);
  d.same(p + "/density_per_cm2", a.density_per_cm2, b.density_per_cm2);
  d.same(p + "/diameter_min_mm", a.diameter_min_mm, b.diameter_min_mm);
  d.same(p + "/diameter_max_mm", a.diameter_max_mm, b.diameter_max_mm);
  d.same(p + "/depth_target_mm", a.depth_target_mm, b.depth_target_mm);
}

void compare(Differ& d, const std::string& p, const Zone& a, const Zone& b) {
  d.same(p + "/name", a.name, b.name);
  d.same(p + "/kind", a.kind, b.kind);
  d.same(p + "/shape/kind", a.shape.kind, b.shape.kind);
  d.same(p + "/shape/points", a.shape.points, b.shape.points);
  d.same(p + "/shape/centre", a.shape.centre, b.shape.centre);
  d.same(p + "/shape/radius_mm", a.shape.radius_mm, b.shape.radius_mm);
  d.same(p + "/density_per_cm2", a.density_per_cm2, b.density_per_cm2);
  d.same(p + "/existing_density_per_cm2", a.existing_density_per_cm2, b.existing_density_per_cm2);
  d.same(p + "/diameter_min_mm", a.diameter_min_mm, b.diameter_min_mm);
  d.same(p + "/diameter_max_mm", a.diameter_max_mm, b.diameter_max_mm);
  d.same(p + "/depth_mm", a.depth_mm, b.depth_mm);
  d.same(p + "/feather_mm", a.feather_mm, b.feather_mm);
  d.same(p + "/dilution", a.dilution_water_parts, b.dilution_water_parts);
  d.same(p + "/whorl/enabled", a.whorl.enabled, b.whorl.enabled);
  d.same(p + "/whorl/centre", a.whorl.centre, b.whorl.centre);
  d.same(p + "/whorl/radius_mm", a.whorl.radius_mm, b.whorl.radius_mm);
  d.same(p + "/whorl/amplitude", a.whorl.amplitude, b.whorl.amplitude);
  d.same(p + "/whorl/arms", a.whorl.arms, b.whorl.arms);
  d.same(p + "/whorl/clockwise", a.whorl.clockwise, b.whorl.clockwise);
  d.same(p + " (given_keys)", a.given_keys, b.given_keys);
}

}  // namespace

std::string plan_difference(const Plan& a, const Plan& b) {
  Differ d;
  d.same("/stipple_plan", a.version, b.version);
  d.same("/name", a.name, b.name);
  d.same("/client", a.client, b.client);
  d.same("/pattern", a.pattern, b.pattern);
  compare(d, "/head", a.head, b.head);
  compare(d, "/hairline", a.hairline, b.hairline);
  d.same("/zones (count)", a.zones.size(), b.zones.size());
  for (std::size_t i = 0; i < a.zones.size() && i < b.zones.size(); ++i) {
    compare(d, fmt::format("/zones/{}", i), a.zones[i], b.zones[i]);
  }
  d.same("/pigment/name", a.pigment.name, b.pigment.name);
  d.same("/pigment/needle", a.pigment.needle, b.pigment.needle);
  d.same("/pigment/needle_diameter_mm", a.pigment.needle_diameter_mm, b.pigment.needle_diameter_mm);
  const auto& sa = a.sessions.sessions;
  const auto& sb = b.sessions.sessions;
  d.same("/sessions/sessions (count)", sa.size(), sb.size());
  for (std::size_t i = 0; i < sa.size() && i < sb.size(); ++i) {
    d.same(fmt::format("/sessions/sessions/{}/share", i), sa[i].share, sb[i].share);
    d.same(fmt::format("/sessions/sessions/{}/dilution", i), sa[i].dilution_water_parts,
           sb[i].dilution_water_parts);
  }
  d.same("/sessions/spacing_days", a.sessions.spacing_days, b.sessions.spacing_days);
  d.same("/sessions/start_date", a.sessions.start_date, b.sessions.start_date);
  d.same("/rate_dots_per_hour", a.rate_dots_per_hour, b.rate_dots_per_hour);
  d.same("/skin/fitzpatrick", a.skin.fitzpatrick, b.skin.fitzpatrick);
  d.same("/skin/epidermis_mm", a.skin.epidermis_mm, b.skin.epidermis_mm);
  d.same("/skin/hair_colour", a.skin.hair_colour, b.skin.hair_colour);
  d.same("/aging/early_loss_fraction", a.aging.early_loss_fraction, b.aging.early_loss_fraction);
  d.same("/aging/early_loss_weeks", a.aging.early_loss_weeks, b.aging.early_loss_weeks);
  d.same("/aging/fade_per_year", a.aging.fade_per_year, b.aging.fade_per_year);
  d.same("/aging/spread_mm2_per_year", a.aging.spread_mm2_per_year, b.aging.spread_mm2_per_year);
  d.same("/aging/drift_mm_per_year", a.aging.drift_mm_per_year, b.aging.drift_mm_per_year);
  d.same("/aging/blowout_depth_mm", a.aging.blowout_depth_mm, b.aging.blowout_depth_mm);
  d.same("/aging/healed_days", a.aging.healed_days, b.aging.healed_days);
  d.same("/aging/touchup_contrast_fraction", a.aging.touchup_contrast_fraction,
         b.aging.touchup_contrast_fraction);
  d.same("/price/basis", a.price.basis, b.price.basis);
  d.same("/price/amount", a.price.amount, b.price.amount);
  d.same("/price/currency", a.price.currency, b.price.currency);
  d.same("/seed", a.seed, b.seed);
  d.same("base_dir", a.base_dir, b.base_dir);
  return d.result();
}

}  // namespace stipple
