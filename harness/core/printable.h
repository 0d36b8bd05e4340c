// printable: text from a switch or a scenario, made safe to show on a
// terminal or in a report. Control characters (C0, DEL, C1) and a newline
// would let a switch forge lines ("PASS ...") or drive the terminal (ESC
// sequences, OSC titles, BEL); they are shown escaped instead, visibly
// (\n, \t, \r, \e, \xNN). A word longer than `max` bytes is cut, its length
// said, so that a 10 MB word does not flood a report.
//
// Example usage:
//   fmt::print("name '{}'\n", printable(hello.name));   // "evil\e]0;x\a" stays on one line
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wrongbox {

inline constexpr std::size_t kPrintableMax = 400;

std::string printable(std::string_view s, std::size_t max = kPrintableMax);

// Why `path`, given by a user, is not a regular file one can read, in words
// ("no such file or directory", "a loop of symbolic links", "a FIFO, ...");
// "" when it is one. Follows links, as opening it would.
std::string path_problem(const std::string& path);

}  // namespace wrongbox
