// explain_failure: the story of a scenario's first violation in plain words:
// who the message was about, where it went, whose sink that was, what the
// model expected, and which earlier steps set the trap (the steps that
// touch the people, mailboxes and messages the violation involves).
#pragma once

#include <string>

#include "harness/core/runner.h"
#include "harness/core/scenario.h"

namespace wrongbox {

// REQUIRES: `result` is run_scenario(scenario, ...) with RunOptions::trace on.
std::string explain_failure(const Scenario& scenario, const RunResult& result);

}  // namespace wrongbox
