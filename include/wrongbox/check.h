// wrongbox::check_switch: the property-based search of `wrongbox check`,
// against an in-process switch, from a vendor's own C++ code (a GoogleTest
// case, a tool).
//
// It replays the failures saved before for the same switch (when
// `failures_dir` is set), then searches, steered by situation coverage (the
// pairs of conditions the routing rules read at each decision), plays each
// scenario against the switch while the harness plays every other actor, and
// stops at the first violation, which it shrinks to a minimal scenario.
//
// (`wrongbox campaign` is the whole CI job: conformance, the regression
// corpus, this search, fuzzing and the report. This header is the search
// alone.)
//
// Example usage:
//   AcmeSwitch sw;                                   // implements wrongbox::Switch
//   wrongbox::CheckSettings s;
//   s.tests = 2000;
//   s.seed = 1;
//   wrongbox::CheckOutcome r = wrongbox::check_switch(sw, "acme", s);
//   if (!r.passed) std::cerr << r.report;
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "wrongbox/switch.h"

namespace wrongbox {

struct CheckSettings {
  // Generated scenarios that must pass; 0 = until every feasible situation
  // pair was met 3 times, within time_budget (10 s when 0).
  int tests = 1000;
  std::uint64_t seed = 1;    // the same seed plays the same scenarios; 0 = a new one each run
  double time_budget = 0;    // seconds; 0 = none (stop after `tests`)
  int max_steps = 12;        // generated actions per scenario, at most
  std::string failures_dir;  // failure memory: saved and replayed first; "" = none
};

struct CheckOutcome {
  bool passed = false;         // nothing violated, the switch never failed
  bool switch_failed = false;  // the switch threw or broke the protocol (not a violation)
  std::string error;           // the search could not run (bad settings); passed is false
  int scenarios = 0;           // generated scenarios played
  // When not passed: the shrunk scenario (scenario format), the violation
  // explained, and the reproduce command; what PassesWrongboxCheck prints.
  std::string report;
  std::string property;  // "S1".."L1", or "switch-failure"; empty when passed
  std::string saved_to;  // the saved scenario file, when failures_dir was set
  // Situation coverage of the search (docs/situations.md): feasible pairs of
  // conditions met at least once, all feasible pairs, and those never met,
  // e.g. "route: attempt=after restart & address=path prefix".
  int situation_pairs_met = 0;
  int situation_pairs_feasible = 0;
  std::vector<std::string> never_exercised;
};

// `name` names the switch in reports and in failures_dir's subfolder.
CheckOutcome check_switch(Switch& sw, const std::string& name, const CheckSettings& settings);

}  // namespace wrongbox
