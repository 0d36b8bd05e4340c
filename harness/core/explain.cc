// Plain-language explanation of a failing scenario.
#include "harness/core/explain.h"

#include <regex>
#include <set>
#include <vector>

#include "harness/core/printable.h"

namespace wrongbox {
namespace {

// What a step did, in words.
std::string say(const Step& st) {
  switch (st.kind) {
    case StepKind::kOpen:
      return st.mailbox + " opens for " + st.person + ", who is registered there from now on";
    case StepKind::kOpenUnregistered:
      return st.mailbox + " opens for " + st.person + " (the registry still names their old one)";
    case StepKind::kClose:
      return st.mailbox + " closes; its owner has no registered mailbox until they open another";
    case StepKind::kCloseAtDelivery:
      return st.mailbox + " will close the moment the next delivery to it arrives";
    case StepKind::kReopen:
      return st.mailbox + " is reopened for " + st.person +
             ", who owns it from now on (a different person may have owned it before)";
    case StepKind::kRegister:
      return st.person + " switches the registry to " + st.mailbox;
    case StepKind::kUnregister:
      return st.person + " gives up their digital mailbox";
    case StepKind::kProtect:
      return st.person + " gets protected identity";
    case StepKind::kUnprotect:
      return st.person + " no longer has protected identity";
    case StepKind::kBlock:
      return st.person + " refuses digital mail from " + st.sender;
    case StepKind::kUnblock:
      return st.person + " accepts digital mail from " + st.sender + " again";
    case StepKind::kRegistryDown:
      return "the registry goes down: lookups answer unavailable";
    case StepKind::kRegistryUp:
      return "the registry is back";
    case StepKind::kOperatorDown:
      return "operator " + st.op + " goes down: deliveries answer unavailable";
    case StepKind::kOperatorUp:
      return "operator " + st.op + " is back";
    case StepKind::kSubmit: {
      std::string s = "the switch gets " + std::to_string(st.messages.size()) + " message(s):";
      for (const auto& m : st.messages)
        s += " " + m.sender + "/" + m.id + " about " + m.subject + ",";
      s.pop_back();
      return s;
    }
    case StepKind::kTick:
      return std::to_string(st.count) + " tick(s) pass; the switch retries what is pending";
    case StepKind::kRestart:
      return "the switch restarts and loses its volatile state";
  }
  return "";
}

bool mentions(const Step& st, const std::set<std::string>& words) {
  const std::string text = print_step(st);
  for (const auto& w : words) {
    if (!w.empty() && text.find(w) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string explain_failure(const Scenario& sc, const RunResult& r) {
  const Violation* v = r.headline();
  if (!v) {
    if (r.outcome == Outcome::kPass) return "Nothing to explain: no property was violated.\n";
    return "The scenario did not run to a verdict: " + summarize(r) + "\n";
  }
  std::string o;
  o += std::string("What went wrong: ") + to_string(v->property) + " (" + meaning(v->property) +
       ")\n";
  o += "  " + printable(v->summary) +
       (v->step >= 0 && v->step < static_cast<int>(sc.steps.size())
            ? ", at " + step_location(v->step, v->line)
            : ", when the scenario ended") +
       ".\n";
  for (const auto& [k, val] : v->facts) o += "  " + k + ": " + printable(val) + "\n";

  // The entities the violation involves: people, mailboxes, messages.
  std::set<std::string> words;
  std::string all = v->call_text;
  for (const auto& [k, val] : v->facts) all += " " + val;
  static const std::regex kPerson("\\b(18|19|20)\\d{10}\\b");
  static const std::regex kMailbox("mailbox ([^ ,()]+)");
  static const std::regex kMessage("\\b([^ /]+)/([^ ]+) about");
  for (std::sregex_iterator it(all.begin(), all.end(), kPerson), end; it != end; ++it) {
    words.insert(it->str());
  }
  for (std::sregex_iterator it(all.begin(), all.end(), kMailbox), end; it != end; ++it) {
    words.insert((*it)[1].str());
  }
  if (v->call_text.rfind("deliver ", 0) == 0) words.insert(v->call_text.substr(8));
  // Outages of the operators of those mailboxes matter too.
  std::set<std::string> operators;
  for (const auto& w : words) {
    if (auto slash = w.find('/'); slash != std::string::npos) {
      operators.insert("operator " + w.substr(0, slash) + " ");
    }
  }

  std::string list;
  for (const auto& w : words) list += (list.empty() ? "" : ", ") + w;
  o += list.empty() ? "\nThe steps:\n" : "\nThe steps (» marks those that touch " + list + "):\n";
  const int last = v->step >= 0 ? std::min<int>(v->step, static_cast<int>(sc.steps.size()) - 1)
                                : static_cast<int>(sc.steps.size()) - 1;
  for (int i = 0; i <= last; ++i) {
    const Step& st = sc.steps[static_cast<std::size_t>(i)];
    const bool here = i == v->step;
    const bool hot = here || mentions(st, words) || mentions(st, operators) ||
                     st.kind == StepKind::kRegistryDown || st.kind == StepKind::kRestart;
    o += std::string(here  ? "  ✗ "
                     : hot ? "  » "
                           : "    ") +
         step_location(i, st.line) + ": " + printable(say(st)) + "\n";
  }
  if (v->step < 0) {
    o += "  ✗ end: the harness ended every outage and ticked until the switch was idle\n";
  }
  // Hints: patterns that point at a defect class.
  std::vector<std::string> hints;
  std::vector<std::string> step_calls;
  {
    bool in = false;
    const std::string m1 = "step " + std::to_string(v->step + 1) + " ";
    const std::string m2 = "step " + std::to_string(v->step + 1) + ":";
    for (const auto& t : r.trace) {
      if (t.rfind("step ", 0) == 0) in = t.rfind(m1, 0) == 0 || t.rfind(m2, 0) == 0;
      if (in && t.rfind("    call: ", 0) == 0) step_calls.push_back(t.substr(10));
    }
  }
  if (v->call_text.rfind("deliver ", 0) == 0) {
    for (const auto& w : words) {
      if (w.size() != 12 || w.find('/') != std::string::npos) continue;
      bool looked_up = false;
      for (const auto& c : step_calls) {
        // A lookup of the same 10 digits counts: that case is the collision hint's.
        looked_up |=
            c.rfind("lookup ", 0) == 0 && c.size() >= 19 && c.compare(9, 10, w, 2, 10) == 0;
      }
      if (!looked_up && all.find("belongs to " + w) != std::string::npos) {
        hints.push_back("the switch delivered " + w +
                        "'s content without looking them up in this command: a route from an "
                        "earlier command was reused (a lookup is valid only in the command that "
                        "made it)");
      }
    }
  }
  for (const auto& a : words) {
    for (const auto& b : words) {
      if (a < b && a.size() == 12 && b.size() == 12 && a.compare(2, 10, b, 2, 10) == 0) {
        hints.push_back(a + " and " + b +
                        " share their 10-digit form: two people whom a switch "
                        "keyed on 10 digits (or on a birth date) confuses");
      }
      if (a != b && a.find('/') != std::string::npos && b.find('/') != std::string::npos &&
          b.size() > a.size() && b.compare(0, a.size(), a) == 0 && b[a.size()] == '/') {
        hints.push_back(a + " is a prefix of " + b +
                        ": a switch that treats addresses as paths or "
                        "topics confuses them");
      }
    }
    const auto slash = a.find('/');
    if (slash != std::string::npos && a.find_first_of("+#*>", slash) != std::string::npos) {
      hints.push_back(a +
                      " holds a wildcard character: an address used as a pattern matches "
                      "other accounts");
    }
  }
  if (!hints.empty()) {
    o += "\nHints:\n";
    for (const auto& h : hints) o += "  - " + h + "\n";
  }

  // The calls of the failing step, from the trace.
  o += "\nWhat the switch did in that " + std::string(v->step >= 0 ? "step" : "drain") + ":\n";
  bool in_step = v->step < 0;
  bool any_call = false;
  const std::string marker = "step " + std::to_string(v->step + 1) + " ";
  const std::string marker2 = "step " + std::to_string(v->step + 1) + ":";
  for (const auto& t : r.trace) {
    if (t.rfind("step ", 0) == 0) in_step = t.rfind(marker, 0) == 0 || t.rfind(marker2, 0) == 0;
    if (v->step < 0 && t.rfind("drain:", 0) == 0) in_step = true;
    if (in_step && t.rfind("    ", 0) == 0) {
      o += "  " + t.substr(2) + "\n";
      any_call = true;
    }
  }
  if (!any_call) o += "  (no calls)\n";
  return o;
}

}  // namespace wrongbox
