// The hash chain's content (evidence.cc writes it, verify.cc checks it):
// what a link hashes, and how a link is added. Private to harness/evidence/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace wrongbox::evidence::chain {

// The child tables whose rows a run of schema 4 chains one by one, with the
// columns that make a row's content.
struct ChildTable {
  const char* name;
  const char* columns;
  // A column added later (schema 5): part of a row's content only where it
  // is not empty, so that rows written before keep their hashes.
  const char* optional = nullptr;
};
inline constexpr ChildTable kChainedTables[] = {
    {"scenarios", "source, outcome, summary, report"},
    {"counterexamples", "property, scenario_text, report, reproduce, file", "trace"},
    {"mutants",
     "defect, defect_class, caught, corpus_caught, corpus_property, search_property, scenarios, "
     "seconds, shrunk_steps, fuzz_ran, fuzz_property, fuzz_inputs, fuzz_seconds, fuzz_steps"},
};

// Now, UTC, ISO 8601 to the second.
std::string now_iso();

// The canonical content of a link of `kind` ("start", "end", ...) of the run `uuid`.
std::string content(sqlite3* db, const std::string& uuid, const std::string& kind);

// The canonical content of row `row` of the child table `t`.
std::string row_content(sqlite3* db, const ChildTable& t, std::int64_t row);

// The hash of a link: of the previous link's hash, its number, its run,
// its kind and its content's hash.
std::string link_hash(const std::string& prev, std::int64_t seq, const std::string& uuid,
                      const std::string& kind, const std::string& content_hash);

// Adds a link whose content hash is `content_hash` after the newest link.
void append_link_hash(sqlite3* db, const std::string& uuid, const std::string& kind,
                      const std::string& content_hash);

// Chains the newest row of `t` (just inserted) for the run `uuid`.
void append_row_link(sqlite3* db, const std::string& uuid, const ChildTable& t);

// Whether the run chains its child rows one by one (schema 4).
bool rows_chained(sqlite3* db, std::int64_t run);

// Adds the link of `kind` for the run `uuid`.
void append_link(sqlite3* db, const std::string& uuid, const std::string& kind);

// The uuid of run `run` (EvidenceError when there is none).
std::string uuid_of(sqlite3* db, std::int64_t run);

}  // namespace wrongbox::evidence::chain
