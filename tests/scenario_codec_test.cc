// The fuzzer's byte encoding: any bytes make a valid, playable scenario, and
// encoding is the exact inverse of decoding.
#include "fuzz/scenario_codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "examples/reference_switch.h"
#include "harness/core/runner.h"

namespace wrongbox::fuzz {
namespace {

RC_GTEST_PROP(ScenarioCodecTest, AnyBytesDecodeToAValidPlayableScenario,
              (const std::vector<std::uint8_t>& bytes)) {
  const Scenario sc = decode_scenario(bytes.data(), bytes.size());
  RC_ASSERT(validate_scenario(sc) == "");
  RC_ASSERT(sc.steps.size() <= kMaxDecodedSteps);
  auto sw = examples::make_reference_switch();
  const auto r = run_scenario(sc, *sw);
  RC_ASSERT(r.outcome == Outcome::kPass);
}

RC_GTEST_PROP(ScenarioCodecTest, EncodingTheDecodedScenarioGivesItBack,
              (const std::vector<std::uint8_t>& bytes)) {
  const Scenario sc = decode_scenario(bytes.data(), bytes.size());
  std::string why;
  const auto enc = encode_scenario(sc, why);
  RC_ASSERT(enc.has_value());
  const Scenario again = decode_scenario(enc->data(), enc->size());
  RC_ASSERT(print_scenario(again) == print_scenario(sc));
}

TEST(ScenarioCodecTest, EveryRegressionScenarioRoundTrips) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("corpus/regressions")) {
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const auto p = parse_scenario(ss.str(), e.path().string());
    ASSERT_TRUE(p.ok());
    std::string why;
    const auto enc = encode_scenario(*p.scenario, why);
    ASSERT_TRUE(enc) << e.path() << ": " << why;
    const auto back = decode_scenario(enc->data(), enc->size());
    ASSERT_EQ(back.steps.size(), p.scenario->steps.size()) << e.path();
    for (std::size_t i = 0; i < back.steps.size(); ++i) {
      EXPECT_EQ(print_step(back.steps[i]), print_step(p.scenario->steps[i])) << e.path();
    }
    ++n;
  }
  EXPECT_GE(n, 13);
}

TEST(ScenarioCodecTest, WhatTheEncodingCannotExpressIsRefusedWithAReason) {
  Scenario s;
  Step open;
  open.kind = StepKind::kOpen;
  open.mailbox = "postnord/a";
  open.person = "199001011239";
  s.steps = {open};
  std::string why;
  EXPECT_FALSE(encode_scenario(s, why));
  EXPECT_NE(why.find("operator 'postnord'"), std::string::npos) << why;
}

TEST(ScenarioCodecTest, TheEmptyInputIsAnEmptyScenario) {
  EXPECT_TRUE(decode_scenario(nullptr, 0).steps.empty());
}

}  // namespace
}  // namespace wrongbox::fuzz
