// Switches with their own threads: the harness judges calls made from
// several threads at once, fails a switch that calls after its command
// returned, and finds each racy variant of the threaded example switch with
// schedule perturbation, reporting how often it fails. Built and run under
// ThreadSanitizer too (ci/test.sh).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "examples/threaded_switch.h"
#include "harness/check/check.h"
#include "harness/core/minimize.h"
#include "harness/core/runner.h"
#include "harness/core/scenario.h"

#if defined(__SANITIZE_THREAD__)
#define WRONGBOX_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WRONGBOX_TSAN 1
#endif
#endif

namespace wrongbox {
namespace {

using examples::make_threaded_switch;
using examples::ThreadedDefect;

const char* kTwoPersons = R"(wrongbox-scenario 1
open kivra/a for 199001011239
open kivra/b for 198503142344
submit
  s1 1 to 199001011239
  s1 2 to 198503142344
  s1 3 to 199001011239 parts 2
  s1 4 to 198503142344
end
)";

Scenario parse(const char* text) {
  auto r = parse_scenario(text, "test.wbs");
  EXPECT_TRUE(r.ok()) << r.error.to_string();
  return *r.scenario;
}

// Delivers every message of a batch from its own thread, all at once; with
// `swap`, the first two threads deliver each other's message.
class FanOutSwitch : public Switch {
 public:
  explicit FanOutSwitch(bool swap) : swap_(swap) {}
  HelloInfo hello() override { return {"fan-out", "1", {"threads"}}; }
  void reset(const std::vector<std::string>&) override {}
  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) override {
    std::vector<Verdict> v;
    for (const auto& m : batch) v.push_back({m.sender, m.id, true, ""});
    std::atomic<int> ready{0};
    std::vector<std::thread> ts;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      ts.emplace_back([&, i] {
        ++ready;
        while (ready < static_cast<int>(batch.size())) std::this_thread::yield();
        const Message& m = batch[i];
        const Message& content = swap_ && i < 2 ? batch[1 - i] : m;
        const auto r = calls.lookup(m.subject);
        if (r.mailbox && calls.deliver(*r.mailbox, content) == DeliverReply::kOk) {
          calls.receipt(m.sender, m.id, ReceiptStatus::kDelivered);
        }
      });
    }
    for (auto& t : ts) t.join();
    return v;
  }
  bool tick(std::int64_t, Calls&) override { return true; }
  void restart() override {}

 private:
  bool swap_;
};

TEST(SharedCallsTest, CallsFromManyThreadsAtOnceAreJudgedAsOneAfterAnother) {
  FanOutSwitch sw(/*swap=*/false);
  for (int i = 0; i < 50; ++i) {
    const auto r = run_scenario(parse(kTwoPersons), sw, {});
    ASSERT_EQ(r.outcome, Outcome::kPass) << summarize(r);
    EXPECT_EQ(r.stats.calls, 12);  // 4 lookups, 4 deliveries, 4 receipts
  }
}

TEST(SharedCallsTest, ASwitchThatCallsFromThreadsWithoutSayingSoIsWarnedAbout) {
  struct Undeclared : FanOutSwitch {
    Undeclared() : FanOutSwitch(false) {}
    HelloInfo hello() override { return {"undeclared", "1", {}}; }
  } sw;
  const auto r = run_scenario(parse(kTwoPersons), sw, RunOptions::for_switch(sw.hello()));
  ASSERT_EQ(r.outcome, Outcome::kPass);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("does not list \"threads\""), std::string::npos);
  FanOutSwitch declared(false);
  EXPECT_TRUE(run_scenario(parse(kTwoPersons), declared, RunOptions::for_switch(declared.hello()))
                  .warnings.empty());
}

TEST(SharedCallsTest, AWrongDeliveryFromAnyThreadIsCaughtAtItsCall) {
  FanOutSwitch sw(/*swap=*/true);
  RunOptions o;
  o.schedule = 7;
  const auto r = run_scenario(parse(kTwoPersons), sw, o);
  ASSERT_EQ(r.outcome, Outcome::kViolation);
  EXPECT_EQ(r.headline()->property, Property::S1);
  EXPECT_NE(r.headline()->call_text.find("deliver kivra/"), std::string::npos);
}

// Leaves a thread behind that logs after its command returned: while the
// switch restarts, when no command runs.
class LateSwitch : public Switch {
 public:
  HelloInfo hello() override { return {"late", "1", {"restart"}}; }
  void reset(const std::vector<std::string>&) override {}
  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) override {
    std::vector<Verdict> v;
    for (const auto& m : batch) v.push_back({m.sender, m.id, false, "no"});
    late_ = std::thread([&calls, this] {
      while (!go_) std::this_thread::yield();
      calls.log("still busy");
    });
    return v;
  }
  bool tick(std::int64_t, Calls&) override { return true; }
  void restart() override {
    go_ = true;
    if (late_.joinable()) late_.join();
  }
  ~LateSwitch() override { restart(); }

 private:
  std::thread late_;
  std::atomic<bool> go_{false};
};

TEST(SharedCallsTest, ACallAfterItsCommandReturnedIsASwitchFailureNamingTheCall) {
  LateSwitch sw;
  const auto r = run_scenario(parse(R"(wrongbox-scenario 1
submit
  s1 1 to 199001011239
end
restart
tick 2
)"),
                              sw, RunOptions{.can_restart = true});
  ASSERT_EQ(r.outcome, Outcome::kSwitchFailure) << summarize(r);
  EXPECT_NE(r.error.find("log after its command returned"), std::string::npos) << r.error;
  EXPECT_EQ(r.error_step, 1);  // the restart
}

// A search of `tests` scenarios at `seed` from the check's defaults (so
// with perturbation, as for any switch whose hello says "threads").
check::CheckOptions search(int tests, std::uint64_t seed) {
  check::CheckOptions o;
  o.tests = tests;
  o.seed = seed;
  o.replay_failures_first = false;
  return o;
}

TEST(ThreadedSwitchTest, TheCorrectPoolStaysCleanUnderPerturbation) {
  auto sw = make_threaded_switch(ThreadedDefect::kNone);
  const auto o = search(300, 11);
  const auto r = check::run_check(*sw, sw->hello(), "builtin:threaded", o);
  EXPECT_TRUE(r.perturbed);
  EXPECT_FALSE(r.failed) << check::failure_report("builtin:threaded", o, r);
  EXPECT_EQ(r.tests_run, 300);
}

class RacyVariantTest : public ::testing::TestWithParam<ThreadedDefect> {};

TEST_P(RacyVariantTest, IsFoundUnderPerturbationWithItsRate) {
  auto sw = make_threaded_switch(GetParam());
  const auto r = check::run_check(*sw, sw->hello(), "builtin:x", search(3000, 5));
  ASSERT_TRUE(r.failed);
  EXPECT_TRUE(r.perturbed);
  // Its rate was measured: of the shrunk scenario, or (when that did not
  // fail again) of the scenario as found.
  EXPECT_EQ(r.rate.runs, 100);
  EXPECT_NE(check::rate_line(r).find("of 100 replays"), std::string::npos);
  if (r.replay_passed) return;  // a race this rare under this build: reported as found
#ifdef WRONGBOX_TSAN
  // ThreadSanitizer slows every memory access and so moves the windows of
  // these races: its run is for data races; the rates are held in the
  // other builds.
  return;
#endif
  EXPECT_GT(r.rate.failed, 0);
  // The shrunk scenario fails again (the race shows as one property or
  // another, S4 or C4 for the stale slot, depending on which message's
  // receipt goes astray first).
  // Replayed until it fails, up to about 30 failures' worth at the measured
  // rate: a rare race on a loaded machine (one failure in 100 is common
  // under AddressSanitizer) needs thousands of replays, not a fixed 200.
  const double p = static_cast<double>(r.rate.failed) / r.rate.runs;
  const auto tries = static_cast<std::uint64_t>(std::clamp(30 / p, 200.0, 10000.0));
  int again = 0;
  for (std::uint64_t i = 0; i < tries && again == 0; ++i) {
    again += run_scenario(*r.counterexample, *sw, RunOptions{.schedule = 99 + i}).failed();
  }
  EXPECT_GT(again, 0);
}

INSTANTIATE_TEST_SUITE_P(All, RacyVariantTest,
                         ::testing::Values(ThreadedDefect::kSharedCurrent,
                                           ThreadedDefect::kDedupRace, ThreadedDefect::kStaleSlot,
                                           ThreadedDefect::kWorkerRoutes));

}  // namespace
}  // namespace wrongbox
