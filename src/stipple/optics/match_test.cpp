// Dilution matching on its public API: in range, deterministic, honest about the difference,
// and monotone in the target's lightness.
#include "stipple/optics/match.h"

#include <gtest/gtest.h>

#include "stipple/error_of.h"

namespace stipple::optics {
namespace {

TEST(Match, DeterministicInRangeAndHonest) {
  const SkinLayers s = skin_for_fitzpatrick(2);
  const Rgb hair = srgb_from_hex("#8a7f72", "hair");
  const MatchResult a = match_dilution(hair, s, 0.3, 0.4, 1);
  const MatchResult b = match_dilution(hair, s, 0.3, 0.4, 1);
  EXPECT_EQ(a.dilution_water_parts, b.dilution_water_parts);
  EXPECT_EQ(a.delta_e00, b.delta_e00);
  EXPECT_GE(a.dilution_water_parts, 0);
  EXPECT_LE(a.dilution_water_parts, 40);
  EXPECT_NEAR(a.delta_e00,
              ciede2000(lab_from_linear(linear_from_srgb(hair)),
                        lab_from_linear(linear_from_srgb(a.apparent_srgb))),
              1e-9);
  // The apparent colour is the model's dot centre at that W.
  const DotOptics o = dot_optics(s, 0.3, pigment_concentration(a.dilution_water_parts));
  EXPECT_LT((srgb_from_linear(dot_centre_colour(o, 0.4)) - a.apparent_srgb).norm(), 1e-12);
  // No scan point is better than the answer.
  for (double w = 0; w <= 40; w += 0.5) {
    const DotOptics ow = dot_optics(s, 0.3, pigment_concentration(w));
    const double d = ciede2000(lab_from_linear(linear_from_srgb(hair)),
                               lab_from_linear(dot_centre_colour(ow, 0.4)));
    EXPECT_GE(d, a.delta_e00 - 1e-9) << w;
  }
}

TEST(Match, LighterHairNeedsMoreWater) {
  const SkinLayers s = skin_for_fitzpatrick(2);
  // Targets on the model's own dilution line are reachable: their W comes back.
  const double ws[] = {2, 6, 12, 20};
  double last = -1;
  for (double w : ws) {
    const DotOptics o = dot_optics(s, 0.25, pigment_concentration(w));
    const Rgb target = srgb_from_linear(dot_centre_colour(o, 0.4));
    const MatchResult m = match_dilution(target, s, 0.25, 0.4, 1);
    EXPECT_NEAR(m.dilution_water_parts, w, 0.05) << w;
    EXPECT_LT(m.delta_e00, 0.05);
    EXPECT_GT(m.dilution_water_parts, last);
    last = m.dilution_water_parts;
  }
}

TEST(Match, UnreachableDarkHairGivesNeatAndSaysHowFar) {
  const MatchResult m =
      match_dilution(srgb_from_hex("#0a0a0a", "hair"), skin_for_fitzpatrick(1), 0.4, 0.4, 1);
  EXPECT_EQ(m.dilution_water_parts, 0);
  EXPECT_GT(m.delta_e00, 10);
}

TEST(Match, FadedPigmentNeedsLessWater) {
  const SkinLayers s = skin_for_fitzpatrick(3);
  const Rgb hair =
      srgb_from_linear(dot_centre_colour(dot_optics(s, 0.3, pigment_concentration(10)), 0.4));
  const MatchResult fresh = match_dilution(hair, s, 0.3, 0.4, 1);
  const MatchResult faded = match_dilution(hair, s, 0.3, 0.4, 0.7);
  EXPECT_LT(faded.dilution_water_parts, fresh.dilution_water_parts);
}

TEST(Match, BadArgumentsNameTheField) {
  const SkinLayers s;
  EXPECT_NE(error_of<std::invalid_argument>([&] {
              match_dilution(Rgb(2, 0, 0), s, 0.4, 0.4, 1);
            }).find("hair_srgb"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>([&] {
              match_dilution(Rgb(0.2, 0.2, 0.2), s, 0.4, 3, 1);
            }).find("diameter_mm"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>([&] {
              match_dilution(Rgb(0.2, 0.2, 0.2), s, 0.4, 0.4, 0);
            }).find("load_factor"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>([&] {
              match_dilution(Rgb(0.2, 0.2, 0.2), s, 9, 0.4, 1);
            }).find("depth_mm"),
            std::string::npos);
}

}  // namespace
}  // namespace stipple::optics
