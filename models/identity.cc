// Identity-number rules of docs/exchange.md ("Valid subject numbers").
#include "models/identity.h"

#include <array>
#include <cstdlib>

namespace wrongbox::model {
namespace {

int digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && is_leap_year(year)) return 29;
  return kDays[static_cast<std::size_t>(month - 1)];
}

char luhn_check_digit(std::string_view nine) {
  int sum = 0;
  for (std::size_t i = 0; i < nine.size(); ++i) {
    int d = nine[i] - '0';
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

IdentityCheck check_person_number(std::string_view s) {
  IdentityCheck r;
  if (s.size() != 12) {
    r.error = IdentityError::kLength;
    return r;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      r.error = IdentityError::kNotDigits;
      return r;
    }
  }
  const int year = digits(s, 0, 4);
  const int month = digits(s, 4, 2);
  int day = digits(s, 6, 2);
  if (year < 1800 || year > 2099) {
    r.error = IdentityError::kYear;
    return r;
  }
  if (month < 1 || month > 12) {
    r.error = IdentityError::kMonth;
    return r;
  }
  if (day > 60) day -= 60;
  if (day < 1 || day > days_in_month(year, month)) {
    r.error = IdentityError::kDay;
    return r;
  }
  const char expected = luhn_check_digit(s.substr(2, 9));
  if (s[11] != expected) {
    r.error = IdentityError::kCheckDigit;
    r.expected_check_digit = expected;
  }
  return r;
}

std::string describe(const IdentityCheck& c) {
  switch (c.error) {
    case IdentityError::kOk:
      return "valid";
    case IdentityError::kLength:
      return "a person number has exactly 12 digits (YYYYMMDDNNNC)";
    case IdentityError::kNotDigits:
      return "a person number has only the digits 0-9";
    case IdentityError::kYear:
      return "year must be 1800-2099";
    case IdentityError::kMonth:
      return "month must be 01-12";
    case IdentityError::kDay:
      return "day is not a date of that month (samordningsnummer: day+60)";
    case IdentityError::kCheckDigit:
      return std::string("check digit should be ") + c.expected_check_digit;
  }
  return "invalid";
}

std::string ten_digit_form(std::string_view s) {
  return std::string(s.substr(2));
}

bool is_coordination_number(std::string_view s) {
  return digits(s, 6, 2) > 60;
}

std::optional<std::string> make_person_number(int year, int month, int day, int serial,
                                              bool coordination) {
  if (year < 1800 || year > 2099 || serial < 0 || serial > 999) return std::nullopt;
  if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
  // YYYYMMDDNNN, then the check digit.
  std::string s(12, '0');
  std::size_t end = 0;
  auto put = [&](int v, std::size_t width) {
    end += width;
    for (std::size_t i = end; i-- > end - width; v /= 10) s[i] = static_cast<char>('0' + v % 10);
  };
  put(year, 4);
  put(month, 2);
  put(coordination ? day + 60 : day, 2);
  put(serial, 3);
  s[11] = luhn_check_digit(std::string_view(s).substr(2, 9));
  return s;
}

bool in_collision_family(std::string_view x, std::string_view y) {
  if (x.size() != 12 || y.size() != 12 || x == y) return false;
  int diff = 0;
  for (std::size_t k = 0; k < 11; ++k) diff += x[k] != y[k];
  const bool ten = x.compare(2, 10, y.substr(2, 10)) == 0;
  const bool coord = x.compare(0, 6, y.substr(0, 6)) == 0 && x.compare(8, 3, y.substr(8, 3)) == 0 &&
                     std::abs((x[6] - y[6]) * 10 + (x[7] - y[7])) == 60;
  return ten || coord || diff == 1;
}

}  // namespace wrongbox::model
