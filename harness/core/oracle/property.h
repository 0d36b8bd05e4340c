// The properties a switch is judged by (docs/exchange.md, "Properties"), and
// a violation of one: what every part of the harness that names, reports or
// stores a property shares. No other file spells the list or a location.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wrongbox {

enum class Property { S1, S2, S3, S4, S5, S6, C1, C2, C3, C4, L1 };
inline constexpr int kPropertyCount = 11;
const char* to_string(Property p);
std::optional<Property> property_from_string(std::string_view s);
// Safety properties stop a run at the call that breaks them.
bool is_safety(Property p);
// One plain-language sentence: what the property promises.
const char* meaning(Property p);

struct Violation {
  Property property = Property::S1;
  int step = -1;  // 0-based index into the scenario's steps; -1 at the end-of-scenario checks
  int line = 0;   // source line of that step, 0 if the scenario has none
  int call = 0;   // 1-based call number within the step, 0 when not at a call
  std::string call_text;  // the call as the switch made it, e.g. "deliver kivra/000042"
  std::string summary;    // one sentence
  std::vector<std::pair<std::string, std::string>> facts;  // labelled detail lines
};

// Where in a scenario: "step 3 (line 12)", "step 3 (a.wbs:12)" with a
// source, "step 3" without a line. `step` is 0-based.
std::string step_location(int step, int line, std::string_view source = {});

// A few readable lines: property, where, and the facts.
std::string format_violation(const Violation& v, const std::string& source = "");

}  // namespace wrongbox
