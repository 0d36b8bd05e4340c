// Shrinking a failing scenario that did not come from a generator (a fuzzer
// finding, a hand-written file): delete steps, then messages, then shorten
// tick runs and part counts, keeping each change only while the scenario
// still fails the same way (the same first property, or a switch failure).
//
// Example usage:
//   auto m = minimize_scenario(found, sw, {});
//   std::cout << print_scenario(m.scenario);   // usually a handful of steps
#pragma once

#include "harness/runner.h"
#include "harness/scenario.h"
#include "wrongbox/switch.h"

namespace wrongbox {

struct MinimizeResult {
  Scenario scenario;  // the smallest failing scenario found
  RunResult result;   // its run
  int runs = 0;       // scenarios played while minimizing
};

// `s` must fail on `sw` (violation or switch failure); otherwise it is
// returned unchanged with its passing result. At most `max_runs` replays.
MinimizeResult minimize_scenario(const Scenario& s, Switch& sw, const RunOptions& o,
                                 int max_runs = 5000);

}  // namespace wrongbox
