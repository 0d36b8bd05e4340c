// The parts the report formats share (harness/evidence/report*.cc): the
// JSON model's accessors, the first screen's summary, the integrity words,
// and one renderer per format. Internal to the evidence room.
#pragma once

#include <fmt/core.h>

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "harness/core/oracle/property.h"
#include "harness/evidence/report.h"

namespace wrongbox::evidence::report_parts {

using Json = nlohmann::ordered_json;

// A property's row of a run, or zeros when the run never finished.
Json property_row(const Json& run, const std::string& p);

std::string str(const Json& j);

std::string xml(const std::string& s);

// The newest run that recorded situation coverage, or nullptr.
const Json* latest_situations(const Json& m);

// The soak runs: one row each, with the figures their totals carry.
template <typename Esc>
std::string soak_table(const Json& m, Esc esc, const char* head, const char* row,
                       const char* tail) {
  std::string o;
  for (const auto& r : m["runs"]) {
    if (r["command"] != "soak" || !r["coverage"].is_object() || !r["coverage"].contains("soak")) {
      continue;
    }
    const auto& k = r["coverage"]["soak"];
    if (o.empty()) o = head;
    o += fmt::format(fmt::runtime(row), r["id"].get<std::int64_t>(), esc(str(r["sut_spec"])),
                     esc(str(k["profile"])), str(k["messages"]), str(k["segments"]),
                     str(k["messages_per_second"]), str(k["peak_in_flight"]),
                     fmt::format("{:.1f}", k["peak_rss_kb"].get<double>() / 1024.0),
                     esc(r["status"] == "complete" ? str(r["verdict"]) : "incomplete"));
  }
  return o.empty() ? o : o + tail;
}

// The soak engine's cells of one row of `run`'s defect-detection matrix:
// what it found, messages sent (to the finding), seconds. Mutants soaks the
// reference and what the other engines missed ("not run (caught)" for the
// rest), and nothing at --soak-messages 0.
std::array<std::string, 3> soak_cells(const Json& run, const Json& row);

// A matrix row's verdict in words: a variant caught or MISSED, the reference
// clean or NOT clean (any finding against it is a false alarm).
std::string matrix_caught(const Json& row);

// What the first screen says, from every run in scope.
struct Summary {
  std::vector<std::string> switches;  // "name version (spec, sha256 abcd...)"
  std::set<std::string> harness;      // wrongbox versions
  std::string from, to;               // first start, last end (UTC)
  int runs = 0;
  std::map<std::string, int> commands;
  std::int64_t scenarios = 0, messages = 0, fuzz_inputs = 0;
  std::array<std::int64_t, kPropertyCount> checks{};
  std::int64_t violations = 0, safety_violations = 0;
  std::string first_violation;  // in words, "" = none
  std::string matrix;           // the latest matrix in words, "" = none
  int incomplete = 0;
};

Summary summarize_runs(const Json& m);

// The paragraph that answers the audit question, as plain text; `esc`
// escapes what the store holds, `em` marks the verdict.
template <typename Esc, typename Em>
std::string summary_paragraph(const Summary& s, Esc esc, Em em) {
  if (s.runs == 0) return "No runs recorded.";
  std::string o;
  if (s.switches.empty()) {
    o = "The defect catalog was tested";
  } else if (s.switches.size() == 1) {
    o = "Switch " + esc(s.switches[0]) + " was tested";
  } else {
    o = std::to_string(s.switches.size()) + " switches were tested (";
    for (std::size_t i = 0; i < s.switches.size() && i < 5; ++i) {
      o += (i ? "; " : "") + esc(s.switches[i]);
    }
    o += s.switches.size() > 5 ? "; ...)" : ")";
  }
  std::string versions;
  for (const auto& v : s.harness) versions += (versions.empty() ? "" : ", ") + v;
  std::string commands;
  for (const auto& [c, n] : s.commands) {
    commands += (commands.empty() ? "" : ", ") + std::to_string(n) + " " + esc(c);
  }
  o += " with wrongbox " + esc(versions) + " from " + esc(s.from) + " to " +
       esc(s.to.empty() ? std::string("(still running)") : s.to) + " in " + std::to_string(s.runs) +
       " run(s) (" + commands + "): " + with_commas(s.scenarios) + " scenarios with " +
       with_commas(s.messages) + " messages";
  if (s.fuzz_inputs > 0) o += ", and " + with_commas(s.fuzz_inputs) + " fuzz inputs";
  o += ". Properties checked: ";
  bool any = false;
  for (int i = 0; i < kPropertyCount; ++i) {
    if (s.checks[i] == 0) continue;
    o += std::string(any ? ", " : "") + to_string(static_cast<Property>(i)) + " " +
         with_commas(s.checks[i]) + " times";
    any = true;
  }
  if (!any) o += "none (no scenario ran to a check)";
  o += ". ";
  if (s.safety_violations == 0 && s.violations == 0 && s.first_violation.empty()) {
    o +=
        em("No message reached a mailbox, letter, receipt or log other than its subject's, and "
           "no other property was violated.");
  } else if (s.safety_violations == 0 && s.violations > 0) {
    o += em("No message reached a mailbox, letter, receipt or log other than its subject's, but a "
            "property was violated") +
         ": " + esc(s.first_violation) + ".";
  } else {
    o += em("A violation was found") + ": " + esc(s.first_violation) + ".";
  }
  if (s.incomplete > 0) o += " " + std::to_string(s.incomplete) + " run(s) did not finish.";
  return o;
}

// "TAMPERED: problem" (or "NOT INTACT: ..." for a store with no run).
std::string bad_words(const Json& v);

std::string integrity_words(const Json& v);

// One renderer per format, of the model load() builds (report.cc).
std::string markdown(const Json& m);
std::string junit(const Json& m);
std::string sarif(const Json& m);
std::string html(const Json& m);

}  // namespace wrongbox::evidence::report_parts
