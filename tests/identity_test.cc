// Identity numbers: the edge cases that make switches mix people up.
#include "models/identity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "examples/subject_number.h"

namespace wrongbox::model {
namespace {

TEST(IdentityTest, AcceptsAPersonnummerWithTheRightCheckDigit) {
  EXPECT_TRUE(is_valid_person_number("199001011239"));
  EXPECT_TRUE(is_valid_person_number("191212121212"));
}

TEST(IdentityTest, TwoCenturiesWithTheSameTenDigitsAreTwoValidPeople) {
  EXPECT_TRUE(is_valid_person_number("191212121212"));
  EXPECT_TRUE(is_valid_person_number("201212121212"));
  EXPECT_EQ(ten_digit_form("191212121212"), ten_digit_form("201212121212"));
}

TEST(IdentityTest, LeadingZeroYearsOfTheTwoThousandsAreKept) {
  const auto p = make_person_number(2005, 6, 7, 8, false);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, "200506070085");
  EXPECT_EQ(ten_digit_form(*p), "0506070085");
  EXPECT_EQ(ten_digit_form(*p).front(), '0');
}

TEST(IdentityTest, SamordningsnummerAddsSixtyToTheDay) {
  const auto p = make_person_number(1985, 3, 14, 234, true);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, "198503742341");
  EXPECT_TRUE(is_valid_person_number(*p));
  EXPECT_TRUE(is_coordination_number(*p));
  EXPECT_FALSE(is_coordination_number("198503142344"));
  // Day 31 + 60 = 91 is fine in March, day 30+60 = 90 is not fine in February.
  EXPECT_TRUE(make_person_number(1985, 3, 31, 1, true));
  EXPECT_EQ(check_person_number("19850290"
                                "0012")
                .error,
            IdentityError::kDay);
}

TEST(IdentityTest, RejectsAWrongCheckDigitAndSaysWhichIsRight) {
  const auto c = check_person_number("199001011238");
  EXPECT_EQ(c.error, IdentityError::kCheckDigit);
  EXPECT_EQ(c.expected_check_digit, '9');
  EXPECT_EQ(describe(c), "check digit should be 9");
}

TEST(IdentityTest, RejectsDatesThatDoNotExist) {
  EXPECT_EQ(check_person_number("199013011230").error, IdentityError::kMonth);
  EXPECT_EQ(check_person_number("199000011230").error, IdentityError::kMonth);
  EXPECT_EQ(check_person_number("199004311230").error, IdentityError::kDay);
  EXPECT_EQ(check_person_number("199001001230").error, IdentityError::kDay);
  EXPECT_EQ(check_person_number("199001921230").error, IdentityError::kDay);  // 92-60 = 32
}

TEST(IdentityTest, LeapDaysFollowTheGregorianRules) {
  EXPECT_TRUE(make_person_number(2000, 2, 29, 111, false));   // divisible by 400
  EXPECT_FALSE(make_person_number(1900, 2, 29, 111, false));  // divisible by 100 only
  EXPECT_TRUE(make_person_number(1996, 2, 29, 111, false));
  EXPECT_FALSE(make_person_number(1997, 2, 29, 111, false));
  EXPECT_TRUE(is_valid_person_number("200002291110"));
}

TEST(IdentityTest, RejectsWrongLengthsCharactersAndYears) {
  EXPECT_EQ(check_person_number("9001011239").error, IdentityError::kLength);
  EXPECT_EQ(check_person_number("19900101-1239").error, IdentityError::kLength);
  EXPECT_EQ(check_person_number("1990010112a9").error, IdentityError::kNotDigits);
  EXPECT_EQ(check_person_number("").error, IdentityError::kLength);
  EXPECT_EQ(check_person_number("170001011230").error, IdentityError::kYear);
  EXPECT_EQ(check_person_number("210001011230").error, IdentityError::kYear);
}

TEST(IdentityTest, NeighboursDifferingInOneDigitAreDifferentValidPeople) {
  const auto a = make_person_number(1971, 8, 21, 556, false);
  const auto b = make_person_number(1971, 8, 21, 566, false);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(is_valid_person_number(*a));
  EXPECT_TRUE(is_valid_person_number(*b));
}

TEST(IdentityTest, MakeRefusesImpossibleInput) {
  EXPECT_FALSE(make_person_number(1990, 2, 30, 1, false));
  EXPECT_FALSE(make_person_number(1990, 1, 1, 1000, false));
  EXPECT_FALSE(make_person_number(1799, 1, 1, 1, false));
  EXPECT_FALSE(make_person_number(1990, 13, 1, 1, false));
}

TEST(IdentityTest, EveryMadeNumberValidates) {
  for (int y : {1800, 1899, 1900, 1999, 2000, 2009, 2099}) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= days_in_month(y, m); d += 7) {
        for (bool co : {false, true}) {
          const auto p = make_person_number(y, m, d, (y + m * 31 + d) % 1000, co);
          ASSERT_TRUE(p);
          EXPECT_TRUE(is_valid_person_number(*p)) << *p;
        }
      }
    }
  }
}

// The keys must not miss a family: every pair in_collision_family accepts
// shares a key, so a batch's families are found without comparing all pairs.
TEST(IdentityTest, CollisionFamilyMembersShareAKeyAndStrangersRarelyDo) {
  std::vector<std::string> numbers;
  for (int y : {1912, 2012, 1990, 2005}) {
    for (int d : {1, 2, 12, 21}) {
      for (int serial : {121, 122, 131, 221}) {
        for (bool co : {false, true}) {
          if (auto p = make_person_number(y, 12, d, serial, co)) numbers.push_back(*p);
        }
      }
    }
  }
  int family = 0, strangers_sharing = 0;
  for (const auto& a : numbers) {
    const auto ka = collision_family_keys(a);
    EXPECT_EQ(ka, collision_family_keys(a));
    for (const auto& b : numbers) {
      if (a == b) continue;
      const auto kb = collision_family_keys(b);
      bool shared = false;
      for (auto x : ka) shared |= std::find(kb.begin(), kb.end(), x) != kb.end();
      EXPECT_NE(ka[0], kb[0]) << a << " " << b;
      if (in_collision_family(a, b)) {
        ++family;
        EXPECT_TRUE(shared) << a << " and " << b << " are one family but share no key";
      } else {
        strangers_sharing += shared;
      }
    }
  }
  EXPECT_GT(family, 100);
  // One digit apart in the check digit only shares the blanked-digit keys
  // of no position: strangers share keys only through such near misses.
  EXPECT_LT(strangers_sharing, family);
}

TEST(IdentityTest, CollisionNeighboursAreValidFamilyMembers) {
  for (const auto& p : {"199001011239", "200512312385", "191212721217"}) {
    if (!is_valid_person_number(p)) continue;
    const auto nb = collision_neighbours(p);
    EXPECT_FALSE(nb.empty()) << p;
    for (const auto& x : nb) {
      EXPECT_TRUE(is_valid_person_number(x)) << x;
      EXPECT_TRUE(in_collision_family(p, x)) << p << " " << x;
    }
  }
  EXPECT_TRUE(collision_neighbours("199001011230").empty());
}

// The built-in switches check subject numbers with code of their own
// (examples/subject_number.h); it must agree with the model's rules, or the
// reference switch would be judged by a rule it does not follow.
TEST(IdentityTest, TheSwitchesOwnCheckAgreesWithTheModel) {
  std::uint64_t x = 12345;
  int valid = 0;
  for (int n = 0; n < 200000; ++n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string s(12, '0');
    std::uint64_t y = x >> 8;
    // Dates near the edges: years 1799-2100, months 0-13, days 0-32 and 60-92.
    const int year = 1799 + static_cast<int>(y % 302);
    y /= 302;
    const int month = static_cast<int>(y % 14);
    y /= 14;
    int day = static_cast<int>(y % 33);
    y /= 33;
    if (y % 2) day += 60;
    y /= 2;
    const std::string head = std::to_string(year) + (month < 10 ? "0" : "") +
                             std::to_string(month) + (day < 10 ? "0" : "") + std::to_string(day);
    s = head + std::to_string(100 + y % 900) + std::to_string((y / 900) % 10);
    if (n % 50 == 0) s[static_cast<std::size_t>(n / 50 % 12)] = 'x';
    EXPECT_EQ(examples::valid_subject_number(s), is_valid_person_number(s)) << s;
    valid += is_valid_person_number(s);
  }
  EXPECT_GT(valid, 5000);  // both sides of the rule were met
  EXPECT_FALSE(examples::valid_subject_number("19900101123"));
  EXPECT_FALSE(examples::valid_subject_number("1990010112390"));
}

}  // namespace
}  // namespace wrongbox::model
