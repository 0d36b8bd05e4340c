// `wrongbox replay`: which files to play (--tag, --guards, --last-failed)
// and --check-guards, which plays each guards line on its defect.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "examples/reference_switch.h"
#include "examples/threaded_switch.h"
#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/cli/record.h"
#include "harness/cli/replay_parts.h"
#include "harness/cli/sut.h"
#include "harness/core/minimize.h"
#include "harness/core/oracle/property.h"
#include "harness/core/printable.h"
#include "harness/core/runner.h"
#include "harness/core/scenario.h"
#include "harness/evidence/evidence.h"

namespace wrongbox::cli {
namespace {

namespace fs = std::filesystem;
using replay_parts::play_options;

// The defect class of a built-in variant's name (0: not one).
int class_of(std::string_view defect) {
  for (const auto& d : examples::catalog()) {
    if (d.name == defect) return d.defect_class;
  }
  for (const auto& d : examples::threaded_catalog()) {
    if (d.name == defect) return d.defect_class;
  }
  return 0;
}

// What `--guards NAME` names: a built-in defect, a property, or a defect
// class ("3", "class-3", "defect-class-3"). "" when NAME is none of them.
std::string guard_kind(const std::string& name, int* cls, std::optional<Property>* prop) {
  *cls = 0;
  *prop = property_from_string(name);
  if (*prop) return "property";
  if (class_of(name) > 0) return "defect";
  std::string_view n = name;
  for (std::string_view prefix : {"defect-class-", "class-"}) {
    if (n.rfind(prefix, 0) == 0) n.remove_prefix(prefix.size());
  }
  if (!n.empty() && n.size() <= 2 && std::all_of(n.begin(), n.end(), ::isdigit)) {
    *cls = std::stoi(std::string(n));
    if (*cls >= 1 && *cls <= 13) return "defect class";
  }
  return "";
}

bool guards_match(const Scenario& header, const std::string& name) {
  int cls = 0;
  std::optional<Property> prop;
  const std::string kind = guard_kind(name, &cls, &prop);
  for (const auto& g : header.guards) {
    if (kind == "defect" && g.defect == name) return true;
    if (kind == "property" && g.property == to_string(*prop)) return true;
    if (kind == "defect class" && class_of(g.defect) == cls) return true;
  }
  return false;
}

// A file's header (name, tags, guards), read without its steps.
// The whole file is read (its steps are not kept), so that a file with an
// error anywhere counts as unreadable: a `tag` line misplaced after the steps
// must not drop the file from a selection silently.
std::optional<Scenario> read_header(const std::string& file) {
  auto r = stream_scenario_file(file, [](const Scenario&, Step&&) { return true; });
  if (r.ok()) return std::move(r.scenario);
  return std::nullopt;
}

// --last-failed: the files that failed when last replayed against --sut,
// as recorded and as canonical paths, in `last`; what it says of them goes
// to `why`. False on an unusable store (printed).
bool last_failed(const ReplayOptions& o, std::set<std::string>& last, std::vector<std::string>& why,
                 const Console& io, ReplayResult& res) {
  evidence::LastReplay lr;
  std::error_code ec;
  if (!o.evidence.disabled && fs::is_regular_file(o.evidence.path, ec)) {
    try {
      lr = evidence::Store::open(o.evidence.path).last_replay(o.sut);
    } catch (const evidence::EvidenceError& e) {
      fail(res, io, kExitUsage, "--last-failed: " + o.evidence.path + ": " + e.what());
      return false;
    }
  }
  long failed_last = 0;
  for (const auto& sc : lr.scenarios) {
    if (sc.outcome == "pass" || sc.outcome == "skipped") continue;
    ++failed_last;
    last.insert(sc.source);
    last.insert(fs::weakly_canonical(sc.source, ec).string());
  }
  if (lr.run == 0) {
    why.push_back("--last-failed: no replay against " + o.sut + " in " + o.evidence.path +
                  ", so every file");
  } else if (last.empty()) {
    why.push_back(fmt::format(
        "--last-failed: nothing failed in the last replays against {} (up to run #{}), so "
        "every file",
        o.sut, lr.run));
  } else {
    why.push_back(fmt::format(
        "--last-failed: {} file(s) failed when last replayed against {} (up to run #{})",
        failed_last, o.sut, lr.run));
  }
  return true;
}

// --check-guards, one guards line at a time: the switches it opened, what
// held and what was lost.
struct GuardCheck {
  GuardCheck(const ReplayOptions& options, const Console& console, Recorder& recorder)
      : o(options), io(console), rec(recorder) {}
  const ReplayOptions& o;
  const Console& io;
  Recorder& rec;
  const bool own_sut =
      o.sut != "builtin:reference";  // --sut given: property-only guards play on it
  std::map<std::string, OpenedSut> suts;
  evidence::RunTotals totals;
  long held = 0, lost = 0, input_errors = 0;

  // The guard's switch, opened once (nullptr: an input error, printed).
  OpenedSut* switch_for(const std::string& file, const Guard& g, const std::string& what) {
    // guards DEFECT PROPERTY: on builtin:DEFECT; guards PROPERTY: on --sut.
    const bool any_switch = g.defect.empty();
    const std::string spec = any_switch ? o.sut : "builtin:" + g.defect;
    if (!any_switch && class_of(g.defect) == 0) {
      fmt::print(io.out,
                 "ERROR {}:{}: {}: '{}' is not a built-in defect variant "
                 "(`wrongbox suts` lists them)\n",
                 file, g.line, what, printable(g.defect));
      ++input_errors;
      return nullptr;
    }
    if (any_switch && !own_sut) {
      fmt::print(io.out,
                 "ERROR {}:{}: {} names no defect: it guards the switch it was found "
                 "against; give that switch with --sut\n",
                 file, g.line, what);
      ++input_errors;
      return nullptr;
    }
    auto it = suts.find(spec);
    if (it != suts.end()) return &it->second;
    try {
      return &suts.emplace(spec, open_sut(spec, o.sut_options())).first->second;
    } catch (const std::exception& e) {
      fmt::print(io.out, "ERROR {}:{}: {}: {}\n", file, g.line, what, printable(e.what()));
      ++input_errors;
      return nullptr;
    }
  }

  // The guard holds when its switch fails naming its property first.
  void play(const std::string& file, const Scenario& sc, const Guard& g) {
    const std::string what = g.defect.empty()
                                 ? "guards " + g.property
                                 : fmt::format("guards {} {}", printable(g.defect), g.property);
    OpenedSut* sut = switch_for(file, g, what);
    if (!sut) return;
    int runs = 1;
    const RunOptions ro = play_options(o, sut->hello, runs);
    const RunResult r = first_failure(sc, *sut->sw, ro, 0, runs);
    count_scenario(totals, r);
    const bool holds =
        r.outcome == Outcome::kViolation && to_string(r.headline()->property) == g.property;
    if (holds) {
      ++held;
      if (!o.quiet) fmt::print(io.out, "HOLDS {}: {}\n", file, what);
    } else {
      ++lost;
      fmt::print(io.out, "LOST  {}: {}: on {} it {}\n", file, what, sut->spec,
                 r.outcome == Outcome::kPass ? "passed" : summarize(r));
    }
    rec.write([&](evidence::Store& store, std::int64_t id) {
      store.add_scenario(id, {file + " on " + sut->spec, holds ? "pass" : "violation",
                              what + (holds ? " holds" : " lost: " + summarize(r)), ""});
    });
  }
};

}  // namespace

namespace replay_parts {

// Narrows `files` to what --tag, --guards and --last-failed select; says
// what and why in `said`. A file whose header cannot be read stays in (it is
// played, and reported as the input error it is). Returns false on a usage
// error (printed).
bool select_files(const ReplayOptions& o, std::vector<std::string>& files, std::string& said,
                  const Console& io, ReplayResult& res) {
  std::vector<std::string> why;
  for (const auto& g : o.guards) {
    int cls = 0;
    std::optional<Property> prop;
    if (guard_kind(g, &cls, &prop).empty()) {
      fail(res, io, kExitUsage,
           "--guards " + g +
               ": not a built-in defect (`wrongbox suts`), a property (S1 ... L1) or a defect "
               "class (1 to 13, or class-N)");
      return false;
    }
  }
  std::set<std::string> last;  // failed last time, as recorded and as canonical paths
  if (o.last_failed && !last_failed(o, last, why, io, res)) return false;
  if (!o.tags.empty()) why.push_back("--tag " + fmt::format("{}", fmt::join(o.tags, "|")));
  for (const auto& g : o.guards) {
    int cls = 0;
    std::optional<Property> prop;
    why.push_back("--guards " + g + " (" + guard_kind(g, &cls, &prop) + ")");
  }
  if (!last.empty() && std::none_of(files.begin(), files.end(), [&](const std::string& f) {
        std::error_code ec;
        return last.count(f) || last.count(fs::weakly_canonical(f, ec).string());
      })) {
    last.clear();  // what failed is elsewhere: nothing here failed, so every file
    why.front() += ", none of them among these files, so every file";  // the --last-failed entry
  }
  if (why.empty()) return true;
  std::vector<std::string> kept;
  long unreadable = 0;
  for (const auto& f : files) {
    if (!last.empty()) {
      std::error_code ec;
      if (!last.count(f) && !last.count(fs::weakly_canonical(f, ec).string())) continue;
    }
    if (o.tags.empty() && o.guards.empty()) {
      kept.push_back(f);
      continue;
    }
    const auto header = read_header(f);
    if (!header) {
      ++unreadable;
      kept.push_back(f);  // played, and reported as the input error it is
      continue;
    }
    bool ok = o.tags.empty() || std::any_of(o.tags.begin(), o.tags.end(), [&](const auto& t) {
                return std::find(header->tags.begin(), header->tags.end(), t) != header->tags.end();
              });
    for (const auto& g : o.guards) ok = ok && guards_match(*header, g);
    if (ok) kept.push_back(f);
  }
  said = fmt::format(
      "selected {} of {} scenario file(s): {}{}", kept.size(), files.size(), fmt::join(why, "; "),
      unreadable > 0 ? fmt::format(" ({} unreadable, kept to be reported)", unreadable) : "");
  files = std::move(kept);
  return true;
}

// --check-guards: every guards line of `files`, played on its built-in
// defect (a property-only guard: on --sut); a guard holds when that switch
// fails naming its property first.
ReplayResult check_guards(const ReplayOptions& o, const std::vector<std::string>& files,
                          const std::string& selection, const Console& io, ReplayResult res) {
  // The switch is recorded when --sut was given (property-only guards play
  // on it); the built-in defects are named per row.
  const bool own_sut = o.sut != "builtin:reference";
  auto rec = start_recording(o.evidence, "replay", nullptr,
                             own_sut ? o.sut : "builtin:(the guards' defects)",
                             Settings{{"check_guards", true},
                                      {"paths", files.size()},
                                      {"selection", selection},
                                      {"seed", o.seed}},
                             io, res);
  if (!rec) return res;
  GuardCheck guards(o, io, *rec);
  guards.input_errors = res.input_errors;
  long unguarded = 0;
  for (const auto& file : files) {
    const auto parsed = load_scenario_file(file);
    if (!parsed.ok()) {
      fmt::print(io.out, "ERROR {}\n", parsed.error.to_string());
      ++guards.input_errors;
      continue;
    }
    const Scenario& sc = *parsed.scenario;
    if (sc.guards.empty()) {
      ++unguarded;
      continue;
    }
    if (o.fail_fast && guards.lost > 0) {
      res.not_played = static_cast<long>(files.size()) - res.played - unguarded;
      break;
    }
    ++res.played;
    for (const auto& g : sc.guards) guards.play(file, sc, g);
  }
  res.failed = guards.lost;
  res.passed = guards.held;
  res.input_errors = guards.input_errors;
  res.summary = fmt::format(
      "guards: {} held, {} lost, in {} file(s); {} file(s) without guards{}{}", guards.held,
      guards.lost, res.played, unguarded,
      res.input_errors > 0 ? fmt::format("; {} input error(s)", res.input_errors) : "",
      res.not_played > 0 ? fmt::format("; --fail-fast: {} file(s) not played", res.not_played)
                         : "");
  fmt::print(io.out, "{}\n", res.summary);
  return finished(std::move(res), guards.totals, *rec);
}

}  // namespace replay_parts
}  // namespace wrongbox::cli
