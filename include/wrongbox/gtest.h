// GoogleTest integration: Wrongbox's property-based search as one assertion
// in a vendor's own test suite. Link Wrongbox::gtest (find_package(Wrongbox
// CONFIG)).
//
// The assertion passes when the search finds no violation, and fails with
// the shrunk scenario, the violated property and the reproduce command in the
// test's output, so `ctest` gives the same verdict as `wrongbox check`. To run
// the `wrongbox` tool itself from ctest instead (any switch it can start, the
// whole `wrongbox campaign`), use the CMake function
// wrongbox_add_campaign_test (docs/vendor-quickstart.md).
//
// Example usage:
//   TEST(AcmeSwitch, PassesWrongboxCheck) {
//     AcmeSwitch sw;                       // implements wrongbox::Switch
//     wrongbox::CheckSettings s;
//     s.tests = 2000;
//     s.seed = 1;                          // fixed in CI; 0 = a new seed each run
//     EXPECT_TRUE(wrongbox::PassesWrongboxCheck(sw, s, "acme"));
//   }
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "wrongbox/campaign.h"
#include "wrongbox/check.h"

namespace wrongbox {

inline ::testing::AssertionResult PassesWrongboxCheck(Switch& sw, const CheckSettings& settings,
                                                      const std::string& name = "switch") {
  const CheckOutcome r = check_switch(sw, name, settings);
  if (r.passed) {
    return ::testing::AssertionSuccess()
           << r.scenarios << " scenarios, no violation; " << r.situation_pairs_met << " of "
           << r.situation_pairs_feasible << " situation pairs met";
  }
  if (!r.error.empty()) {
    return ::testing::AssertionFailure() << "the search could not run: " << r.error;
  }
  return ::testing::AssertionFailure() << "Wrongbox found a failure in " << name << ":\n\n"
                                       << r.report;
}

// The earlier name of PassesWrongboxCheck.
[[deprecated("use wrongbox::PassesWrongboxCheck")]] inline ::testing::AssertionResult
PassesWrongboxCampaign(Switch& sw, const CheckSettings& settings,
                       const std::string& name = "switch") {
  return PassesWrongboxCheck(sw, settings, name);
}

}  // namespace wrongbox
