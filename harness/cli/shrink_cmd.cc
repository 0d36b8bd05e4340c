// `wrongbox shrink FILE --sut SUT [--out F]`: a failing scenario file, shrunk
// to the smallest file that still fails the same way, over any transport.
#include <fmt/core.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/core/minimize.h"

namespace wrongbox::cli {

namespace {

// The exit code of a shrunk run, and its failure in a few words.
int shrunk_exit(const RunResult& r, std::string& what) {
  switch (r.outcome) {
    case Outcome::kViolation:
      what = to_string(r.headline()->property);
      return kExitViolation;
    case Outcome::kSwitchFailure:
      what = "a switch failure";
      return kExitSwitchFailed;
    case Outcome::kInputError:
      return kExitUsage;
    default:
      return kExitOk;
  }
}

// The violation as it reads in `text` (the file written, not the file
// shrunk): its line there.
std::optional<Violation> headline_in(const RunResult& r, const std::string& text,
                                     const std::string& where) {
  if (!r.headline()) return std::nullopt;
  Violation v = *r.headline();
  const auto again = parse_scenario(text, where.empty() ? "<stdout>" : where);
  const auto step = static_cast<std::size_t>(v.step);
  v.line = again.ok() && v.step >= 0 && step < again.scenario->steps.size()
               ? again.scenario->steps[step].line
               : 0;
  return v;
}

// The shrunk scenario written (--out, or standard output), told and
// recorded. False when it cannot be written (`res` says why).
bool write_shrunk(const ShrinkOptions& o, const Scenario& original, const MinimizeResult& m,
                  const std::string& what, double secs, OpenedSut& sut, const RunOptions& ro,
                  Recorder& rec, const Console& io, CommandResult& res) {
  const RunResult& r = m.result;
  Scenario out = m.scenario;
  out.header_comments.push_back(fmt::format(
      "shrunk by `wrongbox shrink` from {} ({} step(s)) against {}: {} step(s), the same "
      "failure ({})",
      o.file, original.steps.size(), o.sut, out.steps.size(), what));
  const std::string text = print_scenario(out);
  const auto headline = headline_in(r, text, o.out);
  if (o.out.empty()) {
    fmt::print(io.out, "{}", text);
  } else {
    std::ofstream f(o.out, std::ios::trunc);
    f << text;
    f.close();
    if (!f) {
      fail(res, io, kExitUsage,
           "--out " + o.out + ": cannot write the file: " + std::strerror(errno));
      return false;
    }
  }
  res.summary = fmt::format("shrunk {} from {} to {} step(s) in {} replays ({:.1f} s{}); {}",
                            o.file, original.steps.size(), out.steps.size(), m.runs, secs,
                            m.cut_short ? ", cut short by a limit" : "",
                            headline ? format_violation(*headline, o.out) : summarize(r));
  // The scenario went to standard output: the rest goes to standard error.
  std::FILE* say = o.out.empty() ? io.err : io.out;
  fmt::print(say, "{}\n", res.summary);
  const std::string again = o.out.empty() ? "" : check::replay_command(o.out, o.sut);
  if (!o.out.empty()) {
    fmt::print(say, "replay:    {}\n", again);
    res.next.push_back("replay:    " + again);
  }
  rec.write([&](evidence::Store& store, std::int64_t run) {
    store.add_counterexample(
        run, {r.headline() ? to_string(r.headline()->property) : "switch-failure", text,
              res.summary, again, o.out, story_trace(m.scenario, *sut.sw, ro)});
  });
  return true;
}

}  // namespace

CommandResult shrink(const ShrinkOptions& o, const Console& io) {
  CommandResult res;
  std::error_code ec;
  if (std::filesystem::is_directory(o.file, ec)) {
    return fail(res, io, kExitUsage,
                o.file +
                    " is a directory: shrink takes one scenario file (`wrongbox corpus "
                    "minimize` and `dedup` take directories)");
  }
  const auto parsed = load_scenario_file(o.file);
  if (!parsed.ok()) return fail(res, io, kExitUsage, parsed.error.to_string());
  const Scenario& original = *parsed.scenario;
  auto sut = open_sut_for_cli(o.sut, o.sut_options(), io, res);
  if (!sut) return res;
  auto rec = start_recording(
      o.evidence, "shrink", &*sut, o.sut,
      Settings{{"file", o.file}, {"out", o.out}, {"time_budget", o.budget_seconds}}, io, res);
  if (!rec) return res;

  RunOptions ro = RunOptions::for_switch(sut->hello);
  MinimizeLimits limits;
  limits.deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(static_cast<long long>(o.budget_seconds * 1000));
  if (ro.threads) {  // a race: a step goes only while the failure keeps about its rate
    limits.tries = 8;
    limits.min_failures = 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  MinimizeResult m = minimize_scenario(original, *sut->sw, ro, limits);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string what;  // the failure, in a few words
  const int rc = shrunk_exit(m.result, what);
  if (rc == kExitOk || rc == kExitUsage) {
    res.summary = rc == kExitOk ? fmt::format("{} does not fail against {} ({}): nothing to shrink",
                                              o.file, o.sut, summarize(m.result))
                                : fmt::format("{} cannot be played against {} ({})", o.file, o.sut,
                                              summarize(m.result));
    fmt::print(io.out, "{}\n", res.summary);
  } else if (!write_shrunk(o, original, m, what, secs, *sut, ro, *rec, io, res)) {
    return res;
  }
  if (!rec->finish_one(o.file, m.result, "", rc, m.runs, res)) return res;
  res.exit_code = rc;
  return res;
}

}  // namespace wrongbox::cli
