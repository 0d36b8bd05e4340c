// `wrongbox replay`: scenario files in, one verdict line each, exit code out.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "harness/check/campaign.h"
#include "harness/cli/commands.h"
#include "harness/cli/record.h"
#include "harness/cli/sut.h"
#include "harness/core/runner.h"
#include "harness/core/scenario.h"

namespace wrongbox::cli {

namespace fs = std::filesystem;

std::vector<std::string> collect_scenarios(const std::vector<std::string>& paths,
                                           std::vector<std::string>& errors) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().extension() != ".wbs") continue;
        std::error_code tec;
        if (it->is_regular_file(tec)) {
          found.push_back(it->path().string());
        } else if (!it->is_directory(tec)) {
          // A dangling link, a FIFO, a socket: named, not silently skipped.
          errors.push_back(it->path().string() +
                           (it->is_symlink(tec) && !fs::exists(it->path(), tec)
                                ? ": a link to nothing; left out"
                                : ": not a regular file; left out"));
        }
      }
      if (ec) errors.push_back(p + ": cannot read directory: " + ec.message());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      out.push_back(p);
    } else if (fs::exists(p, ec)) {
      errors.push_back(p + (fs::is_fifo(p, ec) ? ": a FIFO, not a scenario file; left out"
                                               : ": not a regular file; left out"));
    } else {
      errors.push_back(p + ": no such file or directory");
    }
  }
  return out;
}

std::vector<Scenario> load_scenarios(const std::vector<std::string>& paths,
                                     std::vector<std::string>& errors) {
  std::vector<Scenario> out;
  for (const auto& f : collect_scenarios(paths, errors)) {
    auto r = load_scenario_file(f);
    if (!r.ok()) {
      errors.push_back(r.error.to_string());
      continue;
    }
    out.push_back(std::move(*r.scenario));
  }
  return out;
}

namespace {

// What the evidence keeps of a failing file: its canonical text, unless the
// file is too long to copy (then where it is and how long).
std::string scenario_text_for_evidence(const std::string& file) {
  constexpr std::uintmax_t kMaxCopied = 8u << 20;
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (!ec && size <= kMaxCopied) {
    if (auto again = load_scenario_file(file); again.ok()) return print_scenario(*again.scenario);
  }
  return fmt::format("# not copied: {} ({} bytes, over the {} MiB kept in evidence)\n", file,
                     ec ? 0 : size, kMaxCopied >> 20);
}

}  // namespace

int replay(const ReplayOptions& o) {
  std::vector<std::string> errors;
  const auto files = collect_scenarios(o.paths, errors);
  for (const auto& e : errors) fmt::print(stderr, "wrongbox: {}\n", e);
  if (files.empty()) {
    fmt::print(stderr, "wrongbox: no scenario files (*.wbs) found\n");
    return kExitUsage;
  }
  int open_rc = kExitOk;
  auto opened = open_sut_for_cli(o.sut, o.sut_options(), open_rc);
  if (!opened) return open_rc;
  OpenedSut& sut = *opened;

  auto rec = start_recording(o.evidence, "replay", &sut, o.sut,
                             fmt::format("{{\"seed\":{},\"paths\":{}}}", o.seed, files.size()));
  if (!rec) return kExitUsage;
  evidence::RunTotals totals;
  int passed = 0, failed = 0, input_errors = static_cast<int>(errors.size()), switch_failed = 0,
      skipped = 0;
  std::vector<std::string> reports;
  RunOptions ropt = RunOptions::for_switch(sut.hello);
  ropt.trace = o.trace;
  ropt.seed = o.seed;
  const auto t0 = std::chrono::steady_clock::now();
  auto budget_spent = [&] {
    return o.budget_seconds > 0 &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >=
               o.budget_seconds;
  };
  std::size_t played = 0, not_played = 0;
  for (const auto& file : files) {
    if (budget_spent()) {
      not_played = files.size() - played;
      break;
    }
    ++played;
    FileRun run = run_scenario_file(file, *sut.sw, ropt, static_cast<std::size_t>(o.retain));
    if (!run.parsed.ok()) {
      fmt::print("ERROR {}\n", run.parsed.error.to_string());
      ++input_errors;
      if (rec->on()) {
        rec->store()->add_scenario(rec->run(),
                                   {file, "input-error", run.parsed.error.to_string(), ""});
      }
      continue;
    }
    const RunResult& r = run.result;
    const std::string line = summarize(r);
    ++totals.scenarios;
    totals.steps += r.stats.steps;
    totals.messages += r.stats.messages;
    for (int p = 0; p < kPropertyCount; ++p) totals.checks[p] += r.checks[p];
    if (const auto* h = r.headline()) ++totals.violations[static_cast<int>(h->property)];
    if (r.outcome == Outcome::kPass) {
      ++passed;
      if (!o.quiet) fmt::print("PASS  {}\n", file);
    } else if (r.outcome == Outcome::kSkipped) {
      ++skipped;
      if (!o.quiet) fmt::print("SKIP  {}: {}\n", file, r.error);
    } else {
      if (r.outcome == Outcome::kViolation)
        ++failed;
      else if (r.outcome == Outcome::kSwitchFailure)
        ++switch_failed;
      else
        ++input_errors;
      if (r.outcome == Outcome::kViolation) {
        fmt::print("FAIL  {}: {}\n", file, line.substr(line.find(' ') + 1));
      } else {
        fmt::print("ERROR {}: {}\n", file, line);
      }
    }
    if (o.trace) {
      for (const auto& t : r.trace) {
        std::size_t start = 0;
        while (start <= t.size()) {
          const auto nl = std::min(t.find('\n', start), t.size());
          fmt::print("  | {}\n", std::string_view(t).substr(start, nl - start));
          start = nl + 1;
        }
      }
    }
    for (const auto& w : r.warnings) {
      if (!o.quiet) fmt::print("  warning: {}\n", w);
    }
    if (r.failed()) {
      std::string rep = file + "\n";
      if (r.outcome == Outcome::kViolation) {
        rep += format_violation(*r.headline(), file);
        const auto n = r.violations.size() + r.violations_not_kept;
        if (n > 1) rep += fmt::format("  ({} violation(s) in all; --trace shows each call)\n", n);
      } else {
        rep += "  " + line + "\n";
      }
      rep += "  replay: " + check::replay_command(file, o.sut) + "\n";
      if (r.outcome == Outcome::kSwitchFailure && !sut.log_path.empty()) {
        rep += "  switch log: " + sut.log_path + "\n";
      }
      if (rec->on()) {
        rec->store()->add_counterexample(
            rec->run(),
            {r.headline() ? to_string(r.headline()->property) : "switch-failure",
             scenario_text_for_evidence(file), rep, check::replay_command(file, o.sut), file});
      }
      reports.push_back(std::move(rep));
    }
    if (rec->on()) {
      rec->store()->add_scenario(rec->run(),
                                 {file, to_string(r.outcome), line,
                                  r.headline() ? format_violation(*r.headline(), file) : r.error});
    }
  }
  if (!reports.empty()) {
    fmt::print("\nFailures:\n");
    for (const auto& r : reports) fmt::print("\n{}", r);
    fmt::print("\n");
  }
  if (not_played > 0) {
    fmt::print("time budget of {:.1f} s spent: {} of {} scenario file(s) not played\n",
               o.budget_seconds, not_played, files.size());
  }
  fmt::print(
      "replayed {} scenario(s) against {}: {} passed, {} failed, {} input error(s), {} "
      "switch failure(s), {} skipped\n",
      played, o.sut, passed, failed, input_errors, switch_failed, skipped);
  int rc = kExitOk;
  if (input_errors > 0) rc = worst_exit(rc, kExitUsage);
  if (switch_failed > 0) rc = worst_exit(rc, kExitSwitchFailed);
  if (failed > 0) rc = worst_exit(rc, kExitViolation);
  totals.exit_code = rc;
  totals.verdict = verdict_word(rc);
  try {
    if (!rec->finish(totals)) return kExitUsage;
  } catch (const evidence::EvidenceError& e) {
    fmt::print(stderr, "wrongbox: evidence: {}\n", e.what());
    return kExitUsage;
  }
  return rc;
}

}  // namespace wrongbox::cli
