// `wrongbox soak`: long generated traffic against one switch (harness/soak/).
#include <fmt/core.h>
#include <unistd.h>

#include <cmath>
#include <optional>

#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/cli/record.h"
#include "harness/cli/sut.h"
#include "harness/evidence/report.h"
#include "harness/soak/soak.h"

namespace wrongbox::cli {
namespace {

std::string progress_line(const soak::SoakProgress& p) {
  const double rate = p.seconds > 0 ? static_cast<double>(p.messages) / p.seconds : 0;
  return fmt::format(
      "soak: {} messages, {}/s, {} in flight, {} settled kept, peak {:.1f} MiB, {} violation(s), "
      "{:.1f} s",
      evidence::with_commas(p.messages), evidence::with_commas(std::llround(rate)),
      evidence::with_commas(static_cast<long long>(p.in_flight)),
      evidence::with_commas(static_cast<long long>(p.retained)),
      static_cast<double>(p.peak_rss_kb) / 1024.0, p.violations, p.seconds);
}

std::string progress_json(const soak::SoakProgress& p) {
  return fmt::format(
      "{{\"event\":\"progress\",\"messages\":{},\"steps\":{},\"segments\":{},\"in_flight\":{},"
      "\"retained\":{},\"violations\":{},\"seconds\":{:.3f},\"peak_rss_kb\":{}}}",
      p.messages, p.steps, p.segments, p.in_flight, p.retained, p.violations, p.seconds,
      p.peak_rss_kb);
}

}  // namespace

SoakCommandResult soak(const SoakCliOptions& o, const Console& io) {
  SoakCommandResult res;
  const soak::Profile* profile = soak::profile_by_name(o.profile);
  if (!profile) {
    std::string all;
    for (const auto& p : soak::profiles()) all += std::string(all.empty() ? "" : ", ") += p.name;
    return fail(res, io, kExitUsage,
                fmt::format("--profile: unknown profile '{}' (profiles: {})", o.profile, all));
  }
  auto opened = open_sut_for_cli(o.sut, o.sut_options(), io, res);
  if (!opened) return res;
  OpenedSut& sut = *opened;

  soak::SoakOptions so;
  so.profile = profile;
  so.seed = o.seed;
  so.messages = o.messages;
  so.rate = o.rate;
  so.retain = static_cast<std::size_t>(o.retain);
  so.run = RunOptions::for_switch(sut.hello).perturbed(perturb_from(o.perturb),
                                                       soak::soak_schedule(o.seed));
  so.run.pause_one_in = soak::kPauseOneIn;
  const auto t0 = std::chrono::steady_clock::now();
  if (o.time_budget > 0) {
    so.deadline = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(o.time_budget));
  }

  auto rec = start_recording(o.evidence, "soak", &sut, o.sut,
                             Settings{{"profile", profile->name},
                                      {"seed", o.seed},
                                      {"messages", o.messages},
                                      {"rate", o.rate},
                                      {"retain", o.retain},
                                      {"segment", profile->segment},
                                      {"perturb", o.perturb},
                                      {"schedule", so.run.schedule},
                                      {"time_budget", o.time_budget}},
                             io, res);
  if (!rec) return res;
  const std::string reproduce_soak =
      fmt::format("{} soak --sut {} --profile {} --seed {} --messages {}{}", check::program_name(),
                  shell_quote(o.sut), profile->name, o.seed, o.messages,
                  o.perturb == "auto" ? "" : " --perturb " + o.perturb);

  const bool tty = io.live();
  if (!o.quiet && !o.json) {
    fmt::print(io.out, "wrongbox soak against {} (profile {}: {}; seed {}, {} messages{}{})\n",
               o.sut, profile->name, profile->summary, o.seed, evidence::with_commas(o.messages),
               o.rate > 0
                   ? fmt::format(", at most {}/s", evidence::with_commas(std::llround(o.rate)))
                   : "",
               so.run.schedule != 0 ? ", light schedule perturbation" : "");
  }
  double last_plain = 0;
  std::optional<soak::SoakProgress> unprinted;  // plain output: the last line, when held back
  auto progress = [&](const soak::SoakProgress& p) {
    unprinted.reset();
    if (o.json) {
      fmt::print(io.out, "{}\n", progress_json(p));
    } else if (o.quiet) {
      return;
    } else if (tty) {
      fmt::print(io.err, "\r{}", progress_line(p));
    } else if (p.seconds - last_plain >= 10) {
      fmt::print(io.err, "{}\n", progress_line(p));
      last_plain = p.seconds;
    } else {
      unprinted = p;
    }
  };
  std::string evidence_problem;
  auto segment_done = [&](const soak::SegmentDone& s) {
    if (!rec->on() || !evidence_problem.empty()) return;
    try {
      rec->store()->add_scenario(
          rec->run(),
          {fmt::format("soak segment {} (messages {} to {})", s.index + 1, s.first_message + 1,
                       s.first_message + s.messages),
           "pass",
           fmt::format("{} messages, {} steps, {} calls, {} ticks, {:.2f} s; drained and checked",
                       s.messages, s.steps, s.calls, s.ticks, s.seconds),
           ""});
    } catch (const evidence::EvidenceError& e) {
      evidence_problem = e.what();
    }
  };

  soak::SoakResult r = soak::run_soak(*sut.sw, so, progress, segment_done);
  // Progress ends with the final count (the soak reports once more at its end).
  if (unprinted) fmt::print(io.err, "{}\n", progress_line(*unprinted));
  if (tty && !o.quiet && !o.json) fmt::print(io.err, "\n");

  const RunResult& run = r.run;
  const int rc = run.outcome == Outcome::kSwitchFailure ? kExitSwitchFailed
                 : run.outcome == Outcome::kViolation   ? kExitViolation
                 : run.outcome == Outcome::kPass        ? kExitOk
                                                        : kExitUsage;
  const double rate = r.seconds > 0 ? static_cast<double>(run.stats.messages) / r.seconds : 0;

  // A finding is cut out of the traffic as a short scenario and saved.
  soak::CutOut cut;
  std::string saved;
  if (run.failed()) {
    MinimizeLimits limits;
    const auto now = std::chrono::steady_clock::now();
    limits.deadline = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(o.shrink_budget));
    if (o.time_budget > 0) {
      limits.deadline =
          std::min(limits.deadline, std::max(now + std::chrono::seconds(5), so.deadline));
    }
    cut = soak::cut_out(so, r, *sut.sw, limits);
    if (cut.reproduced && !o.save_failures.empty()) {
      saved = check::save_counterexample(
          check::failures_dir_for(o.save_failures, o.sut), o.sut, cut.scenario, cut.result,
          {fmt::format("Found by wrongbox soak against {} (profile {}, seed {}) after {} messages, "
                       "cut out of its last {} steps and shrunk to {}.",
                       o.sut, profile->name, o.seed, run.stats.messages, cut.window,
                       cut.scenario.steps.size()),
           "The whole soak: " + reproduce_soak},
          "found-by-soak");
    }
  }

  try {
    if (rec->on()) {
      if (!evidence_problem.empty()) throw evidence::EvidenceError(evidence_problem);
      evidence::RunTotals t;
      t.exit_code = rc;
      t.verdict = verdict_word(rc);
      t.scenarios = r.segments;
      t.steps = run.stats.steps;
      t.messages = run.stats.messages;
      t.checks = run.checks;
      t.coverage_json = fmt::format(
          "{{\"soak\":{{\"profile\":\"{}\",\"messages\":{},\"segments\":{},\"seconds\":{:.3f},"
          "\"messages_per_second\":{:.0f},\"peak_in_flight\":{},\"peak_rss_kb\":{},"
          "\"calls\":{},\"ticks\":{}}},\"situations\":{}}}",
          profile->name, run.stats.messages, r.segments, r.seconds, rate, r.peak_in_flight,
          r.peak_rss_kb, run.stats.calls, run.stats.ticks,
          r.coverage.to_json(check::kDefaultCoverageK));
      if (run.failed()) {
        const auto* v = run.headline();
        if (v) ++t.violations[static_cast<int>(v->property)];
        const RunResult& shown = cut.reproduced ? cut.result : run;
        const auto* sv = shown.headline();
        rec->store()->add_counterexample(
            rec->run(),
            {v ? to_string(v->property) : "switch-failure",
             cut.reproduced ? print_scenario(cut.scenario) : "",
             sv ? format_violation(*sv) : summarize(shown),
             saved.empty() ? reproduce_soak : check::replay_command(saved, o.sut, false), saved,
             ""});
      }
      if (!rec->finish(t, res, /*quiet=*/true)) return res;
    }
  } catch (const evidence::EvidenceError& e) {
    return fail(res, io, kExitUsage, std::string("evidence: ") + e.what());
  }
  res.exit_code = rc;
  res.messages = run.stats.messages;
  res.seconds = r.seconds;

  if (o.json) {
    const auto* v = run.headline();
    fmt::print(
        io.out,
        "{{\"event\":\"result\",\"verdict\":\"{}\",\"exit_code\":{},\"messages\":{},\"steps\":{},"
        "\"calls\":{},\"segments\":{},\"seconds\":{:.3f},\"messages_per_second\":{:.0f},"
        "\"peak_in_flight\":{},\"peak_rss_kb\":{},\"property\":\"{}\",\"stop_step\":{},"
        "\"scenario\":\"{}\",\"scenario_steps\":{},\"deadline_reached\":{}}}\n",
        verdict_word(rc), rc, run.stats.messages, run.stats.steps, run.stats.calls, r.segments,
        r.seconds, rate, r.peak_in_flight, r.peak_rss_kb,
        v ? to_string(v->property) : (run.failed() ? "switch-failure" : ""), r.stop_step + 1, saved,
        cut.reproduced ? static_cast<long long>(cut.scenario.steps.size()) : 0, r.deadline_reached);
    res.summary = verdict_word(rc);
    return res;
  }
  if (run.failed()) {
    const std::string where = fmt::format(
        "after {} messages, at step {}{}", evidence::with_commas(run.stats.messages),
        evidence::with_commas(r.stop_step + 1), r.at_drain ? " (in the drain after it)" : "");
    if (const auto* v = run.headline()) {
      res.summary = fmt::format("FAIL {} {}", to_string(v->property), where);
      fmt::print(io.out, "{}\n{}", res.summary, format_violation(*v));
    } else {
      res.summary = fmt::format("SWITCH FAILED {}: {}", where, run.error);
      fmt::print(io.out, "{}\n", res.summary);
    }
    if (cut.reproduced) {
      fmt::print(io.out, "cut out of the soak's last {} steps, shrunk to {} step(s) ({} runs{}):\n",
                 evidence::with_commas(cut.window), cut.scenario.steps.size(), cut.runs,
                 cut.cut_short ? ", cut short by its time limit" : "");
      if (!saved.empty()) {
        res.next = {"saved:     " + saved,
                    "reproduce: " + check::replay_command(saved, o.sut, /*trace=*/true)};
        for (const auto& l : res.next) fmt::print(io.out, "{}\n", l);
      } else {
        fmt::print(io.out, "{}", print_scenario(cut.scenario));
      }
    } else {
      fmt::print(io.out,
                 "no window of the traffic failed the same way on its own; the whole soak "
                 "reproduces it:\n");
    }
    res.next.push_back("the soak:  " + reproduce_soak);
    fmt::print(io.out, "{}\n", res.next.back());
    if (rec->on()) fmt::print(io.out, "evidence:  {} (run #{})\n", rec->path(), rec->run());
    return res;
  }
  res.summary =
      fmt::format("PASS: {} messages in {} segment(s), no property violated ({:.1f} s, {}/s{})",
                  evidence::with_commas(run.stats.messages), r.segments, r.seconds,
                  evidence::with_commas(std::llround(rate)),
                  r.deadline_reached ? "; stopped: time budget reached" : "");
  if (!o.quiet) {
    fmt::print(
        io.out,
        "{}\nexercised: {} steps, {} switch calls, {} ticks; at most {} messages in flight; peak "
        "memory {:.1f} MiB\n",
        res.summary, evidence::with_commas(run.stats.steps), evidence::with_commas(run.stats.calls),
        evidence::with_commas(run.stats.ticks),
        evidence::with_commas(static_cast<long long>(r.peak_in_flight)),
        static_cast<double>(r.peak_rss_kb) / 1024.0);
    for (const auto& w : run.warnings) fmt::print(io.out, "warning: {}\n", w);
    fmt::print(io.out, "{}", situation_summary(r.coverage, check::kDefaultCoverageK));
    fmt::print(io.out, "property checks:");
    for (int p = 0; p < kPropertyCount; ++p) {
      fmt::print(io.out, " {}={}", to_string(static_cast<Property>(p)), run.checks[p]);
    }
    fmt::print(io.out, "\n");
    if (rec->on()) fmt::print(io.out, "evidence: {} (run #{})\n", rec->path(), rec->run());
  }
  return res;
}

}  // namespace wrongbox::cli
