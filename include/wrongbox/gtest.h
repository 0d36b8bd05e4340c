// GoogleTest integration: a Wrongbox campaign as one assertion in a vendor's
// own test suite. Link Wrongbox::gtest (find_package(Wrongbox CONFIG)).
//
// The assertion passes when the campaign finds no violation, and fails with
// the shrunk scenario, the violated property and the reproduce command in the
// test's output, so `ctest` gives the same verdict as `wrongbox check`. To run
// the `wrongbox` tool itself from ctest instead (any switch it can start),
// use the CMake function wrongbox_add_campaign_test (docs/vendor-quickstart.md).
//
// Example usage:
//   TEST(AcmeSwitch, PassesTheWrongboxCampaign) {
//     AcmeSwitch sw;                       // implements wrongbox::Switch
//     wrongbox::CampaignSettings s;
//     s.tests = 2000;
//     s.seed = 1;                          // fixed in CI; 0 = a new seed each run
//     EXPECT_TRUE(wrongbox::PassesWrongboxCampaign(sw, s, "acme"));
//   }
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "wrongbox/campaign.h"

namespace wrongbox {

inline ::testing::AssertionResult PassesWrongboxCampaign(Switch& sw,
                                                         const CampaignSettings& settings,
                                                         const std::string& name = "switch") {
  const CampaignOutcome r = run_campaign(sw, name, settings);
  if (r.passed) {
    return ::testing::AssertionSuccess()
           << r.scenarios << " scenarios, no violation; " << r.situation_pairs_met << " of "
           << r.situation_pairs_feasible << " situation pairs met";
  }
  if (!r.error.empty()) {
    return ::testing::AssertionFailure() << "campaign could not run: " << r.error;
  }
  return ::testing::AssertionFailure() << "Wrongbox found a failure in " << name << ":\n\n"
                                       << r.report;
}

}  // namespace wrongbox
