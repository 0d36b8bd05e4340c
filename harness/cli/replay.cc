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

ReplayResult replay(const ReplayOptions& o, const Console& io) {
  ReplayResult res;
  std::vector<std::string> errors;
  const auto files = collect_scenarios(o.paths, errors);
  for (const auto& e : errors) fmt::print(io.err, "wrongbox: {}\n", e);
  if (files.empty()) return fail(res, io, kExitUsage, "no scenario files (*.wbs) found");
  auto opened = open_sut_for_cli(o.sut, o.sut_options(), io, res);
  if (!opened) return res;
  OpenedSut& sut = *opened;

  auto rec = start_recording(
      o.evidence, "replay", &sut, o.sut,
      Settings{{"seed", o.seed}, {"paths", files.size()}, {"runs", o.runs}, {"perturb", o.perturb}},
      io, res);
  if (!rec) return res;
  evidence::RunTotals totals;
  res.input_errors = static_cast<long>(errors.size());
  std::vector<std::string> reports;
  RunOptions ropt = RunOptions::for_switch(sut.hello);
  ropt.trace = o.trace;
  ropt.seed = o.seed;
  // A switch with threads may fail under some interleavings only: each file
  // is played several times, each under its own schedule.
  const int runs = o.runs > 0 ? o.runs : ropt.threads ? 20 : 1;
  const std::uint64_t schedule = (o.seed * 0x9e3779b97f4a7c15ull) ^ 0x5c4edull;
  ropt = ropt.perturbed(perturb_from(o.perturb), schedule != 0 ? schedule : 1);
  const auto t0 = std::chrono::steady_clock::now();
  auto budget_spent = [&] {
    return o.budget_seconds > 0 &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >=
               o.budget_seconds;
  };
  for (const auto& file : files) {
    if (budget_spent()) {
      res.not_played = static_cast<long>(files.size()) - res.played;
      break;
    }
    ++res.played;
    FileRun run = run_scenario_file(file, *sut.sw, ropt.under_schedule(0),
                                    static_cast<std::size_t>(o.retain));
    int failed_runs = run.result.failed();
    for (int i = 1; i < runs && run.parsed.ok() && run.result.outcome != Outcome::kSkipped; ++i) {
      FileRun again =
          run_scenario_file(file, *sut.sw, ropt.under_schedule(static_cast<std::uint64_t>(i)),
                            static_cast<std::size_t>(o.retain));
      if (!again.result.failed()) continue;
      if (failed_runs++ == 0) run = std::move(again);  // the first failure is reported
    }
    const std::string rate = runs > 1 && failed_runs > 0
                                 ? fmt::format(" (failed {} of {} runs)", failed_runs, runs)
                                 : "";
    if (!run.parsed.ok()) {
      fmt::print(io.out, "ERROR {}\n", run.parsed.error.to_string());
      ++res.input_errors;
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
      ++res.passed;
      if (!o.quiet) fmt::print(io.out, "PASS  {}\n", file);
    } else if (r.outcome == Outcome::kSkipped) {
      ++res.skipped;
      if (!o.quiet) fmt::print(io.out, "SKIP  {}: {}\n", file, r.error);
    } else {
      if (r.outcome == Outcome::kViolation)
        ++res.failed;
      else if (r.outcome == Outcome::kSwitchFailure)
        ++res.switch_failures;
      else
        ++res.input_errors;
      if (r.outcome == Outcome::kViolation) {
        fmt::print(io.out, "FAIL  {}: {}{}\n", file, line.substr(line.find(' ') + 1), rate);
      } else {
        fmt::print(io.out, "ERROR {}: {}{}\n", file, line, rate);
      }
    }
    if (o.trace) {
      for (const auto& t : r.trace) {
        std::size_t start = 0;
        while (start <= t.size()) {
          const auto nl = std::min(t.find('\n', start), t.size());
          fmt::print(io.out, "  | {}\n", std::string_view(t).substr(start, nl - start));
          start = nl + 1;
        }
      }
    }
    for (const auto& w : r.warnings) {
      if (!o.quiet) fmt::print(io.out, "  warning: {}\n", w);
    }
    if (r.failed()) {
      std::string rep = file + rate + "\n";
      if (r.outcome == Outcome::kViolation) {
        rep += format_violation(*r.headline(), file);
        const auto n = r.violations.size() + r.violations_not_kept;
        if (n > 1) rep += fmt::format("  ({} violation(s) in all; --trace shows each call)\n", n);
      } else {
        rep += "  " + line + "\n";
      }
      const std::string again =
          check::replay_command(file, o.sut) + (runs > 1 ? fmt::format(" --runs {}", runs) : "");
      rep += "  replay: " + again + "\n";
      res.next.push_back("replay:    " + again);
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
                                 {file, to_string(r.outcome), line + rate,
                                  r.headline() ? format_violation(*r.headline(), file) : r.error});
    }
  }
  if (!reports.empty()) {
    fmt::print(io.out, "\nFailures:\n");
    for (const auto& r : reports) fmt::print(io.out, "\n{}", r);
    fmt::print(io.out, "\n");
  }
  if (res.not_played > 0) {
    fmt::print(io.out, "time budget of {:.1f} s spent: {} of {} scenario file(s) not played\n",
               o.budget_seconds, res.not_played, files.size());
  }
  res.summary = fmt::format(
      "replayed {} scenario(s): {} passed, {} failed, {} input error(s), {} switch failure(s), "
      "{} skipped",
      res.played, res.passed, res.failed, res.input_errors, res.switch_failures, res.skipped);
  fmt::print(io.out, "{}\n",
             "replayed " + fmt::format("{} scenario(s) against {}", res.played, o.sut) +
                 res.summary.substr(res.summary.find(':')));
  int rc = kExitOk;
  if (res.input_errors > 0) rc = worst_exit(rc, kExitUsage);
  if (res.switch_failures > 0) rc = worst_exit(rc, kExitSwitchFailed);
  if (res.failed > 0) rc = worst_exit(rc, kExitViolation);
  res.exit_code = rc;
  totals.exit_code = rc;
  totals.verdict = verdict_word(rc);
  try {
    if (!rec->finish(totals, res)) return res;
  } catch (const evidence::EvidenceError& e) {
    return fail(res, io, kExitUsage, std::string("evidence: ") + e.what());
  }
  return res;
}

}  // namespace wrongbox::cli
