// `wrongbox check`: a property-based campaign against one switch.
#include "harness/check/check.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "harness/cli/commands.h"
#include "harness/cli/record.h"
#include "harness/cli/sut.h"
#include "harness/core/shell.h"

namespace wrongbox::cli {

std::string situation_tables() {
  const model::SituationCoverage none;
  std::string out;
  for (const auto& d : model::decisions()) {
    out += fmt::format(
        "### {}: {}\n\n{} feasible pairs.\n\n| condition | values | meaning |\n"
        "|---|---|---|\n",
        d.name, d.meaning, none.feasible_pairs(d.kind));
    for (const auto& c : d.conditions) {
      std::string vals;
      for (const auto& v : c.values)
        vals += std::string(vals.empty() ? "" : ", ") + "`" + std::string(v) + "`";
      out += fmt::format("| {} | {} | {} |\n", c.name, vals, c.meaning);
    }
    out += "\n";
  }
  return out;
}

std::string situations_met(const model::SituationCoverage& cov, std::uint64_t k) {
  const int all = cov.feasible_pairs();
  return fmt::format("{}/{} met ({:.1f} %), {}/{} met {}+ times", cov.covered_pairs(1), all,
                     all ? 100.0 * cov.covered_pairs(1) / all : 0.0, cov.covered_pairs(k), all, k);
}

std::string situation_summary(const model::SituationCoverage& cov, std::uint64_t k, int once_at,
                              int k_at) {
  std::string out = "situation pairs (docs/situations.md): " + situations_met(cov, k);
  if (once_at) out += fmt::format("; all met once after {} scenarios", once_at);
  if (k_at) out += fmt::format(", {} times after {}", k, k_at);
  out += "\n";
  for (const auto& d : model::decisions()) {
    out +=
        fmt::format("  {:<8} {:>9} decisions  {:>4}/{:<4} pairs\n", d.name, cov.decisions(d.kind),
                    cov.covered_pairs(d.kind, 1), cov.feasible_pairs(d.kind));
  }
  const auto never = cov.uncovered(1);
  for (std::size_t i = 0; i < never.size() && i < 20; ++i) {
    out += "  never exercised: " + model::describe(never[i]) + "\n";
  }
  if (never.size() > 20)
    out += fmt::format("  ... and {} more never exercised\n", never.size() - 20);
  return out;
}

namespace {

// ", 4 schedules per scenario, perturbed": how a threaded switch is run.
std::string perturb_note(const HelloInfo& hello, const check::CheckOptions& co) {
  const RunOptions run = RunOptions::for_switch(hello).perturbed(co.perturb, 1);
  if (!run.repeats()) return "";
  return fmt::format(", {} schedule(s) per scenario{}", co.schedules,
                     run.schedule != 0 ? ", perturbed" : ", not perturbed");
}

// The search's options from the command line's; "" or what is wrong.
std::string search_options(const CheckCliOptions& o, check::CheckOptions& co) {
  co.tests = o.tests;
  co.seed = o.seed;
  // The seed is chosen here, so that the first line (printed before the
  // search, and there even if the run is killed) and the evidence name it.
  if (co.seed == 0) co.seed = std::random_device{}() * 0x100000001ull + std::random_device{}();
  co.time_budget = o.time_budget;
  co.reproduce = o.reproduce;
  co.search = o.search == "rapidcheck" || !o.reproduce.empty() ? check::Search::kRapidCheck
                                                               : check::Search::kSteered;
  co.coverage_k =
      o.coverage_k > 0 ? static_cast<std::uint64_t>(o.coverage_k) : check::kDefaultCoverageK;
  // Neither a count nor a budget: until covered, within the default budget.
  // A budget alone runs until the budget (and until covered with --coverage-k).
  if (o.tests == 0 && o.time_budget == 0) co.time_budget = check::kDefaultCheckBudget;
  co.stop_when_covered = o.tests == 0 && (o.time_budget == 0 || o.coverage_k > 0);
  co.perturb = perturb_from(o.perturb);
  co.schedules = o.schedules;
  co.gen.max_steps = o.max_steps;
  co.gen.swarm = !o.no_swarm;
  if (auto e = check::apply_weights(co.gen, o.weights); !e.empty()) return "--weights: " + e;
  if (o.tests < 0 || o.max_steps < 1 || o.max_steps > 200 || !(o.time_budget >= 0) ||
      o.time_budget > 1e7) {
    return "--tests >= 0, --max-steps 1-200, --time-budget 0-10000000";
  }
  co.replay_failures_first = !o.no_memory && o.reproduce.empty();
  if (!o.save_failures.empty()) co.failures_dir = check::failures_dir_for(o.save_failures, o.sut);
  return check::parse_shard(o.shard, co);
}

// Progress on standard error: one redrawn line on a terminal, a line every
// 5 s otherwise; none with --quiet; the caller's when it gave one.
std::function<void(int, double)> progress_printer(const CheckCliOptions& o, const Console& io) {
  if (o.progress) return o.progress;
  if (o.quiet) return {};
  return [&o, io, tty = io.live(), last_print = 0.0](int done, double secs) mutable {
    const std::string of = o.tests > 0 ? fmt::format("/{}", o.tests) : "";
    if (tty) {
      fmt::print(io.err, "\rcheck: {}{} scenarios passed, {:.1f} s", done, of, secs);
    } else if (secs - last_print >= 5 || (o.tests > 0 && done >= o.tests)) {
      fmt::print(io.err, "check: {}{} scenarios passed, {:.1f} s\n", done, of, secs);
      last_print = secs;
    }
  };
}

Settings search_settings(const CheckCliOptions& o, const check::CheckOptions& co) {
  return Settings{{"tests", o.tests},
                  {"seed", co.seed},
                  {"max_steps", o.max_steps},
                  {"time_budget", co.time_budget},
                  {"swarm", !o.no_swarm},
                  {"weights", o.weights},
                  {"shard", o.shard.empty() ? "1/1" : o.shard},
                  {"search", co.search == check::Search::kSteered ? "steered" : "rapidcheck"},
                  {"coverage_k", co.coverage_k},
                  {"stop_when_covered", co.stop_when_covered},
                  {"perturb", o.perturb},
                  {"schedules", o.schedules}};
}

// What the search covered, as the evidence keeps it: scenarios with each
// coverage label, situations, files at rest per place, the wire's freedoms
// (net:) and a race's failure rate.
std::string search_coverage(const check::CheckResult& r, const check::CheckOptions& co,
                            const OpenedSut& sut) {
  Settings cov = Settings::object();
  for (std::size_t i = 0; i < r.stats.covered.size(); ++i) {
    cov[check::coverage_labels()[i]] = r.stats.covered[i];
  }
  cov["situations"] = nlohmann::ordered_json::parse(r.stats.situations.to_json(co.coverage_k));
  // What the switch left at rest in each of its places, judged after each command.
  Settings storage = Settings::object();
  for (int p = 0; p < kPlaceCount; ++p)
    storage[to_string(static_cast<Place>(p))] = r.stats.files[p];
  cov["storage"] = storage;
  if (sut.freedoms) {
    Settings wire = Settings::object();
    for (const auto& [name, n] : sut.freedoms()) wire[name] = n;
    cov["wire"] = wire;
  }
  // A race's rate: how often its counterexample failed when replayed.
  if (r.rate.runs > 0) {
    cov["failure_rate"] = {
        {"failed", r.rate.failed}, {"runs", r.rate.runs}, {"perturbed", r.perturbed}};
  }
  return cov.dump();
}

// The search's run in the evidence: totals, coverage and the finding.
bool record_search(Recorder& rec, const CheckCliOptions& o, const check::CheckOptions& co,
                   const check::CheckResult& r, OpenedSut& sut, CheckCommandResult& res) {
  if (!rec.on()) return true;
  auto t = run_totals(res.exit_code, r.stats.scenarios, r.stats.steps, r.stats.messages);
  t.checks = r.stats.checks;
  t.coverage_json = search_coverage(r, co, sut);
  if (r.failed) {
    const auto* v = r.failure.headline();
    if (v) ++t.violations[static_cast<int>(v->property)];
    rec.write([&](evidence::Store& store, std::int64_t run) {
      store.add_counterexample(
          run, {v ? to_string(v->property) : "switch-failure", print_scenario(*r.counterexample),
                (v ? format_violation(*v) : summarize(r.failure)) +
                    (r.rate.runs > 0 ? "\n" + check::rate_line(r) : ""),
                r.from_memory ? check::replay_command(r.memory_file, o.sut, /*trace=*/false)
                              : check::reproduce_command(o.sut, co, r),
                r.from_memory ? r.memory_file : r.saved_to,
                story_trace(*r.counterexample, *sut.sw, RunOptions::for_switch(sut.hello))});
    });
  }
  return rec.finish(t, res, /*quiet=*/true);
}

// What a passing search exercised, after its PASS line.
void print_exercised(const check::CheckResult& r, const check::CheckOptions& co,
                     const OpenedSut& sut, const Console& io) {
  const auto& s = r.stats;
  fmt::print(io.out, "\nexercised: {} steps, {} messages, {} switch calls\n", s.steps, s.messages,
             s.calls);
  std::string files;
  for (int p = 0; p < kPlaceCount; ++p) {
    files += fmt::format("{}{} {}", p ? ", " : "", to_string(static_cast<Place>(p)), s.files[p]);
  }
  fmt::print(io.out, "files the switch left, judged at rest (S6): {}\n", files);
  if (sut.freedoms) {
    std::string wire;
    for (const auto& [name, n] : sut.freedoms()) {
      wire += fmt::format("{}{} {}", wire.empty() ? "" : ", ", name, n);
    }
    fmt::print(io.out, "the contract's freedoms the fakes used: {}\n", wire);
    if (r.wire_pairs.second > 0) {
      fmt::print(io.out,
                 "pairs of freedoms used in one scenario: {} met by {}+ scenarios, of {} met\n",
                 r.wire_pairs.first, co.coverage_k, r.wire_pairs.second);
    }
  }
  fmt::print(io.out, "scenarios with:\n");
  for (std::size_t i = 0; i < s.covered.size(); ++i) {
    const double pct = s.scenarios ? 100.0 * s.covered[i] / s.scenarios : 0;
    fmt::print(io.out, "  {:<26} {:>6}  {:5.1f}%\n", check::coverage_labels()[i], s.covered[i],
               pct);
  }
  fmt::print(io.out, "{}",
             situation_summary(s.situations, co.coverage_k, r.scenarios_to_cover_once,
                               r.scenarios_to_cover_k));
  if (co.search == check::Search::kSteered) {
    fmt::print(io.out, "search: {} fresh, {} uniform random, {} mutated plans; {} kept\n",
               r.sources[0], r.sources[1], r.sources[2], r.kept);
  }
  fmt::print(io.out, "property checks:");
  for (int p = 0; p < kPropertyCount; ++p) {
    fmt::print(io.out, " {}={}", to_string(static_cast<Property>(p)), s.checks[p]);
  }
  fmt::print(io.out, "\n");
}

// The result's summary and what is printed of it.
void tell_search(const CheckCliOptions& o, const check::CheckOptions& co,
                 const check::CheckResult& r, const OpenedSut& sut, const Recorder& rec,
                 const Console& io, CheckCommandResult& res) {
  if (o.quiet && r.failed) {
    fmt::print(io.out, "wrongbox check against {} (seed {}, max {} steps{})\n", o.sut, r.seed,
               o.max_steps, co.gen.swarm ? ", swarm" : "");
  }
  if (r.failed) {
    fmt::print(io.out, "{}", check::failure_report(o.sut, co, r));
    res.summary = check::failure_headline(r);
    if (r.rate.runs > 0) res.summary += "; " + check::rate_line(r);
    res.next = check::failure_next_steps(o.sut, co, r);
    res.saved_file = r.saved_to;
    if (rec.on()) fmt::print(io.out, "evidence:  {} (run #{})\n", rec.path(), rec.run());
    return;
  }
  const std::string why =
      r.covered ? fmt::format("every feasible situation pair met {} times", co.coverage_k)
      : r.budget_exhausted ? fmt::format("time budget of {:.1f} s reached", co.time_budget)
                           : fmt::format("{} scenarios as asked", o.tests);
  res.summary = fmt::format("PASS: {} scenarios, no property violated ({:.2f} s; stopped: {})",
                            r.tests_run, r.seconds, why);
  if (o.quiet) return;
  fmt::print(io.out, "{}\n", res.summary);
  print_exercised(r, co, sut, io);
  if (rec.on()) fmt::print(io.out, "evidence: {} (run #{})\n", rec.path(), rec.run());
}

}  // namespace

CheckCommandResult check(const CheckCliOptions& o, const Console& io) {
  CheckCommandResult res;
  check::CheckOptions co;
  const std::string wrong = search_options(o, co);
  res.seed = co.seed;
  if (!wrong.empty()) return fail(res, io, kExitUsage, wrong);
  auto opened = open_sut_for_cli(o.sut, o.sut_options(), io, res);
  if (!opened) return res;
  OpenedSut& sut = *opened;
  co.wire_used = sut.wire_used;  // net: the search also steers toward the wire's freedoms
  co.on_progress = progress_printer(o, io);
  auto rec = start_recording(o.evidence, "check", &sut, o.sut, search_settings(o, co), io, res);
  if (!rec) return res;
  if (rec->on() && co.replay_failures_first && !co.failures_dir.empty()) {
    try {
      import_failures(*rec->store(), o.sut, co.failures_dir);
    } catch (const evidence::EvidenceError& e) {
      fmt::print(io.err, "wrongbox: warning: failures recorded in {}: {}\n", rec->path(), e.what());
    }
  }
  if (!o.quiet) {
    fmt::print(io.out, "wrongbox check against {} (seed {}, max {} steps{}{})\n", o.sut, co.seed,
               o.max_steps, co.gen.swarm ? ", swarm" : "", perturb_note(sut.hello, co));
  }
  const auto r = check::run_check(*sut.sw, sut.hello, o.sut, co);
  res.exit_code = !r.error.empty() && !r.failed                  ? kExitUsage
                  : !r.failed                                    ? kExitOk
                  : r.failure.outcome == Outcome::kSwitchFailure ? kExitSwitchFailed
                                                                 : kExitViolation;
  if (!record_search(*rec, o, co, r, sut, res)) return res;
  if (io.live() && !o.quiet && !o.progress) fmt::print(io.err, "\n");  // end the progress line
  if (!r.error.empty() && !r.failed) return fail(res, io, kExitUsage, r.error);
  res.scenarios = r.tests_run;
  res.situations = situations_met(r.stats.situations, co.coverage_k);
  for (const auto& p : r.stats.situations.uncovered(1)) res.never_met.push_back(model::describe(p));
  tell_search(o, co, r, sut, *rec, io, res);
  return res;
}

}  // namespace wrongbox::cli
