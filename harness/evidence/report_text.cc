// The Markdown, JUnit XML and SARIF reports.
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
#include "harness/evidence/report.h"
#include "harness/evidence/report_parts.h"

namespace wrongbox::evidence::report_parts {

namespace {

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

}  // namespace

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
      // A file outside the checkout (the built-in corpus, under the install
      // prefix) cannot be linked: the switch's own file stands for it, and
      // the report in the message names it.
      const auto in_checkout = [&](const std::string& f) {
        return !f.empty() && artifact(f).contains("uriBaseId");
      };
      std::string uri = in_checkout(replayed) ? replayed : switch_file(r);
      if (uri.empty()) uri = !saved.empty() ? saved : replayed;
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
      if (in_checkout(saved) && saved != uri) {
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

}  // namespace wrongbox::evidence::report_parts
