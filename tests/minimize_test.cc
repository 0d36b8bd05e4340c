// The shrinker's passes beyond deleting steps (harness/core/minimize.cc):
// submits merged, an operator's outage widened to the registry's, persons
// unified (that one is held by tests/net_test.sh: shared-acceptance shrinks
// to 4 steps only through it). The switch is the reference switch with a planted defect in what
// it is told: during a tick, every lookup after the first is answered with
// the first one's reply (answers matched to recipients by position, as a
// batched registry query misread). The oracle, which knows the truth, judges
// what the switch does with the wrong answer.
#include "harness/core/minimize.h"

#include <gtest/gtest.h>

#include "examples/reference_switch.h"
#include "harness/core/runner.h"
#include "harness/core/scenario.h"

namespace wrongbox {
namespace {

class FirstAnswerForAll final : public Calls {
 public:
  explicit FirstAnswerForAll(Calls& real) : real_(real) {}
  LookupReply lookup(const std::string& person) override {
    LookupReply r = real_.lookup(person);
    if (!first_) first_ = r;
    return *first_;
  }
  DeliverReply deliver(const std::string& mailbox, const Message& m) override {
    return real_.deliver(mailbox, m);
  }
  void print(const std::string& person, const Message& m) override { real_.print(person, m); }
  void hold(const Message& m, const std::string& reason) override { real_.hold(m, reason); }
  void receipt(const std::string& sender, const std::string& id, ReceiptStatus s) override {
    real_.receipt(sender, id, s);
  }
  void log(const std::string& text) override { real_.log(text); }

 private:
  Calls& real_;
  std::optional<LookupReply> first_;
};

class MixedUpRetries final : public Switch {
 public:
  HelloInfo hello() override { return {"mixed-up-retries", "1", {"restart"}}; }
  void reset(const std::vector<std::string>& senders) override { inner_->reset(senders); }
  std::vector<Verdict> submit(const std::vector<Message>& b, Calls& calls) override {
    return inner_->submit(b, calls);
  }
  bool tick(std::int64_t now, Calls& calls) override {
    FirstAnswerForAll lying(calls);
    return inner_->tick(now, lying);
  }
  void restart() override { inner_->restart(); }

 private:
  std::unique_ptr<Switch> inner_ = examples::make_reference_switch();
};

Scenario parse(const std::string& text) {
  auto r = parse_scenario(text, "minimize_test");
  EXPECT_TRUE(r.ok()) << r.error.to_string();
  return r.scenario.value_or(Scenario{});
}

MinimizeResult shrink(const std::string& text) {
  MixedUpRetries sw;
  const Scenario s = parse(text);
  const RunResult first = run_scenario(s, sw, RunOptions{});
  EXPECT_EQ(first.outcome, Outcome::kViolation) << "the scenario as written fails";
  return minimize_scenario(s, sw, RunOptions{});
}

TEST(MinimizeTest, TwoSubmitsBecomeOneWhenTheFailureNeedsOnlyTheMessages) {
  // Both letters wait for the registry; the retry of the second reads the
  // first's answer and delivers it to the first person's mailbox (S1).
  const auto m = shrink(R"(wrongbox-scenario 1
open kivra/a for 191212121212
registry down
submit
  s1 1 to 191212121212
end
submit
  s2 2 to 200101012383
end
)");
  ASSERT_TRUE(m.result.failed());
  EXPECT_EQ(m.result.headline()->property, Property::S1);
  EXPECT_EQ(print_scenario(m.scenario), R"(wrongbox-scenario 1

open kivra/a for 191212121212
registry down
submit
  s1 1 to 191212121212
  s2 2 to 200101012383
end
)");
}

TEST(MinimizeTest, AnOperatorOutageBecomesTheRegistrysWhenThatFailsAlike) {
  // With kivra down both letters wait only because both persons have a
  // kivra mailbox; with the registry down the second person needs none.
  const auto m = shrink(R"(wrongbox-scenario 1
open kivra/a for 191212121212
open kivra/b for 200101012383
operator kivra down
submit
  s1 1 to 191212121212
  s1 2 to 200101012383
end
)");
  ASSERT_TRUE(m.result.failed());
  EXPECT_EQ(print_scenario(m.scenario), R"(wrongbox-scenario 1

open kivra/a for 191212121212
registry down
submit
  s1 1 to 191212121212
  s1 2 to 200101012383
end
)");
}

}  // namespace
}  // namespace wrongbox
