// The skin and dot model on its public API: the physical behaviour the preview relies on
// (deeper is bluer and blurrier, dilution is lighter, darker skin has less contrast), plausible
// skin colours, finiteness over the whole accepted input range, and the error messages.
#include "stipple/optics/skin.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "stipple/error_of.h"
#include "stipple/optics/kubelka_munk.h"

namespace stipple::optics {
namespace {

bool finite(const Rgb& v) {
  return v.allFinite();
}

TEST(OpticsKm, LayerLimitsAndStacking) {
  const Spectrum K = Spectrum::Constant(0.3), S = Spectrum::Constant(3.0);
  const KmLayer zero = km_layer(K, S, 0);
  EXPECT_EQ(zero.R[0], 0);
  EXPECT_EQ(zero.T[0], 1);
  // Very thick: R -> R_inf, T -> 0, no overflow.
  const KmLayer thick = km_layer(K, S, 1e4);
  EXPECT_NEAR(thick.R[3], km_r_infinity(K, S)[3], 1e-12);
  EXPECT_EQ(thick.T[3], 0);
  // R_inf = 1 + K/S - sqrt((K/S)^2 + 2 K/S).
  EXPECT_NEAR(km_r_infinity(K, S)[0], 1.1 - std::sqrt(0.01 + 0.2), 1e-12);
  // Two halves stacked are the whole layer (KM layers compose exactly).
  const KmLayer whole = km_layer(K, S, 0.4);
  const KmLayer halves = km_stack(km_layer(K, S, 0.1), km_layer(K, S, 0.3));
  EXPECT_NEAR(halves.R[7], whole.R[7], 1e-12);
  EXPECT_NEAR(halves.T[7], whole.T[7], 1e-12);
  // A non-absorbing layer: R = S d / (1 + S d), T = 1 / (1 + S d), R + T = 1.
  const KmLayer clear = km_layer(Spectrum::Zero(), S, 0.5);
  EXPECT_NEAR(clear.R[0], 1.5 / 2.5, 1e-9);
  EXPECT_NEAR(clear.T[0], 1 / 2.5, 1e-9);
  // Saunderson: r_i for n = 1.4 is ~0.53 (diffuse internal reflectance), and R = 0 stays 0.
  EXPECT_NEAR(internal_diffuse_reflectance(1.4), 0.53, 0.02);
  EXPECT_EQ(saunderson(Spectrum::Zero(), 1.4)[0], 0);
  EXPECT_LT(saunderson(Spectrum::Constant(0.8), 1.4)[0], 0.8);
}

TEST(OpticsSkin, FitzpatrickColoursArePlausible) {
  double last_L = 101;
  for (int type = 1; type <= 6; ++type) {
    const Rgb r = skin_reflectance(skin_for_fitzpatrick(type));
    for (int c = 0; c < 3; ++c) {
      EXPECT_GT(r[c], 0);
      EXPECT_LT(r[c], 1);
    }
    EXPECT_GT(r[0], r[1]) << "skin is red-brown, red reflects most";
    EXPECT_GT(r[1], r[2]);
    const Lab lab = lab_from_linear(r);
    EXPECT_LT(lab.L, last_L) << "type " << type;
    last_L = lab.L;
    EXPECT_GT(lab.a, 2) << "type " << type;
    EXPECT_LT(lab.a, 20) << "type " << type;
    EXPECT_GT(lab.b, 8) << "type " << type;
    EXPECT_LT(lab.b, 30) << "type " << type;
  }
  const double L1 = lab_from_linear(skin_reflectance(skin_for_fitzpatrick(1))).L;
  const double L6 = lab_from_linear(skin_reflectance(skin_for_fitzpatrick(6))).L;
  EXPECT_GT(L1, 63);
  EXPECT_LT(L1, 76);
  EXPECT_GT(L6, 24);
  EXPECT_LT(L6, 40);
  // The struct's defaults are type III.
  EXPECT_LT((skin_reflectance(SkinLayers{}) - skin_reflectance(skin_for_fitzpatrick(3))).norm(),
            1e-15);
}

TEST(OpticsSkin, BadInputsNameTheField) {
  EXPECT_EQ(error_of<std::invalid_argument>([] { skin_for_fitzpatrick(7); }),
            "fitzpatrick: 7 is out of range 1 - 6");
  EXPECT_NE(error_of<std::invalid_argument>([] { skin_for_fitzpatrick(0); }).find("fitzpatrick"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>([] {
              skin_for_fitzpatrick(2, 1.0);
            }).find("epidermis_mm: 1 is out of range"),
            std::string::npos);
  const std::string w = error_of<std::invalid_argument>([] { pigment_concentration(41); });
  EXPECT_NE(w.find("dilution_water_parts"), std::string::npos) << w;
  EXPECT_NE(w.find("41"), std::string::npos) << w;
  EXPECT_NE(w.find("0 - 40"), std::string::npos) << w;
  EXPECT_NE(error_of<std::invalid_argument>([] { pigment_concentration(-1); }), "");
  EXPECT_NE(error_of<std::invalid_argument>([] { pigment_concentration(std::nan("")); }), "");
  const SkinLayers s;
  EXPECT_NE(error_of<std::invalid_argument>([&] { dot_optics(s, 2.5, 0.5); }).find("depth_mm"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>([&] { dot_optics(s, 0.01, 0.5); }).find("depth_mm"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>([&] { dot_optics(s, 0.4, 1.5); }).find("pigment_load"),
            std::string::npos);
  EXPECT_NE(
      error_of<std::invalid_argument>([&] { erythema_transmit(s, 0.5); }).find("blood_factor"),
      std::string::npos);
  SkinLayers bad;
  bad.blood_oxygenation = 2;
  EXPECT_NE(
      error_of<std::invalid_argument>([&] { skin_reflectance(bad); }).find("blood_oxygenation"),
      std::string::npos);
}

TEST(OpticsSkin, PigmentConcentrationIsOneOverOnePlusW) {
  EXPECT_DOUBLE_EQ(pigment_concentration(0), 1);
  EXPECT_DOUBLE_EQ(pigment_concentration(20), 1.0 / 21);
  EXPECT_DOUBLE_EQ(pigment_concentration(40), 1.0 / 41);
}

TEST(OpticsDot, NoPigmentIsBareSkin) {
  const SkinLayers s = skin_for_fitzpatrick(2);
  for (double depth : {0.05, 0.08, 0.12, 0.4, 2.0}) {
    const DotOptics o = dot_optics(s, depth, 0);
    EXPECT_LT((o.transmit - Rgb(1, 1, 1)).cwiseAbs().maxCoeff(), 1e-12) << depth;
    EXPECT_LT((o.skin - skin_reflectance(s)).cwiseAbs().maxCoeff(), 1e-12) << depth;
  }
}

TEST(OpticsDot, DeeperIsBluerAndBlurrier) {
  // "Bluer": the darkening 1 - transmit is ever more red than blue as the deposit goes deeper
  // (the tissue above returns blue light before it reaches the pigment). The plain ratio of the
  // transmits is not monotone in this model: at depth all of them tend to 1 as the dot fades
  // from view, which pulls the ratio back towards 1.
  for (int type : {1, 3, 5}) {
    const SkinLayers s = skin_for_fitzpatrick(type);
    double last_share = 0;
    Rgb last_sigma = Rgb::Zero();
    for (double depth : {0.1, 0.2, 0.4, 0.8, 1.2, 2.0}) {
      const DotOptics o = dot_optics(s, depth, pigment_concentration(6));
      EXPECT_LT(o.transmit[0], o.transmit[1]) << depth;
      EXPECT_LE(o.transmit[1], o.transmit[2]) << depth;
      // Where blue is still darkened measurably (at depth it is not at all: the share is then
      // unbounded, the bluest possible).
      if (1 - o.transmit[2] > 1e-4) {
        const double share = (1 - o.transmit[0]) / (1 - o.transmit[2]);
        EXPECT_GT(share, last_share) << "type " << type << " depth " << depth;
        last_share = share;
      }
      for (int c = 0; c < 3; ++c) EXPECT_GT(o.blur_sigma_mm[c], last_sigma[c]) << depth;
      EXPECT_GT(o.blur_sigma_mm[0], o.blur_sigma_mm[1]);
      EXPECT_GT(o.blur_sigma_mm[1], o.blur_sigma_mm[2]);
      last_sigma = o.blur_sigma_mm;
    }
  }
  // Sigma is about kBlurKappa x depth when shallow, bounded by the penetration depth when deep.
  const SkinLayers s = skin_for_fitzpatrick(3);
  const Rgb delta = dermal_penetration_depth_mm(s);
  EXPECT_NEAR(delta[0], 1.5, 0.4);  // domain.md: ~1.5 mm red, 0.77 green, 0.45 blue
  EXPECT_NEAR(delta[1], 0.77, 0.2);
  EXPECT_NEAR(delta[2], 0.45, 0.15);
  EXPECT_LT(dot_optics(s, 2.0, 1).blur_sigma_mm[2], kBlurKappa * delta[2]);
}

TEST(OpticsDot, MoreWaterIsLighter) {
  const SkinLayers s = skin_for_fitzpatrick(3);
  for (double depth : {0.2, 0.4, 0.8}) {
    Rgb last = Rgb::Zero();
    for (double w : {0.0, 3.0, 6.0, 12.0, 20.0, 40.0}) {
      const DotOptics o = dot_optics(s, depth, pigment_concentration(w));
      for (int c = 0; c < 3; ++c) {
        EXPECT_GE(o.transmit[c], last[c]) << depth << " " << w;
        EXPECT_GT(o.transmit[c], 0);
        EXPECT_LE(o.transmit[c], 1);
      }
      EXPECT_GT(o.transmit[0], last[0]) << "red always changes";
      last = o.transmit;
    }
  }
  // Neat pigment at the target depth darkens clearly; 20:1 clearly less.
  const DotOptics neat = dot_optics(s, 0.4, 1), w20 = dot_optics(s, 0.4, pigment_concentration(20));
  EXPECT_LT(neat.transmit[0], 0.75);
  EXPECT_GT(1 - w20.transmit[0], 0.1);
  EXPECT_GT(1 - w20.transmit[0], 0);
  EXPECT_LT(1 - w20.transmit[0], 0.85 * (1 - neat.transmit[0]));
}

TEST(OpticsDot, DarkerSkinHasLessContrast) {
  double last_de = 1e9, last_L = 101;
  for (int type = 1; type <= 6; ++type) {
    const DotOptics o = dot_optics(skin_for_fitzpatrick(type), 0.4, pigment_concentration(6));
    const Lab skin = lab_from_linear(o.skin);
    const double de = ciede2000(skin, lab_from_linear(dot_centre_colour(o, 0.4)));
    EXPECT_LT(de, last_de) << "type " << type;
    EXPECT_LT(skin.L, last_L) << "type " << type;
    last_de = de, last_L = skin.L;
  }
}

TEST(OpticsDot, ErythemaReddens) {
  const SkinLayers s = skin_for_fitzpatrick(2);
  EXPECT_LT((erythema_transmit(s, 1) - Rgb(1, 1, 1)).cwiseAbs().maxCoeff(), 1e-12);
  const Rgb e = erythema_transmit(s, 5);
  EXPECT_GT(e[0], e[1]);
  EXPECT_GT(e[0], e[2]);
  EXPECT_GT(e[0], 0.8);
  EXPECT_LT(e[1], 0.95);
  for (int c = 0; c < 3; ++c) EXPECT_GT(e[c], 0);
}

TEST(OpticsDot, DiscGaussianCentre) {
  EXPECT_EQ(disc_gaussian_centre(0.2, 0), 1);
  EXPECT_EQ(disc_gaussian_centre(0, 0.1), 0);
  EXPECT_NEAR(disc_gaussian_centre(0.2, 0.2), 1 - std::exp(-0.5), 1e-15);
  EXPECT_NEAR(disc_gaussian_centre(1, 0.1), 1, 1e-15);
  DotOptics o;
  o.skin = Rgb(0.5, 0.4, 0.3);
  o.transmit = Rgb(0.5, 0.6, 0.7);
  o.blur_sigma_mm = Rgb(0, 0, 0);
  EXPECT_LT((dot_centre_colour(o, 0.4) - Rgb(0.25, 0.24, 0.21)).norm(), 1e-15);
  o.blur_sigma_mm = Rgb(0.2, 0.2, 0.2);
  const double c = 1 - std::exp(-0.5);
  EXPECT_NEAR(dot_centre_colour(o, 0.4)[0], 0.5 * (1 - c * 0.5), 1e-15);
}

TEST(OpticsDot, FiniteOverTheAcceptedRange) {
  for (int type = 1; type <= 6; ++type)
    for (double epi : {0.02, 0.06, 0.1, 0.3})
      for (double depth : {0.05, 0.06, 0.1, 0.25, 0.5, 1.0, 2.0})
        for (double load : {0.0, 1e-6, 0.05, 0.3, 1.0}) {
          const DotOptics o = dot_optics(skin_for_fitzpatrick(type, epi), depth, load);
          ASSERT_TRUE(finite(o.skin) && finite(o.with_pigment) && finite(o.transmit) &&
                      finite(o.blur_sigma_mm));
          for (int c = 0; c < 3; ++c) {
            ASSERT_GT(o.transmit[c], 0);
            ASSERT_LE(o.transmit[c], 1);
            ASSERT_GT(o.skin[c], 0);
            ASSERT_LT(o.skin[c], 1);
            ASSERT_GT(o.blur_sigma_mm[c], 0);
          }
          ASSERT_TRUE(finite(dot_centre_colour(o, 0.3)));
        }
  SkinLayers extreme;
  extreme.melanin_fraction = 0.6;
  extreme.blood_fraction = 0.1;
  extreme.blood_oxygenation = 0;
  EXPECT_TRUE(finite(dot_optics(extreme, 0.05, 1).transmit));
  extreme.melanin_fraction = 0;
  extreme.blood_fraction = 0;
  EXPECT_TRUE(finite(dot_optics(extreme, 2.0, 1).transmit));
}

}  // namespace
}  // namespace stipple::optics
