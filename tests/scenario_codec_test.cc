// The fuzzer's byte encoding: any bytes make a valid, playable scenario, and
// encoding is the exact inverse of decoding.
#include "fuzz/scenario_codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "examples/reference_switch.h"
#include "harness/runner.h"
#include "models/identity.h"

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

namespace wrongbox::fuzz {
namespace {

// The custom mutator's moves: each changes the scenario, most results are
// encodable, and the collision move keeps the 10-digit form.
TEST(ScenarioMutatorTest, MutationsChangeTheScenarioAndMostStayEncodable) {
  const auto base = parse_scenario(
      "wrongbox-scenario 1\nopen kivra/a for 199001011239\nsubmit\n  s1 1 to 199001011239\n"
      "  s1 2 to 198503142344\nend\ntick\n");
  ASSERT_TRUE(base.ok()) << base.error.to_string();
  int changed = 0, encodable = 0, neighbours = 0;
  for (std::uint32_t seed = 0; seed < 500; ++seed) {
    Scenario s = *base.scenario;
    if (!mutate_scenario(s, seed)) continue;
    ++changed;
    EXPECT_FALSE(s == *base.scenario) << "seed " << seed;
    std::string why;
    if (encode_scenario(s, why)) ++encodable;
    for (const auto& st : s.steps) {
      for (const auto& m : st.messages) {
        if (m.subject != "199001011239" && m.subject != "198503142344") {
          EXPECT_TRUE(model::ten_digit_form(m.subject) == model::ten_digit_form("199001011239") ||
                      model::ten_digit_form(m.subject) == model::ten_digit_form("198503142344"))
              << m.subject;
          ++neighbours;
        }
      }
    }
  }
  EXPECT_GT(changed, 300);
  EXPECT_GT(encodable, changed * 8 / 10);
  EXPECT_GT(neighbours, 20);
}

}  // namespace
}  // namespace wrongbox::fuzz
