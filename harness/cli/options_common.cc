// Options several subcommands share (options.h).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/cli/locate.h"
#include "harness/cli/options.h"
#include "harness/cli/sut.h"
#include "harness/core/scenario.h"
#include "harness/core/shell.h"

namespace wrongbox::cli::options {

// Options every command that records a run takes.
void add_evidence_options(CLI::App* sub, wrongbox::cli::EvidenceOptions& e) {
  sub->add_option("--evidence", e.path, "Evidence store (SQLite) to record this run in")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            return text.empty() ? "an empty path names no file (--no-evidence records nothing)"
                                : "";
          },
          "FILE"));
  sub->add_flag("--no-evidence", e.disabled, "Do not record this run");
  sub->add_option("--sign-key", e.sign_key,
                  "Secret key (`wrongbox evidence keygen`): sign the run and the chain head it "
                  "ends (the key must be mode 0600)");
}

// A number from lo to hi; unlike CLI::Range it refuses nan.
CLI::Validator between(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !(v >= lo && v <= hi)) {
          return fmt::format("{} is not a number from {} to {}", text, lo, hi);
        }
        return "";
      },
      fmt::format("NUMBER:[{} - {}]", lo, hi));
}

// A whole number from 0 to 2^64-1 (CLI11 would wrap "-1" around).
CLI::Validator seed_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.size() <= 20 &&
                            text.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || (text.size() == 20 && text > "18446744073709551615")) {
          return text + " is not a seed (a whole number from 0 to 18446744073709551615)";
        }
        return "";
      },
      "SEED");
}

// --perturb, on every command that plays scenarios (docs/concurrency.md).
void add_perturb_option(CLI::App* sub, std::string& perturb, const std::string& what) {
  sub->add_option("--perturb", perturb,
                  what +
                      ": seeded pauses at every call the switch makes, so that rare "
                      "interleavings of its threads occur (auto: for a switch whose hello says "
                      "\"threads\"; on: any in-process switch; docs/concurrency.md)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "on", "off"}));
}

// The switch to drive, with one text on every command that drives one.
void add_switch_options(CLI::App* sub, wrongbox::cli::SwitchOptions& o) {
  sub->add_option("--sut", o.sut,
                  "Switch under test: builtin:NAME (the reference and its defect variants, "
                  "`wrongbox suts`), exec:'COMMAND ARGS' (a program speaking protocol v1), "
                  "net:FILE (a switch run unmodified over HTTP, described by FILE: "
                  "docs/network.md) or "
                  "plugin:PATH.so [ARG] (a shared library with the C ABI of wrongbox/plugin.h)")
      ->capture_default_str();
  sub->add_option("--timeout", o.timeout,
                  "exec:, net: seconds a command (net: a request) may take (above 0; net: "
                  "overrides the file's start.timeout)")
      ->capture_default_str()
      ->check(between(1e-3, 86400));
  sub->add_option("--switch-log", o.switch_log,
                  "exec:, net: file for the switch's output (default "
                  "wrongbox-logs/switch-PID.log, net: wrongbox-logs/net-switch-PID.log)");
  // With --tls, net:FILE becomes net+tls:FILE (net+signed:FILE with
  // --verify-signatures): what the command prints to run again (reproduce,
  // replay, evidence) then carries the options.
  sub->parse_complete_callback([&o] {
    if (auto n = wrongbox::parse_net_sut(o.sut)) {
      n->tls |= o.tls;
      n->verify_signatures |= o.verify_signatures;
      o.sut = n->spec();
    }
  });
  sub->add_flag("--tls", o.tls,
                "net: the fakes speak HTTPS and demand a client certificate, both of a CA made "
                "for the run: {tls_ca}, {tls_cert} and {tls_key} name its files");
  sub->add_flag("--verify-signatures", o.verify_signatures,
                "net: each deliverSecure's SignedDelivery must carry an XML signature (enveloped, "
                "URI=\"\") that verifies with the certificate the net: file's [signatures] "
                "table names");
}

}  // namespace wrongbox::cli::options
