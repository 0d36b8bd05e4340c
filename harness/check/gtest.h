// GoogleTest integration: run a Wrongbox campaign inside a vendor's own test.
//
// The assertion passes when the campaign finds no violation and fails with
// the full report (shrunk scenario, violation, reproduce command) otherwise,
// so `ctest` gives the same verdict as `wrongbox check` (see docs/ci.md for
// the CMake function wrongbox_add_campaign_test, which runs the CLI instead).
//
// Example usage:
//   TEST(AcmeSwitch, PassesTheWrongboxCampaign) {
//     AcmeSwitch sw;                       // implements wrongbox::Switch
//     wrongbox::check::CheckOptions o;
//     o.tests = 2000;
//     o.seed = 1;                           // fixed in CI; 0 = new seed each run
//     EXPECT_TRUE(wrongbox::check::PassesWrongboxCampaign(sw, o, "acme"));
//   }
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "harness/check/campaign.h"

namespace wrongbox::check {

inline ::testing::AssertionResult PassesWrongboxCampaign(Switch& sw, const CheckOptions& options,
                                                         const std::string& name = "switch") {
  const HelloInfo hello = sw.hello();
  const CheckResult r = run_check(sw, hello, name, options);
  if (!r.error.empty() && !r.failed) {
    return ::testing::AssertionFailure() << "campaign could not run: " << r.error;
  }
  if (!r.failed) {
    return ::testing::AssertionSuccess() << r.tests_run << " scenarios, no violation";
  }
  auto out = ::testing::AssertionFailure();
  out << "Wrongbox found a failure in " << name << " after " << r.scenarios_to_failure
      << " scenario(s):\n\n"
      << print_scenario(*r.counterexample) << "\n";
  if (const auto* v = r.failure.headline()) {
    out << format_violation(*v);
  } else {
    out << summarize(r.failure) << "\n";
  }
  if (!r.from_memory) out << "reproduce: " << reproduce_command(name, options, r) << "\n";
  if (!r.saved_to.empty()) out << "saved:     " << r.saved_to << "\n";
  return out;
}

}  // namespace wrongbox::check
