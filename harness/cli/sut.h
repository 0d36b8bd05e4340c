// Resolving a --sut specification to a switch.
//
// builtin:NAME   the reference switch and its defect catalog, in-process
// exec:COMMAND   a process speaking protocol v1 (COMMAND split as a shell would)
// plugin:PATH.so [ARG]   a shared library with the C ABI of wrongbox/plugin.h
//
// Example usage:
//   OpenedSut s = open_sut("builtin:stale-route");   // throws SutError when unknown
//   OpenedSut p = open_sut("exec:python3 examples/python/reference_switch.py", {.timeout = 5});
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/core/shell.h"
#include "wrongbox/switch.h"

namespace wrongbox {

class SutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SutOptions {
  double timeout = 10;     // exec: seconds per command
  std::string switch_log;  // exec: the switch's standard error; "" = wrongbox-logs/switch-<pid>.log
  // Give the switch its places and watch them (property S6, core/places.h):
  // the switch is then a WatchedSwitch around the one the spec names.
  bool places = true;
};

struct OpenedSut {
  std::string spec;
  std::unique_ptr<Switch> sw;
  HelloInfo hello;
  std::string log_path;  // exec: where the switch's standard error goes
};

// Throws SutError for a bad spec, SwitchFailure when the switch does not start.
// A plugin reads its places from WRONGBOX_PRIVATE_DIR, WRONGBOX_SHARED_DIR and
// WRONGBOX_LOG_DIR, which are set in this process before it is created.
OpenedSut open_sut(const std::string& spec, const SutOptions& options = {});
// Every builtin:NAME, the reference first.
std::vector<std::string> builtin_sut_names();

}  // namespace wrongbox
