// What one switch_fuzzer input costs without libFuzzer around it: decoding
// the bytes into a scenario, and decoding plus playing it against the
// reference switch with the oracle. The inputs are the files of
// $WRONGBOX_BENCH_CORPUS (e.g. a switch_fuzzer corpus directory) or, without
// it, 2,000 random byte strings of 1-512 bytes (fixed seed). Counters give
// the mean steps, messages, calls and ticks per input (drain_ticks: those
// after the last step), so figures from different corpora can be compared. Google Benchmark:
//   WRONGBOX_BENCH_CORPUS=/tmp/corpus build-rel/bench/fuzz_exec_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "fuzz/scenario_codec.h"
#include "harness/runner.h"
#include "harness/sut.h"

namespace {

using Input = std::vector<std::uint8_t>;

const std::vector<Input>& inputs() {
  static const std::vector<Input> all = [] {
    std::vector<Input> v;
    if (const char* dir = std::getenv("WRONGBOX_BENCH_CORPUS"); dir && *dir) {
      std::error_code ec;
      for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
           it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        std::ifstream in(it->path(), std::ios::binary);
        v.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      if (ec || v.empty()) {
        std::fprintf(stderr, "fuzz_exec_bench: WRONGBOX_BENCH_CORPUS=%s: %s\n", dir,
                     ec ? ec.message().c_str() : "no files");
        std::exit(2);
      }
    } else {
      std::mt19937_64 rng(1);
      std::uniform_int_distribution<std::size_t> len(1, 512);
      for (int i = 0; i < 2000; ++i) {
        Input in(len(rng));
        for (auto& b : in) b = static_cast<std::uint8_t>(rng());
        v.push_back(std::move(in));
      }
    }
    return v;
  }();
  return all;
}

void decode(benchmark::State& state) {
  const auto& in = inputs();
  std::size_t i = 0, steps = 0;
  for (auto _ : state) {
    const auto& b = in[i++ % in.size()];
    const auto sc = wrongbox::fuzz::decode_scenario(b.data(), b.size());
    steps += sc.steps.size();
    benchmark::DoNotOptimize(sc.steps.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["steps"] =
      benchmark::Counter(static_cast<double>(steps) / static_cast<double>(state.iterations()));
}

void decode_and_run(benchmark::State& state) {
  const auto& in = inputs();
  auto sut = wrongbox::open_sut("builtin:reference");
  std::size_t i = 0;
  double steps = 0, messages = 0, calls = 0, ticks = 0, step_ticks = 0;
  for (auto _ : state) {
    const auto& b = in[i++ % in.size()];
    const auto sc = wrongbox::fuzz::decode_scenario(b.data(), b.size());
    const auto r = wrongbox::run_scenario(sc, *sut.sw, {});
    if (r.outcome != wrongbox::Outcome::kPass) {
      state.SkipWithError(wrongbox::summarize(r).c_str());
      break;
    }
    steps += r.stats.steps;
    messages += r.stats.messages;
    calls += r.stats.calls;
    ticks += r.stats.ticks;
    for (const auto& st : sc.steps) {
      if (st.kind == wrongbox::StepKind::kTick) step_ticks += st.count;
    }
  }
  state.SetItemsProcessed(state.iterations());
  const auto n = static_cast<double>(state.iterations());
  state.counters["steps"] = benchmark::Counter(steps / n);
  state.counters["messages"] = benchmark::Counter(messages / n);
  state.counters["calls"] = benchmark::Counter(calls / n);
  state.counters["ticks"] = benchmark::Counter(ticks / n);
  state.counters["drain_ticks"] = benchmark::Counter((ticks - step_ticks) / n);
}

}  // namespace

BENCHMARK(decode);
BENCHMARK(decode_and_run);

BENCHMARK_MAIN();
