// Under ThreadSanitizer: a switch with a real data race (two workers bump a
// plain counter) is played once; the race report must be followed by the
// scenario being played (tests/tsan_report_test.sh checks the output).
#include <cstdio>
#include <thread>

#include "harness/core/runner.h"
#include "harness/core/scenario.h"

namespace {

class RacySwitch : public wrongbox::Switch {
 public:
  wrongbox::HelloInfo hello() override { return {"racy", "1", {"threads"}}; }
  void reset(const std::vector<std::string>&) override {}
  std::vector<wrongbox::Verdict> submit(const std::vector<wrongbox::Message>& batch,
                                        wrongbox::Calls& calls) override {
    std::vector<wrongbox::Verdict> v;
    for (const auto& m : batch) v.push_back({m.sender, m.id, false, "not today"});
    std::thread a([&] { bump(calls); });
    std::thread b([&] { bump(calls); });
    a.join();
    b.join();
    return v;
  }
  bool tick(std::int64_t, wrongbox::Calls&) override { return true; }
  void restart() override {}

 private:
  void bump(wrongbox::Calls& calls) {
    for (int i = 0; i < 1000; ++i) ++handled_;  // the data race
    calls.log("worker done");
  }
  int handled_ = 0;
};

}  // namespace

int main() {
  auto parsed = wrongbox::parse_scenario(
      "wrongbox-scenario 1\nname racy-counter\nsubmit\n  s1 1 to 199001011239\nend\n", "racy.wbs");
  if (!parsed.ok()) return 2;
  RacySwitch sw;
  const auto r = wrongbox::run_scenario(*parsed.scenario, sw, {});
  std::printf("played: %s (no sanitizer report stopped the run)\n", wrongbox::summarize(r).c_str());
  return 0;
}
