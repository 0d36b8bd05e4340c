// Swedish identity numbers in canonical 12-digit form (YYYYMMDDNNNC).
//
// The 12-digit string *is* the identity: 191212121212 and 201212121212 are two
// people whose 10-digit forms coincide. Nothing here parses loose input
// ("19121212-1212", 10 digits): a switch that needs that is exactly the kind
// of switch Wrongbox is built to catch.
//
// Example usage:
//   auto p = wrongbox::model::make_person_number(1990, 1, 1, 123, /*coordination=*/false);
//   assert(p && wrongbox::model::check_person_number(*p).ok());
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wrongbox::model {

// Why a string is not a valid person number; kOk when it is.
enum class IdentityError {
  kOk,
  kLength,      // not exactly 12 characters
  kNotDigits,   // a character outside 0-9
  kYear,        // year outside 1800-2099
  kMonth,       // month outside 01-12
  kDay,         // day (after removing the +60 of a samordningsnummer) not in that month
  kCheckDigit,  // last digit is not the Luhn check over the last 10 digits
};

struct IdentityCheck {
  IdentityError error = IdentityError::kOk;
  char expected_check_digit = 0;  // set when error == kCheckDigit
  bool ok() const { return error == IdentityError::kOk; }
};

// Validates a canonical 12-digit personnummer or samordningsnummer.
IdentityCheck check_person_number(std::string_view s);
inline bool is_valid_person_number(std::string_view s) {
  return check_person_number(s).ok();
}

// A human sentence for an error, e.g. "check digit should be 9".
std::string describe(const IdentityCheck& check);

// Luhn check digit over 9 digits (the 10-digit form without its last digit).
char luhn_check_digit(std::string_view nine_digits);

// The 10-digit form (YYMMDDNNNC) of a 12-digit number. REQUIRES: s.size() == 12.
std::string ten_digit_form(std::string_view s);

// True when the day field carries +60 (samordningsnummer). REQUIRES: valid number.
bool is_coordination_number(std::string_view s);

// Builds a valid 12-digit number, or nullopt when the date is not real or the
// serial is outside 0-999. With `coordination`, 60 is added to the day.
std::optional<std::string> make_person_number(int year, int month, int day, int serial,
                                              bool coordination);

// Whether two distinct valid numbers are easy to confuse: the same 10-digit
// form (two centuries), personnummer and samordningsnummer of one date and
// serial, or one digit apart before the check digit. Switches that key on
// less than all 12 digits, or mistype one, join such people.
bool in_collision_family(std::string_view a, std::string_view b);

// Keys for finding a number's family among many without comparing every
// pair: two numbers of one family share at least one key (in_collision_family
// then decides), and the same number shares all. Key 0 is the number itself;
// keys are tagged by index, so keys of different kinds never meet.
// REQUIRES: `twelve` is 12 ASCII digits.
inline constexpr std::size_t kFamilyKeys = 14;
std::array<std::uint64_t, kFamilyKeys> collision_family_keys(std::string_view twelve);

// Valid members of p's collision family that a generator can reach: the
// same date and serial a century away, its personnummer/samordningsnummer
// twin, and the next serials. Empty for an invalid number.
std::vector<std::string> collision_neighbours(const std::string& p);

bool is_leap_year(int year);
int days_in_month(int year, int month);

}  // namespace wrongbox::model
