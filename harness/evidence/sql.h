// The evidence store's SQL plumbing, for its own sources only (evidence.cc,
// queries.cc): nothing outside harness/evidence/ includes this or SQLite.
// Every SQLite error becomes an EvidenceError with SQLite's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "harness/evidence/evidence.h"

namespace wrongbox::evidence::sql {

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) {
      throw EvidenceError(sqlite3_errmsg(db));
    }
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind_value(int i, sqlite3_value* v) {
    sqlite3_bind_value(s_, i, v);
    return *this;
  }
  sqlite3_value* value(int i) const { return sqlite3_column_value(s_, i); }
  Stmt& bind_double(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  // Ready to run again, with the same or new bindings.
  Stmt& reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw EvidenceError(sqlite3_errmsg(db_));
  }
  std::string text(int i) const {
    const auto* p = sqlite3_column_text(s_, i);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(s_, i)))
             : std::string();
  }
  std::int64_t integer(int i) const { return sqlite3_column_int64(s_, i); }
  double real(int i) const { return sqlite3_column_double(s_, i); }
  int type(int i) const { return sqlite3_column_type(s_, i); }
  std::string name(int i) const { return sqlite3_column_name(s_, i); }
  int columns() const { return sqlite3_column_count(s_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

inline void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string e = err ? err : "unknown error";
    sqlite3_free(err);
    throw EvidenceError(e);  // the CLI prefixes "evidence: "
  }
}

// Runs `f` inside BEGIN IMMEDIATE ... COMMIT; rolls back on an exception.
template <typename F>
auto transaction(sqlite3* db, F&& f) {
  exec(db, "BEGIN IMMEDIATE");
  try {
    auto r = f();
    exec(db, "COMMIT");
    return r;
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace wrongbox::evidence::sql
