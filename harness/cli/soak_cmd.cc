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

Settings progress_json(const soak::SoakProgress& p) {
  return Settings{{"event", "progress"},
                  {"messages", p.messages},
                  {"steps", p.steps},
                  {"segments", p.segments},
                  {"in_flight", p.in_flight},
                  {"retained", p.retained},
                  {"violations", p.violations},
                  {"seconds", std::round(p.seconds * 1000) / 1000},
                  {"peak_rss_kb", p.peak_rss_kb}};
}

double per_second(std::int64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

// One soak: what it was asked, what it found, and where it is recorded.
struct Soak {
  const SoakCliOptions& o;
  const Console& io;
  const soak::Profile& profile;
  OpenedSut& sut;
  soak::SoakOptions so;
  std::string reproduce;  // the command that repeats the whole soak
  soak::SoakResult r;
  soak::CutOut cut;
  std::string saved;  // the cut-out finding's file, when saved
  int rc = kExitOk;
};

soak::SoakOptions soak_options(const SoakCliOptions& o, const soak::Profile& profile,
                               const OpenedSut& sut) {
  soak::SoakOptions so;
  so.profile = &profile;
  so.seed = o.seed;
  so.messages = o.messages;
  so.rate = o.rate;
  so.retain = static_cast<std::size_t>(o.retain);
  so.run = RunOptions::for_switch(sut.hello).perturbed(perturb_from(o.perturb),
                                                       soak::soak_schedule(o.seed));
  so.run.pause_one_in = soak::kPauseOneIn;
  if (o.time_budget > 0) {
    so.deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(o.time_budget));
  }
  return so;
}

Settings soak_settings(const SoakCliOptions& o, const soak::SoakOptions& so) {
  return Settings{{"profile", so.profile->name}, {"seed", o.seed},
                  {"messages", o.messages},      {"rate", o.rate},
                  {"retain", o.retain},          {"segment", so.profile->segment},
                  {"perturb", o.perturb},        {"schedule", so.run.schedule},
                  {"time_budget", o.time_budget}};
}

// Progress: JSON lines, a live line on a terminal, or a plain line every
// 10 seconds; the last one is printed at the end when it was held back.
class ProgressPrinter {
 public:
  ProgressPrinter(const SoakCliOptions& o, const Console& io) : o_(o), io_(io), tty_(io.live()) {}
  void operator()(const soak::SoakProgress& p) {
    unprinted_.reset();
    if (o_.json) {
      fmt::print(io_.out, "{}\n", progress_json(p).dump());
    } else if (o_.quiet) {
      return;
    } else if (tty_) {
      fmt::print(io_.err, "\r{}", progress_line(p));
    } else if (p.seconds - last_plain_ >= 10) {
      fmt::print(io_.err, "{}\n", progress_line(p));
      last_plain_ = p.seconds;
    } else {
      unprinted_ = p;
    }
  }
  void finish() {
    if (unprinted_) fmt::print(io_.err, "{}\n", progress_line(*unprinted_));
    if (tty_ && !o_.quiet && !o_.json) fmt::print(io_.err, "\n");
  }

 private:
  const SoakCliOptions& o_;
  const Console& io_;
  bool tty_;
  double last_plain_ = 0;
  std::optional<soak::SoakProgress> unprinted_;
};

// A finding is cut out of the traffic as a short scenario and saved.
void cut_out_finding(Soak& s) {
  MinimizeLimits limits;
  const auto now = std::chrono::steady_clock::now();
  limits.deadline = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(s.o.shrink_budget));
  if (s.o.time_budget > 0) {
    limits.deadline =
        std::min(limits.deadline, std::max(now + std::chrono::seconds(5), s.so.deadline));
  }
  s.cut = soak::cut_out(s.so, s.r, *s.sut.sw, limits);
  if (!s.cut.reproduced || s.o.save_failures.empty()) return;
  s.saved = check::save_counterexample(
      check::failures_dir_for(s.o.save_failures, s.o.sut), s.o.sut, s.cut.scenario, s.cut.result,
      {fmt::format("Found by wrongbox soak against {} (profile {}, seed {}) after {} messages, "
                   "cut out of its last {} steps and shrunk to {}.",
                   s.o.sut, s.profile.name, s.o.seed, s.r.run.stats.messages, s.cut.window,
                   s.cut.scenario.steps.size()),
       "The whole soak: " + s.reproduce},
      "found-by-soak");
}

// The soak's figures, as its result line and its evidence both give them.
Settings soak_figures(const Soak& s) {
  const RunResult& run = s.r.run;
  return Settings{
      {"messages", run.stats.messages},
      {"steps", run.stats.steps},
      {"calls", run.stats.calls},
      {"ticks", run.stats.ticks},
      {"segments", s.r.segments},
      {"seconds", std::round(s.r.seconds * 1000) / 1000},
      {"messages_per_second", std::llround(per_second(run.stats.messages, s.r.seconds))},
      {"peak_in_flight", s.r.peak_in_flight},
      {"peak_rss_kb", s.r.peak_rss_kb}};
}

// The run's totals, and its counterexample written to the evidence.
evidence::RunTotals soak_totals(Soak& s, Recorder& rec) {
  const RunResult& run = s.r.run;
  auto t = run_totals(s.rc, s.r.segments, run.stats.steps, run.stats.messages);
  t.checks = run.checks;
  Settings soak{{"profile", s.profile.name}};
  soak.update(soak_figures(s));
  t.coverage_json =
      Settings{{"soak", soak},
               {"situations", Settings::parse(s.r.coverage.to_json(check::kDefaultCoverageK))}}
          .dump();
  if (!run.failed()) return t;
  const auto* v = run.headline();
  if (v) ++t.violations[static_cast<int>(v->property)];
  const RunResult& shown = s.cut.reproduced ? s.cut.result : run;
  const auto* sv = shown.headline();
  rec.write([&](evidence::Store& store, std::int64_t id) {
    store.add_counterexample(
        id, {v ? to_string(v->property) : "switch-failure",
             s.cut.reproduced ? print_scenario(s.cut.scenario) : "",
             sv ? format_violation(*sv) : summarize(shown),
             s.saved.empty() ? s.reproduce : check::replay_command(s.saved, s.o.sut, false),
             s.saved, ""});
  });
  return t;
}

void print_json_result(const Soak& s) {
  const RunResult& run = s.r.run;
  const auto* v = run.headline();
  Settings j{{"event", "result"}, {"verdict", verdict_word(s.rc)}, {"exit_code", s.rc}};
  j.update(soak_figures(s));
  j.update(
      Settings{{"property", v ? to_string(v->property) : (run.failed() ? "switch-failure" : "")},
               {"stop_step", s.r.stop_step + 1},
               {"scenario", s.saved},
               {"scenario_steps", s.cut.reproduced ? s.cut.scenario.steps.size() : 0},
               {"deadline_reached", s.r.deadline_reached}});
  fmt::print(s.io.out, "{}\n", j.dump());
}

void print_failure(const Soak& s, const Recorder& rec, SoakCommandResult& res) {
  const RunResult& run = s.r.run;
  const auto& out = s.io.out;
  const std::string where = fmt::format(
      "after {} messages, at step {}{}", evidence::with_commas(run.stats.messages),
      evidence::with_commas(s.r.stop_step + 1), s.r.at_drain ? " (in the drain after it)" : "");
  if (const auto* v = run.headline()) {
    res.summary = fmt::format("FAIL {} {}", to_string(v->property), where);
    fmt::print(out, "{}\n{}", res.summary, format_violation(*v));
  } else {
    res.summary = fmt::format("SWITCH FAILED {}: {}", where, run.error);
    fmt::print(out, "{}\n", res.summary);
  }
  if (s.cut.reproduced) {
    fmt::print(out, "cut out of the soak's last {} steps, shrunk to {} step(s) ({} runs{}):\n",
               evidence::with_commas(s.cut.window), s.cut.scenario.steps.size(), s.cut.runs,
               s.cut.cut_short ? ", cut short by its time limit" : "");
    if (!s.saved.empty()) {
      res.next = {"saved:     " + s.saved,
                  "reproduce: " + check::replay_command(s.saved, s.o.sut, /*trace=*/true)};
      for (const auto& l : res.next) fmt::print(out, "{}\n", l);
    } else {
      fmt::print(out, "{}", print_scenario(s.cut.scenario));
    }
  } else {
    fmt::print(out,
               "no window of the traffic failed the same way on its own; the whole soak "
               "reproduces it:\n");
  }
  res.next.push_back("the soak:  " + s.reproduce);
  fmt::print(out, "{}\n", res.next.back());
  if (rec.on()) fmt::print(out, "evidence:  {} (run #{})\n", rec.path(), rec.run());
}

void print_pass(const Soak& s, const Recorder& rec, SoakCommandResult& res) {
  const RunResult& run = s.r.run;
  const auto& out = s.io.out;
  res.summary =
      fmt::format("PASS: {} messages in {} segment(s), no property violated ({:.1f} s, {}/s{})",
                  evidence::with_commas(run.stats.messages), s.r.segments, s.r.seconds,
                  evidence::with_commas(std::llround(per_second(run.stats.messages, s.r.seconds))),
                  s.r.deadline_reached ? "; stopped: time budget reached" : "");
  if (s.o.quiet) return;
  fmt::print(out,
             "{}\nexercised: {} steps, {} switch calls, {} ticks; at most {} messages in flight; "
             "peak memory {:.1f} MiB\n",
             res.summary, evidence::with_commas(run.stats.steps),
             evidence::with_commas(run.stats.calls), evidence::with_commas(run.stats.ticks),
             evidence::with_commas(static_cast<long long>(s.r.peak_in_flight)),
             static_cast<double>(s.r.peak_rss_kb) / 1024.0);
  for (const auto& w : run.warnings) fmt::print(out, "warning: {}\n", w);
  fmt::print(out, "{}", situation_summary(s.r.coverage, check::kDefaultCoverageK));
  fmt::print(out, "property checks:");
  for (int p = 0; p < kPropertyCount; ++p) {
    fmt::print(out, " {}={}", to_string(static_cast<Property>(p)), run.checks[p]);
  }
  fmt::print(out, "\n");
  if (rec.on()) fmt::print(out, "evidence: {} (run #{})\n", rec.path(), rec.run());
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
  Soak s{o, io, *profile, *opened, soak_options(o, *profile, *opened), "", {}, {}, "", kExitOk};
  auto rec = start_recording(o.evidence, "soak", &s.sut, o.sut, soak_settings(o, s.so), io, res);
  if (!rec) return res;
  s.reproduce = fmt::format("{} soak --sut {} --profile {} --seed {} --messages {}{}",
                            check::program_name(), shell_quote(o.sut), profile->name, o.seed,
                            o.messages, o.perturb == "auto" ? "" : " --perturb " + o.perturb);
  if (!o.quiet && !o.json) {
    fmt::print(io.out, "wrongbox soak against {} (profile {}: {}; seed {}, {} messages{}{})\n",
               o.sut, profile->name, profile->summary, o.seed, evidence::with_commas(o.messages),
               o.rate > 0
                   ? fmt::format(", at most {}/s", evidence::with_commas(std::llround(o.rate)))
                   : "",
               s.so.run.schedule != 0 ? ", light schedule perturbation" : "");
  }
  ProgressPrinter progress(o, io);
  auto segment_done = [&](const soak::SegmentDone& d) {
    rec->write([&](evidence::Store& store, std::int64_t id) {
      store.add_scenario(
          id, {fmt::format("soak segment {} (messages {} to {})", d.index + 1, d.first_message + 1,
                           d.first_message + d.messages),
               "pass",
               fmt::format("{} messages, {} steps, {} calls, {} ticks, {:.2f} s; drained and "
                           "checked",
                           d.messages, d.steps, d.calls, d.ticks, d.seconds),
               ""});
    });
  };
  s.r = soak::run_soak(*s.sut.sw, s.so, std::ref(progress), segment_done);
  progress.finish();  // progress ends with the final count
  const Outcome outcome = s.r.run.outcome;
  s.rc = outcome == Outcome::kSwitchFailure ? kExitSwitchFailed
         : outcome == Outcome::kViolation   ? kExitViolation
         : outcome == Outcome::kPass        ? kExitOk
                                            : kExitUsage;
  if (s.r.run.failed()) cut_out_finding(s);
  if (rec->on() && !rec->finish(soak_totals(s, *rec), res, /*quiet=*/true)) return res;
  res.exit_code = s.rc;
  res.messages = s.r.run.stats.messages;
  res.seconds = s.r.seconds;
  if (o.json) {
    print_json_result(s);
    res.summary = verdict_word(s.rc);
  } else if (s.r.run.failed()) {
    print_failure(s, *rec, res);
  } else {
    print_pass(s, *rec, res);
  }
  return res;
}

}  // namespace wrongbox::cli
