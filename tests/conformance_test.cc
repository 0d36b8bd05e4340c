// Conformance checks pass on a conforming switch and explain each departure.
#include "harness/core/conformance.h"

#include <gtest/gtest.h>

#include "examples/reference_switch.h"

namespace wrongbox {
namespace {

// The reference switch with one protocol habit changed.
class Quirky final : public Switch {
 public:
  enum Quirk {
    kBusyAfterReset,
    kDeliverBeforeLookup,
    kRemembersAcrossReset,
    kNoVerdicts,
    kLogsWhenIdle,
    kPrintsWhenIdle
  };
  explicit Quirky(Quirk q) : q_(q) {}
  HelloInfo hello() override { return inner_->hello(); }
  void reset(const std::vector<std::string>& s) override {
    if (q_ != kRemembersAcrossReset) inner_->reset(s);
  }
  std::vector<Verdict> submit(const std::vector<Message>& b, Calls& c) override {
    if (q_ == kDeliverBeforeLookup) c.deliver("kivra/guess", b[0]);
    auto v = inner_->submit(b, c);
    if (q_ == kNoVerdicts) v.clear();
    return v;
  }
  bool tick(std::int64_t now, Calls& c) override {
    if (q_ == kLogsWhenIdle) c.log("switch started, listening");
    if (q_ == kPrintsWhenIdle) c.print("199001011239", Message{"s1", "x", "199001011239", "t", {}});
    return inner_->tick(now, c) && q_ != kBusyAfterReset;
  }
  void restart() override { inner_->restart(); }

 private:
  Quirk q_;
  std::unique_ptr<Switch> inner_ = examples::make_reference_switch();
};

const ConformanceCheck& find(const ConformanceReport& r, const std::string& name) {
  for (const auto& c : r.checks) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no check " + name);
}

TEST(ConformanceTest, TheReferenceSwitchConforms) {
  auto sw = examples::make_reference_switch();
  const auto r = check_conformance(*sw);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.checks.size(), 7u);
}

TEST(ConformanceTest, EachDepartureIsNamedAndExplained) {
  struct Case {
    Quirky::Quirk quirk;
    const char* check;
    const char* says;
  };
  for (const auto& c :
       {Case{Quirky::kBusyAfterReset, "idle after reset", "answered idle: false"},
        Case{Quirky::kDeliverBeforeLookup, "calls in order",
             "the calls were: deliver kivra/guess, lookup"},
        Case{Quirky::kRemembersAcrossReset, "reset forgets", "reset must forget everything"},
        Case{Quirky::kNoVerdicts, "submit", "answered 0 verdicts"},
        Case{Quirky::kPrintsWhenIdle, "idle after reset", "made calls (print 199001011239)"}}) {
    Quirky sw(c.quirk);
    const auto r = check_conformance(sw);
    EXPECT_FALSE(r.ok()) << c.check;
    const auto& k = find(r, c.check);
    EXPECT_FALSE(k.passed) << c.check;
    EXPECT_NE(k.explanation.find(c.says), std::string::npos) << k.explanation;
  }
}

// A log line may come anywhere: a network switch's start-up output is read
// with the first command after it.
TEST(ConformanceTest, LogLinesOnAnIdleTickAreNotCalls) {
  Quirky sw(Quirky::kLogsWhenIdle);
  const auto r = check_conformance(sw);
  EXPECT_TRUE(find(r, "idle after reset").passed) << find(r, "idle after reset").explanation;
}

TEST(ConformanceTest, AFailingByeIsReported) {
  auto sw = examples::make_reference_switch();
  const auto r = check_conformance(*sw, [] { throw SwitchFailure("exited with status 4"); });
  EXPECT_FALSE(find(r, "bye").passed);
  EXPECT_NE(find(r, "bye").explanation.find("exited with status 4"), std::string::npos);
}

}  // namespace
}  // namespace wrongbox
