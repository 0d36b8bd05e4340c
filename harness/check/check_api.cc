// wrongbox::check_switch (include/wrongbox/check.h) on top of check::run_check.
#include "harness/check/check.h"
#include "wrongbox/check.h"

namespace wrongbox {

CheckOutcome check_switch(Switch& sw, const std::string& name, const CheckSettings& settings) {
  CheckOutcome out;
  if (settings.tests < 0 || settings.max_steps < 1 || settings.max_steps > 200 ||
      !(settings.time_budget >= 0)) {
    out.error = "tests >= 0, max_steps 1-200 and time_budget >= 0 are required";
    return out;
  }
  check::CheckOptions o;
  o.tests = settings.tests;
  o.seed = settings.seed;
  o.time_budget = settings.time_budget;
  if (settings.tests == 0) {
    o.stop_when_covered = true;
    if (o.time_budget == 0) o.time_budget = check::kDefaultCheckBudget;
  }
  o.gen.max_steps = settings.max_steps;
  if (!settings.failures_dir.empty()) {
    o.failures_dir = check::failures_dir_for(settings.failures_dir, name);
  }
  HelloInfo hello;
  try {
    hello = sw.hello();
  } catch (const std::exception& e) {
    out.switch_failed = true;
    out.property = "switch-failure";
    out.report = std::string("hello failed: ") + e.what() + "\n";
    return out;
  }
  const check::CheckResult r = check::run_check(sw, hello, name, o);
  out.scenarios = r.stats.scenarios;
  const auto& cov = r.stats.situations;
  out.situation_pairs_met = cov.covered_pairs(1);
  out.situation_pairs_feasible = cov.feasible_pairs();
  for (const auto& p : cov.uncovered(1)) out.never_exercised.push_back(model::describe(p));
  if (!r.error.empty() && !r.failed) {
    out.error = r.error;
    return out;
  }
  if (!r.failed) {
    out.passed = true;
    return out;
  }
  const auto* v = r.failure.headline();
  out.switch_failed = v == nullptr;
  out.property = v ? to_string(v->property) : "switch-failure";
  out.saved_to = r.from_memory ? r.memory_file : r.saved_to;
  // The switch lives in the caller's process: no `wrongbox` command can start
  // it, so what to do next is said in the caller's terms.
  std::vector<std::string> next;
  if (!r.from_memory) {
    // The failing scenario is the scenarios_to_failure-th (tests_run counts
    // those that passed before it): as `wrongbox check`'s --tests.
    next.push_back("reproduce: run this test again: CheckSettings seed " + std::to_string(r.seed) +
                   ", tests " + std::to_string(r.scenarios_to_failure) + ", max_steps " +
                   std::to_string(settings.max_steps) + " play the same scenarios up to this one");
  }
  if (!out.saved_to.empty()) {
    next.push_back("saved:     " + out.saved_to +
                   " (played first by the next run with this failures_dir)");
  }
  next.push_back(
      "replay:    give the scenario above to `wrongbox replay FILE --sut SPEC` with your switch "
      "built as a plugin or a protocol v1 program (docs/protocol.md)");
  out.report = check::failure_report(name, o, r, &next);
  return out;
}

}  // namespace wrongbox
