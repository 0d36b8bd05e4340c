// A libFuzzer target that only decodes its input into a scenario, for
// bench/fuzz_defects.sh: its exec/s is the most switch_fuzzer could reach if
// playing the scenario against the switch and the oracle cost nothing (same
// codec, same flags, same coverage instrumentation of the codec). Not a fuzz
// target of the product: it checks nothing.
#include <cstddef>
#include <cstdint>

#include "fuzz/scenario_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const wrongbox::Scenario sc = wrongbox::fuzz::decode_scenario(data, size);
  // Uses the result, so that the decoding cannot be optimised away; never true.
  return sc.steps.size() > wrongbox::fuzz::kMaxDecodedSteps ? -1 : 0;
}
