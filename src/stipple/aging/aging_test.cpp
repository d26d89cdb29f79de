// The time model: states, dot aging and the touch-up prediction.
#include "stipple/aging/aging.h"

#include <gtest/gtest.h>

#include "stipple/aging/session_match.h"
#include "stipple/aging/touchup.h"
#include "stipple/error_of.h"

namespace stipple {
namespace {

TEST(Aging, ParsesStatesAndNamesThemBack) {
  for (const char* s : {"before", "session1", "session3", "fresh", "healed", "1y", "2.5y", "10y"}) {
    EXPECT_EQ(time_state_name(parse_time_state(s, 3)), s);
  }
  const std::string forms =
      "allowed: before, session1 - session3, fresh, healed, or years after the last session as "
      "Ny with 0 < N <= 50 (1y, 3y, 5y, 10y)";
  for (const char* bad : {"", "session0", "session4", "sessionx", "0y", "-1y", "51y", "y", "nany",
                          "infy", "healed ", "Healed"}) {
    EXPECT_EQ(error_of([&] { parse_time_state(bad, 3); }),
              "at: \"" + std::string(bad) + "\" is not a time; " + forms)
        << bad;
  }
}

TEST(Aging, StateDaysFollowTheSchedule) {
  SessionsSpec s;  // 3 sessions, 7 days apart
  AgingSpec a;     // healed at 28 days
  EXPECT_EQ(state_day(parse_time_state("session1", 3), s, a), 0);
  EXPECT_EQ(state_day(parse_time_state("session3", 3), s, a), 14);
  EXPECT_EQ(state_day(parse_time_state("fresh", 3), s, a), 14);
  EXPECT_EQ(state_day(parse_time_state("healed", 3), s, a), 42);
  EXPECT_DOUBLE_EQ(state_day(parse_time_state("2y", 3), s, a), 14 + 2 * 365.25);
  EXPECT_EQ(sessions_done(parse_time_state("before", 3), 3), 0);
  EXPECT_EQ(sessions_done(parse_time_state("session2", 3), 3), 2);
  EXPECT_EQ(sessions_done(parse_time_state("5y", 3), 3), 3);
}

TEST(Aging, DotsFadeSpreadAndDriftMonotonically) {
  const AgingSpec a;
  Dot d;
  d.depth_mm = 0.4;
  d.diameter_mm = 0.3;
  DotAge last = age_dot(d, 0, a, 0.08);
  EXPECT_DOUBLE_EQ(last.load_factor, 1);
  EXPECT_NEAR(last.diameter_mm, 0.36, 1e-12);  // swollen when fresh
  EXPECT_NEAR(last.blood_factor, 3, 1e-12);
  for (double t : {7.0, 28.0, 365.0, 3 * 365.0, 10 * 365.0, 30 * 365.0}) {
    const DotAge now = age_dot(d, t, a, 0.08);
    EXPECT_LT(now.load_factor, last.load_factor) << t;
    EXPECT_GT(now.spread_sigma_mm, last.spread_sigma_mm) << t;
    EXPECT_GT(now.depth_mm, last.depth_mm) << t;
    EXPECT_LE(now.diameter_mm, last.diameter_mm) << t;
    last = now;
  }
  // Healed: about a third of the early loss is behind (Baumler 2015), red and swelling gone.
  const DotAge healed = age_dot(d, 28, a, 0.08);
  EXPECT_NEAR(healed.load_factor, 0.3 * std::exp(-1.0) + 0.7 * std::exp(-0.05 * 28 / 365.25), 1e-9);
  EXPECT_LT(healed.blood_factor, 1.01);
  EXPECT_NEAR(healed.diameter_mm, 0.3, 0.001);
}

TEST(Aging, TooShallowFadesFastTooDeepBlowsOut) {
  const AgingSpec a;
  Dot shallow, target, deep;
  shallow.depth_mm = 0.1;  // straddles the 0.08 mm epidermis
  target.depth_mm = 0.4;
  deep.depth_mm = 1.1;  // beyond the 0.8 mm blowout depth
  const double year = 365.25;
  EXPECT_LT(age_dot(shallow, 28, a, 0.08).load_factor,
            0.8 * age_dot(target, 28, a, 0.08).load_factor);
  EXPECT_LT(age_dot(shallow, 5 * year, a, 0.08).load_factor,
            0.7 * age_dot(target, 5 * year, a, 0.08).load_factor);
  EXPECT_GT(age_dot(deep, 28, a, 0.08).spread_sigma_mm, 0.3);
  EXPECT_LT(age_dot(target, 28, a, 0.08).spread_sigma_mm, 0.05);
  EXPECT_GT(age_dot(deep, 5 * year, a, 0.08).spread_sigma_mm,
            2 * age_dot(target, 5 * year, a, 0.08).spread_sigma_mm);
}

DotMap lattice(double depth_mm, double dilution, int sessions) {
  DotMap dots;
  for (int i = 0; i < 300; ++i) {
    Dot d;
    d.position_mm = Vec3::Zero();
    d.normal = Vec3::UnitZ();
    d.id = i;
    d.session = 1 + i % sessions;
    d.depth_mm = depth_mm;
    d.diameter_mm = 0.35;
    d.dilution_water_parts = dilution;
    dots.push_back(d);
  }
  return dots;
}

TEST(TouchUp, DueWithinTheClinicsRangeAndEarlierWhenShallowOrFaster) {
  Plan plan;
  const TouchUpPrediction p = predict_touch_up(plan, lattice(0.4, 8, 3));
  ASSERT_TRUE(p.due_within_horizon);
  // domain.md: touch-ups every 3 - 5 years (1.5 - 5).
  EXPECT_GT(p.years_after_last_session, 1.5);
  EXPECT_LT(p.years_after_last_session, 6);
  EXPECT_NEAR(p.threshold_de00, 0.7 * p.contrast_healed_de00, 1e-9);
  EXPECT_EQ(p.due_date.size(), 10u);
  EXPECT_GT(p.due_date, plan.sessions.start_date);

  const TouchUpPrediction shallow = predict_touch_up(plan, lattice(0.25, 8, 3));
  ASSERT_TRUE(shallow.due_within_horizon);
  EXPECT_LT(shallow.years_after_last_session, p.years_after_last_session);

  Plan fast = plan;
  fast.aging.fade_per_year = 0.15;
  const TouchUpPrediction f = predict_touch_up(fast, lattice(0.4, 8, 3));
  EXPECT_LT(f.years_after_last_session, 0.9 * p.years_after_last_session);

  Plan never = plan;
  never.aging.fade_per_year = 0;
  never.aging.spread_mm2_per_year = 0;
  never.aging.drift_mm_per_year = 0;
  const TouchUpPrediction n = predict_touch_up(never, lattice(0.4, 8, 3));
  EXPECT_FALSE(n.due_within_horizon);
  EXPECT_TRUE(n.due_date.empty());

  EXPECT_FALSE(predict_touch_up(plan, {}).due_within_horizon);
}

TEST(SessionMatch, EarlierSessionsNeedNoLighterInkAndErrorsNameTheField) {
  SkinSpec skin;
  skin.fitzpatrick = 2;
  skin.hair_colour = "#6b5a4a";  // a light-brown stubble, reachable through skin
  const auto m = match_sessions(skin, SessionsSpec{}, AgingSpec{}, 0.4, 0.35);
  ASSERT_EQ(m.size(), 3u);
  for (std::size_t i = 0; i < m.size(); ++i) {
    EXPECT_EQ(m[i].session, static_cast<int>(i + 1));
    EXPECT_GE(m[i].dilution_water_parts, 0);
    EXPECT_LE(m[i].dilution_water_parts, 40);
    EXPECT_EQ(m[i].apparent_hex.size(), 7u);
    if (i > 0) {
      EXPECT_LT(m[i].age_days, m[i - 1].age_days);
      EXPECT_GT(m[i].load_factor, m[i - 1].load_factor);
      // Older dots have lost more: they need at least as strong a mix.
      EXPECT_GE(m[i].dilution_water_parts, m[i - 1].dilution_water_parts - 1e-9);
    }
  }
  EXPECT_LT(m.back().delta_e00, 15);
  skin.hair_colour = "brown";
  EXPECT_NE(error_of([&] {
              match_sessions(skin, SessionsSpec{}, AgingSpec{}, 0.4, 0.35);
            }).find("hair_colour"),
            std::string::npos);
  skin.hair_colour = "#2b2420";
  EXPECT_EQ(error_of([&] { match_sessions(skin, SessionsSpec{}, AgingSpec{}, 1.5, 0.35); }),
            "depth_mm: 1.5 is out of range 0.2 - 1.2");
}

}  // namespace
}  // namespace stipple
