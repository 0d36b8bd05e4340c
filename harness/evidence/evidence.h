// The evidence store: what was tested, against which build, when, how much,
// with which result, in a SQLite file nobody can silently edit.
//
// Schema (version 5; PRAGMA application_id = 0x57424F58 "WBOX", user_version = 5; what a later
// version added is marked):
//
//   runs(id, uuid UNIQUE, command, command_line, harness_version, harness_commit,
//        sut_spec, sut_name, sut_version, sut_sha256, host, started_at, ended_at,
//        settings_json, status 'running'|'complete', verdict, exit_code,
//        scenarios, steps, messages, coverage_json)
//   properties(run_id, property, checks, violations)          one row per property, at the end
//   scenarios(id, run_id, source, outcome, summary, report)   one row per scenario played (replay,
//                                                             conformance checks)
//   counterexamples(id, run_id, property, scenario_text, report, reproduce,
//                   file, trace)                      (file: schema 3, trace: 5)
//   mutants(id, run_id, defect, defect_class, caught, corpus_caught, corpus_property,
//           search_property, scenarios, seconds, shrunk_steps, fuzz_ran, fuzz_property,
//           fuzz_inputs, fuzz_seconds, fuzz_steps)                  (fuzz_*: schema 2)
//   chain(seq, run_uuid, kind 'start'|'row:TABLE'|'end', content_hash, prev_hash, hash)
//   signatures(id, kind 'run'|'head', run_uuid, seq, signed_hash, key_id, public_key,
//              signature, signed_at)                              (schema 4)
//   runs.rows_chained                                             (schema 4)
//
// Every run appends a 'start' link when it begins, a 'row:TABLE' link for
// each scenario, counterexample and mutant row in the transaction that
// writes it (schema 4), and an 'end' link when it finishes.
// hash = SHA-256(prev_hash, seq, run_uuid, kind, content_hash), and
// content_hash is the SHA-256 of the canonical content (the header for
// 'start'; the row for 'row:'; header, totals and every child row for
// 'end'). verify() recomputes all of it and names the first run that was
// changed, removed or reordered. A run killed mid-way keeps its 'start' link
// and the rows it chained: it shows as incomplete, and what it recorded
// cannot be changed or added to. Runs recorded before schema 4 keep their
// hashes (their rows are covered by their 'end' link only).
//
// Signatures (signing.h): a run's signature covers its 'end' content (and
// survives merge); a head signature covers every record up to its seq.
// Deleting the newest records leaves a consistent, shorter chain: only a
// head kept elsewhere (VerifyOptions::expect) shows it. Writes use WAL and
// transactions; concurrent writers serialise on SQLite's lock, so both land.
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
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/core/oracle/property.h"
#include "harness/evidence/signing.h"

struct sqlite3;

namespace wrongbox::evidence {

inline constexpr int kSchemaVersion = 5;
inline constexpr int kApplicationId = 0x57424F58;

class EvidenceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A store of ours whose schema was changed by hand (a table dropped, the
// schema version rewritten): tampering, named as such; never written to.
class EvidenceTampered : public EvidenceError {
 public:
  using EvidenceError::EvidenceError;
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
  // A replay's trace of the scenario (RunResult::trace, one line each), for
  // the report's step-by-step story; "" = none was made.
  std::string trace;
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
  std::array<std::uint64_t, kPropertyCount> checks{};  // by Property
  std::array<std::uint64_t, kPropertyCount> violations{};
  std::string coverage_json;
};

struct VerifyResult {
  bool ok = true;
  std::string problem;  // the first, in words; empty when ok
  int runs = 0;
  int complete = 0;
  std::vector<std::string> incomplete;  // runs with no end record (killed, or still running)
  int signatures = 0;                   // signatures checked (all valid when ok)
  std::int64_t head_seq = 0;            // the chain's last record
  std::string head_hash;
  std::int64_t signed_through = 0;  // the last record a valid head signature covers (0: none)
  std::string signed_by;            // key id of that signature
  std::int64_t expected_seq = 0;    // the expected head, found at this record (0: not asked)
};

// Which runs a query returns.
struct RunFilter {
  std::int64_t after_run = 0;  // only runs with a larger id (0: every run)
  std::int64_t run = 0;        // only this run (0: any)
  std::string since;           // only runs started at or after this UTC time (ISO 8601 prefix)
  std::string campaign;        // only the runs whose settings name this campaign ("" = any)
};

// A counterexample a search found, with the run that recorded it.
struct FoundCounterexample {
  std::string property;
  std::string scenario_text;
  std::int64_t run = 0;
  std::string command;  // check or fuzz
};

// What the finished replay runs against a switch last said of each file they
// played (what `replay --last-failed` selects from): a --fail-fast run
// changes only the files it played.
struct LastReplay {
  std::int64_t run = 0;                   // the newest such run; 0: none is recorded
  std::vector<ScenarioRecord> scenarios;  // source and its newest outcome only
};

// The word for a store that does not verify: "NOT INTACT" when it holds no
// run (emptied), "TAMPERED" otherwise. verify and every report use it.
inline const char* failed_integrity_word(int runs) {
  return runs == 0 ? "NOT INTACT" : "TAMPERED";
}

struct VerifyOptions {
  // Every signature must be by this key, and a head signature by it must
  // cover the chain's last record.
  std::optional<PublicKey> key;
  // A head an auditor kept: its record must still be in the chain, unchanged.
  std::optional<Head> expect;
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

  // `chain_rows` false records the run as schema 3 did (rows covered only by
  // the end link): for tests of stores written by older versions.
  std::int64_t begin_run(const RunHeader& h, bool chain_rows = true);
  void add_scenario(std::int64_t run, const ScenarioRecord& r);
  void add_counterexample(std::int64_t run, const CounterexampleRecord& r);
  void add_mutant(std::int64_t run, const MutantRecord& r);
  void finish_run(std::int64_t run, const RunTotals& t);

  // Reads that must agree with each other: between a Snapshot's making and
  // its end, every read sees the store as one committed state, whatever
  // other processes record meanwhile (an SQLite read transaction on the
  // WAL). verify() and runs_json() each take one; a caller that reads both
  // takes one around them. Snapshots nest.
  class Snapshot {
   public:
    explicit Snapshot(Store& s);
    ~Snapshot();
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

   private:
    Store& s_;
  };

  VerifyResult verify(const VerifyOptions& options = {});
  // Writes a consistent copy of the store (every committed run) to `path`,
  // which must not exist.
  void copy_to(const std::string& path);
  // Where the chain ends now (seq 0 and an empty hash for an empty chain).
  Head head();
  // Signs run `run` (which must be complete) and the head; returns the head.
  Head sign_run_and_head(std::int64_t run, const SecretKey& key);
  // Signs every complete run not yet signed by `key`, then the head.
  Head sign_all(const SecretKey& key, int* runs_signed = nullptr);
  // The id of the newest run, 0 for an empty store: runs a command makes
  // after this call have larger ids (a campaign scopes its reports so).
  std::int64_t last_run_id();

  // Reads (queries.cc). Every run `filter` selects, oldest first, as a JSON
  // array: each run's columns (settings and coverage parsed), its
  // "properties" ({P: {checks, violations}}) and its child rows under
  // "scenario_results", "counterexamples" and "mutants". The one model every
  // report format renders.
  nlohmann::ordered_json runs_json(const RunFilter& filter);
  // The counterexamples check and fuzz runs against `sut_spec` recorded,
  // oldest first (what a campaign restores as saved failures).
  std::vector<FoundCounterexample> counterexamples_found(const std::string& sut_spec);
  // Each file's newest outcome in the finished replay runs against `sut_spec`.
  LastReplay last_replay(const std::string& sut_spec);
  const std::string& path() const { return path_; }

 private:
  friend int merge(const std::string& out, const std::vector<std::string>& inputs,
                   const SecretKey* key);
  Store(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db() const { return db_; }
  Head sign_head(const SecretKey& key);
  void sign_run(const std::string& uuid, const SecretKey& key);
  sqlite3* db_ = nullptr;
  std::string path_;
  int snapshots_ = 0;  // Snapshots open
};

// Joins stores (e.g. from sharded CI jobs) into OUT, which may exist. Every
// input must verify first. Runs already in OUT (same uuid) are skipped; the
// others are appended to OUT's chain with their content unchanged.
// Returns the number of runs copied.
// The runs' signatures are copied (they cover content, not chain position);
// with `key`, OUT's new head is signed.
int merge(const std::string& out, const std::vector<std::string>& inputs,
          const SecretKey* key = nullptr);

std::string sha256_hex(const std::string& data);
// SHA-256 of a file's bytes; "" when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace wrongbox::evidence
