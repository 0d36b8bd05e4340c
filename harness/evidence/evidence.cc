// Evidence store on SQLite, hash chain with libsodium's SHA-256.
#include "harness/evidence/evidence.h"

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
#include "harness/evidence/chain.h"
#include "harness/evidence/signing.h"
#include "harness/evidence/sql.h"

namespace wrongbox::evidence {
namespace {

using namespace chain;

using sql::exec;
using sql::Stmt;
using sql::transaction;

constexpr const char* kSchema = R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY, uuid TEXT UNIQUE NOT NULL, command TEXT NOT NULL,
  command_line TEXT NOT NULL, harness_version TEXT NOT NULL, harness_commit TEXT NOT NULL,
  sut_spec TEXT NOT NULL, sut_name TEXT NOT NULL, sut_version TEXT NOT NULL,
  sut_sha256 TEXT NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,
  settings_json TEXT NOT NULL, status TEXT NOT NULL, verdict TEXT, exit_code INTEGER,
  scenarios INTEGER, steps INTEGER, messages INTEGER, coverage_json TEXT,
  rows_chained INTEGER NOT NULL DEFAULT 0);
CREATE TABLE properties(run_id INTEGER NOT NULL REFERENCES runs(id), property TEXT NOT NULL,
  checks INTEGER NOT NULL, violations INTEGER NOT NULL, PRIMARY KEY(run_id, property));
CREATE TABLE scenarios(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
  source TEXT NOT NULL, outcome TEXT NOT NULL, summary TEXT NOT NULL, report TEXT NOT NULL);
CREATE TABLE counterexamples(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
  property TEXT NOT NULL, scenario_text TEXT NOT NULL, report TEXT NOT NULL,
  reproduce TEXT NOT NULL, file TEXT NOT NULL DEFAULT '', trace TEXT NOT NULL DEFAULT '');
CREATE TABLE mutants(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
  defect TEXT NOT NULL, defect_class INTEGER NOT NULL, caught INTEGER NOT NULL,
  corpus_caught INTEGER NOT NULL, corpus_property TEXT NOT NULL, search_property TEXT NOT NULL,
  scenarios INTEGER NOT NULL, seconds REAL NOT NULL, shrunk_steps INTEGER NOT NULL,
  fuzz_ran INTEGER NOT NULL DEFAULT 0, fuzz_property TEXT NOT NULL DEFAULT '',
  fuzz_inputs INTEGER NOT NULL DEFAULT 0, fuzz_seconds REAL NOT NULL DEFAULT 0,
  fuzz_steps INTEGER NOT NULL DEFAULT 0);
CREATE TABLE chain(seq INTEGER PRIMARY KEY, run_uuid TEXT NOT NULL, kind TEXT NOT NULL,
  content_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE signatures(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, run_uuid TEXT NOT NULL,
  seq INTEGER NOT NULL, signed_hash TEXT NOT NULL, key_id TEXT NOT NULL,
  public_key TEXT NOT NULL, signature TEXT NOT NULL, signed_at TEXT NOT NULL);
)sql";

// Schema 3 -> 4: rows chained as they are written, and signatures.
constexpr const char* kSchema4 = R"sql(
ALTER TABLE runs ADD COLUMN rows_chained INTEGER NOT NULL DEFAULT 0;
CREATE TABLE signatures(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, run_uuid TEXT NOT NULL,
  seq INTEGER NOT NULL, signed_hash TEXT NOT NULL, key_id TEXT NOT NULL,
  public_key TEXT NOT NULL, signature TEXT NOT NULL, signed_at TEXT NOT NULL);
PRAGMA user_version = 4;
)sql";

// Schema 4 -> 5: a counterexample's trace, step by step (the report's story).
constexpr const char* kSchema5 = R"sql(
ALTER TABLE counterexamples ADD COLUMN trace TEXT NOT NULL DEFAULT '';
PRAGMA user_version = 5;
)sql";

std::string new_uuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[40];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string hostname() {
  char h[256] = {};
  ::gethostname(h, sizeof h - 1);
  return h;
}

// Copies the rows of `table` selected by `key_col = src_key` from src to dst,
// values with their types; with dst_key >= 0 the copies get run_id = dst_key.
void copy_rows(sqlite3* src, sqlite3* dst, const std::string& table, const std::string& cols,
               const std::string& order, const std::string& key_col, std::int64_t src_key,
               std::int64_t dst_key) {
  const int n = static_cast<int>(std::count(cols.begin(), cols.end(), ',')) + 1;
  Stmt sel(src,
           ("SELECT " + cols + " FROM " + table + " WHERE " + key_col + " = ?1 ORDER BY " + order)
               .c_str());
  sel.bind(1, src_key);
  std::string marks;
  for (int i = 1; i <= n; ++i) marks += (i > 1 ? ", ?" : "?") + std::to_string(i);
  const std::string insert = dst_key >= 0
                                 ? "INSERT INTO " + table + "(run_id, " + cols + ") VALUES (?" +
                                       std::to_string(n + 1) + ", " + marks + ")"
                                 : "INSERT INTO " + table + "(" + cols + ") VALUES (" + marks + ")";
  while (sel.step()) {
    Stmt ins(dst, insert.c_str());
    for (int i = 0; i < n; ++i) ins.bind_value(i + 1, sel.value(i));
    if (dst_key >= 0) ins.bind(n + 1, dst_key);
    ins.step();
  }
}

}  // namespace

std::string sha256_hex(const std::string& data) {
  if (sodium_init() < 0) throw EvidenceError("libsodium failed to initialise");
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(h, sizeof h);
}

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  if (sodium_init() < 0) return "";
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(buf),
                              static_cast<unsigned long long>(in.gcount()));
  }
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, h);
  return to_hex(h, sizeof h);
}

Store Store::open_existing(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw EvidenceError(path + ": no such evidence store (nothing was recorded there)");
  }
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0) {
    throw EvidenceError(path +
                        " is empty (0 bytes): not an evidence store; every recording command "
                        "writes at least one run");
  }
  return open(path);
}

namespace {

// How a store of `version` must look, or "" when it does: the tables every
// version has, and what each migration added. A store whose shape and
// version disagree was changed by hand.
std::string schema_problem(sqlite3* db, std::int64_t version) {
  if (version < 1 || version > kSchemaVersion) {
    return "its schema version is " + std::to_string(version) + ", not one Wrongbox writes (1 to " +
           std::to_string(kSchemaVersion) + ")";
  }
  std::set<std::string> tables;
  {
    Stmt s(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    while (s.step()) tables.insert(s.text(0));
  }
  auto has_column = [&](const char* table, const char* column) {
    Stmt s(db,
           (std::string("SELECT count(*) FROM pragma_table_info('") + table + "') WHERE name = ?1")
               .c_str());
    s.bind(1, std::string(column));
    return s.step() && s.integer(0) > 0;
  };
  for (const char* t : {"runs", "properties", "scenarios", "counterexamples", "mutants", "chain"}) {
    if (!tables.count(t)) return std::string("its table ") + t + " is missing";
  }
  struct Added {
    int version;
    const char* table;
    const char* column;  // nullptr: the table itself
  };
  constexpr Added kAdded[] = {{2, "mutants", "fuzz_ran"},
                              {3, "counterexamples", "file"},
                              {4, "runs", "rows_chained"},
                              {4, "signatures", nullptr},
                              {5, "counterexamples", "trace"}};
  for (const auto& a : kAdded) {
    const bool there = a.column ? has_column(a.table, a.column) : tables.count(a.table) > 0;
    const std::string what = a.column ? std::string("column ") + a.table + "." + a.column
                                      : std::string("table ") + a.table;
    if (version >= a.version && !there) {
      return "its " + what + " is missing (schema version " + std::to_string(version) + " has it)";
    }
    if (version < a.version && there) {
      return "it has " + what + " of schema " + std::to_string(a.version) +
             " but says schema version " + std::to_string(version);
    }
  }
  return "";
}

}  // namespace

Store Store::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string e = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw EvidenceError(path + ": cannot open: " + e);
  }
  Store store(db, path);
  sqlite3_busy_timeout(db, 30000);
  auto pragma_int = [&](const char* sql) {
    try {
      Stmt s(db, sql);
      return s.step() ? s.integer(0) : 0;
    } catch (const EvidenceError&) {
      const int code = sqlite3_errcode(db);
      if (code == SQLITE_NOTADB) {
        throw EvidenceError(path +
                            " is not an evidence database (not a SQLite file); "
                            "refusing to touch it");
      }
      throw EvidenceError(path + " is corrupt: " + sqlite3_errmsg(db));
    }
  };
  // A new store is created inside one write transaction that looks again
  // first: of two writers creating the same store at once, one creates it
  // and the other waits, then finds it made.
  if (pragma_int("PRAGMA application_id") == 0 &&
      pragma_int("SELECT count(*) FROM sqlite_master") == 0) {
    transaction(db, [&] {
      if (pragma_int("PRAGMA application_id") != 0 ||
          pragma_int("SELECT count(*) FROM sqlite_master") != 0) {
        return 0;
      }
      exec(db, kSchema);
      exec(db, ("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
      exec(db, ("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
      return 0;
    });
  }
  const auto app = pragma_int("PRAGMA application_id");
  const auto version = pragma_int("PRAGMA user_version");
  if (app != kApplicationId) {
    throw EvidenceError(path +
                        " is a SQLite database of another application, not a Wrongbox "
                        "evidence store; refusing to touch it");
  }
  if (version > kSchemaVersion) {
    throw EvidenceError(path + " was written by a newer wrongbox (evidence schema " +
                        std::to_string(version) + "; this build reads up to " +
                        std::to_string(kSchemaVersion) + "); refusing to touch it");
  }
  if (const auto why = schema_problem(db, version); !why.empty()) {
    throw EvidenceTampered(path + ": " + why +
                           ": the store was changed by hand (or damaged); refusing to touch it");
  }
  {
    Stmt check(db, "PRAGMA quick_check");
    if (check.step() && check.text(0) != "ok") {
      throw EvidenceError(path + " is corrupt (" + check.text(0) + "); refusing to touch it");
    }
  }
  // Switching to WAL takes a moment's exclusive lock, which another process
  // opening the store may hold: try again for up to the busy timeout.
  for (int tries = 0;; ++tries) {
    if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr) == SQLITE_OK)
      break;
    if (tries >= 3000) exec(db, "PRAGMA journal_mode = WAL");  // throws with SQLite's reason
    sqlite3_sleep(10);
  }
  exec(db, "PRAGMA foreign_keys = ON");
  // Forward migrations, each in a write transaction that reads the version
  // again (another process may have migrated meanwhile).
  // Schema 1 -> 2 adds the matrix's fuzzing columns.
  if (version == 1) {
    transaction(db, [&] {
      if (pragma_int("PRAGMA user_version") != 1) return 0;
      exec(db,
           "ALTER TABLE mutants ADD COLUMN fuzz_ran INTEGER NOT NULL DEFAULT 0;"
           "ALTER TABLE mutants ADD COLUMN fuzz_property TEXT NOT NULL DEFAULT '';"
           "ALTER TABLE mutants ADD COLUMN fuzz_inputs INTEGER NOT NULL DEFAULT 0;"
           "ALTER TABLE mutants ADD COLUMN fuzz_seconds REAL NOT NULL DEFAULT 0;"
           "ALTER TABLE mutants ADD COLUMN fuzz_steps INTEGER NOT NULL DEFAULT 0;"
           "PRAGMA user_version = 2");
      return 0;
    });
  }
  // Schema 2 -> 3 adds the counterexample's saved file.
  if (version >= 1 && version < 3) {
    transaction(db, [&] {
      if (pragma_int("PRAGMA user_version") != 2) return 0;
      exec(db,
           "ALTER TABLE counterexamples ADD COLUMN file TEXT NOT NULL DEFAULT '';"
           "PRAGMA user_version = 3");
      return 0;
    });
  }
  if (version >= 1 && version < 4) {
    transaction(db, [&] {
      if (pragma_int("PRAGMA user_version") != 3) return 0;
      exec(db, kSchema4);
      return 0;
    });
  }
  if (version >= 1 && version < 5) {
    transaction(db, [&] {
      if (pragma_int("PRAGMA user_version") != 4) return 0;
      exec(db, kSchema5);
      return 0;
    });
  }
  return store;
}

Store::Store(Store&& o) noexcept : db_(o.db_), path_(std::move(o.path_)), snapshots_(o.snapshots_) {
  o.db_ = nullptr;
}
Store& Store::operator=(Store&& o) noexcept {
  std::swap(db_, o.db_);
  std::swap(path_, o.path_);
  std::swap(snapshots_, o.snapshots_);
  return *this;
}

Store::Snapshot::Snapshot(Store& s) : s_(s) {
  // BEGIN is deferred: the snapshot is taken at the first read inside it.
  if (s_.snapshots_++ == 0) exec(s_.db_, "BEGIN");
}
Store::Snapshot::~Snapshot() {
  if (--s_.snapshots_ == 0) sqlite3_exec(s_.db_, "COMMIT", nullptr, nullptr, nullptr);
}
Store::~Store() {
  if (db_) sqlite3_close(db_);
}

std::int64_t Store::begin_run(const RunHeader& h, bool chain_rows) {
  return transaction(db_, [&] {
    Stmt ins(db_,
             "INSERT INTO runs(uuid, command, command_line, harness_version, harness_commit, "
             "sut_spec, sut_name, sut_version, sut_sha256, host, started_at, settings_json, "
             "status, rows_chained) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
             "'running', ?13)");
    const auto uuid = new_uuid();
    ins.bind(1, uuid).bind(2, h.command).bind(3, h.command_line).bind(4, WRONGBOX_VERSION_STR);
    ins.bind(5, WRONGBOX_GIT_COMMIT).bind(6, h.sut_spec).bind(7, h.sut_name);
    ins.bind(8, h.sut_version).bind(9, h.sut_sha256).bind(10, hostname()).bind(11, now_iso());
    ins.bind(12, h.settings_json.empty() ? "{}" : h.settings_json);
    ins.bind(13, std::int64_t{chain_rows ? 1 : 0});
    ins.step();
    const auto id = sqlite3_last_insert_rowid(db_);
    append_link(db_, uuid, "start");
    return id;
  });
}

// Each row is chained in the transaction that writes it: what a run killed
// mid-way had recorded cannot be changed, removed or added to afterwards.
void Store::add_scenario(std::int64_t run, const ScenarioRecord& r) {
  transaction(db_, [&] {
    Stmt s(db_,
           "INSERT INTO scenarios(run_id, source, outcome, summary, report) "
           "VALUES (?1, ?2, ?3, ?4, ?5)");
    s.bind(1, run).bind(2, r.source).bind(3, r.outcome).bind(4, r.summary).bind(5, r.report);
    s.step();
    if (rows_chained(db_, run)) append_row_link(db_, uuid_of(db_, run), kChainedTables[0]);
    return 0;
  });
}

void Store::add_counterexample(std::int64_t run, const CounterexampleRecord& r) {
  transaction(db_, [&] {
    Stmt s(db_,
           "INSERT INTO counterexamples(run_id, property, scenario_text, report, reproduce, file, "
           "trace) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.bind(1, run).bind(2, r.property).bind(3, r.scenario_text).bind(4, r.report);
    s.bind(5, r.reproduce).bind(6, r.file).bind(7, r.trace);
    s.step();
    if (rows_chained(db_, run)) append_row_link(db_, uuid_of(db_, run), kChainedTables[1]);
    return 0;
  });
}

void Store::add_mutant(std::int64_t run, const MutantRecord& r) {
  transaction(db_, [&] {
    Stmt s(db_,
           "INSERT INTO mutants(run_id, defect, defect_class, caught, corpus_caught, "
           "corpus_property, search_property, scenarios, seconds, shrunk_steps, fuzz_ran, "
           "fuzz_property, fuzz_inputs, fuzz_seconds, fuzz_steps) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    s.bind(1, run).bind(2, r.defect).bind(3, std::int64_t{r.defect_class});
    s.bind(4, std::int64_t{r.caught}).bind(5, std::int64_t{r.corpus_caught});
    s.bind(6, r.corpus_property).bind(7, r.search_property).bind(8, std::int64_t{r.scenarios});
    s.bind_double(9, r.seconds).bind(10, std::int64_t{r.shrunk_steps});
    s.bind(11, std::int64_t{r.fuzz_ran})
        .bind(12, r.fuzz_property)
        .bind(13, std::int64_t{r.fuzz_inputs});
    s.bind_double(14, r.fuzz_seconds).bind(15, std::int64_t{r.fuzz_steps});
    s.step();
    if (rows_chained(db_, run)) append_row_link(db_, uuid_of(db_, run), kChainedTables[2]);
    return 0;
  });
}

void Store::finish_run(std::int64_t run, const RunTotals& t) {
  transaction(db_, [&] {
    for (int p = 0; p < 10; ++p) {
      Stmt s(db_,
             "INSERT OR REPLACE INTO properties(run_id, property, checks, violations) "
             "VALUES (?1, ?2, ?3, ?4)");
      s.bind(1, run)
          .bind(2, to_string(static_cast<Property>(p)))
          .bind(3, static_cast<std::int64_t>(t.checks[p]));
      s.bind(4, static_cast<std::int64_t>(t.violations[p]));
      s.step();
    }
    Stmt u(db_,
           "UPDATE runs SET ended_at = ?2, status = 'complete', verdict = ?3, exit_code = ?4, "
           "scenarios = ?5, steps = ?6, messages = ?7, coverage_json = ?8 WHERE id = ?1");
    u.bind(1, run).bind(2, now_iso()).bind(3, t.verdict).bind(4, std::int64_t{t.exit_code});
    u.bind(5, std::int64_t{t.scenarios}).bind(6, std::int64_t{t.steps});
    u.bind(7, std::int64_t{t.messages}).bind(8, t.coverage_json.empty() ? "{}" : t.coverage_json);
    u.step();
    append_link(db_, uuid_of(db_, run), "end");
    return 0;
  });
}

std::int64_t Store::last_run_id() {
  Stmt s(db_, "SELECT coalesce(max(id), 0) FROM runs");
  return s.step() ? s.integer(0) : 0;
}

void Store::copy_to(const std::string& path) {
  Stmt s(db_, "VACUUM INTO ?1");
  s.bind(1, path);
  s.step();
}

Head Store::head() {
  Head h;
  Stmt s(db_, "SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1");
  if (s.step()) {
    h.seq = s.integer(0);
    h.hash = s.text(1);
  }
  Stmt n(db_, "SELECT count(*) FROM runs");
  if (n.step()) h.runs = static_cast<int>(n.integer(0));
  h.written = now_iso();
  return h;
}

void Store::sign_run(const std::string& uuid, const SecretKey& key) {
  Stmt e(db_, "SELECT seq, content_hash FROM chain WHERE run_uuid = ?1 AND kind = 'end'");
  e.bind(1, uuid);
  if (!e.step())
    throw EvidenceError("run " + uuid + " is not complete; only a complete run is signed");
  const auto seq = e.integer(0);
  const auto ch = e.text(1);
  Stmt ins(db_,
           "INSERT INTO signatures(kind, run_uuid, seq, signed_hash, key_id, public_key, "
           "signature, signed_at) VALUES ('run', ?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  ins.bind(1, uuid).bind(2, seq).bind(3, ch).bind(4, key.pub.id);
  ins.bind(5, to_hex(key.pub.bytes.data(), key.pub.bytes.size()));
  ins.bind(6, sign_text(key, run_signing_text(uuid, ch))).bind(7, now_iso());
  ins.step();
}

Head Store::sign_head(const SecretKey& key) {
  Head h = head();
  if (h.seq == 0) throw EvidenceError(path_ + ": the chain is empty; there is no head to sign");
  evidence::sign_head(h, key);
  Stmt ins(db_,
           "INSERT INTO signatures(kind, run_uuid, seq, signed_hash, key_id, public_key, "
           "signature, signed_at) VALUES ('head', '', ?1, ?2, ?3, ?4, ?5, ?6)");
  ins.bind(1, h.seq).bind(2, h.hash).bind(3, key.pub.id);
  ins.bind(4, to_hex(key.pub.bytes.data(), key.pub.bytes.size()));
  ins.bind(5, h.signature).bind(6, h.written);
  ins.step();
  return h;
}

Head Store::sign_run_and_head(std::int64_t run, const SecretKey& key) {
  return transaction(db_, [&] {
    sign_run(uuid_of(db_, run), key);
    return sign_head(key);
  });
}

Head Store::sign_all(const SecretKey& key, int* runs_signed) {
  return transaction(db_, [&] {
    Stmt s(db_,
           "SELECT r.uuid FROM runs r WHERE r.status = 'complete' AND NOT EXISTS (SELECT 1 FROM "
           "signatures g WHERE g.kind = 'run' AND g.run_uuid = r.uuid AND g.key_id = ?1) "
           "ORDER BY r.id");
    s.bind(1, key.pub.id);
    std::vector<std::string> uuids;
    while (s.step()) uuids.push_back(s.text(0));
    for (const auto& u : uuids) sign_run(u, key);
    if (runs_signed) *runs_signed = static_cast<int>(uuids.size());
    return sign_head(key);
  });
}

int merge(const std::string& out, const std::vector<std::string>& inputs, const SecretKey* key) {
  for (const auto& in : inputs) {
    auto src = Store::open_existing(in);
    const auto r = src.verify();
    if (!r.ok) throw EvidenceError(in + " does not verify, so it was not merged: " + r.problem);
  }
  auto dst = Store::open(out);
  int copied = 0;
  for (const auto& in : inputs) {
    auto src = Store::open(in);
    Stmt runs(src.db(), "SELECT id, uuid, status, rows_chained FROM runs ORDER BY id");
    while (runs.step()) {
      const auto src_id = runs.integer(0);
      const auto uuid = runs.text(1);
      const bool complete = runs.text(2) == "complete";
      const bool chained = runs.integer(3) == 1;
      {
        Stmt have(dst.db(), "SELECT 1 FROM runs WHERE uuid = ?1");
        have.bind(1, uuid);
        if (have.step()) continue;
      }
      transaction(dst.db(), [&] {
        const std::string cols =
            "uuid, command, command_line, harness_version, harness_commit, sut_spec, sut_name, "
            "sut_version, sut_sha256, host, started_at, ended_at, settings_json, status, "
            "verdict, exit_code, scenarios, steps, messages, coverage_json, rows_chained";
        copy_rows(src.db(), dst.db(), "runs", cols, "id", "id", src_id, -1);
        const auto dst_id = sqlite3_last_insert_rowid(dst.db());
        append_link(dst.db(), uuid, "start");
        copy_rows(src.db(), dst.db(), "properties", "property, checks, violations", "property",
                  "run_id", src_id, dst_id);
        for (const auto& t : kChainedTables) {
          copy_rows(src.db(), dst.db(), t.name,
                    t.optional ? std::string(t.columns) + ", " + t.optional : t.columns, "id",
                    "run_id", src_id, dst_id);
          if (!chained) continue;
          // Their links again, in the same order, in OUT's chain.
          Stmt rows(
              dst.db(),
              (std::string("SELECT id FROM ") + t.name + " WHERE run_id = ?1 ORDER BY id").c_str());
          rows.bind(1, dst_id);
          while (rows.step()) {
            append_link_hash(dst.db(), uuid, std::string("row:") + t.name,
                             sha256_hex(row_content(dst.db(), t, rows.integer(0))));
          }
        }
        if (complete) append_link(dst.db(), uuid, "end");
        // The run's signatures cover its content, which is unchanged.
        Stmt sig(src.db(),
                 "SELECT signed_hash, key_id, public_key, signature, signed_at FROM signatures "
                 "WHERE kind = 'run' AND run_uuid = ?1 ORDER BY id");
        sig.bind(1, uuid);
        while (sig.step()) {
          Stmt ins(dst.db(),
                   "INSERT INTO signatures(kind, run_uuid, seq, signed_hash, key_id, public_key, "
                   "signature, signed_at) VALUES ('run', ?1, (SELECT seq FROM chain WHERE "
                   "run_uuid = ?1 AND kind = 'end'), ?2, ?3, ?4, ?5, ?6)");
          ins.bind(1, uuid).bind(2, sig.text(0)).bind(3, sig.text(1)).bind(4, sig.text(2));
          ins.bind(5, sig.text(3)).bind(6, sig.text(4));
          ins.step();
        }
        return 0;
      });
      ++copied;
    }
  }
  if (key) dst.sign_all(*key);
  return copied;
}

}  // namespace wrongbox::evidence
