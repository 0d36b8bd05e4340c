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
#include "harness/evidence/report_parts.h"

namespace wrongbox::evidence {
namespace {

using namespace report_parts;

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
