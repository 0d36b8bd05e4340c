// Reports from an evidence store: HTML (auditors: one self-contained file,
// no external assets, inline SVG, prints well), Markdown (PR comments), JSON (tools;
// schema "wrongbox-report/1", docs/evidence.md), JUnit XML (CI test tabs),
// SARIF 2.1.0 (code-scanning UIs). Every report states whether the store's
// hash chain verified.
#pragma once

#include <string>

#include "harness/evidence/evidence.h"

namespace wrongbox::evidence {

enum class ReportFormat { kMarkdown, kJson, kJunit, kSarif, kHtml };
// "md", "json", "junit", "sarif", "html"; false when unknown.
bool parse_format(const std::string& name, ReportFormat& out);

// Which runs a report shows; the chain is always verified whole.
struct ReportScope {
  std::int64_t after_run = 0;  // only runs with a larger id (0: every run)
  std::int64_t run = 0;        // only this run (0: any)
  std::string since;           // only runs started at or after this UTC time (ISO 8601 prefix)
  std::string campaign;        // only the runs of this campaign (its id; "" = any)
  // Scenario files named by absolute paths under this directory are shown
  // relative to it (SARIF locations, so code scanning finds them); "" = as recorded.
  std::string relative_to;
};

std::string render_report(Store& store, ReportFormat format, const ReportScope& scope = {});

// 1234567 -> "1,234,567" (counts in reports and progress lines).
std::string with_commas(std::int64_t n);

}  // namespace wrongbox::evidence
