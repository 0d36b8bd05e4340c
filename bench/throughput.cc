// Messages per second through the reference switch, driven in-process, as a
// C ABI plugin, and over protocol v1 (exec:), on the same scenarios: batches
// of 32 messages for 8 persons with mailboxes, then a tick. Google Benchmark;
// bench/throughput.sh runs it and prints the ratios.
#include <benchmark/benchmark.h>

#include <string>

#include "harness/core/runner.h"
#include "harness/cli/sut.h"
#include "models/identity.h"

namespace {

wrongbox::Scenario batches(int batch, int rounds) {
  using namespace wrongbox;
  Scenario sc;
  std::vector<std::string> persons;
  for (int i = 0; i < 8; ++i) {
    persons.push_back(*model::make_person_number(1950 + i, 1 + i, 10 + i, 100 + i, false));
    Step open;
    open.kind = StepKind::kOpen;
    open.mailbox = "kivra/bench-" + std::to_string(i);
    open.person = persons.back();
    sc.steps.push_back(open);
  }
  int id = 0;
  for (int r = 0; r < rounds; ++r) {
    Step s;
    s.kind = StepKind::kSubmit;
    for (int k = 0; k < batch; ++k) {
      s.messages.push_back({"s" + std::to_string(k % 2 + 1), std::to_string(++id),
                            persons[static_cast<std::size_t>(k % 8)], 2});
    }
    sc.steps.push_back(s);
    Step t;
    t.kind = StepKind::kTick;
    sc.steps.push_back(t);
  }
  return sc;
}

void run(benchmark::State& state, const std::string& spec) {
  auto sut = wrongbox::open_sut(spec, {30.0, "/tmp/wrongbox-bench-switch.log"});
  const auto sc = batches(static_cast<int>(state.range(0)), 4);
  long messages = 0;
  for (auto _ : state) {
    const auto r = wrongbox::run_scenario(sc, *sut.sw, {});
    if (r.outcome != wrongbox::Outcome::kPass) state.SkipWithError(wrongbox::summarize(r).c_str());
    messages += r.stats.messages;
  }
  state.SetItemsProcessed(messages);
}

}  // namespace

BENCHMARK_CAPTURE(run, in_process, std::string("builtin:reference"))
    ->Arg(32)
    ->Arg(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(run, plugin, std::string("plugin:") + WRONGBOX_REFERENCE_PLUGIN)
    ->Arg(32)
    ->Arg(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(run, protocol_v1, std::string("exec:") + WRONGBOX_REFERENCE_SWITCH)
    ->Arg(32)
    ->Arg(1)
    ->UseRealTime();

BENCHMARK_MAIN();
