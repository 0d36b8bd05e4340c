// The hash chain's content (chain.h).
#include "harness/evidence/chain.h"

#include <sodium.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "harness/core/oracle/property.h"
#include "harness/evidence/evidence.h"
#include "harness/evidence/signing.h"
#include "harness/evidence/sql.h"

namespace wrongbox::evidence::chain {
namespace {

using sql::Stmt;

// Canonical content: every column of every selected row, length-prefixed.
void append_rows(sqlite3* db, const char* sql, const std::string& key, std::string& out) {
  Stmt s(db, sql);
  s.bind(1, key);
  while (s.step()) {
    out += "row;";
    for (int i = 0; i < s.columns(); ++i) {
      const auto v = s.text(i);
      out += std::to_string(v.size()) + ":" + v + ";";
    }
  }
}

}  // namespace

void append_link_hash(sqlite3* db, const std::string& uuid, const std::string& kind,
                      const std::string& ch) {
  std::int64_t seq = 1;
  std::string prev;
  {
    Stmt last(db, "SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1");
    if (last.step()) {
      seq = last.integer(0) + 1;
      prev = last.text(1);
    }
  }
  Stmt ins(db,
           "INSERT INTO chain(seq, run_uuid, kind, content_hash, prev_hash, hash) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  ins.bind(1, seq).bind(2, uuid).bind(3, kind).bind(4, ch).bind(5, prev);
  ins.bind(6, link_hash(prev, seq, uuid, kind, ch));
  ins.step();
}

std::string now_iso() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string content(sqlite3* db, const std::string& uuid, const std::string& kind) {
  std::string out = kind + ";";
  if (kind == "start") {
    append_rows(db,
                "SELECT uuid, command, command_line, harness_version, harness_commit, sut_spec, "
                "sut_name, sut_version, sut_sha256, host, started_at, settings_json "
                "FROM runs WHERE uuid = ?1",
                uuid, out);
    // Schema 4: the run chains its rows as they are written. Part of the
    // start record, so that the promise cannot be taken back later.
    std::string chained;
    append_rows(db, "SELECT 1 FROM runs WHERE uuid = ?1 AND rows_chained = 1", uuid, chained);
    if (!chained.empty()) out += "rows_chained;";
    return out;
  }
  append_rows(db,
              "SELECT uuid, command, command_line, harness_version, harness_commit, sut_spec, "
              "sut_name, sut_version, sut_sha256, host, started_at, ended_at, settings_json, "
              "status, verdict, exit_code, scenarios, steps, messages, coverage_json "
              "FROM runs WHERE uuid = ?1",
              uuid, out);
  const char* children[] = {
      "SELECT property, checks, violations FROM properties WHERE run_id = "
      "(SELECT id FROM runs WHERE uuid = ?1) ORDER BY property",
      "SELECT source, outcome, summary, report FROM scenarios WHERE run_id = "
      "(SELECT id FROM runs WHERE uuid = ?1) ORDER BY id",
      "SELECT property, scenario_text, report, reproduce FROM counterexamples WHERE run_id = "
      "(SELECT id FROM runs WHERE uuid = ?1) ORDER BY id",
      "SELECT defect, defect_class, caught, corpus_caught, corpus_property, search_property, "
      "scenarios, seconds, shrunk_steps FROM mutants WHERE run_id = "
      "(SELECT id FROM runs WHERE uuid = ?1) ORDER BY id"};
  for (const char* sql : children) {
    out += "table;";
    append_rows(db, sql, uuid, out);
  }
  // Schema 2: the fuzzing columns of the matrix, only where fuzzing ran, so
  // runs recorded before schema 2 keep their hashes.
  std::string fuzz;
  append_rows(db,
              "SELECT defect, fuzz_property, fuzz_inputs, fuzz_seconds, fuzz_steps FROM mutants "
              "WHERE run_id = (SELECT id FROM runs WHERE uuid = ?1) AND fuzz_ran != 0 ORDER BY id",
              uuid, fuzz);
  if (!fuzz.empty()) out += "table;" + fuzz;
  // Schema 3: the counterexamples' saved files, in order, only for runs that
  // saved one, so older runs keep their hashes. Row ids are left out: a merge
  // renumbers them.
  std::string files;
  append_rows(db,
              "SELECT file FROM counterexamples c WHERE c.run_id = (SELECT id FROM runs WHERE "
              "uuid = ?1) AND EXISTS (SELECT 1 FROM counterexamples d WHERE d.run_id = c.run_id "
              "AND d.file != '') ORDER BY c.id",
              uuid, files);
  if (!files.empty()) out += "table;" + files;
  // Schema 5: the counterexamples' traces, in order, only for runs that
  // recorded one, so older runs keep their hashes.
  std::string traces;
  append_rows(db,
              "SELECT trace FROM counterexamples c WHERE c.run_id = (SELECT id FROM runs WHERE "
              "uuid = ?1) AND EXISTS (SELECT 1 FROM counterexamples d WHERE d.run_id = c.run_id "
              "AND d.trace != '') ORDER BY c.id",
              uuid, traces);
  if (!traces.empty()) out += "table;" + traces;
  return out;
}

std::string link_hash(const std::string& prev, std::int64_t seq, const std::string& uuid,
                      const std::string& kind, const std::string& content_hash) {
  return sha256_hex(prev + "|" + std::to_string(seq) + "|" + uuid + "|" + kind + "|" +
                    content_hash);
}

std::string row_content(sqlite3* db, const ChildTable& t, std::int64_t row) {
  std::string out = std::string("row:") + t.name + ";";
  append_rows(db,
              (std::string("SELECT ") + t.columns + " FROM " + t.name + " WHERE id = ?1").c_str(),
              std::to_string(row), out);
  if (t.optional) {
    std::string extra;
    append_rows(db,
                (std::string("SELECT ") + t.optional + " FROM " + t.name + " WHERE id = ?1 AND " +
                 t.optional + " != ''")
                    .c_str(),
                std::to_string(row), extra);
    if (!extra.empty()) out += std::string(t.optional) + ";" + extra;
  }
  return out;
}

// Chains the newest row of `t` (just inserted) for the run `uuid`.
void append_row_link(sqlite3* db, const std::string& uuid, const ChildTable& t) {
  const auto row = sqlite3_last_insert_rowid(db);
  append_link_hash(db, uuid, std::string("row:") + t.name, sha256_hex(row_content(db, t, row)));
}

bool rows_chained(sqlite3* db, std::int64_t run) {
  Stmt s(db, "SELECT rows_chained FROM runs WHERE id = ?1");
  s.bind(1, run);
  return s.step() && s.integer(0) == 1;
}

void append_link(sqlite3* db, const std::string& uuid, const std::string& kind) {
  append_link_hash(db, uuid, kind, sha256_hex(content(db, uuid, kind)));
}

std::string uuid_of(sqlite3* db, std::int64_t run) {
  Stmt s(db, "SELECT uuid FROM runs WHERE id = ?1");
  s.bind(1, run);
  if (!s.step()) throw EvidenceError("no run " + std::to_string(run));
  return s.text(0);
}

}  // namespace wrongbox::evidence::chain
