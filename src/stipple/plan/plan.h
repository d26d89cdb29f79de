// The treatment plan as plain data. Parsed from JSON by plan_json.h ({"stipple_plan": 1, ...},
// documented field by field in docs/plan-format.md); presets (Norwood, Ludwig, alopecia areata)
// expand into explicit zones by presets.h. Defaults and ranges come from shared/domain.md and
// are repeated next to each field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stipple/geometry/mesh.h"
#include "stipple/head/head.h"

namespace stipple {

// Positions on the scalp are given in the scalp chart (docs/plan-format.md): an azimuthal
// equidistant map centred on the vertex, u_mm to the subject's right and v_mm toward the face,
// each measured along the surface from the vertex (like a tape laid over the head). It is the
// top view of a Norwood chart, in millimetres.
struct ChartPoint {
  double u_mm = 0;
  double v_mm = 0;
};

struct HeadSpec {
  enum class Kind { kParametric, kMesh };
  Kind kind = Kind::kParametric;
  HeadMeasurements measurements;  // kParametric
  std::string mesh_path;          // kMesh: OBJ or PLY, relative to the plan file
  std::string landmarks_path;     // kMesh: landmarks JSON, relative to the plan file
  double mesh_units_to_mm = 1.0;  // kMesh: scale to millimetres (1000 for metres), 0.001 - 1000
};

// The frontal hairline, from the rules in domain.md.
struct HairlineSpec {
  bool enabled = true;
  double mid_frontal_height_mm = 80.0;       // above the glabella along the midline; 60 - 100 (men
                                             // 70 - 100, Garg; Shapiro; women ~64, e-aaps)
  double frontotemporal_distance_mm = 80.0;  // mid-frontal to frontotemporal point, along the
                                             // scalp, each on its lateral canthal line; 60 - 100
  double temporal_peak_distance_mm = 50.0;   // frontotemporal point to temporal peak; 30 - 70
  double transition_width_mm = 8.0;          // density ramp behind the line; 5 - 10
  double depth_mm = 30.0;                    // hairline zone depth behind the line; 20 - 40
  double irregularity_mm = 2.0;              // macro-irregularity amplitude; 0 - 5
  double irregularity_wavelength_mm = 18.0;  // of the smooth wander; 5 - 60
  double sentinel_depth_mm = 3.0;            // micro-irregularity: sentinel band ahead; 0 - 8
  double sentinel_fraction = 0.12;           // density at the line as a fraction of full; 0 - 0.5
  double density_per_cm2 = 90.0;             // hairline zone target; 20 - 200
  double diameter_min_mm = 0.20;             // finer dots at the hairline (1RL 0.20); 0.1 - 1.0
  double diameter_max_mm = 0.35;             // 0.1 - 1.0
  double depth_target_mm = 0.35;             // pigment depth; 0.2 - 1.2
};

// A region of the scalp.
struct ZoneShape {
  enum class Kind {
    kPolygon,         // points: a closed polygon in the chart
    kCircle,          // centre + radius_mm (3D distance on the surface)
    kStrip,           // points: an open polyline (e.g. an FUT scar) + radius_mm half width
    kDiscs,           // points: centres of discs of radius_mm (e.g. FUE scars)
    kBehindHairline,  // the band from the hairline to HairlineSpec::depth_mm behind it
    kWholeScalp       // everything behind the hairline down to the fringe line
  };
  Kind kind = Kind::kPolygon;
  std::vector<ChartPoint> points;
  ChartPoint centre;
  double radius_mm = 0;
};

struct Whorl {
  bool enabled = false;
  ChartPoint centre;        // usually the crown, ~60-90 mm behind the vertex
  double radius_mm = 35;    // 10 - 80
  double amplitude = 0.12;  // relative density modulation; 0 - 0.4
  int arms = 2;             // spiral arms; 1 - 4
  bool clockwise = true;    // mostly clockwise (domain.md)
};

struct Zone {
  std::string name;            // unique, [a-z0-9_-], 1 - 40 characters
  std::string kind = "scalp";  // "scalp", "hairline", "crown", "scar", "patch", "blend"
  ZoneShape shape;
  double density_per_cm2 = 100;         // target dots/cm2 incl. existing hair; 20 - 200
  double existing_density_per_cm2 = 0;  // visible follicular units/cm2 already there; 0 - 200
  double diameter_min_mm = 0.25;        // healed dot diameter range; 0.1 - 1.0
  double diameter_max_mm = 0.45;
  double depth_mm = 0.4;                       // 0.2 - 1.2
  double feather_mm = 10;                      // soft edge inside the boundary; 0 - 40
  std::optional<double> dilution_water_parts;  // overrides the session's dilution (scars)
  Whorl whorl;
  // The JSON keys the plan file gave for this zone (plan_json.h), in canonical order; empty for
  // zones built in code. The preset expander merges only these keys over a preset zone of the
  // same name, and plan_to_json writes only these keys when the list is not empty.
  std::vector<std::string> given_keys;
};

struct Session {
  double share = 1.0 / 3;            // of the final dots; all shares sum to 1
  double dilution_water_parts = 10;  // written "W:1" water:pigment; 0 - 40
};

struct SessionsSpec {
  std::vector<Session> sessions = {  // 1 - 6; default 3: 40 %, 35 %, 25 % at 20:1, 12:1, 6:1
      {0.40, 20},
      {0.35, 12},
      {0.25, 6}};
  int spacing_days = 7;                   // 7 - 30
  std::string start_date = "2026-12-01";  // ISO 8601
};

struct PriceSpec {
  enum class Basis { kPerSession, kPerCm2 };
  Basis basis = Basis::kPerSession;
  double amount = 3500;  // per session or per cm2; 0 - 100000
  std::string currency = "USD";
};

struct PigmentSpec {
  std::string name = "carbon black";
  std::string needle = "1RL 0.25 mm";
  double needle_diameter_mm = 0.25;  // 0.18 - 0.35
};

// The client's skin and hair, for the preview (docs/optics.md) and pigment matching.
struct SkinSpec {
  int fitzpatrick = 3;                  // Fitzpatrick skin type I - VI (epidermal melanin)
  double epidermis_mm = 0.08;           // scalp epidermis 0.06 - 0.10 (domain.md, brandwoodclinic)
  std::string hair_colour = "#2b2420";  // the client's stubble colour, sRGB "#rrggbb"
};

// How dots heal, fade and spread (docs/aging.md). Every constant of the fading model of
// domain.md is a plan parameter: amount(t) = A0 (f e^(-t/tau1) + (1 - f) e^(-k t)),
// sigma(t)^2 = sigma0^2 + 2 D t, depth(t) = depth0 + v t.
struct AgingSpec {
  double early_loss_fraction = 0.3;        // f: lost in the first weeks (Baumler 2015: about a
                                           // third); 0 - 0.6
  double early_loss_weeks = 4;             // tau1 (domain.md 2 - 6 weeks); 1 - 12
  double fade_per_year = 0.05;             // k, slow loss (macrophage turnover, UV); 0 - 0.5
  double spread_mm2_per_year = 0.0015;     // D, lateral diffusion (Eames 2011: a few mm over
                                           // many years); 0 - 0.05
  double drift_mm_per_year = 0.005;        // v, pigment drifts deeper (Sperry 1992); 0 - 0.05
  double blowout_depth_mm = 0.8;           // deeper than this spreads and blues fast; 0.5 - 1.5
  int healed_days = 28;                    // final colour ~4 weeks (scalpclinic.com); 14 - 60
  double touchup_contrast_fraction = 0.7;  // touch-up due when the dots' contrast against the
                                           // skin falls below this share of the healed; 0.3 - 0.95
};

struct Plan {
  int version = 1;
  std::string name;
  std::string client;
  HeadSpec head;
  std::string pattern = "custom";  // preset name ("norwood-v", "ludwig-ii", "alopecia-areata",
                                   // "scar-fut", ...) or "custom"; presets fill zones
  HairlineSpec hairline;
  std::vector<Zone> zones;  // drawn in order: later zones sit on top of earlier ones
  PigmentSpec pigment;
  SessionsSpec sessions;
  SkinSpec skin;
  AgingSpec aging;
  double rate_dots_per_hour = 4000;  // 2000 - 8000
  PriceSpec price;
  std::uint64_t seed = 1;
  std::string base_dir;  // folder of the plan file, for relative paths (not in JSON)
};

}  // namespace stipple
