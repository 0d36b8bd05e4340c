// serve_protocol: the switch side of protocol v1. Serves any wrongbox::Switch
// on a pair of streams, turning each Calls method into a call line and
// waiting for the harness's answer. A vendor whose switch is C++ but must run
// in its own process links this and writes a three-line main().
//
// Example usage:
//   int main() { MySwitch sw; return wrongbox::serve_protocol(sw, std::cin, std::cout); }
#pragma once

#include <iosfwd>

#include "wrongbox/switch.h"

namespace wrongbox {

// Returns 0 after `bye` or end of input between commands, 1 when the harness
// broke the protocol (the reason goes to standard error).
int serve_protocol(Switch& sw, std::istream& in, std::ostream& out);

}  // namespace wrongbox
