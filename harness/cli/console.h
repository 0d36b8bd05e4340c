// What every command shares: exit codes, where it writes (Console) and what
// it returns (CommandResult).
#pragma once

#include <fmt/core.h>

#include <cstdio>
#include <string>
#include <vector>

namespace wrongbox::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSwitchFailed = 3;

// Where a command writes: its report (`out`) and its diagnostics and
// progress (`err`). From the command line these are standard output and
// standard error; `campaign` points both at a phase's log file.
struct Console {
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  // Progress may redraw one line in place (the error stream is a terminal).
  bool live() const;
};

// What every command returns.
struct CommandResult {
  int exit_code = 0;
  // One line: the verdict ("PASS: 1,845 scenarios, ...", "replayed 12
  // scenario(s): ..."), or why the command could not run.
  std::string summary;
  // For a finding, the lines that say what to do next, in the order printed
  // ("reproduce: ...", "saved:     ...", "replay:    ...").
  std::vector<std::string> next;
  // A finding saved as a scenario file (the "saved:" line of `next`), or "".
  std::string saved_file;
};

// `text` on one line: each line break, with the indentation after it,
// becomes "; ".
inline std::string one_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  for (auto at = text.find('\n'); at != std::string::npos; at = text.find('\n', at)) {
    const auto next = text.find_first_not_of(' ', at + 1);
    text.replace(at, (next == std::string::npos ? text.size() : next) - at, "; ");
  }
  return text;
}

// Says "wrongbox: WHY" on io.err and makes it `r`'s outcome (the summary
// on one line).
template <typename R>
R& fail(R& r, const Console& io, int exit_code, const std::string& why) {
  fmt::print(io.err, "wrongbox: {}\n", why);
  r.exit_code = exit_code;
  r.summary = one_line(why);
  return r;
}

// The same for several reasons: each is said, the last is the summary.
// REQUIRES: !whys.empty().
template <typename R>
R& fail(R& r, const Console& io, int exit_code, const std::vector<std::string>& whys) {
  for (std::size_t i = 0; i + 1 < whys.size(); ++i) fmt::print(io.err, "wrongbox: {}\n", whys[i]);
  return fail(r, io, exit_code, whys.back());
}

// The worse of two exit codes: a violation outranks a switch failure, which
// outranks an input error (docs/check.md, "Exit codes of a campaign").
inline int worst_exit(int a, int b) {
  auto rank = [](int rc) {
    return rc == kExitViolation ? 3 : rc == kExitSwitchFailed ? 2 : rc == kExitOk ? 0 : 1;
  };
  return rank(b) > rank(a) ? b : a;
}

}  // namespace wrongbox::cli
