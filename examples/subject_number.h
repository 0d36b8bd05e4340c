// The built-in switches' own check of a subject number, as a vendor's switch
// would carry its own. Written apart from models/identity on purpose: the
// oracle judges with the model's rules, and a reference switch that shared
// them would pass with any bug in them. Here the calendar is std::chrono's
// and the check digit is computed from the right, the model does neither.
#pragma once

#include <chrono>
#include <string_view>

namespace wrongbox::examples {

// 12 digits: a real date from 1800 to 2099 (or that date with 60 added to the
// day), a serial, and the Luhn check digit over the last 10 digits.
inline bool valid_subject_number(std::string_view s) {
  if (s.size() != 12) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto num = [&](std::size_t at, std::size_t n) {
    unsigned v = 0;
    for (std::size_t k = at; k < at + n; ++k) v = v * 10 + static_cast<unsigned>(s[k] - '0');
    return v;
  };
  const unsigned year = num(0, 4);
  unsigned day = num(6, 2);
  if (day > 60) day -= 60;
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(year)),
                                         std::chrono::month(num(4, 2)), std::chrono::day(day)};
  if (year < 1800 || year > 2099 || !date.ok()) return false;
  // Luhn from the right over the last 10 digits: the check digit has weight
  // 1, the digit before it 2, and so on alternately.
  unsigned sum = 0;
  for (std::size_t k = 0; k < 10; ++k) {
    unsigned d = static_cast<unsigned>(s[11 - k] - '0');
    if (k % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

}  // namespace wrongbox::examples
