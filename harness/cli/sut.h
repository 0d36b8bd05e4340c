// Resolving a --sut specification to a switch.
//
// builtin:NAME   the reference switch and its defect catalog, in-process
// exec:COMMAND   a process speaking protocol v1 (COMMAND split as a shell would)
// net:FILE       a switch run unmodified over HTTP (docs/network.md); with
//                --tls and --verify-signatures it is written net+tls:FILE,
//                net+signed:FILE or net+tls+signed:FILE
// plugin:PATH.so [ARG]   a shared library with the C ABI of wrongbox/plugin.h
//
// Example usage:
//   OpenedSut s = open_sut("builtin:stale-route");   // throws SutError when unknown
//   OpenedSut p = open_sut("exec:python3 examples/python/reference_switch.py", {.timeout = 5});
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
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
  // net: the fakes speak HTTPS and demand a client certificate, both of a CA
  // made for the run (docs/network.md).
  bool tls = false;
  // net: deliverSecure's SignedDelivery must carry an XML signature that
  // verifies with the certificate of the net: file's [signatures] table.
  bool verify_signatures = false;
};

// A net: switch spec taken apart: net[+tls][+signed]:FILE.
struct NetSut {
  std::string file;
  bool tls = false;
  bool verify_signatures = false;
  // The spec again, the options in a fixed order: what commands print.
  std::string spec() const;
};
// nullopt for a spec of another transport (or an unknown net+ option).
std::optional<NetSut> parse_net_sut(const std::string& spec);

struct OpenedSut {
  std::string spec;
  std::unique_ptr<Switch> sw;
  HelloInfo hello;
  std::string log_path;  // exec: where the switch's standard error goes
  // net: how often the fakes used each freedom of the contract so far (the
  // wire's coverage); empty for other transports.
  std::function<std::vector<std::pair<std::string, std::int64_t>>()> freedoms;
  // net: a bit per freedom used since the last call (for the search's steering).
  std::function<std::uint32_t()> wire_used;
};

// Throws SutError for a bad spec, SwitchFailure when the switch does not start.
// A plugin reads its places from WRONGBOX_PRIVATE_DIR, WRONGBOX_SHARED_DIR and
// WRONGBOX_LOG_DIR, which are set in this process before it is created.
OpenedSut open_sut(const std::string& spec, const SutOptions& options = {});
// Every builtin:NAME, the reference first.
std::vector<std::string> builtin_sut_names();

}  // namespace wrongbox
