// Quoting for the commands Wrongbox prints for people to copy (replay and
// reproduce lines): what is printed must paste into a POSIX shell as is.
#pragma once

#include <string>

namespace wrongbox {

// `s` as one shell word: unchanged when it is plain, otherwise single-quoted.
std::string shell_quote(const std::string& s);

}  // namespace wrongbox
