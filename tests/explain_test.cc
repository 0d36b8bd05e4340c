// `explain` tells the story of the first violation: what, where, whose, and
// which earlier steps set the trap.
#include "harness/core/explain.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "examples/reference_switch.h"

namespace wrongbox {
namespace {

std::string story(const std::string& file, examples::Defect d) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto p = parse_scenario(ss.str(), file);
  EXPECT_TRUE(p.ok());
  auto sw = examples::make_reference_switch(d);
  RunOptions o;
  o.trace = true;
  return explain_failure(*p.scenario, run_scenario(*p.scenario, *sw, o));
}

TEST(ExplainTest, TheReopenedAccountIsMarkedAsTheTrapAndTheStaleRouteNamed) {
  const auto s =
      story("corpus/regressions/03-stale-route-after-reopen.wbs", examples::Defect::kStaleRoute);
  EXPECT_NE(s.find("What went wrong: S1"), std::string::npos) << s;
  EXPECT_NE(s.find("went to: mailbox kivra/000042, owned now by 198503142344"), std::string::npos)
      << s;
  EXPECT_NE(s.find("  » step 6 (line 20): kivra/000042 is reopened for 198503142344"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("  » step 4 (line 18): kivra/000777 opens for 199001011239"), std::string::npos)
      << s;
  EXPECT_NE(s.find("    step 5 (line 19): 2 tick(s) pass"), std::string::npos) << s;
  EXPECT_NE(s.find("  ✗ step 7 (line 21)"), std::string::npos) << s;
  EXPECT_NE(s.find("a route from an earlier command was reused"), std::string::npos) << s;
  EXPECT_NE(s.find("call: deliver kivra/000042 -> ok, owner 198503142344"), std::string::npos) << s;
}

TEST(ExplainTest, ACenturyCollisionIsNamedAndNotMistakenForAStaleRoute) {
  const auto s = story("corpus/regressions/04-identity-century-collision.wbs",
                       examples::Defect::kIdentityNormalisation);
  EXPECT_NE(s.find("191212121212 and 201212121212 share their 10-digit form"), std::string::npos)
      << s;
  EXPECT_EQ(s.find("earlier command was reused"), std::string::npos) << s;
}

TEST(ExplainTest, AnOutageOfTheInvolvedOperatorIsMarked) {
  const auto s = story("corpus/regressions/07-fault-path-retry-after-compaction.wbs",
                       examples::Defect::kFaultPath);
  EXPECT_NE(s.find("  » step 3 (line 11): operator minmyndighetspost goes down"), std::string::npos)
      << s;
  EXPECT_NE(s.find("  ✗ end:"), std::string::npos) << s;
}

TEST(ExplainTest, APassingScenarioHasNothingToExplain) {
  EXPECT_EQ(story("corpus/regressions/03-stale-route-after-reopen.wbs", examples::Defect::kNone),
            "Nothing to explain: no property was violated.\n");
}

}  // namespace
}  // namespace wrongbox
