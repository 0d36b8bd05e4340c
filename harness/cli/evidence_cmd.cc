// `wrongbox evidence verify|merge` and `wrongbox report`.
#include <fmt/core.h>

#include <filesystem>
#include <fstream>

#include "harness/cli/commands.h"
#include "harness/evidence/evidence.h"
#include "harness/evidence/report.h"

namespace wrongbox::cli {

int evidence_verify(const std::string& path) {
  try {
    auto store = evidence::Store::open_existing(path);
    const auto v = store.verify();
    if (!v.ok) {
      fmt::print("TAMPERED: {}: {}\n", path, v.problem);
      return kExitViolation;
    }
    if (v.runs == 0) {
      // Every recording command writes a run; a store without one was emptied.
      fmt::print("NOT INTACT: {}: no run recorded (every recording command writes one)\n", path);
      return kExitViolation;
    }
    fmt::print("verified: {}: {} run(s), {} complete, hash chain intact\n", path, v.runs,
               v.complete);
    for (const auto& i : v.incomplete)
      fmt::print("  incomplete (killed or still running): {}\n", i);
    return kExitOk;
  } catch (const evidence::EvidenceError& e) {
    fmt::print(stderr, "wrongbox: evidence: {}\n", e.what());
    return kExitUsage;
  }
}

int evidence_merge(const std::string& out, const std::vector<std::string>& inputs) {
  try {
    const int n = evidence::merge(out, inputs);
    auto store = evidence::Store::open(out);
    const auto v = store.verify();
    fmt::print("merged {} run(s) from {} store(s) into {}: {} run(s), chain {}\n", n, inputs.size(),
               out, v.runs, v.ok ? "intact" : "BROKEN: " + v.problem);
    return v.ok ? kExitOk : kExitViolation;
  } catch (const evidence::EvidenceError& e) {
    fmt::print(stderr, "wrongbox: evidence: {}\n", e.what());
    return kExitUsage;
  }
}

int report(const std::string& path, const std::string& format, const std::string& out,
           std::int64_t after_run) {
  evidence::ReportFormat f{};
  if (!evidence::parse_format(format, f)) {
    fmt::print(stderr, "wrongbox: --format is html, md, json, junit or sarif\n");
    return kExitUsage;
  }
  try {
    auto store = evidence::Store::open_existing(path);
    const auto v = store.verify();
    std::error_code ec;
    const auto text =
        evidence::render_report(store, f, {after_run, std::filesystem::current_path(ec).string()});
    if (out.empty() || out == "-") {
      fmt::print("{}", text);
    } else {
      std::ofstream o(out, std::ios::binary);
      o << text;
      if (!o) {
        fmt::print(stderr, "wrongbox: cannot write {}\n", out);
        return kExitUsage;
      }
      fmt::print("report: {}\n", out);
    }
    // The report is written either way (it says so in every format); the
    // exit code says it too, so a pipeline cannot publish it as green.
    if (!v.ok) {
      fmt::print(stderr, "wrongbox: {}: TAMPERED: {}\n", path, v.problem);
      return kExitViolation;
    }
    return kExitOk;
  } catch (const evidence::EvidenceError& e) {
    fmt::print(stderr, "wrongbox: evidence: {}\n", e.what());
    return kExitUsage;
  }
}

}  // namespace wrongbox::cli
