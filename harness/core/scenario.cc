// Scenario text format v1: the printer (canonical text), validation and
// equality. The words of a line are in scenario_words.h, the parser in
// scenario_parse.cc. The grammar is documented in docs/scenario-format.md;
// keep the three in step.
#include "harness/core/scenario.h"

#include <set>

#include "harness/core/oracle/property.h"
#include "harness/core/scenario_words.h"

namespace wrongbox {

using namespace scenario_text;

bool is_switch_command(StepKind k) {
  return k == StepKind::kSubmit || k == StepKind::kTick || k == StepKind::kRestart;
}

bool Step::operator==(const Step& o) const {
  return kind == o.kind && person == o.person && mailbox == o.mailbox && sender == o.sender &&
         op == o.op && count == o.count && messages == o.messages && comments == o.comments;
}

bool Scenario::operator==(const Scenario& o) const {
  return name == o.name && tags == o.tags && guards == o.guards &&
         header_comments == o.header_comments && steps == o.steps &&
         trailing_comments == o.trailing_comments;
}

std::string print_step(const Step& s) {
  if (s.kind == StepKind::kSubmit) {
    std::string out = "submit\n";
    const auto& ms = s.messages;
    for (std::size_t i = 0; i < ms.size();) {
      const auto& m = ms[i];
      // Three or more messages alike but for consecutive ids: one range line.
      std::size_t run = 1;
      if (const auto first = id_number(m.id)) {
        while (i + run < ms.size() && run < kMaxRangeMessages) {
          const auto& n = ms[i + run];
          if (n.sender != m.sender || n.subject != m.subject || n.parts != m.parts ||
              n.id != std::to_string(*first + run)) {
            break;
          }
          ++run;
        }
        if (run < 3) run = 1;
      }
      // A literal id with ".." in it is quoted: bare, it would be a range.
      const std::string id = run > 1 ? m.id + ".." + ms[i + run - 1].id
                             : m.id.find("..") != std::string::npos ? quoted(m.id)
                                                                    : quote(m.id);
      out += "  " + quote(m.sender, true) + " " + id + " to " + quote(m.subject);
      if (m.parts != 1) out += " parts " + std::to_string(m.parts);
      out += "\n";
      i += run;
    }
    return out + "end";
  }
  if (s.kind == StepKind::kTick) return s.count == 1 ? "tick" : "tick " + std::to_string(s.count);
  for (const auto& f : forms()) {
    if (f.kind != s.kind) continue;
    std::string out(f.keyword);
    for (const auto& [a, lit] : f.args) {
      out += " ";
      out += a == Arg::kLit ? std::string(lit) : quote(field_of(s, a));
    }
    return out;
  }
  return "?";
}

std::string print_scenario(const Scenario& sc) {
  std::string out = std::string(kMagic) + " " + std::to_string(kScenarioFormatVersion) + "\n";
  auto comment = [&](const std::string& c) { out += c.empty() ? "#\n" : "# " + c + "\n"; };
  for (const auto& c : sc.header_comments) comment(c);
  if (!sc.name.empty()) out += "name " + quote(sc.name) + "\n";
  for (const auto& t : sc.tags) out += "tag " + quote(t) + "\n";
  for (const auto& g : sc.guards) {
    out += "guards " + (g.defect.empty() ? "" : quote(g.defect) + " ") + g.property + "\n";
  }
  if (!sc.steps.empty()) out += "\n";
  for (std::size_t i = 0; i < sc.steps.size(); ++i) {
    const auto& st = sc.steps[i];
    if (!st.comments.empty() && i > 0) out += "\n";
    for (const auto& c : st.comments) comment(c);
    out += print_step(st) + "\n";
  }
  if (!sc.trailing_comments.empty()) out += "\n";
  for (const auto& c : sc.trailing_comments) comment(c);
  return out;
}

std::string validate_scenario(const Scenario& sc) {
  for (std::size_t i = 0; i < sc.steps.size(); ++i) {
    const auto& st = sc.steps[i];
    const std::string where = "step " + std::to_string(i + 1) + ": ";
    if (st.kind == StepKind::kTick) {
      if (st.count < 1 || st.count > kMaxTickCount) return where + "tick count out of range";
      continue;
    }
    if (st.kind == StepKind::kSubmit) {
      for (const auto& m : st.messages) {
        if (m.sender.empty()) return where + "a sender name is empty";
        if (m.parts < 0 || m.parts > kMaxParts) return where + "parts out of range";
      }
      continue;
    }
    for (const auto& f : forms()) {
      if (f.kind != st.kind) continue;
      for (const auto& [a, lit] : f.args) {
        if (auto e = check_arg(a, field_of(st, a)); !e.empty()) return where + e;
      }
    }
  }
  for (const auto& g : sc.guards) {
    if (!property_from_string(g.property)) {
      return "guards: '" + g.property + "' is not a property";
    }
  }
  return "";
}

std::vector<std::string> senders_of(const Scenario& sc) {
  std::set<std::string> s;
  for (const auto& st : sc.steps) {
    for (const auto& m : st.messages) s.insert(m.sender);
  }
  return {s.begin(), s.end()};
}

}  // namespace wrongbox
