// Resolving a --sut specification to a switch.
//
// Today: builtin:NAME (the reference switch and its defect catalog). exec:
// (protocol v1 subprocess) and plugin: (C ABI) are resolved here when they land.
//
// Example usage:
//   OpenedSut s = open_sut("builtin:stale-route");   // throws SutError when unknown
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/switch.h"

namespace wrongbox {

class SutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OpenedSut {
  std::string spec;
  std::unique_ptr<Switch> sw;
  HelloInfo hello;
};

OpenedSut open_sut(const std::string& spec);
// Every builtin:NAME, the reference first.
std::vector<std::string> builtin_sut_names();

}  // namespace wrongbox
