// What one switch_fuzzer input costs without libFuzzer around it: decoding
// the bytes into a scenario, and decoding plus playing it against the
// reference switch with the oracle. The inputs are the files of
// $WRONGBOX_BENCH_CORPUS (e.g. a switch_fuzzer corpus directory) or, without
// it, 2,000 random byte strings of 1-512 bytes (fixed seed). Counters give
// the mean steps, messages, calls and ticks per input (drain_ticks: those
// after the last step), so figures from different corpora can be compared. Google Benchmark:
//   WRONGBOX_BENCH_CORPUS=/tmp/corpus build-rel/bench/fuzz_exec_bench
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <random>
#include <vector>

#include "fuzz/scenario_codec.h"
#include "harness/cli/sut.h"
#include "harness/core/runner.h"

namespace {

// Who is asking for memory, while `counting`.
enum Who { kDecoding, kHarness, kSwitch, kWhoCount };
Who who = kHarness;
bool counting = false;
std::array<std::uint64_t, kWhoCount> allocations{};

}  // namespace

void* operator new(std::size_t n) {
  if (counting) ++allocations[who];
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// Not inlined: GCC would otherwise see free() given what operator new returned.
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

using Input = std::vector<std::uint8_t>;

// Sets `who` for the extent of a call and puts it back after.
class As {
 public:
  explicit As(Who w) : saved_(who) { who = w; }
  ~As() { who = saved_; }
  As(const As&) = delete;
  As& operator=(const As&) = delete;

 private:
  Who saved_;
};

// The harness's answers to the switch's calls count as the harness's.
class HarnessCalls final : public wrongbox::Calls {
 public:
  explicit HarnessCalls(wrongbox::Calls& c) : c_(c) {}
  wrongbox::LookupReply lookup(const std::string& p) override {
    As a(kHarness);
    return c_.lookup(p);
  }
  wrongbox::DeliverReply deliver(const std::string& mb, const wrongbox::Message& m) override {
    As a(kHarness);
    return c_.deliver(mb, m);
  }
  std::vector<wrongbox::LookupReply> lookup_each(const std::vector<std::string>& ps) override {
    As a(kHarness);
    return c_.lookup_each(ps);
  }
  std::vector<wrongbox::DeliverReply> deliver_each(
      const std::vector<wrongbox::Delivery>& ds) override {
    As a(kHarness);
    return c_.deliver_each(ds);
  }
  void print(const std::string& p, const wrongbox::Message& m) override {
    As a(kHarness);
    c_.print(p, m);
  }
  void hold(const wrongbox::Message& m, const std::string& why) override {
    As a(kHarness);
    c_.hold(m, why);
  }
  void receipt(const std::string& s, const std::string& id, wrongbox::ReceiptStatus st) override {
    As a(kHarness);
    c_.receipt(s, id, st);
  }
  void log(const std::string& text) override {
    As a(kHarness);
    c_.log(text);
  }

 private:
  wrongbox::Calls& c_;
};

// What the switch's own code allocates counts as the switch's.
class SwitchSide final : public wrongbox::Switch {
 public:
  explicit SwitchSide(wrongbox::Switch& s) : s_(s) {}
  wrongbox::HelloInfo hello() override {
    As a(kSwitch);
    return s_.hello();
  }
  void reset(const std::vector<std::string>& senders) override {
    As a(kSwitch);
    s_.reset(senders);
  }
  std::vector<wrongbox::Verdict> submit(const std::vector<wrongbox::Message>& batch,
                                        wrongbox::Calls& calls) override {
    HarnessCalls hc(calls);
    As a(kSwitch);
    return s_.submit(batch, hc);
  }
  bool tick(std::int64_t now, wrongbox::Calls& calls) override {
    HarnessCalls hc(calls);
    As a(kSwitch);
    return s_.tick(now, hc);
  }
  void restart() override {
    As a(kSwitch);
    s_.restart();
  }

 private:
  wrongbox::Switch& s_;
};

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
    steps += static_cast<double>(r.stats.steps);
    messages += static_cast<double>(r.stats.messages);
    calls += static_cast<double>(r.stats.calls);
    ticks += static_cast<double>(r.stats.ticks);
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

void allocations_per_input(benchmark::State& state) {
  const auto& in = inputs();
  auto sut = wrongbox::open_sut("builtin:reference");
  SwitchSide side(*sut.sw);
  for (auto _ : state) {
    allocations = {};
    counting = true;
    for (const auto& b : in) {
      As d(kDecoding);
      const auto sc = wrongbox::fuzz::decode_scenario(b.data(), b.size());
      As h(kHarness);
      const auto r = wrongbox::run_scenario(sc, side, {});
      if (r.outcome != wrongbox::Outcome::kPass) {
        counting = false;
        state.SkipWithError(wrongbox::summarize(r).c_str());
        return;
      }
    }
    counting = false;
  }
  const auto n = static_cast<double>(in.size());
  const char* names[] = {"decoding", "harness", "switch"};
  double all = 0;
  for (int w = 0; w < kWhoCount; ++w) {
    state.counters[names[w]] = benchmark::Counter(static_cast<double>(allocations[w]) / n);
    all += static_cast<double>(allocations[w]);
  }
  state.counters["all"] = benchmark::Counter(all / n);
}

}  // namespace

BENCHMARK(decode);
BENCHMARK(decode_and_run);
BENCHMARK(allocations_per_input)->Iterations(1)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
