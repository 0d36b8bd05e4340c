// What `wrongbox replay`'s two files share: replay.cc plays the files,
// replay_select.cc chooses them (--tag, --guards, --last-failed) and runs
// --check-guards.
#pragma once

#include <string>
#include <vector>

#include "harness/cli/commands.h"
#include "harness/cli/record.h"

namespace wrongbox::cli::replay_parts {

// Narrows `files` to what --tag, --guards and --last-failed select; says
// what and why in `said`. Returns false on a usage error (printed).
bool select_files(const ReplayOptions& o, std::vector<std::string>& files, std::string& said,
                  const Console& io, ReplayResult& res);
// --check-guards over `files`.
ReplayResult check_guards(const ReplayOptions& o, const std::vector<std::string>& files,
                          const std::string& selection, const Console& io, ReplayResult res);
// How replay plays a file on a switch; `runs` gets the plays per file.
RunOptions play_options(const ReplayOptions& o, const HelloInfo& hello, int& runs);
// The exit code from the counts, recorded with the totals.
ReplayResult finished(ReplayResult res, evidence::RunTotals& totals, Recorder& rec);

}  // namespace wrongbox::cli::replay_parts
