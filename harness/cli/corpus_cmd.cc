// `wrongbox corpus minimize|dedup`: a corpus made smaller without losing
// what it tests (docs/corpus.md).
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "harness/cli/commands.h"
#include "harness/core/minimize.h"
#include "harness/evidence/evidence.h"
#include "models/identity.h"
#include "models/situation.h"

namespace wrongbox::cli {
namespace {

namespace fs = std::filesystem;

// What one file of the corpus tests.
struct FileFacts {
  std::string file;
  bool readable = true;
  std::string error;  // the parse error when not readable
  std::size_t steps = 0;
  std::vector<int> pairs;           // feasible situation pairs met (indices)
  std::vector<std::string> guards;  // "DEFECT PROPERTY", or "PROPERTY"
  std::string failure;              // its failure signature ("" = passes)
};

// How a failure looks, in words: the property (or the switch failure's
// kind) and the kind of step it happened at.
std::string failure_words(const Scenario& s, const RunResult& r) {
  std::string what;
  int step = r.error_step;
  if (r.outcome == Outcome::kViolation) {
    what = to_string(r.headline()->property);
    step = r.headline()->step;
  } else {
    what = std::string("switch failure (") + to_string(r.failure_kind) + ")";
  }
  if (step >= 0 && static_cast<std::size_t>(step) < s.steps.size()) {
    const std::string line = print_step(s.steps[static_cast<std::size_t>(step)]);
    what += " at a " + line.substr(0, line.find_first_of(" \n")) + " step";
  } else {
    what += " at the end";
  }
  return what;
}

// The steps alone (names, tags and comments aside), with senders, message
// ids and persons renamed in order of appearance: two findings that differ
// only in those are one. A person who is in the collision family of an
// earlier one says so (P2~P1), since identity defects live in that relation.
Scenario canonical_steps(const Scenario& s) {
  std::map<std::string, std::string> senders, ids, persons;
  std::vector<std::string> seen;  // persons, in order
  auto name = [](std::map<std::string, std::string>& m, const std::string& v, char prefix) {
    auto [it, fresh] = m.emplace(v, "");
    if (fresh) it->second = prefix + std::to_string(m.size());
    return it->second;
  };
  auto person = [&](const std::string& v) {
    if (v.empty()) return v;
    auto it = persons.find(v);
    if (it != persons.end()) return it->second;
    std::string token = "P" + std::to_string(persons.size() + 1);
    for (std::size_t k = 0; k < seen.size(); ++k) {
      if (model::in_collision_family(v, seen[k])) {
        token += "~P" + std::to_string(k + 1);
        break;
      }
    }
    seen.push_back(v);
    return persons[v] = token;
  };
  Scenario out;
  for (Step st : s.steps) {
    st.comments.clear();
    st.line = 0;
    if (!st.sender.empty()) st.sender = name(senders, st.sender, 'S');
    st.person = person(st.person);
    for (auto& msg : st.messages) {
      msg.sender = name(senders, msg.sender, 'S');
      msg.id = name(ids, msg.id, 'I');
      msg.subject = person(msg.subject);
    }
    out.steps.push_back(std::move(st));
  }
  return out;
}

// Plays every file; `shrink` also shrinks each failing one, for its
// signature's content.
std::vector<FileFacts> survey(const std::vector<std::string>& files, OpenedSut& sut, bool shrink,
                              double shrink_seconds, const Console& io) {
  std::vector<FileFacts> out;
  const RunOptions ro = RunOptions::for_switch(sut.hello);
  for (const auto& f : files) {
    FileFacts ff;
    ff.file = f;
    const auto parsed = load_scenario_file(f);
    if (!parsed.ok()) {
      ff.readable = false;
      ff.error = parsed.error.to_string();
      out.push_back(std::move(ff));
      continue;
    }
    const Scenario& s = *parsed.scenario;
    ff.steps = s.steps.size();
    for (const auto& g : s.guards) {
      ff.guards.push_back(g.defect.empty() ? g.property : g.defect + " " + g.property);
    }
    FileRun run = run_scenario_file(f, *sut.sw, ro);
    const auto& feasible = model::SituationCoverage::feasible_list();
    for (std::size_t i = 0; i < feasible.size(); ++i) {
      if (run.coverage.count_at(static_cast<int>(i)) > 0) ff.pairs.push_back(static_cast<int>(i));
    }
    if (run.result.failed()) {
      ff.failure = failure_words(s, run.result);
      if (shrink) {
        MinimizeLimits limits;
        limits.deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<long long>(shrink_seconds * 1e3));
        const auto m = minimize_scenario(s, *sut.sw, ro, limits);
        const Scenario bare = canonical_steps(m.scenario);
        ff.failure += ", shrunk " + evidence::sha256_hex(print_scenario(bare)).substr(0, 12) +
                      fmt::format(" ({} steps)", bare.steps.size());
      }
    }
    fmt::print(io.err, "corpus: {} {}\n", f,
               ff.failure.empty() ? "passes" : "fails: " + ff.failure);
    out.push_back(std::move(ff));
  }
  return out;
}

// Copies `kept` into `dir` (created), under their own names; a name taken
// twice gets its directory's name in front.
bool copy_kept(const std::vector<const FileFacts*>& kept, const std::string& dir,
               std::string& error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = dir + ": cannot create: " + ec.message();
    return false;
  }
  std::set<std::string> names;
  for (const auto* k : kept) {
    fs::path p(k->file);
    std::string name = p.filename().string();
    if (!names.insert(name).second) {
      name = p.parent_path().filename().string() + "-" + name;
      names.insert(name);
    }
    fs::copy_file(p, fs::path(dir) / name, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      error = k->file + ": cannot copy to " + dir + ": " + ec.message();
      return false;
    }
  }
  return true;
}

bool out_is_usable(const std::string& out, const std::vector<std::string>& files,
                   std::string& error) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return true;
  if (!fs::is_directory(out, ec)) {
    error = "--out " + out + ": exists and is not a directory";
    return false;
  }
  for (const auto& e : fs::directory_iterator(out, ec)) {
    if (e.path().extension() == ".wbs") {
      error = "--out " + out + ": already holds scenario files; give an empty or new directory";
      return false;
    }
  }
  const auto canon = fs::weakly_canonical(out, ec).string() + "/";
  for (const auto& f : files) {
    if (fs::weakly_canonical(f, ec).string().rfind(canon, 0) == 0) {
      error = "--out " + out + ": is inside the corpus";
      return false;
    }
  }
  return true;
}

// corpus minimize: a greedy cover of everything the whole set has
// (situation pairs, guards, failure signatures). The file adding most is
// taken first; fewer steps, then the name, break ties. Returns the summary.
std::string minimize_set(const CorpusOptions& o, const std::vector<FileFacts>& facts,
                         long unreadable, std::vector<const FileFacts*>& kept, const Console& io) {
  // Each file's features, made once (the greedy loop reads them often).
  std::vector<std::vector<std::string>> features(facts.size());
  std::set<std::string> all;
  for (std::size_t i = 0; i < facts.size(); ++i) {
    const FileFacts& f = facts[i];
    for (int p : f.pairs) features[i].push_back("pair " + std::to_string(p));
    for (const auto& g : f.guards) features[i].push_back("guard " + g);
    if (!f.failure.empty()) features[i].push_back("failure " + f.failure);
    all.insert(features[i].begin(), features[i].end());
  }
  std::set<std::string> have;
  std::vector<bool> taken(facts.size(), false);
  for (;;) {
    std::size_t best = facts.size();
    std::size_t best_gain = 0;
    for (std::size_t i = 0; i < facts.size(); ++i) {
      if (taken[i] || !facts[i].readable) continue;
      std::size_t gain = 0;
      for (const auto& x : features[i]) gain += have.count(x) == 0;
      if (gain > best_gain ||
          (gain == best_gain && gain > 0 && facts[i].steps < facts[best].steps)) {
        best = i;
        best_gain = gain;
      }
    }
    if (best == facts.size()) break;
    taken[best] = true;
    int pairs = 0;
    std::vector<std::string> reasons;
    for (const auto& x : features[best]) {
      if (!have.insert(x).second) continue;
      if (x.rfind("pair ", 0) == 0) {
        ++pairs;
      } else {
        reasons.push_back(x);
      }
    }
    if (pairs > 0) reasons.insert(reasons.begin(), fmt::format("{} new situation pair(s)", pairs));
    kept.push_back(&facts[best]);
    std::string joined;
    for (const auto& r : reasons) joined += (joined.empty() ? "" : "; ") + r;
    fmt::print(io.out, "keep  {}: {}\n", facts[best].file, joined);
  }
  long pairs = 0, guards = 0, failures = 0;
  for (const auto& x : all) {
    pairs += x.rfind("pair ", 0) == 0;
    guards += x.rfind("guard ", 0) == 0;
    failures += x.rfind("failure ", 0) == 0;
  }
  return fmt::format(
      "kept {} of {} file(s) in {}: the same {} situation pair(s), {} guard(s) and {} failure "
      "signature(s) as the whole set{}",
      kept.size(), facts.size(), o.out, pairs, guards, failures,
      unreadable > 0 ? fmt::format(" ({} unreadable kept as they are)", unreadable) : "");
}

// corpus dedup: one file per failure signature, the shortest; every passing
// file kept. Returns the summary.
std::string dedup_set(const CorpusOptions& o, const std::vector<FileFacts>& facts,
                      std::vector<const FileFacts*>& kept, const Console& io) {
  std::map<std::string, const FileFacts*> first;
  for (const auto& f : facts) {
    if (!f.readable) continue;
    if (f.failure.empty()) {
      kept.push_back(&f);
      continue;
    }
    auto [it, fresh] = first.emplace(f.failure, &f);
    if (!fresh && f.steps < it->second->steps) it->second = &f;
  }
  long dropped = 0;
  for (const auto& f : facts) {
    if (!f.readable || f.failure.empty()) continue;
    const FileFacts* k = first.at(f.failure);
    if (k == &f) {
      kept.push_back(&f);
      fmt::print(io.out, "keep  {}: {}\n", f.file, f.failure);
    } else {
      ++dropped;
      fmt::print(io.out, "drop  {}: the same failure as {}\n", f.file, k->file);
    }
  }
  return fmt::format(
      "{} of {} file(s) kept: {} failure signature(s), {} duplicate(s) {}, {} passing file(s) "
      "kept",
      kept.size(), facts.size(), first.size(), dropped,
      o.out.empty() ? "(nothing changed: --out DIR writes the kept files)" : "left out of " + o.out,
      std::count_if(facts.begin(), facts.end(),
                    [](const FileFacts& f) { return f.readable && f.failure.empty(); }));
}

}  // namespace

CommandResult corpus(const CorpusOptions& o, const Console& io) {
  CommandResult res;
  std::vector<std::string> errors;
  const auto files = collect_scenarios(o.paths, errors);
  for (const auto& e : errors) fmt::print(io.err, "wrongbox: {}\n", e);
  if (files.empty()) return fail(res, io, kExitUsage, "no scenario files (*.wbs) found");
  std::string why;
  if (o.action == "minimize" && o.out.empty()) {
    return fail(res, io, kExitUsage,
                "corpus minimize: --out DIR is required (the corpus is never changed in place)");
  }
  if (!o.out.empty() && !out_is_usable(o.out, files, why)) return fail(res, io, kExitUsage, why);
  auto sut = open_sut_for_cli(o.sut, o.sut_options(), io, res);
  if (!sut) return res;
  const auto facts = survey(files, *sut, o.action == "dedup", o.shrink_seconds, io);
  std::vector<const FileFacts*> kept;
  long unreadable = 0;
  for (const auto& f : facts) {
    if (f.readable) continue;
    ++unreadable;
    kept.push_back(&f);  // nothing is lost: what cannot be judged is kept, and named
    fmt::print(io.out, "keep  {}: cannot be read ({}); fix or remove it\n", f.file, f.error);
  }
  res.summary = o.action == "minimize" ? minimize_set(o, facts, unreadable, kept, io)
                                       : dedup_set(o, facts, kept, io);
  if (!o.out.empty() && !copy_kept(kept, o.out, why)) return fail(res, io, kExitUsage, why);
  fmt::print(io.out, "{}\n", res.summary);
  res.exit_code = errors.empty() ? kExitOk : kExitUsage;
  return res;
}

}  // namespace wrongbox::cli
