// Identity-number rules of docs/exchange.md ("Valid subject numbers").
#include "models/identity.h"

#include <algorithm>
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

// The keys follow in_collision_family's three ways: the 10-digit form, the
// date less the 60 of a coordination number with the serial, and the first
// 11 digits with one of them blanked (a digit value of 10).
std::array<std::uint64_t, kFamilyKeys> collision_family_keys(std::string_view x) {
  constexpr int kTagShift = 58;
  std::array<std::uint64_t, kFamilyKeys> keys{};
  std::uint64_t d[12];
  for (int i = 0; i < 12; ++i) d[i] = static_cast<std::uint64_t>(x[i] - '0');
  auto digits = [&](int from, int to) {
    std::uint64_t v = 0;
    for (int i = from; i < to; ++i) v = v * 11 + d[i];
    return v;
  };
  const std::uint64_t first11 = digits(0, 11);
  keys[0] = first11 * 11 + d[11];  // tag 0: the same number
  keys[1] = (std::uint64_t{1} << kTagShift) | digits(2, 12);
  keys[2] = (std::uint64_t{2} << kTagShift) |
            ((digits(0, 6) * 121 + (d[6] * 10 + d[7]) % 60) * 1331 + digits(8, 11));
  std::uint64_t weight = 1;  // 11^(10 - pos)
  for (int pos = 10; pos >= 0; --pos, weight *= 11) {
    keys[static_cast<std::size_t>(3 + pos)] =
        (static_cast<std::uint64_t>(3 + pos) << kTagShift) | (first11 + (10 - d[pos]) * weight);
  }
  return keys;
}

std::vector<std::string> collision_neighbours(const std::string& p) {
  std::vector<std::string> out;
  if (!is_valid_person_number(p)) return out;
  const int year = digits(p, 0, 4);
  const int month = digits(p, 4, 2);
  int day = digits(p, 6, 2);
  const bool coord = day > 60;
  if (coord) day -= 60;
  const int serial = digits(p, 8, 3);
  auto add = [&](std::optional<std::string> x) {
    if (x && *x != p && std::find(out.begin(), out.end(), *x) == out.end()) out.push_back(*x);
  };
  add(make_person_number(year >= 2000 ? year - 100 : year + 100, month, day, serial, coord));
  add(make_person_number(year, month, day, serial, !coord));
  add(make_person_number(year, month, day, (serial + 1) % 1000, coord));
  add(make_person_number(year, month, day, (serial + 10) % 1000, coord));
  return out;
}

}  // namespace wrongbox::model
