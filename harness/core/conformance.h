// Conformance: does a switch speak the protocol, before any property is
// tested? Each check is one sentence a vendor can act on.
//
// Checks: hello (a name, capabilities), reset, idle after reset (no calls,
// idle: true), submit (one verdict per message, naming it), calls in order
// (lookup before deliver, deliver to the mailbox the lookup named, then one
// receipt), reset forgets (an id accepted before reset is accepted again),
// restart (when offered), and bye (exec: switches exit 0 after it).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "wrongbox/switch.h"

namespace wrongbox {

struct ConformanceCheck {
  std::string name;
  bool passed = false;
  std::string explanation;  // what was seen, and for a failure what was expected
};

struct ConformanceReport {
  std::vector<ConformanceCheck> checks;
  bool ok() const;
};

// Runs every check against `sw`. `say_bye` is called last (exec: sends bye
// and waits for exit 0); it throws SwitchFailure when that goes wrong.
ConformanceReport check_conformance(Switch& sw, const std::function<void()>& say_bye = {});

}  // namespace wrongbox
