// The property list, its meanings, and how a violation is told.
#include "harness/core/oracle/property.h"

#include <algorithm>
#include <array>

#include "harness/core/printable.h"

namespace wrongbox {
namespace {

constexpr std::array<const char*, kPropertyCount> kNames = {"S1", "S2", "S3", "S4", "S5", "S6",
                                                            "C1", "C2", "C3", "C4", "L1"};

}  // namespace

const char* to_string(Property p) {
  return kNames[static_cast<int>(p)];
}

std::optional<Property> property_from_string(std::string_view s) {
  for (int i = 0; i < kPropertyCount; ++i) {
    if (s == kNames[i]) return static_cast<Property>(i);
  }
  return std::nullopt;
}

bool is_safety(Property p) {
  return static_cast<int>(p) <= static_cast<int>(Property::S6);
}

const char* meaning(Property p) {
  switch (p) {
    case Property::S1:
      return "content delivered to a mailbox belongs to that mailbox's owner";
    case Property::S2:
      return "content printed for a person belongs to them; nothing is printed for a protected "
             "person";
    case Property::S3:
      return "the staff log holds no content and no protected person's number";
    case Property::S4:
      return "a receipt goes only to the sender of the message it names and holds no content";
    case Property::S5:
      return "a rejected message, or one with an invalid subject, goes nowhere";
    case Property::S6:
      return "content and protected persons' numbers rest only in the switch's private store, "
             "readable by the switch alone";
    case Property::C1:
      return "every accepted message reaches exactly one sink, exactly once";
    case Property::C2:
      return "title and parts arrive byte-identical, in order, none missing or added";
    case Property::C3:
      return "the sink is the one the routing rules choose at that moment";
    case Property::C4:
      return "each handled message produces exactly one receipt to its sender";
    case Property::L1:
      return "with registry and operators up, the switch is idle within 100 ticks";
  }
  return "";
}

std::string step_location(int step, int line, std::string_view source) {
  std::string out = "step " + std::to_string(step + 1);
  if (line > 0) {
    out += " (";
    if (source.empty()) {
      out += "line ";
    } else {
      out.append(printable(source)).append(":");
    }
    out += std::to_string(line) + ")";
  }
  return out;
}

std::string format_violation(const Violation& v, const std::string& source) {
  std::string out = std::string(to_string(v.property)) + " violated";
  if (v.step >= 0) {
    out += " at " + step_location(v.step, v.line, source);
  } else {
    out += " when the scenario ended";
  }
  // Facts and calls quote what the switch sent: shown escaped (printable.h).
  if (v.call > 0) out += ", call " + std::to_string(v.call) + " `" + printable(v.call_text) + "`";
  out += ": " + printable(v.summary) + "\n";
  std::size_t width = 0;
  for (const auto& [k, _] : v.facts) width = std::max(width, k.size());
  for (const auto& [k, val] : v.facts) {
    out += "  " + k + std::string(width - k.size(), ' ') + "  " + printable(val) + "\n";
  }
  out += "  property" + std::string(width > 8 ? width - 8 : 0, ' ') + "  " + meaning(v.property) +
         "\n";
  return out;
}

}  // namespace wrongbox
