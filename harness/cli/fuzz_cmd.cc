// `wrongbox fuzz`: coverage-guided fuzzing of an in-process switch with the
// libFuzzer build of fuzz/switch_fuzzer, seeded from scenario files; a
// finding is replayed here, minimized, saved as a scenario file and recorded.
#include <fmt/core.h>
#include <unistd.h>

#include <filesystem>

#include "fuzz/scenario_codec.h"
#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/cli/fuzz_engine.h"
#include "harness/cli/record.h"
#include "harness/core/shell.h"

namespace wrongbox::cli {

namespace fs = std::filesystem;

namespace {

// Progress on standard error: one redrawn line on a terminal, a line every
// 5 s otherwise; none with --quiet; the caller's when it gave one.
std::function<void(long, double)> fuzz_progress(const FuzzCliOptions& o, const Console& io) {
  if (o.progress) return o.progress;
  return [&o, io, tty = io.live(), last_print = 0.0](long execs, double secs) mutable {
    if (o.quiet) return;
    const auto line =
        fmt::format("fuzz: {} inputs, {:.0f}/s, {:.0f} s of {:.0f} s", execs,
                    secs > 0 ? static_cast<double>(execs) / secs : 0.0, secs, o.budget);
    if (tty) {
      fmt::print(io.err, "\r\x1b[2K{}", line);
    } else if (secs - last_print >= 5) {
      fmt::print(io.err, "{}\n", line);
      last_print = secs;
    }
  };
}

// The fuzzer's finding replayed here and minimized; saved as a scenario
// file (--save-failures). Returns the exit code it makes.
int judge_finding(const FuzzCliOptions& o, const FuzzEngineResult& r, OpenedSut& sut,
                  std::optional<FuzzFinding>& finding, std::string& saved) {
  if (!r.error.empty()) return kExitUsage;
  if (!r.found) return kExitOk;
  finding = analyse_fuzz_input(r.artifact, *sut.sw, RunOptions::for_switch(sut.hello));
  if (!finding->reproduced) return kExitSwitchFailed;  // the instrumented child saw what we cannot
  const auto& m = finding->minimized;
  if (!o.save_failures.empty()) {
    saved = check::save_counterexample(
        check::failures_dir_for(o.save_failures, o.sut), o.sut, m.scenario, m.result,
        {fmt::format("Found by wrongbox fuzz against {} after {:.1f} s ({} inputs) and "
                     "minimized from {} to {} steps.",
                     o.sut, r.seconds, r.execs, finding->original.steps.size(),
                     m.scenario.steps.size()),
         "Fuzzer input: " + r.artifact},
        "found-by-fuzzing");
  }
  return m.result.outcome == Outcome::kSwitchFailure ? kExitSwitchFailed : kExitViolation;
}

bool record_fuzz(Recorder& rec, const FuzzCliOptions& o, const FuzzEngineOptions& fo,
                 const FuzzEngineResult& r, const std::optional<FuzzFinding>& finding,
                 const std::string& saved, FuzzCommandResult& res) {
  auto t = run_totals(res.exit_code, r.execs);
  if (finding) {
    const auto* v = finding->minimized.result.headline();
    if (v) ++t.violations[static_cast<int>(v->property)];
    rec.write([&](evidence::Store& store, std::int64_t run) {
      store.add_counterexample(
          run,
          {v ? to_string(v->property) : "switch-failure",
           print_scenario(finding->minimized.scenario),
           v ? format_violation(*v)
             : (finding->reproduced
                    ? summarize(finding->minimized.result)
                    : "the fuzzer's " + r.kind + " did not reproduce in-process; see " + fo.log),
           saved.empty() ? "" : check::replay_command(saved, o.sut, /*trace=*/false), saved, ""});
    });
  }
  return rec.finish(t, res, /*quiet=*/true);
}

// The result's summary and what is printed of it.
void tell_fuzz(const FuzzCliOptions& o, const FuzzEngineOptions& fo, const FuzzEngineResult& r,
               const std::optional<FuzzFinding>& finding, const std::string& saved, int unencodable,
               const Console& io, FuzzCommandResult& res) {
  if (!finding) {
    res.summary = fmt::format(
        "PASS: {} inputs in {:.1f} s ({} exec/s), no property violated; {} seed(s){}", r.execs,
        r.seconds, r.exec_per_sec, fo.seeds.size(),
        unencodable ? fmt::format(" ({} scenario(s) not expressible as input)", unencodable) : "");
    fmt::print(io.out, "{}\n", res.summary);
    if (!o.quiet) fmt::print(io.out, "corpus: {}/corpus\nlog:    {}\n", fo.work_dir, fo.log);
    return;
  }
  if (!finding->reproduced) {
    res.summary = fmt::format(
        "the fuzzer saved a {} input after {:.1f} s ({} inputs) that passes when replayed here: "
        "a sanitizer report or a crash inside the switch",
        r.kind, r.seconds, r.execs);
    fmt::print(io.out, "FAIL: {}.\ninput: {}\nlog:   {}\n", res.summary, r.artifact, fo.log);
    return;
  }
  const auto& m = finding->minimized;
  const std::string how =
      fmt::format("found after {:.1f} s ({} inputs); minimized from {} to {} step(s)", r.seconds,
                  r.execs, finding->original.steps.size(), m.scenario.steps.size());
  fmt::print(io.out, "FAIL: {}:\n\n{}\n", how, print_scenario(m.scenario));
  std::string what;
  if (const auto* v = m.result.headline()) {
    what = format_violation(*v);
    fmt::print(io.out, "{}\n", what);
    what.erase(std::min(what.find(": "), what.size()));
  } else {
    what = summarize(m.result);
    fmt::print(io.out, "{}\n\n", what);
  }
  res.summary = what + "; " + how;
  fmt::print(io.out, "input:     {}\n", r.artifact);
  if (!saved.empty()) {
    res.next = {"saved:     " + saved, "replay:    " + check::replay_command(saved, o.sut)};
    res.saved_file = saved;
    for (const auto& l : res.next) fmt::print(io.out, "{}\n", l);
  }
}

}  // namespace

FuzzCommandResult fuzz(const FuzzCliOptions& o, const Console& io) {
  FuzzCommandResult res;
  const std::string fuzzer = find_fuzzer(o.fuzzer);
  if (fuzzer.empty()) {
    return fail(res, io, kExitUsage,
                std::string(kNoLibFuzzer) + ", or pass --fuzzer PATH (docs/fuzzing.md)");
  }
  if (auto why = why_not_fuzzable(o.sut); !why.empty()) return fail(res, io, kExitUsage, why);
  if (o.budget <= 0 || o.max_len < 16) {
    return fail(res, io, kExitUsage, "--budget > 0 and --max-len >= 16");
  }
  std::vector<std::string> errors;
  FuzzEngineOptions fo;
  fo.fuzzer = fuzzer;
  fo.sut = o.sut;
  fo.budget = o.budget;
  fo.seed = o.seed;
  fo.max_len = o.max_len;
  int unencodable = 0;
  for (const auto& sc : load_scenarios(o.seeds, errors)) {
    std::string why;
    if (auto bytes = fuzz::encode_scenario(sc, why)) {
      fo.seeds.push_back(std::move(*bytes));
    } else {
      ++unencodable;
    }
  }
  if (!errors.empty()) return fail(res, io, kExitUsage, errors);
  auto opened = open_sut_for_cli(o.sut, SutOptions{10, ""}, io, res);
  if (!opened) return res;
  const std::string slug = fs::path(check::failures_dir_for("", o.sut)).filename().string();
  fo.work_dir = (fs::path(o.work) / slug).string();
  std::error_code ec;
  fs::create_directories(fo.work_dir, ec);
  fo.log = o.log.empty() ? (fs::path(fo.work_dir) / "fuzzer.log").string() : o.log;
  fo.progress = fuzz_progress(o, io);
  auto rec = start_recording(o.evidence, "fuzz", &*opened, o.sut,
                             Settings{{"budget", o.budget},
                                      {"seed", o.seed},
                                      {"max_len", o.max_len},
                                      {"seeds", fo.seeds.size()},
                                      {"fuzzer", fingerprint("exec:" + fuzzer)}},
                             io, res);
  if (!rec) return res;
  const auto r = run_fuzz_engine(fo);
  if (io.live() && !o.quiet && !o.progress) fmt::print(io.err, "\r\x1b[2K");
  res.inputs = r.execs;
  res.seconds = r.seconds;
  std::optional<FuzzFinding> finding;
  std::string saved;
  res.exit_code = judge_finding(o, r, *opened, finding, saved);
  if (!record_fuzz(*rec, o, fo, r, finding, saved, res)) return res;
  if (!r.error.empty()) return fail(res, io, res.exit_code, "fuzz: " + r.error);
  tell_fuzz(o, fo, r, finding, saved, unencodable, io, res);
  if (rec->on() && !o.quiet)
    fmt::print(io.out, "evidence:  {} (run #{})\n", rec->path(), rec->run());
  return res;
}

}  // namespace wrongbox::cli
