// Identity numbers: the edge cases that make switches mix people up.
#include "models/identity.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace wrongbox::model
