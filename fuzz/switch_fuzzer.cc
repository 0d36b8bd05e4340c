// switch_fuzzer: any byte string -> a valid scenario -> played against the
// switch named by WRONGBOX_SUT (default builtin:reference) -> the oracle.
// On a violation or switch failure it prints the report and the scenario in
// text form and aborts, so libFuzzer keeps the input.
//   WRONGBOX_SUT=builtin:stale-route ./switch_fuzzer -max_total_time=60
#include <cstdio>
#include <cstdlib>

#include "fuzz/scenario_codec.h"
#include "harness/core/runner.h"
#include "harness/cli/sut.h"

namespace {

wrongbox::OpenedSut& sut() {
  static wrongbox::OpenedSut s = [] {
    const char* spec = std::getenv("WRONGBOX_SUT");
    try {
      return wrongbox::open_sut(spec && *spec ? spec : "builtin:reference");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "switch_fuzzer: WRONGBOX_SUT: %s\n", e.what());
      std::exit(2);
    }
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wrongbox;
  auto& s = sut();
  const Scenario sc = fuzz::decode_scenario(data, size);
  const RunResult r = run_scenario(sc, *s.sw, RunOptions::for_switch(s.hello));
  if (r.failed()) {
    std::fprintf(stderr, "\n== wrongbox: %s against %s\n\n%s\n", summarize(r).c_str(),
                 s.spec.c_str(), print_scenario(sc).c_str());
    if (const auto* v = r.headline()) std::fprintf(stderr, "%s\n", format_violation(*v).c_str());
    std::fprintf(
        stderr,
        "make it a regression: wrongbox convert CRASH_FILE --out corpus/regressions/NAME.wbs\n");
    std::abort();
  }
  if (r.outcome == Outcome::kInputError) {
    // The decoder promises playable scenarios: this is a harness bug.
    std::fprintf(stderr, "switch_fuzzer: decoded an unplayable scenario: %s\n%s\n", r.error.c_str(),
                 print_scenario(sc).c_str());
    std::abort();
  }
  return 0;
}
