// Coverage-guided fuzzing from the CLI: runs the libFuzzer build of
// fuzz/switch_fuzzer as a child process against an in-process switch
// (builtin: or plugin:), follows its progress, and turns what it finds into
// a minimal, readable scenario.
//
// libFuzzer ends its process on a finding or at the end of its budget, so it
// cannot run inside `wrongbox` itself; the child has the same switch, the same
// decoder (fuzz/scenario_codec.h) and the same oracle.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/minimize.h"

namespace wrongbox::cli {

// The switch_fuzzer to use: `given` (--fuzzer) when set, else
// $WRONGBOX_FUZZER, else the one this build made (-DWRONGBOX_FUZZ=ON), else
// "" (no fuzzing here; say kNoLibFuzzer).
std::string find_fuzzer(const std::string& given);
inline constexpr const char* kNoLibFuzzer =
    "this build has no libFuzzer (configure with clang and -DWRONGBOX_FUZZ=ON)";

// Why `sut` cannot be fuzzed ("" when it can): only in-process switches.
std::string why_not_fuzzable(const std::string& sut);

struct FuzzEngineOptions {
  std::string fuzzer;                            // path of a libFuzzer switch_fuzzer
  std::string sut;                               // WRONGBOX_SUT for it
  double budget = 30;                            // seconds (-max_total_time)
  std::uint64_t seed = 0;                        // 0: libFuzzer picks one
  std::vector<std::vector<std::uint8_t>> seeds;  // initial inputs
  std::string work_dir;                          // corpus/ and artifacts/ go here
  std::string log;                               // libFuzzer's output, whole
  int max_len = 512;                             // bytes per input
  // Called about once a second while the fuzzer runs.
  std::function<void(long execs, double seconds)> progress;
};

struct FuzzEngineResult {
  std::string error;     // the fuzzer could not be run (or died oddly): why
  bool found = false;    // it saved an input that fails
  std::string artifact;  // that input's file (crash-..., timeout-..., ...)
  std::string kind;      // "crash", "timeout", "oom", "leak", "slow-unit"
  double seconds = 0;    // wall time, to the finding when found
  long execs = 0;        // inputs run
  long exec_per_sec = 0;
  int exit_code = 0;
};

FuzzEngineResult run_fuzz_engine(const FuzzEngineOptions& o);

// A fuzzer input (the file `path`), decoded, replayed in this process
// against `sw` and minimized. `reproduced` is false when the scenario passes here (e.g. a
// sanitizer report only the instrumented child could see).
struct FuzzFinding {
  Scenario original;
  MinimizeResult minimized;
  bool reproduced = false;
};
FuzzFinding analyse_fuzz_input(const std::string& path, Switch& sw, const RunOptions& ro);

}  // namespace wrongbox::cli
