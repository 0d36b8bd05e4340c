// Store::verify (evidence.h): the hash chain, the child rows, the schema,
// the signatures.
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
#include "harness/evidence/evidence.h"
#include "harness/evidence/signing.h"
#include "harness/evidence/sql.h"

namespace wrongbox::evidence {

using namespace chain;
using sql::Stmt;

VerifyResult Store::verify(const VerifyOptions& options) {
  const Snapshot one_state(*this);
  VerifyResult v;
  auto describe_run = [&](const std::string& uuid) {
    Stmt s(db_, "SELECT id, command, started_at, sut_spec FROM runs WHERE uuid = ?1");
    s.bind(1, uuid);
    if (!s.step()) return "run " + uuid;
    return "run #" + s.text(0) + " (" + s.text(1) + " against " + s.text(3) + ", started " +
           s.text(2) + ", uuid " + uuid + ")";
  };
  auto bad = [&](std::string what) {
    if (v.ok) {
      v.ok = false;
      v.problem = std::move(what);
    }
  };
  std::set<std::string> started, ended;
  std::map<std::string, std::int64_t> start_seq;   // uuid -> its start record
  std::map<std::string, std::string> end_content;  // uuid -> content hash
  std::map<std::int64_t, std::string> hash_at;     // seq -> hash
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> row_links;
  {
    Stmt s(db_,
           "SELECT seq, run_uuid, kind, content_hash, prev_hash, hash FROM chain ORDER BY seq");
    std::int64_t expect = 1;
    std::string prev;
    while (s.step() && v.ok) {
      const auto seq = s.integer(0);
      const auto uuid = s.text(1);
      const auto kind = s.text(2);
      if (seq != expect) {
        bad("the chain jumps from record " + std::to_string(expect - 1) + " to " +
            std::to_string(seq) + ": records were removed before " + describe_run(uuid));
        break;
      }
      if (s.text(4) != prev) {
        bad("record " + std::to_string(seq) + " (" + kind + " of " + describe_run(uuid) +
            ") does not follow the record before it: runs were removed or reordered");
        break;
      }
      Stmt exists(db_, "SELECT 1 FROM runs WHERE uuid = ?1");
      exists.bind(1, uuid);
      if (!exists.step()) {
        bad("run " + uuid + " was removed (its chain records remain)");
        break;
      }
      const bool row = kind.rfind("row:", 0) == 0;
      // A row link's content is checked below, table by table.
      const auto ch = row ? s.text(3) : sha256_hex(content(db_, uuid, kind));
      if (ch != s.text(3)) {
        bad(describe_run(uuid) + " was changed after it was recorded (" + kind + " record " +
            std::to_string(seq) + " no longer matches)");
        break;
      }
      if (link_hash(prev, seq, uuid, kind, ch) != s.text(5)) {
        bad("chain record " + std::to_string(seq) + " was edited");
        break;
      }
      if (row) {
        row_links[{uuid, kind.substr(4)}].push_back(ch);
      } else if (kind == "start") {
        started.insert(uuid);
        start_seq[uuid] = seq;
      } else {
        ended.insert(uuid);
        end_content[uuid] = ch;
      }
      prev = s.text(5);
      hash_at[seq] = prev;
      v.head_seq = seq;
      v.head_hash = prev;
      ++expect;
    }
  }
  Stmt runs(db_, "SELECT uuid, id, rows_chained, status FROM runs ORDER BY id");
  std::int64_t last_start = 0;
  std::string last_run;
  while (runs.step()) {
    const auto uuid = runs.text(0);
    ++v.runs;
    // Runs are numbered in the order they began: their start records must
    // come in the order of their ids, or the runs were renumbered.
    if (auto it = start_seq.find(uuid); it != start_seq.end()) {
      if (it->second < last_start) {
        bad(describe_run(uuid) + " was renumbered: it began (chain record " +
            std::to_string(it->second) + ") before " + last_run + ", which has a smaller number");
      }
      last_start = it->second;
      last_run = describe_run(uuid);
    }
    if (!started.count(uuid)) {
      bad(describe_run(uuid) + " is not in the chain (added by hand?)");
    } else if (ended.count(uuid)) {
      ++v.complete;
    } else {
      v.incomplete.push_back(describe_run(uuid));
      if (runs.text(3) != "running") {
        bad(describe_run(uuid) + " is marked " + runs.text(3) +
            " but its end record is missing: it was finished and the end removed");
      }
    }
    if (runs.integer(2) != 1 || !v.ok) continue;
    // Schema 4: every row the run holds, in order, is the row it chained.
    for (const auto& t : kChainedTables) {
      const auto& links = row_links[{uuid, t.name}];
      Stmt rows(
          db_,
          (std::string("SELECT id FROM ") + t.name + " WHERE run_id = ?1 ORDER BY id").c_str());
      rows.bind(1, runs.integer(1));
      std::size_t i = 0;
      for (; rows.step(); ++i) {
        const auto h = sha256_hex(row_content(db_, t, rows.integer(0)));
        if (i >= links.size()) {
          bad(describe_run(uuid) + " holds " + t.name + " rows it never recorded (row " +
              std::to_string(i + 1) + " was added afterwards)");
          break;
        }
        if (h != links[i]) {
          bad(describe_run(uuid) + ": " + t.name + " row " + std::to_string(i + 1) +
              " was changed (or removed) after it was recorded");
          break;
        }
      }
      if (v.ok && i < links.size()) {
        bad(describe_run(uuid) + ": " + std::to_string(links.size() - i) + " of its " + t.name +
            " rows were removed after they were recorded");
      }
    }
  }
  // Every recording command writes a run: a store without one was emptied
  // (verify and every report say so alike).
  if (v.ok && v.runs == 0) bad("no run recorded (every recording command writes one)");
  if (!v.ok) return v;

  // Signatures: each must verify over what it covers, as the store is now.
  Stmt sigs(db_,
            "SELECT id, kind, run_uuid, seq, signed_hash, key_id, public_key, signature "
            "FROM signatures ORDER BY id");
  while (sigs.step() && v.ok) {
    const auto id = sigs.text(0), kind = sigs.text(1), uuid = sigs.text(2);
    const auto seq = sigs.integer(3);
    const auto pk = public_key_from_hex(sigs.text(6));
    const std::string which = "signature " + id + " (" + kind + ", key " + sigs.text(5) + ")";
    if (!pk || pk->id != sigs.text(5)) {
      bad(which + ": its key id does not match its public key (edited)");
      break;
    }
    if (options.key && pk->id != options.key->id) {
      bad(which + " is by key " + pk->id + ", not by the given public key " + options.key->id +
          ": a foreign key signed this store");
      break;
    }
    std::string covered, text;  // the hash it signed, as the store is now; the signed text
    if (kind == "run") {
      const auto it = end_content.find(uuid);
      if (it == end_content.end()) {
        bad(which + " covers " + describe_run(uuid) + ", which has no end record any more");
        break;
      }
      covered = it->second;
      text = run_signing_text(uuid, covered);
    } else {
      const auto it = hash_at.find(seq);
      if (it == hash_at.end()) {
        bad(which + " covers chain record " + std::to_string(seq) +
            ", which is gone: the newest records were removed");
        break;
      }
      covered = it->second;
      text = head_signing_text(seq, covered);
    }
    if (sigs.text(4) != covered || !verify_text(*pk, text, sigs.text(7))) {
      bad(which + " does not verify: what it signed was changed, or the signature was edited");
      break;
    }
    ++v.signatures;
    if (kind == "head" && seq >= v.signed_through) {
      v.signed_through = seq;
      v.signed_by = pk->id;
    }
  }
  if (!v.ok) return v;
  if (options.key && v.signed_through < v.head_seq) {
    bad(v.signed_through == 0
            ? "no head of this store is signed by key " + options.key->id
            : "chain records " + std::to_string(v.signed_through + 1) + " to " +
                  std::to_string(v.head_seq) + " are not covered by a signature of key " +
                  options.key->id + " (recorded without --sign-key; `wrongbox evidence sign` " +
                  "signs them)");
  }
  if (options.expect) {
    auto e = *options.expect;
    if (e.seq == 0) {  // a bare hash: wherever it is
      for (const auto& [seq, hash] : hash_at) {
        if (hash == e.hash) e.seq = seq;
      }
    }
    const auto it = hash_at.find(e.seq);
    if (it == hash_at.end() || it->second != e.hash) {
      bad("the head you were given (" +
          (e.seq ? "record " + std::to_string(e.seq) + ", " : std::string()) +
          e.hash.substr(0, 16) + "...) is not in this chain" +
          (e.seq > v.head_seq ? ": the chain now ends at record " + std::to_string(v.head_seq) +
                                    ", so the newest records were removed"
                              : ": records were removed or the chain was rewritten"));
    } else {
      v.expected_seq = e.seq;
      if (!e.signature.empty() && options.key &&
          !verify_text(*options.key, head_signing_text(e.seq, e.hash), e.signature)) {
        bad("the head file's signature is not by the given public key");
      }
    }
  }
  return v;
}

}  // namespace wrongbox::evidence
