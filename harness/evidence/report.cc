// Report rendering from the evidence store.
#include "harness/evidence/report.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "harness/core/oracle/oracle.h"
#include "harness/core/printable.h"

namespace wrongbox::evidence {
namespace {

using Json = nlohmann::ordered_json;

// Every run with its children, as JSON: the one model all formats render.
Json load(Store& store, const ReportScope& scope) {
  // The runs and the verdict on the chain from one state of the store.
  const Store::Snapshot one_state(store);
  const Json runs = store.runs_json({.after_run = scope.after_run,
                                     .run = scope.run,
                                     .since = scope.since,
                                     .campaign = scope.campaign});
  const auto v = store.verify();
  Json incomplete = Json::array();
  for (const auto& i : v.incomplete) incomplete.push_back(i);
  return {{"schema", "wrongbox-report/1"},
          {"store", store.path()},
          {"verified",
           {{"ok", v.ok},
            {"problem", v.problem},
            {"runs", v.runs},
            {"complete", v.complete},
            {"incomplete", incomplete},
            {"signatures", v.signatures},
            {"signed_through", v.signed_through},
            {"signed_by", v.signed_by},
            {"head_seq", v.head_seq},
            {"head_hash", v.head_hash}}},
          {"runs", runs}};
}

// A property's row of a run, or zeros when the run never finished.
Json property_row(const Json& run, const std::string& p) {
  const auto& props = run["properties"];
  if (props.is_object() && props.contains(p)) return props[p];
  return Json{{"checks", 0}, {"violations", 0}};
}

std::string str(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return j.dump();
}

std::string xml(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          o += "?";  // not representable in XML 1.0
        } else {
          o.push_back(c);
        }
    }
  }
  return o;
}

// Text for a Markdown list item or table cell: characters Markdown reads as
// markup are escaped.
std::string md(const std::string& raw) {
  const std::string s = printable(raw);  // no control character reaches a terminal
  std::string out;
  for (char c : s) {
    if (std::string_view("\\`*_[]<>|#").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// A table cell's '|' would end the cell, even inside code.
std::string md_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// A code block that no text can close early: the fence is longer than any
// run of backticks inside (a switch chooses its log lines and addresses).
std::size_t longest_backtick_run(const std::string& text) {
  std::size_t run = 0, most = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    most = std::max(most, run);
  }
  return most;
}

std::string fenced(const std::string& text) {
  const std::size_t most = longest_backtick_run(text);
  const std::string fence(std::max<std::size_t>(3, most + 1), '`');
  return fence + "\n" + text + (text.empty() || text.back() == '\n' ? "" : "\n") + fence + "\n";
}

// Inline code the same way.
std::string code(const std::string& text) {
  const std::size_t most = longest_backtick_run(text);
  const std::string ticks(most + 1, '`');
  return ticks + (most ? " " : "") + text + (most ? " " : "") + ticks;
}

// The newest run that recorded situation coverage, or nullptr.
const Json* latest_situations(const Json& m) {
  for (auto it = m["runs"].rbegin(); it != m["runs"].rend(); ++it) {
    const auto& c = (*it)["coverage"];
    if (c.is_object() && c.contains("situations") && c["situations"].is_object()) return &*it;
  }
  return nullptr;
}

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
std::array<std::string, 3> soak_cells(const Json& run, const Json& row) {
  const auto& c = run["coverage"];
  if (!c.is_object() || !c.contains("soak") || !c["soak"].is_object() || c["soak"].empty()) {
    return {"not run", "-", "-"};
  }
  const std::string name = str(row["defect"]);
  if (!c["soak"].contains(name)) return {"not run (caught)", "-", "-"};
  const auto& k = c["soak"][name];
  std::string found = str(k["property"]);
  if (found.empty()) found = row["defect_class"].get<int>() == 0 ? "no violation" : "not found";
  return {found, str(k["messages"]), fmt::format("{:.2f}", k["seconds"].get<double>())};
}

// A matrix row's verdict in words: a variant caught or MISSED, the reference
// clean or NOT clean (any finding against it is a false alarm).
std::string matrix_caught(const Json& row) {
  const bool caught = row["caught"].get<int>() != 0;
  if (row["defect_class"].get<int>() == 0) return caught ? "NOT clean" : "clean";
  return caught ? "caught" : "MISSED";
}

std::string markdown_storage(const Json& run) {
  const auto& c = run["coverage"];
  if (!c.is_object() || !c.contains("storage") || !c["storage"].is_object()) return "";
  std::string head, rule, row;
  for (const auto& [place, n] : c["storage"].items()) {
    head += " " + place + " |";
    rule += "---|";
    row += " " + str(n) + " |";
  }
  return fmt::format(
      "\n## Files at rest (run #{}, {})\n\nFiles the switch left in each of its places, judged "
      "after each command (S6).\n\n|{}\n|{}\n|{}\n",
      str(run["id"]), str(run["command"]), head, rule, row);
}

std::string markdown_situations(const Json& run) {
  const auto& s = run["coverage"]["situations"];
  std::string o = fmt::format(
      "\n## Situations covered (run #{}, {})\n\n{} of {} feasible pairs of conditions met at "
      "least once, {} at least {} times (docs/situations.md).\n\n| decision | decisions | pairs "
      "met | feasible |\n|---|---|---|---|\n",
      str(run["id"]), str(run["command"]), str(s["pairs_covered"]), str(s["pairs_feasible"]),
      str(s["pairs_covered_k"]), str(s["k"]));
  for (const auto& [k, x] : s["kinds"].items()) {
    o += fmt::format("| {} | {} | {} | {} |\n", k, str(x["decisions"]), str(x["covered"]),
                     str(x["feasible"]));
  }
  if (!s["uncovered"].empty()) {
    o += "\n**Never exercised** (a finding: no scenario of this run met these):\n\n";
    for (const auto& u : s["uncovered"]) o += "- " + md(str(u)) + "\n";
  }
  return o;
}

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

Summary summarize_runs(const Json& m) {
  Summary s;
  std::set<std::string> seen;
  for (const auto& r : m["runs"]) {
    ++s.runs;
    const auto cmd = str(r["command"]);
    ++s.commands[cmd];
    if (s.from.empty()) s.from = str(r["started_at"]);
    if (!str(r["ended_at"]).empty()) s.to = str(r["ended_at"]);
    s.harness.insert(str(r["harness_version"]));
    if (r["status"] != "complete") ++s.incomplete;
    const std::int64_t n = r["scenarios"].is_number() ? r["scenarios"].get<std::int64_t>() : 0;
    if (cmd == "fuzz") {
      s.fuzz_inputs += n;
    } else {
      s.scenarios += n;
      s.messages += r["messages"].is_number() ? r["messages"].get<std::int64_t>() : 0;
    }
    if (cmd != "mutants" && seen.insert(str(r["sut_spec"])).second) {
      std::string sha = str(r["sut_sha256"]);
      if (sha.size() > 16 && sha.find(' ') == std::string::npos) sha = sha.substr(0, 16) + "...";
      s.switches.push_back(str(r["sut_name"]) + " " + str(r["sut_version"]) + " (" +
                           str(r["sut_spec"]) + (sha.empty() ? "" : ", sha256 " + sha) + ")");
    }
    for (int i = 0; i < kPropertyCount; ++i) {
      const Json x = property_row(r, to_string(static_cast<Property>(i)));
      s.checks[i] += x["checks"].get<std::int64_t>();
      const auto v = x["violations"].get<std::int64_t>();
      s.violations += v;
      if (to_string(static_cast<Property>(i))[0] == 'S') s.safety_violations += v;
    }
    if (s.first_violation.empty()) {
      for (const auto& c : r["counterexamples"]) {
        const auto prop = str(c["property"]);
        std::string what = prop == "switch-failure" ? "the switch failed" : prop + " was violated";
        for (int i = 0; i < kPropertyCount; ++i) {
          if (prop == to_string(static_cast<Property>(i))) {
            what += std::string(" (it promises: ") + meaning(static_cast<Property>(i)) + ")";
          }
        }
        s.first_violation = what + ", in run #" + str(r["id"]) + " (" + cmd + " against " +
                            str(r["sut_spec"]) + ")";
        if (!str(c["file"]).empty()) s.first_violation += ", scenario " + str(c["file"]);
        break;
      }
    }
    if (!r["mutants"].empty()) {
      int defects = 0, caught = 0;
      std::set<int> classes, classes_caught;
      bool reference_clean = true;
      for (const auto& x : r["mutants"]) {
        const int cls = x["defect_class"].get<int>();
        const bool c = x["caught"].get<int>() != 0;
        if (cls == 0) {
          reference_clean = !c;
          continue;
        }
        ++defects;
        caught += c;
        classes.insert(cls);
        if (c) classes_caught.insert(cls);
      }
      s.matrix = fmt::format(
          "{} of {} defect variants caught, {} of {} defect classes; the reference switch {} "
          "(run #{})",
          caught, defects, classes_caught.size(), classes.size(),
          reference_clean ? "stayed clean" : "was NOT clean", str(r["id"]));
    }
  }
  return s;
}

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
std::string bad_words(const Json& v) {
  return std::string(failed_integrity_word(v["runs"].get<int>())) + ": " + str(v["problem"]);
}

std::string integrity_words(const Json& v) {
  if (!v["ok"].get<bool>()) return bad_words(v);
  std::string o = fmt::format(
      "Hash chain verified: {} runs recorded, {} complete; no run was changed, removed or "
      "reordered",
      v["runs"].get<int>(), v["complete"].get<int>());
  const auto through = v.value("signed_through", std::int64_t{0});
  const auto head = v.value("head_seq", std::int64_t{0});
  if (through > 0) {
    o +=
        fmt::format("; records 1 to {} of {} signed by key {}", through, head, str(v["signed_by"]));
  } else {
    o += "; not signed";
  }
  return o + fmt::format(". Head: record {}, {}.", head, str(v["head_hash"]));
}

std::string markdown(const Json& m) {
  std::string o = "# Wrongbox evidence report\n\n";
  const auto& v = m["verified"];
  const Summary sum = summarize_runs(m);
  o += summary_paragraph(
           sum, [](const std::string& t) { return md(t); },
           [](const std::string& t) { return "**" + t + "**"; }) +
       "\n\n";
  if (!sum.matrix.empty()) o += "Defect detection: " + md(sum.matrix) + ".\n\n";
  o += v["ok"].get<bool>()
           ? fmt::format("Evidence store `{}`: {}\n", str(m["store"]), md(integrity_words(v)))
           : fmt::format("Evidence store `{}`: **{}** — {}\n", str(m["store"]),
                         failed_integrity_word(v["runs"].get<int>()), md(str(v["problem"])));
  for (const auto& i : v["incomplete"])
    o += "- incomplete (killed or still running): " + str(i) + "\n";
  o += "\n| run | command | switch | started | verdict | scenarios | messages |\n"
       "|---|---|---|---|---|---|---|\n";
  for (const auto& r : m["runs"]) {
    o += fmt::format("| #{} | {} | {} | {} | {} | {} | {} |\n", r["id"].get<std::int64_t>(),
                     md(str(r["command"])), code(md_cell(str(r["sut_spec"]))),
                     md(str(r["started_at"])),
                     r["status"] == "complete" ? str(r["verdict"]) : "incomplete",
                     str(r["scenarios"]), str(r["messages"]));
  }
  o += soak_table(
      m, [](const std::string& t) { return md_cell(t); },
      "\n### Soak runs\n\n| run | switch | profile | messages | segments | messages/s | peak in "
      "flight | peak MiB | verdict |\n|---|---|---|---|---|---|---|---|---|\n",
      "| #{} | `{}` | {} | {} | {} | {} | {} | {} | {} |\n", "");
  if (m["runs"].empty()) return o;
  const auto& last = m["runs"].back();
  // The switch chose its name and version: escaped, like everything it controls.
  o += fmt::format("\n## Latest run #{}: {} against {}\n\n", last["id"].get<std::int64_t>(),
                   md(str(last["command"])), code(str(last["sut_spec"])));
  o += fmt::format("- switch: {} {} (sha256 {})\n- harness: wrongbox {} ({})\n- command: {}\n",
                   md(str(last["sut_name"])), md(str(last["sut_version"])),
                   md(str(last["sut_sha256"])), md(str(last["harness_version"])),
                   md(str(last["harness_commit"])), code(str(last["command_line"])));
  std::int64_t checked = 0;
  for (const auto& [p, x] : last["properties"].items()) checked += x["checks"].get<std::int64_t>();
  if (checked > 0) {
    o += "\n| property | meaning | checks | violations |\n|---|---|---|---|\n";
    for (int i = 0; i < kPropertyCount; ++i) {
      const auto prop = static_cast<Property>(i);
      const Json x = property_row(last, to_string(prop));
      o += fmt::format("| {} | {} | {} | {} |\n", to_string(prop), meaning(prop), str(x["checks"]),
                       str(x["violations"]));
    }
  }
  for (const auto& c : last["counterexamples"]) {
    o += "\n### Counterexample (" + md(str(c["property"])) + ")\n\n" +
         fenced(str(c["scenario_text"])) + "\n" + fenced(str(c["report"])) +
         "\nReproduce: " + code(str(c["reproduce"])) + "\n";
  }
  if (const Json* run = latest_situations(m))
    o += markdown_situations(*run) + markdown_storage(*run);
  // The most recent defect-detection matrix in the store (as in the HTML).
  for (auto it = m["runs"].rbegin(); it != m["runs"].rend(); ++it) {
    const auto& run = *it;
    if (run["mutants"].empty()) continue;
    o += fmt::format("\n## Defect-detection matrix (run #{})\n", str(run["id"]));
    o += "\n| class | defect | caught | corpus | search | scenarios | seconds | shrunk | "
         "fuzzing | inputs | seconds | minimized | soak | messages | seconds |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& x : run["mutants"]) {
      const bool fuzzed = x["fuzz_ran"].get<int>() != 0;
      const auto soak = soak_cells(run, x);
      o += fmt::format(
          "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
          str(x["defect_class"]), md(str(x["defect"])), matrix_caught(x), str(x["corpus_caught"]),
          str(x["search_property"]).empty() ? "none" : md(str(x["search_property"])),
          str(x["scenarios"]), fmt::format("{:.4f}", x["seconds"].get<double>()),
          str(x["shrunk_steps"]),
          fuzzed ? (str(x["fuzz_property"]).empty() ? "not found" : str(x["fuzz_property"]))
                 : "not run",
          fuzzed ? str(x["fuzz_inputs"]) : "-",
          fuzzed ? fmt::format("{:.2f}", x["fuzz_seconds"].get<double>()) : "-",
          fuzzed && !str(x["fuzz_property"]).empty() ? str(x["fuzz_steps"]) : "-", md(soak[0]),
          soak[1], soak[2]);
    }
    break;
  }
  return o;
}

std::string junit(const Json& m) {
  std::string suites;
  int total = 0, failures = 0, errors = 0;
  for (const auto& r : m["runs"]) {
    std::string cases;
    int t = 0, f = 0, e = 0, sk = 0;
    auto add = [&](const std::string& name, const std::string& outcome, const std::string& msg,
                   const std::string& detail) {
      ++t;
      cases += "    <testcase classname=\"" + xml(str(r["command"]) + "." + str(r["sut_spec"])) +
               "\" name=\"" + xml(name) + "\">";
      if (outcome == "violation" || outcome == "fail") {
        ++f;
        cases += "<failure message=\"" + xml(msg) + "\">" + xml(detail) + "</failure>";
      } else if (outcome == "switch-failure" || outcome == "input-error") {
        ++e;
        cases += "<error message=\"" + xml(msg) + "\">" + xml(detail) + "</error>";
      } else if (outcome == "skipped") {
        ++sk;
        cases += "<skipped message=\"" + xml(msg) + "\"/>";
      }
      cases += "</testcase>\n";
    };
    for (const auto& s : r["scenario_results"]) {
      add(str(s["source"]), str(s["outcome"]), str(s["summary"]), str(s["report"]));
    }
    if (r["command"] == "check") {
      for (int i = 0; i < kPropertyCount; ++i) {
        const std::string p = to_string(static_cast<Property>(i));
        const Json x = property_row(r, p);
        std::string detail;
        for (const auto& c : r["counterexamples"]) {
          if (c["property"] == p)
            detail += str(c["scenario_text"]) + "\n" + str(c["report"]) +
                      "\nreproduce: " + str(c["reproduce"]) + "\n";
        }
        add(p, x["violations"].get<std::int64_t>() > 0 ? "violation" : "pass",
            fmt::format("{} checks, {} violations", str(x["checks"]), str(x["violations"])),
            detail);
      }
      if (r["exit_code"].is_number() && r["exit_code"] == 3) {
        add("switch", "switch-failure", "the switch failed", "");
      }
    }
    for (const auto& x : r["mutants"]) {
      const bool reference = x["defect_class"].get<int>() == 0;
      const bool caught = x["caught"].get<int>() != 0;
      add(str(x["defect"]), reference == caught ? "violation" : "pass",
          reference ? (caught ? "reference switch not clean" : "clean")
                    : (caught ? "caught" : "defect class not detected"),
          "");
    }
    if (r["status"] != "complete")
      add("run", "input-error", "the run did not finish (killed?)", "");
    total += t;
    failures += f;
    errors += e;
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
        "timestamp=\"{}\" hostname=\"{}\">\n{}  </testsuite>\n",
        xml("wrongbox " + str(r["command"]) + " #" + str(r["id"]) + " " + str(r["sut_spec"])), t, f,
        e, sk, xml(str(r["started_at"]).substr(0, 19)), xml(str(r["host"])), cases);
  }
  if (!m["verified"]["ok"].get<bool>()) {
    // A tampered store fails the pipeline's test view too.
    ++total;
    ++failures;
    suites +=
        "  <testsuite name=\"wrongbox evidence integrity\" tests=\"1\" failures=\"1\" "
        "errors=\"0\" skipped=\"0\">\n    <testcase classname=\"wrongbox.evidence\" "
        "name=\"hash chain\"><failure message=\"" +
        xml(bad_words(m["verified"])) + "\">" + xml(str(m["store"])) +
        "</failure></testcase>\n  </testsuite>\n";
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"wrongbox\" tests=\"{}\" "
      "failures=\"{}\" errors=\"{}\">\n{}</testsuites>\n",
      total, failures, errors, suites);
}

std::string sarif(const Json& m) {
  Json rules = Json::array();
  for (int i = 0; i < kPropertyCount; ++i) {
    const auto p = static_cast<Property>(i);
    rules.push_back({{"id", to_string(p)},
                     {"name", std::string("Property") + to_string(p)},
                     {"shortDescription", {{"text", meaning(p)}}},
                     {"defaultConfiguration", {{"level", "error"}}}});
  }
  // Locations are relative to the directory the report is written from
  // (a CI job's checkout: %SRCROOT%), so that code scanning links them.
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path root = fs::current_path(ec);
  const auto artifact = [&](const std::string& file) -> Json {
    const fs::path p(file);
    if (!ec && p.is_absolute()) {
      const fs::path rel = p.lexically_normal().lexically_relative(root);
      if (rel.empty() || *rel.begin() == "..") return {{"uri", "file://" + p.string()}};
      return {{"uri", rel.generic_string()}, {"uriBaseId", "%SRCROOT%"}};
    }
    return {{"uri", p.lexically_normal().generic_string()}, {"uriBaseId", "%SRCROOT%"}};
  };
  // A file of the switch the run tested that is in the checkout (its
  // program or its net: file, from the run's fingerprint), or "".
  const auto switch_file = [&](const Json& run) -> std::string {
    std::stringstream words(str(run["sut_sha256"]));
    for (std::string w; words >> w;) {
      const std::string file = w.substr(0, w.rfind('='));
      const fs::path p(file);
      std::error_code e;
      const bool inside = p.is_relative() || (!ec && *p.lexically_relative(root).begin() != "..");
      if (inside && fs::is_regular_file(p, e)) return file;
    }
    return "";
  };
  Json results = Json::array();
  for (const auto& r : m["runs"]) {
    for (const auto& c : r["counterexamples"]) {
      // The replayed file that failed this way (in the repository), else
      // the switch's own file with the saved scenario beside it, else the
      // saved scenario.
      std::string replayed;
      for (const auto& s : r["scenario_results"]) {
        if (s["report"] == c["report"] || str(s["report"]).find(str(c["property"])) == 0) {
          replayed = str(s["source"]);
          break;
        }
      }
      const std::string saved = str(c["file"]);
      std::string uri = !replayed.empty() ? replayed : switch_file(r);
      if (uri.empty()) uri = saved;
      int line = 1;
      // A line number from "(FILE:LINE)" in the report, when it has one.
      const auto rep = str(c["report"]);
      if (auto at = rep.find(uri + ":"); !uri.empty() && at != std::string::npos) {
        line = std::max(1, std::atoi(rep.c_str() + at + uri.size() + 1));
      }
      Json location = {{"artifactLocation", uri.empty()
                                                ? Json{{"uri", "wrongbox-run-" + str(r["id"])}}
                                                : artifact(uri)}};
      if (!uri.empty()) location["region"] = {{"startLine", line}};
      Json result = {
          {"ruleId", str(c["property"])},
          {"level", "error"},
          {"message", {{"text", rep + "\nreproduce: " + str(c["reproduce"])}}},
          {"locations", {{{"physicalLocation", location}}}},
          {"properties",
           {{"run", r["uuid"]}, {"switch", r["sut_spec"]}, {"scenario", c["scenario_text"]}}}};
      if (!saved.empty() && saved != uri) {
        result["relatedLocations"] = {
            {{"id", 1},
             {"physicalLocation", {{"artifactLocation", artifact(saved)}}},
             {"message", {{"text", "the shrunk scenario, saved"}}}}};
      }
      results.push_back(std::move(result));
    }
  }
  if (!m["verified"]["ok"].get<bool>()) {
    rules.push_back({{"id", "evidence-integrity"},
                     {"name", "EvidenceIntegrity"},
                     {"shortDescription",
                      {{"text",
                        "the evidence store's hash chain verifies: no run was changed, "
                        "removed or reordered"}}},
                     {"defaultConfiguration", {{"level", "error"}}}});
    results.push_back(
        {{"ruleId", "evidence-integrity"},
         {"level", "error"},
         {"message", {{"text", bad_words(m["verified"])}}},
         {"locations",
          {{{"physicalLocation", {{"artifactLocation", {{"uri", str(m["store"])}}}}}}}}});
  }
  Json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs",
               {{{"tool",
                  {{"driver",
                    {{"name", "wrongbox"},
                     {"version", m["runs"].empty() ? "" : str(m["runs"].back()["harness_version"])},
                     {"rules", rules}}}}},
                 {"originalUriBaseIds",
                  {{"%SRCROOT%", {{"uri", "file://" + root.generic_string() + "/"}}}}},
                 {"results", results}}}}};
  return doc.dump(2) + "\n";
}

std::string h(const std::string& s) {
  return xml(s);
}

std::string badge_as(const std::string& text, const std::string& cls) {
  return "<span class=\"badge " + cls + "\">" + xml(text) + "</span>";
}

std::string badge(const std::string& verdict) {
  const std::string cls = verdict == "pass"        ? "ok"
                          : verdict == "violation" ? "bad"
                          : verdict.empty()        ? "warn"
                                                   : "warn";
  return "<span class=\"badge " + cls + "\">" + h(verdict.empty() ? "incomplete" : verdict) +
         "</span>";
}

// Scenarios per run as bars, coloured by verdict: the trend over runs.
std::string trend_svg(const Json& runs) {
  const std::size_t n = runs.size();
  if (n == 0) return "";
  double most = 1;
  for (const auto& r : runs)
    most = std::max(most, r["scenarios"].is_number() ? r["scenarios"].get<double>() : 0.0);
  const int w = 640, hgt = 160, pad = 30;
  const double bw = std::max(4.0, (w - 2.0 * pad) / static_cast<double>(n) - 4);
  std::string svg = fmt::format(
      "<svg role=\"img\" aria-label=\"scenarios per run\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" xmlns=\"http://www.w3.org/2000/svg\">"
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>",
      w, hgt + 20, w, hgt + 20, pad, hgt, w - pad, hgt);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = runs[i];
    const double v = r["scenarios"].is_number() ? r["scenarios"].get<double>() : 0.0;
    const double bh = (hgt - 10) * v / most;
    const std::string verdict = str(r["verdict"]);
    const char* color = r["status"] != "complete" ? "#c9a227"
                        : verdict == "pass"       ? "#2e7d32"
                                                  : "#c62828";
    const double x = pad + static_cast<double>(i) * (bw + 4) + 2;
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
        "<title>run #{} {}: {} scenarios, {}</title></rect>"
        "<text x=\"{:.1f}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">#{}</text>",
        x, hgt - bh, bw, bh, color, str(r["id"]), h(str(r["command"])), v,
        h(verdict.empty() ? "incomplete" : verdict), x + bw / 2, hgt + 14, str(r["id"]));
  }
  svg += fmt::format("<text x=\"{}\" y=\"12\" font-size=\"10\">{:.0f} scenarios</text></svg>", pad,
                     most);
  return svg;
}

// The files a run's switch left in its places, judged at rest (S6): a
// table, or nothing for a run that recorded none.
std::string html_storage(const Json& run) {
  const auto& c = run["coverage"];
  if (!c.is_object() || !c.contains("storage") || !c["storage"].is_object()) return "";
  std::string head, row;
  for (const auto& [place, n] : c["storage"].items()) {
    head += "<th>" + h(place) + "</th>";
    row += "<td>" + str(n) + "</td>";
  }
  return fmt::format(
      "<h2 id=\"storage\">Files at rest (run #{}, {})</h2><p>Files the switch created, wrote or "
      "changed in each of its places, each judged after the command that left it (property "
      "S6).</p><table><tr>{}</tr><tr>{}</tr></table>",
      str(run["id"]), h(str(run["command"])), head, row);
}

std::string html_situations(const Json& run) {
  const auto& s = run["coverage"]["situations"];
  std::string o = fmt::format(
      "<h2 id=\"situations\">Situations covered (run #{}, {})</h2><p>{} of {} feasible pairs of "
      "conditions met at least once, {} at least {} times. A pair is two conditions the routing "
      "rules read at one decision, e.g. a retry after an operator outage for a message in the "
      "middle of a batch.</p><table><tr><th>decision</th><th>decisions</th><th>pairs met</th>"
      "<th>feasible pairs</th></tr>",
      str(run["id"]), h(str(run["command"])), str(s["pairs_covered"]), str(s["pairs_feasible"]),
      str(s["pairs_covered_k"]), str(s["k"]));
  for (const auto& [k, x] : s["kinds"].items()) {
    o += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", h(k),
                     str(x["decisions"]), str(x["covered"]), str(x["feasible"]));
  }
  o += "</table>";
  if (!s["uncovered"].empty()) {
    o += "<p>" + badge_as("finding", "warn") +
         " <b>Never exercised</b>: no scenario of this run met these pairs.</p><ul "
         "id=\"never\">";
    for (const auto& u : s["uncovered"]) o += "<li>" + h(str(u)) + "</li>";
    o += "</ul>";
  }
  o += "<table><tr><th>decision</th><th>condition</th><th>times each value was met</th></tr>";
  for (const auto& [k, x] : s["kinds"].items()) {
    if (!x.contains("values")) continue;
    for (const auto& [c, vals] : x["values"].items()) {
      std::string cell;
      for (const auto& [val, n] : vals.items()) {
        const bool zero = n.get<std::int64_t>() == 0;
        cell += (cell.empty() ? "" : ", ") + std::string(zero ? "<b>" : "") + h(val) + " " +
                str(n) + (zero ? "</b>" : "");
      }
      o += "<tr><td>" + h(k) + "</td><td>" + h(c) + "</td><td>" + cell + "</td></tr>";
    }
  }
  return o + "</table>";
}

std::string html(const Json& m) {
  const auto& v = m["verified"];
  const bool ok = v["ok"].get<bool>();
  std::string o = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Wrongbox evidence report</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;padding:0 1rem;max-width:60rem;color:#222;line-height:1.4;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%} svg{max-width:100%;height:auto}
#summary{font-size:1.1rem;border-left:.3rem solid #555;padding:.2rem 0 .2rem .8rem}
h1{margin-bottom:.2rem} h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0} th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3} th,td{overflow-wrap:break-word} pre{background:#f7f7f7;border:1px solid #ddd;padding:.5rem;overflow-x:auto;white-space:pre-wrap}
.badge{display:inline-block;padding:0 .5rem;border-radius:.6rem;font-weight:600;color:#fff}
.ok{background:#2e7d32}.bad{background:#c62828}.warn{background:#c9a227}
.banner{padding:.8rem 1rem;border-radius:.4rem;margin:1rem 0;font-size:1.1rem}
.banner.ok{background:#e8f5e9;color:#1b5e20;border:1px solid #2e7d32}.banner.bad{background:#ffebee;color:#b71c1c;border:1px solid #c62828}
.figures{display:flex;gap:1rem;flex-wrap:wrap}.figure{border:1px solid #ccc;border-radius:.4rem;padding:.5rem 1rem;min-width:8rem}
.figure b{display:block;font-size:1.6rem}
@page{size:A4;margin:15mm}
@media print{body{margin:0;padding:0;max-width:none}.scroll{overflow:visible}.banner,.badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}pre{page-break-inside:avoid}}
</style></head><body>
<h1>Wrongbox evidence report</h1>
)";
  // The first screen: the audit question answered in words, the integrity
  // verdict, the defect-detection summary.
  const Summary sum = summarize_runs(m);
  o += "<p id=\"summary\">" +
       summary_paragraph(
           sum, [](const std::string& t) { return h(t); },
           [](const std::string& t) { return "<b>" + h(t) + "</b>"; }) +
       "</p>";
  o += std::string("<div class=\"banner ") + (ok ? "ok" : "bad") + "\" id=\"integrity\">" +
       h(integrity_words(v)) + "</div>";
  if (!sum.matrix.empty()) {
    o += "<p id=\"detection\"><b>Defect detection:</b> " + h(sum.matrix) +
         ". The matrix below lists each variant.</p>";
  }
  o += "<p>Store <code>" + h(str(m["store"])) + "</code></p>";
  for (const auto& i : v["incomplete"]) {
    o += "<p>Incomplete run (killed or still running): " + h(str(i)) + "</p>";
  }
  if (m["runs"].empty()) return o + "<p>No runs recorded.</p></body></html>\n";
  const auto& last = m["runs"].back();
  // The latest verdict of each kind of run: what an auditor asks first.
  o += "<h2>Latest verdicts</h2><table id=\"verdicts\"><tr><th>run</th><th>command</th>"
       "<th>switch</th><th>when</th><th>verdict</th><th>scenarios</th></tr>";
  std::set<std::string> seen;
  for (auto it = m["runs"].rbegin(); it != m["runs"].rend(); ++it) {
    const auto key = str((*it)["command"]) + " " + str((*it)["sut_spec"]);
    if (!seen.insert(key).second) continue;
    o += fmt::format(
        "<tr><td>#{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>",
        str((*it)["id"]), h(str((*it)["command"])), h(str((*it)["sut_spec"])),
        h(str((*it)["started_at"])),
        (*it)["status"] == "complete" ? badge(str((*it)["verdict"])) : badge(""),
        str((*it)["scenarios"]));
  }
  o += "</table>";
  o += "<h2>Latest run: #" + str(last["id"]) + " " + h(str(last["command"])) +
       "</h2><div class=\"figures\">";
  o += "<div class=\"figure\">verdict<b id=\"verdict\">" + badge(str(last["verdict"])) +
       "</b></div>";
  o += "<div class=\"figure\">scenarios<b id=\"scenarios\">" + h(str(last["scenarios"])) +
       "</b></div>";
  o += "<div class=\"figure\">" +
       std::string(last["command"] == "fuzz" ? "fuzz inputs" : "messages") + "<b id=\"messages\">" +
       h(str(last["command"] == "fuzz" ? last["scenarios"] : last["messages"])) + "</b></div>";
  o += "<div class=\"figure\">counterexamples<b id=\"counterexamples\">" +
       std::to_string(last["counterexamples"].size()) + "</b></div></div>";
  o += "<h2>What was tested</h2><table>";
  auto row = [&](const std::string& k, const std::string& val) {
    o += "<tr><th>" + h(k) + "</th><td>" + h(val) + "</td></tr>";
  };
  row("command", str(last["command"]));
  row("switch",
      str(last["sut_spec"]) + " (" + str(last["sut_name"]) + " " + str(last["sut_version"]) + ")");
  row("switch fingerprint (SHA-256)", str(last["sut_sha256"]));
  row("harness",
      "wrongbox " + str(last["harness_version"]) + ", commit " + str(last["harness_commit"]));
  row("host", str(last["host"]));
  row("started / ended", str(last["started_at"]) + " / " + str(last["ended_at"]));
  row("command line", str(last["command_line"]));
  o += "</table>";
  if (last["settings"].is_object() && !last["settings"].empty()) {
    o += "<h3>Settings</h3><table id=\"settings\"><tr><th>setting</th><th>value</th></tr>";
    for (const auto& [k, x] : last["settings"].items()) {
      o += "<tr><td>" + h(k) + "</td><td>" + h(x.is_string() ? x.get<std::string>() : x.dump()) +
           "</td></tr>";
    }
    o += "</table>";
  }
  std::int64_t checked = 0;
  for (const auto& [p, x] : last["properties"].items()) checked += x["checks"].get<std::int64_t>();
  if (checked > 0) {
    o += "<h2>Properties</h2><table><tr><th>property</th><th>what it promises</th><th>checks</th>"
         "<th>violations</th></tr>";
    for (int i = 0; i < kPropertyCount; ++i) {
      const auto prop = static_cast<Property>(i);
      const Json x = property_row(last, to_string(prop));
      const bool bad = x["violations"].get<std::int64_t>() > 0;
      o += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", to_string(prop),
                       h(meaning(prop)), str(x["checks"]),
                       bad ? badge("violation") + " " + str(x["violations"]) : "0");
    }
    o += "</table>";
  }
  if (last["coverage"].is_object()) {
    std::string rows, wire;
    for (const auto& [k, x] : last["coverage"].items()) {
      if (k == "wire" && x.is_object()) {  // net: the contract's freedoms the fakes used
        for (const auto& [f, n] : x.items()) {
          wire += "<tr><td>" + h(f) + "</td><td>" + h(str(n)) + "</td></tr>";
        }
      }
      if (x.is_object()) continue;  // the situations, below
      rows += "<tr><td>" + h(k) + "</td><td>" + h(str(x)) + "</td></tr>";
    }
    if (!rows.empty()) {
      o += "<h2>What the generators covered</h2><table><tr><th>scenarios with</th><th>count</th>"
           "</tr>" +
           rows + "</table>";
    }
    if (!wire.empty()) {
      o += "<h2>The contract's freedoms the network fakes used</h2><table><tr><th>freedom</th>"
           "<th>times</th></tr>" +
           wire + "</table>";
    }
  }
  o += soak_table(
      m, [](const std::string& t) { return h(t); },
      "<h2>Soak runs</h2><div class=\"scroll\"><table><tr><th>run</th><th>switch</th>"
      "<th>profile</th><th>messages</th><th>segments</th><th>messages/s</th><th>peak in "
      "flight</th><th>peak MiB</th><th>verdict</th></tr>",
      "<tr><td>#{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
      "<td>{}</td><td>{}</td><td>{}</td></tr>",
      "</table></div>");
  if (const Json* run = latest_situations(m)) o += html_situations(*run) + html_storage(*run);
  // Counterexamples of every run, newest first (at most 25), each once: the
  // same scenario failing the same switch again in later runs is named in
  // the newest one's heading.
  std::map<std::string, std::vector<std::string>> runs_of;  // property, switch, scenario
  auto key_of = [](const Json& run, const Json& c) {
    // The steps alone: a saved file's header and comments aside.
    std::string steps;
    const std::string text = str(c["scenario_text"]);
    for (std::size_t at = 0; at < text.size();) {
      const auto nl = std::min(text.find('\n', at), text.size());
      const std::string_view line(text.data() + at, nl - at);
      if (!line.empty() && line[0] != '#' && line.rfind("name ", 0) != 0 &&
          line.rfind("tag ", 0) != 0 && line.rfind("guards ", 0) != 0) {
        (steps += line) += '\n';
      }
      at = nl + 1;
    }
    return str(c["property"]) + '\n' + str(run["sut_spec"]) + '\n' + steps;
  };
  for (const auto& run : m["runs"]) {
    for (const auto& c : run["counterexamples"]) runs_of[key_of(run, c)].push_back(str(run["id"]));
  }
  std::set<std::string> done;
  int shown = 0;
  for (auto it = m["runs"].rbegin(); it != m["runs"].rend() && shown < 25; ++it) {
    for (const auto& c : (*it)["counterexamples"]) {
      if (shown >= 25) break;
      const auto key = key_of(*it, c);
      if (!done.insert(key).second) continue;
      ++shown;
      const auto& ids = runs_of[key];
      std::string also;
      for (std::size_t i = 0; i + 1 < ids.size(); ++i) also += (also.empty() ? "" : ", #") + ids[i];
      // A race's counterexample says how often it fails (check on a switch with threads).
      const auto report = str(c["report"]);
      const auto flaky = report.find("\nflaky: failed ");
      const std::string rate =
          flaky == std::string::npos
              ? ""
              : ", " + report.substr(flaky + 1, report.find('\n', flaky + 1) - flaky - 1);
      o += "<h2>Counterexample: " + h(str(c["property"])) + h(rate) + " (run #" + str((*it)["id"]) +
           ", " + h(str((*it)["command"])) + " against <code>" + h(str((*it)["sut_spec"])) +
           "</code>" + (also.empty() ? "" : "; also in run #" + also) + ")</h2><pre>" +
           h(str(c["scenario_text"])) + "</pre><pre>" + h(str(c["report"])) +
           "</pre><p>Reproduce: <code>" + h(str(c["reproduce"])) + "</code></p>";
    }
  }
  // The most recent defect-detection matrix in the store.
  for (auto it = m["runs"].rbegin(); it != m["runs"].rend(); ++it) {
    if ((*it)["mutants"].empty()) continue;
    o += "<h2>Defect-detection matrix (run #" + str((*it)["id"]) +
         ")</h2><table id=\"matrix\"><tr><th>class</th><th>defect</th><th>caught</th>"
         "<th>corpus scenarios</th><th>search found</th><th>scenarios</th><th>seconds</th>"
         "<th>shrunk steps</th><th>fuzzing found</th><th>fuzz inputs</th><th>fuzz seconds</th>"
         "<th>minimized steps</th><th>soak found</th><th>soak messages</th>"
         "<th>soak seconds</th></tr>";
    for (const auto& x : (*it)["mutants"]) {
      const auto soak = soak_cells(*it, x);
      const bool reference = x["defect_class"].get<int>() == 0;
      const bool caught = x["caught"].get<int>() != 0;
      const bool fuzzed = x["fuzz_ran"].get<int>() != 0;
      const bool fuzz_found = fuzzed && !str(x["fuzz_property"]).empty();
      o += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
          "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
          "<td>{}</td></tr>",
          reference ? "-" : str(x["defect_class"]), h(str(x["defect"])),
          badge_as(matrix_caught(x), caught != reference ? "ok" : "bad"), str(x["corpus_caught"]),
          str(x["search_property"]).empty() ? "none" : h(str(x["search_property"])),
          str(x["scenarios"]), fmt::format("{:.4f}", x["seconds"].get<double>()),
          str(x["shrunk_steps"]),
          fuzzed ? (fuzz_found ? h(str(x["fuzz_property"])) : "not found") : "not run",
          fuzzed ? str(x["fuzz_inputs"]) : "-",
          fuzzed ? fmt::format("{:.2f}", x["fuzz_seconds"].get<double>()) : "-",
          fuzz_found ? str(x["fuzz_steps"]) : "-", h(soak[0]), soak[1], soak[2]);
    }
    o += "</table>";
    break;
  }
  // The trend per switch build: the same spec and fingerprint is one build.
  {
    struct Build {
      std::string spec, name, sha, first, last;
      int runs = 0, pass = 0, violation = 0, other = 0;
      std::int64_t scenarios = 0;
    };
    std::vector<Build> builds;
    for (const auto& r : m["runs"]) {
      if (r["command"] == "mutants") continue;  // the catalog, not one switch
      const auto spec = str(r["sut_spec"]), sha = str(r["sut_sha256"]);
      auto it = std::find_if(builds.begin(), builds.end(),
                             [&](const Build& b) { return b.spec == spec && b.sha == sha; });
      if (it == builds.end()) {
        builds.push_back({spec, str(r["sut_name"]) + " " + str(r["sut_version"]), sha,
                          str(r["started_at"]), "", 0, 0, 0, 0, 0});
        it = builds.end() - 1;
      }
      ++it->runs;
      it->last = str(r["started_at"]);
      it->scenarios += r["scenarios"].is_number() ? r["scenarios"].get<std::int64_t>() : 0;
      const auto verdict = r["status"] == "complete" ? str(r["verdict"]) : "";
      (verdict == "pass" ? it->pass : verdict == "violation" ? it->violation : it->other) += 1;
    }
    if (!builds.empty()) {
      o += "<h2>Trend per switch build</h2><table id=\"builds\"><tr><th>switch</th><th>build "
           "(fingerprint)</th><th>runs</th><th>first / last</th><th>scenarios</th><th>pass</th>"
           "<th>violation</th><th>other</th></tr>";
      for (const auto& b : builds) {
        std::string sha = b.sha.size() > 24 ? b.sha.substr(0, 24) + "..." : b.sha;
        o += fmt::format(
            "<tr><td><code>{}</code> {}</td><td><code>{}</code></td><td>{}</td><td>{} / {}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            h(b.spec), h(b.name), h(sha), b.runs, h(b.first), h(b.last), b.scenarios, b.pass,
            b.violation ? badge_as(std::to_string(b.violation), "bad") : "0", b.other);
      }
      o += "</table>";
    }
  }
  o += "<h2>All runs</h2>" + trend_svg(m["runs"]) +
       "<table><tr><th>run</th><th>command</th><th>switch</th><th>started</th><th>verdict</th>"
       "<th>scenarios</th><th>messages</th></tr>";
  for (const auto& r : m["runs"]) {
    o += fmt::format(
        "<tr><td>#{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>",
        str(r["id"]), h(str(r["command"])), h(str(r["sut_spec"])), h(str(r["started_at"])),
        r["status"] == "complete" ? badge(str(r["verdict"])) : badge(""), str(r["scenarios"]),
        r["command"] == "fuzz" ? std::string("(fuzz inputs)") : str(r["messages"]));
  }
  o += "</table></body></html>\n";
  // Every table scrolls inside its own box: the page is never wider than
  // the screen (390 px phones included).
  std::string out;
  out.reserve(o.size() + 4096);
  for (std::size_t at = 0;;) {
    const auto t = o.find("<table", at);
    if (t == std::string::npos) {
      out.append(o, at);
      break;
    }
    const auto end = o.find("</table>", t);
    out.append(o, at, t - at);
    out += "<div class=\"scroll\">";
    out.append(o, t, end + 8 - t);
    out += "</div>";
    at = end + 8;
  }
  return out;
}

}  // namespace

std::string with_commas(std::int64_t n) {
  std::string d = std::to_string(n), out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

bool parse_format(const std::string& name, ReportFormat& out) {
  if (name == "md" || name == "markdown")
    out = ReportFormat::kMarkdown;
  else if (name == "json")
    out = ReportFormat::kJson;
  else if (name == "junit")
    out = ReportFormat::kJunit;
  else if (name == "sarif")
    out = ReportFormat::kSarif;
  else if (name == "html")
    out = ReportFormat::kHtml;
  else
    return false;
  return true;
}

std::string render_report(Store& store, ReportFormat format, const ReportScope& scope) {
  Json m = load(store, scope);
  if (!scope.relative_to.empty()) {
    const auto base = std::filesystem::path(scope.relative_to).lexically_normal();
    auto rel = [&](Json& j) {
      if (!j.is_string()) return;
      const std::filesystem::path p(j.get<std::string>());
      if (!p.is_absolute()) return;
      const auto r = p.lexically_normal().lexically_relative(base);
      if (!r.empty() && *r.begin() != "..") j = r.string();
    };
    for (auto& r : m["runs"]) {
      for (auto& s : r["scenario_results"]) rel(s["source"]);
      for (auto& c : r["counterexamples"]) rel(c["file"]);
    }
  }
  switch (format) {
    case ReportFormat::kMarkdown:
      return markdown(m);
    case ReportFormat::kJson:
      return m.dump(2) + "\n";
    case ReportFormat::kJunit:
      return junit(m);
    case ReportFormat::kSarif:
      return sarif(m);
    case ReportFormat::kHtml:
      return html(m);
  }
  return "";
}

}  // namespace wrongbox::evidence
