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

std::string render_report(Store& store, ReportFormat format);

}  // namespace wrongbox::evidence
