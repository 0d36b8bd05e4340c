// Recording a command's run into the evidence store, when one is wanted.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "harness/cli/console.h"
#include "harness/cli/sut.h"
#include "harness/core/oracle/oracle.h"
#include "harness/core/runner.h"
#include "harness/evidence/evidence.h"

namespace wrongbox::cli {

struct EvidenceOptions {
  std::string path = "wrongbox-evidence.db";
  bool disabled = false;
  std::string sign_key;  // secret key file: each run and the head it ends are signed
};

// The command line as typed (set by main).
std::string& command_line();
// The id of the campaign this process runs ("" when none): every run it
// records carries it in its settings as "campaign", for `report --campaign`.
std::string& current_campaign();

// SHA-256 fingerprint of what runs as the switch: the wrongbox executable for
// builtin:, the program (and any file arguments, e.g. a script) for exec:,
// the shared library for plugin:.
std::string fingerprint(const std::string& sut_spec);

// A run's settings (seed, budgets, paths, ...), recorded as JSON in its
// evidence; built with the JSON library so that any string is escaped.
using Settings = nlohmann::ordered_json;

class Recorder {
 public:
  // Opens the store and starts a run, unless disabled. Throws EvidenceError.
  Recorder(const EvidenceOptions& o, const std::string& command, const OpenedSut* sut,
           const std::string& sut_spec, const Settings& settings, const Console& io);
  bool on() const { return store_.has_value(); }
  evidence::Store* store() { return store_ ? &*store_ : nullptr; }
  std::int64_t run() const { return run_; }
  // What every command records goes through these two, so that a store
  // that fails is reported one way. `write` adds the command's rows (its
  // scenarios, counterexamples, mutants) when recording: `rows` gets the
  // store and the run. An evidence error stops the recording and is kept
  // for finish; the command goes on, and what was recorded stays.
  void write(const std::function<void(evidence::Store&, std::int64_t run)>& rows);
  // Records the totals and closes the run. Prints "evidence: PATH (run #N)"
  // unless `quiet`. When the store failed (here or in an earlier write),
  // says why, makes that `failed`'s outcome (exit code 2) and returns false.
  bool finish(const evidence::RunTotals& t, CommandResult& failed, bool quiet = false);
  // A command that played one scenario file (explain, shrink): records its
  // row and finishes the run quietly with `r`'s totals, `scenarios` runs and
  // exit code `rc`. An unusable store becomes `failed`'s outcome (false).
  bool finish_one(const std::string& file, const RunResult& r, const std::string& report, int rc,
                  long scenarios, CommandResult& failed);
  const std::string& path() const { return path_; }

 private:
  std::optional<evidence::Store> store_;
  std::optional<evidence::SecretKey> key_;
  std::int64_t run_ = 0;
  std::string path_;
  std::string error_;  // the first evidence error ("" = none)
  Console io_;
};

std::string verdict_word(int exit_code);
// A run's totals as every command starts them: the exit code with its
// verdict word, and the counts of what the run played.
evidence::RunTotals run_totals(int exit_code, long scenarios = 0, long steps = 0,
                               long messages = 0);
// Adds one played scenario to the totals: its steps, messages and checks.
void count_scenario(evidence::RunTotals& t, const RunResult& r);

// Opens --sut for a command. On failure says why and makes it `failed`'s
// outcome (2 for a bad spec, 3 for a switch that does not start); returns
// nullopt.
std::optional<OpenedSut> open_sut_for_cli(const std::string& spec, const SutOptions& options,
                                          const Console& io, CommandResult& failed);

// Starts recording for a command (a disabled recorder with --no-evidence).
// On an unusable store says why, makes it `failed`'s outcome (exit code 2)
// and returns nullopt.
std::optional<Recorder> start_recording(const EvidenceOptions& o, const std::string& command,
                                        const OpenedSut* sut, const std::string& sut_spec,
                                        const Settings& settings, const Console& io,
                                        CommandResult& failed);

// The counterexample `sc` replayed once more with every step and call
// traced, for the report's step-by-step story (CounterexampleRecord::trace):
// one line each, at most kStoryLines (the last ones: a safety violation
// ends the run), and a first line saying so when the replay did not fail.
inline constexpr std::size_t kStoryLines = 400;
std::string story_trace(const Scenario& sc, Switch& sw, RunOptions options);
// The same from a run already traced (replay --trace).
std::string story_trace(const RunResult& traced);

// Failure memory from evidence: writes the counterexamples that `check` and
// `fuzz` runs recorded for `sut_spec` into `dir` as scenario files, named as
// saved failures are (PROPERTY-HASH.wbs), unless that file exists. After
// `wrongbox evidence merge`, every shard's failures are replayed first.
// Returns how many files it wrote.
int import_failures(evidence::Store& store, const std::string& sut_spec, const std::string& dir);

}  // namespace wrongbox::cli
