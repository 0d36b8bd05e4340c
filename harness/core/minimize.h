// Shrinking a failing scenario that did not come from a generator (a fuzzer
// finding, a hand-written file): delete steps, then messages, then shorten
// tick runs and part counts, keeping each change only while the scenario
// still fails the same way (the same first property, or a switch failure of
// the same kind: a hang stays a hang, a crash a crash).
//
// A switch failure, or a safety violation, is first cut after the step at
// which it happened. Every
// replay of a failing switch can cost its whole timeout, so the shrinking
// stops at a deadline and after a few replays that timed out, and returns
// the smallest failing scenario found so far.
//
// Example usage:
//   auto m = minimize_scenario(found, sw, {});
//   std::cout << print_scenario(m.scenario);   // usually a handful of steps
#pragma once

#include <chrono>

#include "harness/core/runner.h"
#include "harness/core/scenario.h"
#include "wrongbox/switch.h"

namespace wrongbox {

// How long shrinking may take when no time budget bounds it.
inline constexpr std::chrono::seconds kDefaultShrinkTime{60};

struct MinimizeLimits {
  int max_runs = 5000;
  // Steady-clock time after which no further replay starts (default: none).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  int max_timeouts = 2;  // replays that end in a switch timeout, then stop
  // A failure that happens under some interleavings only: a candidate still
  // fails when `min_failures` of `tries` replays (each under the next
  // schedule) fail like the original, so a step goes only while the failure
  // keeps about its rate.
  int tries = 1;
  int min_failures = 1;
};

struct MinimizeResult {
  Scenario scenario;       // the smallest failing scenario found
  RunResult result;        // its run
  int runs = 0;            // scenarios played while minimizing
  bool cut_short = false;  // a limit stopped the shrinking before it was done
};

// Plays `s` on `sw` once more and, if it fails (violation or switch
// failure), shrinks it; otherwise returns it unchanged with its passing
// result (the failure did not reproduce).
MinimizeResult minimize_scenario(const Scenario& s, Switch& sw, const RunOptions& o,
                                 const MinimizeLimits& limits = {});

// Whether `r` fails the way `want` does: the same headline property, or a
// switch failure of the same kind.
bool fails_like(const RunResult& r, const RunResult& want);

// How often `s` fails like `want` in `runs` replays, replay i under
// o.under_schedule(i): the rate of a failure that depends on interleavings.
struct FailureRate {
  int failed = 0;
  int runs = 0;
  bool always() const { return runs > 0 && failed == runs; }
};
FailureRate failure_rate(const Scenario& s, Switch& sw, const RunOptions& o, const RunResult& want,
                         int runs);

// Plays `s` under o.under_schedule(from), from + 1, ... (at most `runs`
// plays) until one fails: that run, else the last.
RunResult first_failure(const Scenario& s, Switch& sw, const RunOptions& o, std::uint64_t from,
                        int runs);

}  // namespace wrongbox
