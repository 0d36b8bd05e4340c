// A message id read as a number: the scenario format's id ranges and the
// oracle's runs of consecutive ids both take "a whole decimal number written
// without leading zeros" and nothing else ("007", "+7", "7a" are not).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wrongbox {

// `text` as such a number of at most `max_digits` digits (at most 19, so
// that it fits), or nullopt.
inline std::optional<std::uint64_t> plain_decimal(std::string_view text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits || text.size() > 19 ||
      (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace wrongbox
