// scenario_parser_fuzzer: the scenario text parser never crashes, and what it
// accepts prints and parses back to the same scenario.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "harness/core/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wrongbox;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = parse_scenario(text, "fuzz.wbs");
  if (!r.ok()) {
    if (r.error.line < 1 || r.error.col < 1 || r.error.message.empty()) {
      std::fprintf(stderr, "parse error without a place: %s\n", r.error.to_string().c_str());
      std::abort();
    }
    return 0;
  }
  const std::string printed = print_scenario(*r.scenario);
  const auto again = parse_scenario(printed, "printed.wbs");
  if (!again.ok() || !(*again.scenario == *r.scenario) ||
      print_scenario(*again.scenario) != printed) {
    std::fprintf(stderr, "round trip broken:\n%s\n", printed.c_str());
    std::abort();
  }
  return 0;
}
