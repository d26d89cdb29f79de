// Colour science against published numbers: Sharma, Wu & Dalal's 34 CIEDE2000 pairs, the sRGB
// transfer function, round trips, hex text.
#include "stipple/optics/colour.h"

#include <gtest/gtest.h>

#include <array>

#include "stipple/error_of.h"
#include "stipple/optics/spectral.h"

namespace stipple::optics {
namespace {

struct SharmaPair {
  Lab a, b;
  double de;
};

// Sharma, Wu & Dalal 2005, Color Res. Appl. 30:21, table 1 (L1 a1 b1, L2 a2 b2, Delta E00).
constexpr std::array<SharmaPair, 34> kSharma = {{
    {{50.0000, 2.6772, -79.7751}, {50.0000, 0.0000, -82.7485}, 2.0425},
    {{50.0000, 3.1571, -77.2803}, {50.0000, 0.0000, -82.7485}, 2.8615},
    {{50.0000, 2.8361, -74.0200}, {50.0000, 0.0000, -82.7485}, 3.4412},
    {{50.0000, -1.3802, -84.2814}, {50.0000, 0.0000, -82.7485}, 1.0000},
    {{50.0000, -1.1848, -84.8006}, {50.0000, 0.0000, -82.7485}, 1.0000},
    {{50.0000, -0.9009, -85.5211}, {50.0000, 0.0000, -82.7485}, 1.0000},
    {{50.0000, 0.0000, 0.0000}, {50.0000, -1.0000, 2.0000}, 2.3669},
    {{50.0000, -1.0000, 2.0000}, {50.0000, 0.0000, 0.0000}, 2.3669},
    {{50.0000, 2.4900, -0.0010}, {50.0000, -2.4900, 0.0009}, 7.1792},
    {{50.0000, 2.4900, -0.0010}, {50.0000, -2.4900, 0.0010}, 7.1792},
    {{50.0000, 2.4900, -0.0010}, {50.0000, -2.4900, 0.0011}, 7.2195},
    {{50.0000, 2.4900, -0.0010}, {50.0000, -2.4900, 0.0012}, 7.2195},
    {{50.0000, -0.0010, 2.4900}, {50.0000, 0.0009, -2.4900}, 4.8045},
    {{50.0000, -0.0010, 2.4900}, {50.0000, 0.0010, -2.4900}, 4.8045},
    {{50.0000, -0.0010, 2.4900}, {50.0000, 0.0011, -2.4900}, 4.7461},
    {{50.0000, 2.5000, 0.0000}, {50.0000, 0.0000, -2.5000}, 4.3065},
    {{50.0000, 2.5000, 0.0000}, {73.0000, 25.0000, -18.0000}, 27.1492},
    {{50.0000, 2.5000, 0.0000}, {61.0000, -5.0000, 29.0000}, 22.8977},
    {{50.0000, 2.5000, 0.0000}, {56.0000, -27.0000, -3.0000}, 31.9030},
    {{50.0000, 2.5000, 0.0000}, {58.0000, 24.0000, 15.0000}, 19.4535},
    {{50.0000, 2.5000, 0.0000}, {50.0000, 3.1736, 0.5854}, 1.0000},
    {{50.0000, 2.5000, 0.0000}, {50.0000, 3.2972, 0.0000}, 1.0000},
    {{50.0000, 2.5000, 0.0000}, {50.0000, 1.8634, 0.5757}, 1.0000},
    {{50.0000, 2.5000, 0.0000}, {50.0000, 3.2592, 0.3350}, 1.0000},
    {{60.2574, -34.0099, 36.2677}, {60.4626, -34.1751, 39.4387}, 1.2644},
    {{63.0109, -31.0961, -5.8663}, {62.8187, -29.7946, -4.0864}, 1.2630},
    {{61.2901, 3.7196, -5.3901}, {61.4292, 2.2480, -4.9620}, 1.8731},
    {{35.0831, -44.1164, 3.7933}, {35.0232, -40.0716, 1.5901}, 1.8645},
    {{22.7233, 20.0904, -46.6940}, {23.0331, 14.9730, -42.5619}, 2.0373},
    {{36.4612, 47.8580, 18.3852}, {36.2715, 50.5065, 21.2231}, 1.4146},
    {{90.8027, -2.0831, 1.4410}, {91.1528, -1.6435, 0.0447}, 1.4441},
    {{90.9257, -0.5406, -0.9208}, {88.6381, -0.8985, -0.7239}, 1.5381},
    {{6.7747, -0.2908, -2.4247}, {5.8714, -0.0985, -2.2286}, 0.6377},
    {{2.0776, 0.0795, -1.1350}, {0.9033, -0.0636, -0.5514}, 0.9082},
}};

TEST(Colour, Ciede2000MatchesSharmaWuDalalTable) {
  for (std::size_t i = 0; i < kSharma.size(); ++i) {
    const SharmaPair& p = kSharma[i];
    ASSERT_GT(p.de, 0) << "pair " << i + 1 << " missing";
    EXPECT_NEAR(ciede2000(p.a, p.b), p.de, 5e-5) << "pair " << i + 1;
    EXPECT_NEAR(ciede2000(p.b, p.a), p.de, 5e-5) << "pair " << i + 1 << " reversed";
  }
  EXPECT_EQ(ciede2000({40, 10, -20}, {40, 10, -20}), 0.0);
}

TEST(Colour, SrgbTransferFunctionKnownValues) {
  EXPECT_DOUBLE_EQ(srgb_encode(0), 0);
  EXPECT_DOUBLE_EQ(srgb_encode(1), 1);
  EXPECT_NEAR(srgb_encode(0.0031308), 0.04045, 1e-5);  // the knee, IEC 61966-2-1
  EXPECT_NEAR(srgb_encode(0.18), 0.4613561, 1e-6);     // 18 % grey
  EXPECT_NEAR(srgb_decode(0.5), 0.2140411, 1e-6);
  EXPECT_EQ(srgb_encode(-0.5), 0);  // clamped
  EXPECT_DOUBLE_EQ(srgb_encode(7), 1);
  EXPECT_EQ(srgb_encode(std::nan("")), 0);
}

TEST(Colour, WhiteAndPrimariesLandWhereTheStandardPutsThem) {
  const Eigen::Vector3d w = xyz_from_linear(Rgb(1, 1, 1));
  EXPECT_NEAR(w[1], 1, 1e-12);
  EXPECT_NEAR(w[0] / w.sum(), 0.3127, 1e-9);
  EXPECT_NEAR(w[1] / w.sum(), 0.3290, 1e-9);
  const Lab white = lab_from_linear(Rgb(1, 1, 1));
  EXPECT_NEAR(white.L, 100, 1e-9);
  EXPECT_NEAR(white.a, 0, 1e-9);
  EXPECT_NEAR(white.b, 0, 1e-9);
  // sRGB red: the familiar L* a* b* = 53.24, 80.09, 67.20.
  const Lab red = lab_from_linear(Rgb(1, 0, 0));
  EXPECT_NEAR(red.L, 53.24, 0.01);
  EXPECT_NEAR(red.a, 80.09, 0.02);
  EXPECT_NEAR(red.b, 67.20, 0.02);
  // The luminance row of the matrix: 0.2126, 0.7152, 0.0722 (IEC 61966-2-1 to 4 digits).
  EXPECT_NEAR(xyz_from_linear(Rgb(1, 0, 0))[1], 0.2126, 1e-4);
  EXPECT_NEAR(xyz_from_linear(Rgb(0, 1, 0))[1], 0.7152, 1e-4);
}

TEST(Colour, RoundTripsToOneInABillion) {
  for (double r = 0; r <= 1.0001; r += 0.125)
    for (double g = 0; g <= 1.0001; g += 0.25)
      for (double b = 0.001; b <= 1.0001; b += 0.333) {
        const Rgb srgb(r, g, b);
        const Rgb lin = linear_from_srgb(srgb);
        EXPECT_LT((srgb_from_linear(lin) - srgb).cwiseAbs().maxCoeff(), 1e-9);
        EXPECT_LT((linear_from_xyz(xyz_from_linear(lin)) - lin).cwiseAbs().maxCoeff(), 1e-9);
        const Eigen::Vector3d xyz = xyz_from_linear(lin);
        EXPECT_LT((xyz_from_lab(lab_from_xyz(xyz)) - xyz).cwiseAbs().maxCoeff(), 1e-9);
        EXPECT_LT((linear_from_lab(lab_from_linear(lin)) - lin).cwiseAbs().maxCoeff(), 1e-9);
      }
}

TEST(Colour, FlatSpectrumIsGrey) {
  const Rgb white = linear_from_spectrum(Spectrum::Ones());
  EXPECT_LT((white - Rgb(1, 1, 1)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_NEAR(xyz_from_spectrum(Spectrum::Ones())[1], 1, 1e-12);
  const Rgb grey = linear_from_spectrum(Spectrum::Constant(0.3));
  EXPECT_LT((grey - Rgb(0.3, 0.3, 0.3)).cwiseAbs().maxCoeff(), 1e-12);
  // The 10 nm tables put the white within ~1e-3 of D65's chromaticity before balancing.
  const Eigen::Vector3d w = xyz_from_spectrum(Spectrum::Ones());
  EXPECT_NEAR(w[0] / w.sum(), 0.3127, 1e-3);
  EXPECT_NEAR(w[1] / w.sum(), 0.3290, 1e-3);
}

TEST(Colour, HexParsesBothFormsAndAnyCase) {
  EXPECT_LT((srgb_from_hex("#FF8000", "hair") - Rgb(1, 128 / 255.0, 0)).norm(), 1e-15);
  EXPECT_LT((srgb_from_hex("3a2b1c", "hair") - Rgb(0x3a, 0x2b, 0x1c) / 255.0).norm(), 1e-15);
  EXPECT_EQ(hex_from_srgb(srgb_from_hex("#3A2b1C", "hair")), "#3a2b1c");
  EXPECT_EQ(hex_from_srgb(Rgb(-1, 2, 0.5)), "#00ff80");
}

TEST(Colour, HexErrorsNameFieldValueAndForm) {
  for (const char* bad : {"#12345", "#1234567", "12x456", "", "#", "##123456", " #123456"}) {
    const std::string msg =
        error_of<std::invalid_argument>([&] { srgb_from_hex(bad, "hair_colour"); });
    EXPECT_NE(msg.find("hair_colour"), std::string::npos) << bad;
    EXPECT_NE(msg.find(std::string("\"") + bad + "\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("#rrggbb"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace stipple::optics
