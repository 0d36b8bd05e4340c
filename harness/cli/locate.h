// Where the `wrongbox` tool finds what it ships with, wherever it runs: the
// build tree, an installed prefix (cmake --install, the .deb), a copy.
#pragma once

#include <string>

namespace wrongbox::cli {

// The running executable's absolute path ("" when /proc/self/exe is unreadable).
std::string self_path();

// PREFIX/RELATIVE for the prefix this binary is installed in (PREFIX/bin/wrongbox),
// when it exists; "" otherwise.
std::string installed_file(const std::string& relative);

// The built-in regression corpus: $WRONGBOX_CORPUS when set, else
// PREFIX/share/wrongbox/corpus/regressions beside an installed binary, else
// the source tree's corpus/regressions for a binary in its build tree.
// "" when none of them is a directory.
std::string builtin_corpus_dir();

// How reproduce lines name this tool: "wrongbox" when that is what PATH
// finds, else the executable's absolute path, so a printed command runs as
// it stands.
std::string program_for_commands();

}  // namespace wrongbox::cli
