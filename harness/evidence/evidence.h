// The evidence store: what was tested, against which build, when, how much,
// with which result, in a SQLite file nobody can silently edit.
//
// Schema (version 1; PRAGMA application_id = 0x57424F58 "WBOX", user_version = 1):
//
//   runs(id, uuid UNIQUE, command, command_line, harness_version, harness_commit,
//        sut_spec, sut_name, sut_version, sut_sha256, host, started_at, ended_at,
//        settings_json, status 'running'|'complete', verdict, exit_code,
//        scenarios, steps, messages, coverage_json)
//   properties(run_id, property, checks, violations)          one row per property, at the end
//   scenarios(id, run_id, source, outcome, summary, report)   one row per scenario played (replay,
//                                                             conformance checks)
//   counterexamples(id, run_id, property, scenario_text, report, reproduce,
//                   file)                                      (file: schema 3)
//   mutants(id, run_id, defect, defect_class, caught, corpus_caught, corpus_property,
//           search_property, scenarios, seconds, shrunk_steps, fuzz_ran, fuzz_property,
//           fuzz_inputs, fuzz_seconds, fuzz_steps)                  (fuzz_*: schema 2)
//   chain(seq, run_uuid, kind 'start'|'end', content_hash, prev_hash, hash)
//
// Every run appends a 'start' link when it begins and an 'end' link when it
// finishes. hash = SHA-256(prev_hash, seq, run_uuid, kind, content_hash), and
// content_hash is the SHA-256 of the run's canonical content (the header for
// 'start'; header, totals and every child row for 'end'). verify() recomputes
// all of it and names the first run that was changed, removed or reordered.
// A run killed mid-way keeps its 'start' link and whatever rows it wrote: it
// shows as incomplete, never as corruption. Writes use WAL and transactions;
// concurrent writers serialise on SQLite's lock, so both land.
//
// Example usage:
//   auto store = Store::open("wrongbox-evidence.db");   // throws EvidenceError
//   auto run = store.begin_run(header);
//   store.add_scenario(run, {...});
//   store.finish_run(run, totals);
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace wrongbox::evidence {

inline constexpr int kSchemaVersion = 3;
inline constexpr int kApplicationId = 0x57424F58;

class EvidenceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunHeader {
  std::string command;  // replay, check, mutants, conformance, ...
  std::string command_line;
  std::string sut_spec;
  std::string sut_name;
  std::string sut_version;
  std::string sut_sha256;
  std::string settings_json;  // seed, budgets, ...
};

struct ScenarioRecord {
  std::string source;
  std::string outcome;  // pass, violation, switch-failure, input-error, skipped
  std::string summary;
  std::string report;
};

struct CounterexampleRecord {
  std::string property;
  std::string scenario_text;
  std::string report;
  std::string reproduce;
  std::string file;  // the saved scenario file, as the recording command named it ("" = none)
};

struct MutantRecord {
  std::string defect;
  int defect_class = 0;
  bool caught = false;
  int corpus_caught = 0;
  std::string corpus_property;
  std::string search_property;
  long scenarios = 0;
  double seconds = 0;
  long shrunk_steps = 0;
  bool fuzz_ran = false;      // coverage-guided fuzzing was tried (schema 2)
  std::string fuzz_property;  // what it found first ("" = nothing)
  long fuzz_inputs = 0;       // inputs run, to the finding when found
  double fuzz_seconds = 0;
  long fuzz_steps = 0;  // minimized scenario length
};

struct RunTotals {
  std::string verdict;  // pass, violation, switch-failure, input-error
  int exit_code = 0;
  long scenarios = 0;
  long steps = 0;
  long messages = 0;
  std::array<std::uint64_t, 10> checks{};  // S1..S5, C1..C4, L1
  std::array<std::uint64_t, 10> violations{};
  std::string coverage_json;
};

struct VerifyResult {
  bool ok = true;
  std::string problem;  // the first, in words; empty when ok
  int runs = 0;
  int complete = 0;
  std::vector<std::string> incomplete;  // runs with no end record (killed, or still running)
};

class Store {
 public:
  // Opens or creates FILE. Refuses (EvidenceError, file untouched) a file that
  // is not SQLite, is another application's database, is newer than this
  // build, or is corrupt.
  static Store open(const std::string& path);
  // Opens FILE, which must exist and not be empty: for commands that only
  // read a store (verify, report, the inputs of merge), so that a mistyped
  // path is an error naming it instead of a new, empty, "intact" store.
  static Store open_existing(const std::string& path);
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  std::int64_t begin_run(const RunHeader& h);
  void add_scenario(std::int64_t run, const ScenarioRecord& r);
  void add_counterexample(std::int64_t run, const CounterexampleRecord& r);
  void add_mutant(std::int64_t run, const MutantRecord& r);
  void finish_run(std::int64_t run, const RunTotals& t);

  VerifyResult verify();
  // The id of the newest run, 0 for an empty store: runs a command makes
  // after this call have larger ids (a campaign scopes its reports so).
  std::int64_t last_run_id();
  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Store(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Joins stores (e.g. from sharded CI jobs) into OUT, which may exist. Every
// input must verify first. Runs already in OUT (same uuid) are skipped; the
// others are appended to OUT's chain with their content unchanged.
// Returns the number of runs copied.
int merge(const std::string& out, const std::vector<std::string>& inputs);

std::string sha256_hex(const std::string& data);
// SHA-256 of a file's bytes; "" when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace wrongbox::evidence
