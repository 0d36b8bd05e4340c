// `wrongbox fuzz`: coverage-guided fuzzing of an in-process switch with the
// libFuzzer build of fuzz/switch_fuzzer, seeded from scenario files; a
// finding is replayed here, minimized, saved as a scenario file and recorded.
#include <fmt/core.h>
#include <unistd.h>

#include <filesystem>

#include "fuzz/scenario_codec.h"
#include "harness/check/campaign.h"
#include "harness/cli/commands.h"
#include "harness/cli/fuzz_engine.h"
#include "harness/cli/record.h"
#include "harness/core/shell.h"

namespace wrongbox::cli {

namespace fs = std::filesystem;

int fuzz(const FuzzCliOptions& o) {
  const std::string fuzzer = find_fuzzer(o.fuzzer);
  if (fuzzer.empty()) {
    fmt::print(stderr, "wrongbox: {}, or pass --fuzzer PATH (docs/fuzzing.md)\n", kNoLibFuzzer);
    return kExitUsage;
  }
  if (auto why = why_not_fuzzable(o.sut); !why.empty()) {
    fmt::print(stderr, "wrongbox: {}\n", why);
    return kExitUsage;
  }
  if (o.budget <= 0 || o.max_len < 16) {
    fmt::print(stderr, "wrongbox: --budget > 0 and --max-len >= 16\n");
    return kExitUsage;
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
  for (const auto& e : errors) fmt::print(stderr, "wrongbox: {}\n", e);
  if (!errors.empty()) return kExitUsage;

  int open_rc = kExitOk;
  auto opened = open_sut_for_cli(o.sut, SutOptions{10, ""}, open_rc);
  if (!opened) return open_rc;
  const std::string slug = fs::path(check::failures_dir_for("", o.sut)).filename().string();
  fo.work_dir = (fs::path(o.work) / slug).string();
  std::error_code ec;
  fs::create_directories(fo.work_dir, ec);
  fo.log = o.log.empty() ? (fs::path(fo.work_dir) / "fuzzer.log").string() : o.log;
  const bool tty = isatty(STDERR_FILENO) != 0;
  double last_print = 0;
  fo.progress = o.progress ? o.progress : [&](long execs, double secs) {
    if (o.quiet) return;
    const auto line =
        fmt::format("fuzz: {} inputs, {:.0f}/s, {:.0f} s of {:.0f} s", execs,
                    secs > 0 ? static_cast<double>(execs) / secs : 0.0, secs, o.budget);
    if (tty) {
      fmt::print(stderr, "\r\x1b[2K{}", line);
    } else if (secs - last_print >= 5) {
      fmt::print(stderr, "{}\n", line);
      last_print = secs;
    }
  };

  auto rec = start_recording(
      o.evidence, "fuzz", &*opened, o.sut,
      fmt::format("{{\"budget\":{},\"seed\":{},\"max_len\":{},\"seeds\":{},\"fuzzer\":\"{}\"}}",
                  o.budget, o.seed, o.max_len, fo.seeds.size(), fingerprint("exec:" + fuzzer)));
  if (!rec) return kExitUsage;
  const auto r = run_fuzz_engine(fo);
  if (tty && !o.quiet && !o.progress) fmt::print(stderr, "\r\x1b[2K");

  int rc = kExitOk;
  std::optional<FuzzFinding> finding;
  std::string saved;
  if (!r.error.empty()) {
    rc = kExitUsage;
  } else if (r.found) {
    finding = analyse_fuzz_input(r.artifact, *opened->sw, RunOptions::for_switch(opened->hello));
    if (finding->reproduced) {
      rc = finding->minimized.result.outcome == Outcome::kSwitchFailure ? kExitSwitchFailed
                                                                        : kExitViolation;
      if (!o.save_failures.empty()) {
        saved = check::save_counterexample(
            check::failures_dir_for(o.save_failures, o.sut), o.sut, finding->minimized.scenario,
            finding->minimized.result,
            {fmt::format("Found by wrongbox fuzz against {} after {:.1f} s ({} inputs) and "
                         "minimized from {} to {} steps.",
                         o.sut, r.seconds, r.execs, finding->original.steps.size(),
                         finding->minimized.scenario.steps.size()),
             "Fuzzer input: " + r.artifact},
            "found-by-fuzzing");
      }
    } else {
      rc = kExitSwitchFailed;  // the instrumented child saw what this process cannot
    }
  }

  try {
    if (rec->on()) {
      evidence::RunTotals t;
      t.exit_code = rc;
      t.verdict = verdict_word(rc);
      t.scenarios = r.execs;
      if (finding) {
        const auto* v = finding->minimized.result.headline();
        if (v) ++t.violations[static_cast<int>(v->property)];
        rec->store()->add_counterexample(
            rec->run(),
            {v ? to_string(v->property) : "switch-failure",
             print_scenario(finding->minimized.scenario),
             v ? format_violation(*v)
               : (finding->reproduced
                      ? summarize(finding->minimized.result)
                      : "the fuzzer's " + r.kind + " did not reproduce in-process; see " + fo.log),
             saved.empty() ? "" : check::replay_command(saved, o.sut, /*trace=*/false), saved});
      }
      if (!rec->finish(t, /*quiet=*/true)) return kExitUsage;
    }
  } catch (const evidence::EvidenceError& e) {
    fmt::print(stderr, "wrongbox: evidence: {}\n", e.what());
    return kExitUsage;
  }

  if (!r.error.empty()) {
    fmt::print(stderr, "wrongbox: fuzz: {}\n", r.error);
    return rc;
  }
  if (!finding) {
    fmt::print(
        "PASS: {} inputs in {:.1f} s ({} exec/s), no property violated; {} seed(s){}\n", r.execs,
        r.seconds, r.exec_per_sec, fo.seeds.size(),
        unencodable ? fmt::format(" ({} scenario(s) not expressible as input)", unencodable) : "");
    if (!o.quiet) fmt::print("corpus: {}/corpus\nlog:    {}\n", fo.work_dir, fo.log);
  } else if (!finding->reproduced) {
    fmt::print(
        "FAIL: the fuzzer saved a {} input after {:.1f} s ({} inputs) that passes when "
        "replayed here: a sanitizer report or a crash inside the switch.\ninput: {}\n"
        "log:   {}\n",
        r.kind, r.seconds, r.execs, r.artifact, fo.log);
  } else {
    const auto& m = finding->minimized;
    fmt::print("FAIL: found after {:.1f} s ({} inputs); minimized from {} to {} step(s):\n\n{}\n",
               r.seconds, r.execs, finding->original.steps.size(), m.scenario.steps.size(),
               print_scenario(m.scenario));
    if (const auto* v = m.result.headline()) {
      fmt::print("{}\n", format_violation(*v));
    } else {
      fmt::print("{}\n\n", summarize(m.result));
    }
    fmt::print("input:     {}\n", r.artifact);
    if (!saved.empty()) {
      fmt::print("saved:     {}\nreplay:    {}\n", saved, check::replay_command(saved, o.sut));
    }
  }
  if (rec->on() && !o.quiet) fmt::print("evidence:  {} (run #{})\n", rec->path(), rec->run());
  return rc;
}

}  // namespace wrongbox::cli
