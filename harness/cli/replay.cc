// `wrongbox replay`: scenario files in, one verdict line each, exit code out.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "examples/reference_switch.h"
#include "examples/threaded_switch.h"
#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/cli/record.h"
#include "harness/cli/replay_parts.h"
#include "harness/cli/sut.h"
#include "harness/core/minimize.h"
#include "harness/core/oracle/property.h"
#include "harness/core/printable.h"
#include "harness/core/runner.h"
#include "harness/core/scenario.h"
#include "harness/evidence/evidence.h"
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
          // A dangling link, a loop of links, a FIFO, a socket: named, not silently skipped.
          const auto why = path_problem(it->path().string());
          errors.push_back(it->path().string() + ": " + (why.empty() ? "not a regular file" : why) +
                           "; left out");
        }
      }
      if (ec) errors.push_back(p + ": cannot read directory: " + ec.message());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (const auto why = path_problem(p); why.empty()) {
      out.push_back(p);
    } else {
      errors.push_back(p + ": " + why + (fs::exists(p, ec) ? "; left out" : ""));
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

namespace replay_parts {

// How replay plays a file on a switch: with --seed and, for a switch with
// threads (which may fail under some interleavings only), seeded schedule
// perturbation and `runs` plays, each under its own schedule (--runs;
// default 20 for such a switch, else 1).
RunOptions play_options(const ReplayOptions& o, const HelloInfo& hello, int& runs) {
  RunOptions ro = RunOptions::for_switch(hello);
  ro.seed = o.seed;
  runs = o.runs > 0 ? o.runs : ro.threads ? 20 : 1;
  const std::uint64_t schedule = (o.seed * 0x9e3779b97f4a7c15ull) ^ 0x5c4edull;
  return ro.perturbed(perturb_from(o.perturb), schedule != 0 ? schedule : 1);
}

// The exit code from the counts (input errors, then switch failures, then
// violations: the worst wins), recorded with the totals.
ReplayResult finished(ReplayResult res, evidence::RunTotals& totals, Recorder& rec) {
  int rc = kExitOk;
  if (res.input_errors > 0) rc = worst_exit(rc, kExitUsage);
  if (res.switch_failures > 0) rc = worst_exit(rc, kExitSwitchFailed);
  if (res.failed > 0) rc = worst_exit(rc, kExitViolation);
  res.exit_code = rc;
  totals.exit_code = rc;
  totals.verdict = verdict_word(rc);
  rec.finish(totals, res);
  return res;
}

}  // namespace replay_parts

namespace {

using replay_parts::check_guards;
using replay_parts::finished;
using replay_parts::play_options;
using replay_parts::select_files;

// One replay of files against one switch: each file played (several times
// for a switch with threads), told, counted and recorded.
class Replay {
 public:
  Replay(const ReplayOptions& o, OpenedSut& sut, Recorder& rec, const Console& io)
      : o_(o), sut_(sut), rec_(rec), io_(io) {
    ropt_ = play_options(o, sut.hello, runs_);
    ropt_.trace = o.trace;
  }
  // Plays `files`; `earlier_errors` input errors were found before (they
  // count for --fail-fast and the exit code).
  ReplayResult run(const std::vector<std::string>& files, long earlier_errors);

 private:
  bool budget_spent() const {
    return o_.budget_seconds > 0 &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count() >=
               o_.budget_seconds;
  }
  FileRun play(const std::string& file, int& failed_runs);
  void count(const RunResult& r);
  void tell(const std::string& file, const RunResult& r, const std::string& rate);
  void report_failure(const std::string& file, const RunResult& r, const std::string& rate);
  std::string story_of(const std::string& file, const RunResult& r);
  void tell_end(std::size_t files, bool stopped_early);

  const ReplayOptions& o_;
  OpenedSut& sut_;
  Recorder& rec_;
  Console io_;
  RunOptions ropt_;
  int runs_ = 1;
  const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  ReplayResult res_;
  evidence::RunTotals totals_;
  std::vector<std::string> reports_;
};

ReplayResult Replay::run(const std::vector<std::string>& files, long earlier_errors) {
  res_.input_errors = earlier_errors;
  bool stopped_early = false;
  for (const auto& file : files) {
    if (budget_spent()) {
      res_.not_played = static_cast<long>(files.size()) - res_.played;
      break;
    }
    if (o_.fail_fast &&
        (res_.failed + res_.switch_failures + res_.input_errors - earlier_errors) > 0) {
      res_.not_played = static_cast<long>(files.size()) - res_.played;
      stopped_early = true;
      break;
    }
    ++res_.played;
    int failed_runs = 0;
    const FileRun run = play(file, failed_runs);
    const std::string rate = runs_ > 1 && failed_runs > 0
                                 ? fmt::format(" (failed {} of {} runs)", failed_runs, runs_)
                                 : "";
    if (!run.parsed.ok()) {
      fmt::print(io_.out, "ERROR {}\n", run.parsed.error.to_string());
      ++res_.input_errors;
      rec_.write([&](evidence::Store& store, std::int64_t id) {
        store.add_scenario(id, {file, "input-error", run.parsed.error.to_string(), ""});
      });
      continue;
    }
    const RunResult& r = run.result;
    count(r);
    tell(file, r, rate);
    if (r.failed()) report_failure(file, r, rate);
    rec_.write([&](evidence::Store& store, std::int64_t id) {
      store.add_scenario(id, {file, to_string(r.outcome), summarize(r) + rate,
                              r.headline() ? format_violation(*r.headline(), file) : r.error});
    });
  }
  tell_end(files.size(), stopped_early);
  return finished(std::move(res_), totals_, rec_);
}

// The file played `runs_` times (each under its own schedule); the first
// failing play is the one kept.
FileRun Replay::play(const std::string& file, int& failed_runs) {
  const auto retain = static_cast<std::size_t>(o_.retain);
  FileRun run = run_scenario_file(file, *sut_.sw, ropt_.under_schedule(0), retain);
  failed_runs = run.result.failed();
  for (int i = 1; i < runs_ && run.parsed.ok() && run.result.outcome != Outcome::kSkipped; ++i) {
    FileRun again = run_scenario_file(file, *sut_.sw,
                                      ropt_.under_schedule(static_cast<std::uint64_t>(i)), retain);
    if (!again.result.failed()) continue;
    if (failed_runs++ == 0) run = std::move(again);  // the first failure is reported
  }
  return run;
}

void Replay::count(const RunResult& r) {
  count_scenario(totals_, r);
  if (const auto* h = r.headline()) ++totals_.violations[static_cast<int>(h->property)];
  switch (r.outcome) {
    case Outcome::kPass:
      ++res_.passed;
      break;
    case Outcome::kSkipped:
      ++res_.skipped;
      break;
    case Outcome::kViolation:
      ++res_.failed;
      break;
    case Outcome::kSwitchFailure:
      ++res_.switch_failures;
      break;
    default:
      ++res_.input_errors;
  }
}

// The file's line (PASS, SKIP, FAIL, ERROR), its trace with --trace, and
// the run's warnings.
void Replay::tell(const std::string& file, const RunResult& r, const std::string& rate) {
  const std::string line = summarize(r);
  if (r.outcome == Outcome::kPass) {
    if (!o_.quiet) fmt::print(io_.out, "PASS  {}\n", file);
  } else if (r.outcome == Outcome::kSkipped) {
    if (!o_.quiet) fmt::print(io_.out, "SKIP  {}: {}\n", file, r.error);
  } else if (r.outcome == Outcome::kViolation) {
    fmt::print(io_.out, "FAIL  {}: {}{}\n", file, line.substr(line.find(' ') + 1), rate);
  } else {
    fmt::print(io_.out, "ERROR {}: {}{}\n", file, line, rate);
  }
  if (o_.trace) {
    for (const auto& t : r.trace) {
      std::size_t start = 0;
      while (start <= t.size()) {
        const auto nl = std::min(t.find('\n', start), t.size());
        fmt::print(io_.out, "  | {}\n", std::string_view(t).substr(start, nl - start));
        start = nl + 1;
      }
    }
  }
  for (const auto& w : r.warnings) {
    if (!o_.quiet) fmt::print(io_.out, "  warning: {}\n", w);
  }
}

// A failing file's report (printed at the end), its replay command, and its
// counterexample in the evidence.
void Replay::report_failure(const std::string& file, const RunResult& r, const std::string& rate) {
  std::string rep = file + rate + "\n";
  if (r.outcome == Outcome::kViolation) {
    rep += format_violation(*r.headline(), file);
    const auto n = r.violations.size() + r.violations_not_kept;
    if (n > 1) {
      rep += fmt::format("  ({} violation(s) in all; {})\n", n,
                         o_.trace ? "the trace above shows each call" : "--trace shows each call");
    }
  } else {
    rep += "  " + summarize(r) + "\n";
  }
  const std::string again =
      check::replay_command(file, o_.sut) + (runs_ > 1 ? fmt::format(" --runs {}", runs_) : "");
  rep += "  replay: " + again + "\n";
  res_.next.push_back("replay:    " + again);
  if (r.outcome == Outcome::kSwitchFailure && !sut_.log_path.empty()) {
    rep += "  switch log: " + sut_.log_path + "\n";
  }
  rec_.write([&](evidence::Store& store, std::int64_t id) {
    store.add_counterexample(
        id, {r.headline() ? to_string(r.headline()->property) : "switch-failure",
             scenario_text_for_evidence(file), rep, check::replay_command(file, o_.sut), file,
             story_of(file, r)});
  });
  reports_.push_back(std::move(rep));
}

// A failing file's story for the evidence: its traced run, or a traced
// replay of it when it is short enough to load.
std::string Replay::story_of(const std::string& file, const RunResult& r) {
  if (o_.trace) return story_trace(r);
  constexpr std::size_t kMostSteps = 2000;
  if (r.stats.steps > static_cast<std::int64_t>(kMostSteps)) return "";
  const auto parsed = load_scenario_file(file);
  if (!parsed.ok()) return "";
  return story_trace(*parsed.scenario, *sut_.sw, ropt_);
}

void Replay::tell_end(std::size_t files, bool stopped_early) {
  if (!reports_.empty()) {
    fmt::print(io_.out, "\nFailures:\n");
    for (const auto& r : reports_) fmt::print(io_.out, "\n{}", r);
    fmt::print(io_.out, "\n");
  }
  if (stopped_early) {
    fmt::print(io_.out, "--fail-fast: stopped at the first failure; {} of {} file(s) not played\n",
               res_.not_played, files);
  } else if (res_.not_played > 0) {
    fmt::print(io_.out, "time budget of {:.1f} s spent: {} of {} scenario file(s) not played\n",
               o_.budget_seconds, res_.not_played, files);
  }
  res_.summary = fmt::format(
      "replayed {} scenario(s): {} passed, {} failed, {} input error(s), {} switch failure(s), "
      "{} skipped",
      res_.played, res_.passed, res_.failed, res_.input_errors, res_.switch_failures, res_.skipped);
  fmt::print(io_.out, "{}\n",
             "replayed " + fmt::format("{} scenario(s) against {}", res_.played, o_.sut) +
                 res_.summary.substr(res_.summary.find(':')));
}

}  // namespace

ReplayResult replay(const ReplayOptions& o, const Console& io) {
  ReplayResult res;
  std::vector<std::string> errors;
  if (o.check_guards && o.last_failed) {
    return fail(res, io, kExitUsage,
                "--last-failed selects by the last replays against --sut; --check-guards plays "
                "each file on its guards' defects instead: narrow it with --tag or --guards");
  }
  auto files = collect_scenarios(o.paths, errors);
  for (const auto& e : errors) fmt::print(io.err, "wrongbox: {}\n", e);
  if (files.empty()) return fail(res, io, kExitUsage, "no scenario files (*.wbs) found");
  std::string selection;
  if (!select_files(o, files, selection, io, res)) return res;
  if (!selection.empty()) fmt::print(io.out, "{}\n", selection);
  if (files.empty()) {
    res.summary = "no scenario file selected";
    fmt::print(io.out, "nothing to replay: no file matches the selection\n");
    res.exit_code = kExitUsage;
    return res;
  }
  if (o.check_guards) {
    res.input_errors = static_cast<long>(errors.size());
    return check_guards(o, files, selection, io, std::move(res));
  }
  auto opened = open_sut_for_cli(o.sut, o.sut_options(), io, res);
  if (!opened) return res;
  auto rec = start_recording(o.evidence, "replay", &*opened, o.sut,
                             Settings{{"seed", o.seed},
                                      {"paths", files.size()},
                                      {"runs", o.runs},
                                      {"perturb", o.perturb},
                                      {"selection", selection},
                                      {"fail_fast", o.fail_fast}},
                             io, res);
  if (!rec) return res;
  return Replay(o, *opened, *rec, io).run(files, static_cast<long>(errors.size()));
}

}  // namespace wrongbox::cli
