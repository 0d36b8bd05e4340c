// The runner: plays one scenario against one switch, as every actor of
// docs/exchange.md except the switch, and lets the oracle judge each call.
//
// Per scenario: reset(senders); each step in order (environment actions
// change the model; switch commands go to the switch, whose calls are
// answered from the model and recorded as sink events); then the drain:
// all outages end and the harness ticks until the switch reports idle (at
// most RunOptions::drain_ticks), and C1, C4, L1 are checked.
//
// Example usage:
//   RunResult r = run_scenario(scenario, my_switch, {.trace = true});
//   if (r.outcome == Outcome::kViolation) std::cout << format_violation(*r.headline());
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/oracle.h"
#include "harness/core/scenario.h"
#include "wrongbox/switch.h"

namespace wrongbox {

struct RunOptions {
  bool trace = false;       // fill RunResult::trace with every step and call
  std::uint64_t seed = 1;   // canary key; any value works, fixed for reproducibility
  int drain_ticks = 100;    // L1 bound
  bool can_restart = true;  // from the switch's hello capabilities
  // The options for a switch that said `hello`: restarts only if it can.
  static RunOptions for_switch(const HelloInfo& hello) {
    RunOptions o;
    o.can_restart = hello.has("restart");
    return o;
  }
};

enum class Outcome {
  kPass,           // no property violated
  kViolation,      // at least one property violated
  kSwitchFailure,  // the switch threw, broke the protocol, crashed or hung
  kInputError,     // the scenario cannot be played (e.g. reopen before quarantine)
  kSkipped,        // the scenario needs a capability the switch lacks
};
const char* to_string(Outcome o);

struct RunStats {
  int steps = 0;     // steps played
  int messages = 0;  // messages submitted
  int calls = 0;     // calls the switch made
  int ticks = 0;     // ticks, drain included
};

struct RunResult {
  Outcome outcome = Outcome::kPass;
  std::vector<Violation> violations;  // in the order found
  std::vector<std::string> warnings;
  std::string error;    // for kSwitchFailure, kInputError, kSkipped
  int error_step = -1;  // 0-based step of the error, -1 if none
  int error_line = 0;
  // For kSwitchFailure: which kind (a timeout, an exit, a protocol error...).
  SwitchFailure::Kind failure_kind = SwitchFailure::Kind::kThrew;
  RunStats stats;
  std::array<std::uint64_t, kPropertyCount> checks{};
  // Every decision the switch met, with the conditions the rules read there
  // (models/situation.h), in order.
  std::vector<model::Situation> situations;
  std::vector<std::string> trace;
  // The violation to report first: the first safety violation, else the first.
  const Violation* headline() const;
  // A property was violated or the switch failed.
  bool failed() const {
    return outcome == Outcome::kViolation || outcome == Outcome::kSwitchFailure;
  }
};

RunResult run_scenario(const Scenario& scenario, Switch& sut, const RunOptions& options = {});

// The kind of a switch failure caught as `e` (kThrew unless e is a SwitchFailure).
SwitchFailure::Kind failure_kind_of(const std::exception& e);
const char* to_string(SwitchFailure::Kind k);

// One line for a result: "PASS", "FAIL S1 at step 4 (line 12): ...", "ERROR ...".
std::string summarize(const RunResult& r);

}  // namespace wrongbox
