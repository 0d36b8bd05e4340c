// The HTML report: one self-contained file for auditors.
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

// A counterexample's trace told as a story (evidence: counterexamples.trace):
// each step, each call with its answer, whose content went where (the
// oracle's word on that call), the violating call marked and explained with
// the violation's own lines from `report`.
std::string html_story(const std::string& trace, const std::string& report, int number) {
  struct Row {
    std::string what, answer, oracle;
    bool bad = false;
  };
  struct Step {
    std::string title, command;
    std::vector<Row> rows;
    bool bad = false;
  };
  std::vector<Step> steps;
  std::vector<std::string> notes;
  int calls = 0;
  const auto starts = [](std::string_view t, std::string_view p) { return t.rfind(p, 0) == 0; };
  const auto split = [](std::string_view t, std::string_view by) {
    const auto at = t.find(by);
    return at == std::string_view::npos
               ? std::pair{std::string(t), std::string()}
               : std::pair{std::string(t.substr(0, at)), std::string(t.substr(at + by.size()))};
  };
  const auto row = [&](Row r) {
    if (steps.empty()) steps.push_back({});
    steps.back().rows.push_back(std::move(r));
  };
  for (std::size_t at = 0; at < trace.size();) {
    const auto nl = std::min(trace.find('\n', at), trace.size());
    const std::string_view line(trace.data() + at, nl - at);
    at = nl + 1;
    const auto indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos) continue;
    const std::string_view t = line.substr(indent);
    if (indent == 0 && starts(t, "step ")) {
      auto [title, command] = split(t, ": ");
      for (std::size_t bar; (bar = command.find(" | ")) != std::string::npos;) {
        command.replace(bar, 3, "\n");
      }
      steps.push_back({std::move(title), std::move(command), {}, false});
    } else if (indent == 0 && starts(t, "drain: ")) {
      if (steps.empty() || steps.back().title != "the final drain") {
        steps.push_back({"the final drain", "", {}, false});
      }
      row({"drain", std::string(t.substr(7)), "", false});
    } else if (indent == 0) {
      notes.emplace_back(t);
    } else if (starts(t, "call: ")) {
      ++calls;
      auto [what, answer] = split(t.substr(6), " -> ");
      // "[s1/2 about P, 1 part(s)]": the message the call carried.
      if (const auto open = answer.rfind(" ["); open != std::string::npos && answer.back() == ']') {
        what += answer.substr(open);
        answer.resize(open);
      }
      row({std::move(what), std::move(answer), "", false});
    } else if (starts(t, "oracle: ") && !steps.empty() && !steps.back().rows.empty()) {
      Row& r = steps.back().rows.back();
      r.oracle += (r.oracle.empty() ? "" : "\n") + std::string(t.substr(8));
      if (t.find("VIOLATED") != std::string_view::npos) r.bad = steps.back().bad = true;
    } else if (starts(t, "tick ")) {
      auto [when, answer] = split(t, " -> ");
      row({std::move(when), std::move(answer), "", false});
    } else {
      auto [what, rest] = split(t, ": ");
      row({std::move(what), std::move(rest), "", false});
    }
  }
  const bool drained = !steps.empty() && steps.back().title == "the final drain";
  // The violation's own lines ("  message ...", "  went to ...").
  std::string why;
  for (std::size_t at = 0; at < report.size();) {
    const auto nl = std::min(report.find('\n', at), report.size());
    const std::string_view line(report.data() + at, nl - at);
    at = nl + 1;
    if (line.rfind("  ", 0) == 0 && line.rfind("  (", 0) != 0 && line.rfind("  replay", 0) != 0) {
      (why += line.substr(2)) += '\n';
    } else if (!why.empty()) {
      break;
    }
  }
  std::string o = fmt::format(
      "<details class=\"story\" id=\"story-{}\" open><summary>The story, step by step: {} "
      "step(s){}, {} call(s){}</summary>",
      number, steps.size() - (drained ? 1 : 0), drained ? " and the final drain" : "", calls,
      why.empty() ? "" : "; the violating call is marked");
  for (const auto& n : notes) o += "<p class=\"note\">" + h(n) + "</p>";
  o += "<ol class=\"story\">";
  bool explained = false;
  for (const auto& st : steps) {
    o += std::string("<li") + (st.bad ? " class=\"violated\"" : "") + "><b>" +
         h(st.title.empty() ? "before the first step" : st.title) + "</b>";
    if (!st.command.empty()) o += "<pre class=\"cmd\">" + h(st.command) + "</pre>";
    if (!st.rows.empty()) {
      o += "<table class=\"calls\"><tr><th>call</th><th>answer</th><th>whose content went where"
           "</th></tr>";
      for (const auto& r : st.rows) {
        o += std::string("<tr") + (r.bad ? " class=\"violating\"" : "") + "><td><code>" +
             h(r.what) + "</code></td><td><code>" + h(r.answer) + "</code></td><td>" + h(r.oracle);
        if (r.bad && !explained && !why.empty()) {
          o += "<div class=\"why\">" + h(why) + "</div>";
          explained = true;
        }
        o += "</td></tr>";
      }
      o += "</table>";
    }
    o += "</li>";
  }
  return o + "</ol></details>";
}

}  // namespace

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
details.story{margin:.5rem 0 1rem} details.story summary{font-weight:600;cursor:pointer}
ol.story{padding-left:1.5rem} ol.story li{margin:.5rem 0;page-break-inside:avoid} ol.story li.violated{border-left:.3rem solid #c62828;padding-left:.5rem}
pre.cmd{margin:.2rem 0;padding:.2rem .5rem} table.calls{table-layout:fixed} table.calls td{font-size:.85rem} table.calls td:first-child{width:38%} table.calls td:last-child{width:38%}
tr.violating td{background:#ffebee;font-weight:600} .why{font-weight:400;font-family:monospace;white-space:pre-wrap;margin-top:.3rem} p.note{font-style:italic}
@page{size:A4;margin:15mm}
@media print{body{margin:0;padding:0 2px;max-width:none}.scroll{overflow:visible}.banner,.badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}pre{page-break-inside:avoid}tr.violating td,ol.story li.violated{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
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
  int stories = 0;  // numbers their ids: story-1, story-2, ...
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
      if (const auto trace = str(c["trace"]); !trace.empty()) {
        o += html_story(trace, report, ++stories);
      }
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

}  // namespace wrongbox::evidence::report_parts
