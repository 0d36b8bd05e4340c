// The parts the report formats share (report_parts.h).
#include "harness/evidence/report_parts.h"

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

namespace wrongbox::evidence::report_parts {

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

// The newest run that recorded situation coverage, or nullptr.
const Json* latest_situations(const Json& m) {
  for (auto it = m["runs"].rbegin(); it != m["runs"].rend(); ++it) {
    const auto& c = (*it)["coverage"];
    if (c.is_object() && c.contains("situations") && c["situations"].is_object()) return &*it;
  }
  return nullptr;
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

}  // namespace wrongbox::evidence::report_parts
