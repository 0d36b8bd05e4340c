// `wrongbox mutants`: the defect-detection matrix. For every built-in defect
// variant: does the regression corpus catch it, does a property-based search
// find it, does coverage-guided fuzzing from an empty corpus find it (how
// fast, how short the shrunk or minimized counterexample)? And does the
// reference switch stay clean under the same corpus, search and fuzzing?
#include <fmt/core.h>
#include <fmt/os.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "examples/reference_switch.h"
#include "examples/threaded_switch.h"
#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/cli/fuzz_engine.h"
#include "harness/cli/locate.h"
#include "harness/cli/record.h"
#include "harness/cli/sut.h"
#include "harness/core/runner.h"
#include "harness/soak/soak.h"

namespace wrongbox::cli {
namespace {

struct Row {
  std::string name;
  int defect_class = 0;
  bool threads = false;   // the threaded switch or one of its racy variants
  int corpus_caught = 0;  // scenarios of the corpus that fail on it
  std::string corpus_property;
  bool search_found = false;
  int scenarios = 0;
  long messages = 0;  // submitted in the corpus replays and the search
  long steps = 0;
  std::array<std::uint64_t, kPropertyCount> checks{};
  double seconds = 0;
  std::size_t shrunk_steps = 0;
  std::string search_property;
  std::string reproduce;
  bool fuzz_ran = false;
  bool fuzz_found = false;
  std::string fuzz_property;
  long fuzz_inputs = 0;
  double fuzz_seconds = 0;
  std::size_t fuzz_steps = 0;
  std::string fuzz_note;  // why it did not run, or what went wrong
  bool soak_ran = false;
  std::string soak_property;    // what the soak found first ("" = nothing)
  long long soak_messages = 0;  // messages sent, to the finding when found
  double soak_seconds = 0;
  bool caught() const {
    return corpus_caught > 0 || search_found || fuzz_found || !soak_property.empty();
  }
};

// Coverage-guided fuzzing from an empty corpus (the regression corpus would
// hand it each defect), with the same budget as the property-based search.
void fuzz_defect(const MutantsOptions& o, const std::string& fuzzer, OpenedSut& sut, Row& row) {
  namespace fs = std::filesystem;
  FuzzEngineOptions fo;
  fo.fuzzer = fuzzer;
  fo.sut = sut.spec;
  fo.budget = o.budget_per_defect;
  fo.seed = o.seed;
  fo.work_dir = (fs::path(o.fuzz_work) / ("mutants-" + row.name)).string();
  std::error_code ec;
  fs::remove_all(fo.work_dir, ec);
  fs::create_directories(fo.work_dir, ec);
  fo.log = (fs::path(fo.work_dir) / "fuzzer.log").string();
  const auto r = run_fuzz_engine(fo);
  if (!r.error.empty()) {
    row.fuzz_note = r.error;
    return;
  }
  row.fuzz_ran = true;
  row.fuzz_inputs = r.execs;
  row.fuzz_seconds = r.seconds;
  if (!r.found) return;
  const auto f = analyse_fuzz_input(r.artifact, *sut.sw, {});
  row.fuzz_found = true;
  if (!f.reproduced) {
    row.fuzz_property = r.kind;  // e.g. a sanitizer report only the child saw
    row.fuzz_note = "the fuzzer's " + r.kind + " did not reproduce in-process: " + fo.log;
    return;
  }
  const auto* v = f.minimized.result.headline();
  row.fuzz_property = v ? to_string(v->property) : "switch";
  row.fuzz_steps = f.minimized.scenario.steps.size();
}

// A row of the matrix: the built-in switch and whether it runs threads.
struct Variant {
  std::string_view name;
  int defect_class;
  bool threads;
};

// The rows asked for: the reference switch and its defect catalog, then the
// threaded switch and its racy variants (searched under schedule
// perturbation). The clean switches always run (the threaded one when a
// threaded variant does), the variants --defects names with them. "" or
// what is wrong.
std::string variants_asked(const std::string& defects, std::vector<Variant>& out) {
  std::vector<Variant> all;
  for (const auto& d : examples::catalog()) all.push_back({d.name, d.defect_class, false});
  for (const auto& d : examples::threaded_catalog()) all.push_back({d.name, d.defect_class, true});
  std::vector<std::string> only;
  for (std::size_t at = 0; at < defects.size();) {
    const auto comma = std::min(defects.find(',', at), defects.size());
    only.push_back(defects.substr(at, comma - at));
    at = comma + 1;
  }
  for (const auto& n : only) {
    if (std::none_of(all.begin(), all.end(), [&](const auto& d) { return d.name == n; })) {
      return "--defects: no built-in switch " + n + " (see `wrongbox suts`)";
    }
  }
  const bool threaded_asked = only.empty() || std::any_of(only.begin(), only.end(), [](auto& n) {
                                return examples::threaded_by_name(n).has_value();
                              });
  for (const auto& d : all) {
    const bool asked = d.defect_class == 0 ? (!d.threads || threaded_asked)
                                           : only.empty() || std::find(only.begin(), only.end(),
                                                                       d.name) != only.end();
    if (asked) out.push_back(d);
  }
  return "";
}

// The regression corpus on the variant: how many of its scenarios fail.
void corpus_on(const std::vector<Scenario>& corpus, Switch& sw, Row& row) {
  for (const auto& sc : corpus) {
    const auto r = run_scenario(sc, sw);
    row.messages += r.stats.messages;
    row.steps += r.stats.steps;
    for (int p = 0; p < kPropertyCount; ++p) row.checks[p] += r.checks[p];
    if (r.failed() && row.corpus_caught++ == 0) {
      row.corpus_property = r.headline() ? to_string(r.headline()->property) : "switch";
    }
  }
}

// The property-based search on the variant; returns the situations it met.
model::SituationCoverage search_on(const MutantsOptions& o, OpenedSut& sut, Row& row) {
  check::CheckOptions co;
  co.tests = o.tests;
  co.seed = o.seed;
  co.time_budget = o.budget_per_defect;
  co.replay_failures_first = false;
  const auto r = check::run_check(*sut.sw, sut.hello, sut.spec, co);
  row.search_found = r.failed;
  row.messages += r.stats.messages;
  row.steps += r.stats.steps;
  for (int p = 0; p < kPropertyCount; ++p) row.checks[p] += r.stats.checks[p];
  row.scenarios = r.failed ? r.scenarios_to_failure : r.tests_run;
  row.seconds = r.failed ? r.seconds_to_failure : r.seconds;
  if (r.failed) {
    row.shrunk_steps = r.counterexample->steps.size();
    row.search_property =
        r.failure.headline() ? to_string(r.failure.headline()->property) : "switch";
    row.reproduce = check::reproduce_command(sut.spec, co, r);
  }
  return r.stats.situations;
}

void soak_on(const MutantsOptions& o, OpenedSut& sut, Row& row) {
  soak::SoakOptions so;
  so.profile = soak::profile_by_name(o.soak_profile);
  so.seed = o.seed;
  so.messages = o.soak_messages;
  so.run = RunOptions::for_switch(sut.hello);
  const auto sr = soak::run_soak(*sut.sw, so, {}, {});
  row.soak_ran = true;
  row.soak_messages = sr.run.stats.messages;
  row.soak_seconds = sr.seconds;
  if (sr.run.failed()) {
    row.soak_property = sr.run.headline() ? to_string(sr.run.headline()->property) : "switch";
  }
}

// One row: every engine on one built-in switch. `situations` gets what the
// reference switch's search met.
Row play_variant(const MutantsOptions& o, const Variant& d, const std::vector<Scenario>& corpus,
                 const std::string& fuzzer, const std::string& no_fuzz_why,
                 model::SituationCoverage& situations) {
  Row row;
  row.name = std::string(d.name);
  row.defect_class = d.defect_class;
  row.threads = d.threads;
  auto sut = open_sut("builtin:" + row.name);
  corpus_on(corpus, *sut.sw, row);
  auto met = search_on(o, sut, row);
  if (d.defect_class == 0 && !d.threads) situations = std::move(met);
  if (!no_fuzz_why.empty()) {
    row.fuzz_note = no_fuzz_why;
  } else if (d.threads) {
    row.fuzz_note = "not run: the switch has threads, and a fuzzer input must replay the same way";
  } else {
    fuzz_defect(o, fuzzer, sut, row);
  }
  // The soak runs against the reference (to show it clean), against what
  // the other engines missed, and against every variant with --soak-all.
  if (o.soak_messages > 0 && (o.soak_all || d.defect_class == 0 || !row.caught())) {
    soak_on(o, sut, row);
  }
  return row;
}

// The matrix in Markdown; `ok` turns false when a variant got away or the
// reference switch was not clean.
std::string matrix_table(const MutantsOptions& o, const std::vector<Row>& rows, bool& ok) {
  std::string table =
      "| class | defect | caught | by corpus | by property-based search | scenarios | seconds | "
      "shrunk steps | by fuzzing | inputs | seconds | minimized steps | by soak | messages | "
      "seconds |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    const bool reference = r.defect_class == 0;
    const bool caught = r.caught();
    if (reference ? caught : !caught) ok = false;
    const std::string verdict =
        reference ? (caught ? "**NOT CLEAN**" : "clean (expected)") : (caught ? "yes" : "**NO**");
    const std::string none = reference ? "no violation" : "not found";
    const std::string soak_cells =
        r.soak_ran
            ? fmt::format("{} | {} | {:.2f}", r.soak_property.empty() ? none : r.soak_property,
                          r.soak_messages, r.soak_seconds)
            : std::string(o.soak_messages > 0 ? "not run (caught) | - | -" : "not run | - | -");
    table += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {:.4f} | {} | {} | {} | {} | {} | {} |\n",
        reference ? "-" : std::to_string(r.defect_class), r.name, verdict,
        r.corpus_caught
            ? fmt::format("{} scenario(s), first {}", r.corpus_caught, r.corpus_property)
            : "-",
        r.search_found ? r.search_property : none, r.scenarios, r.seconds,
        r.search_found ? std::to_string(r.shrunk_steps) : "-",
        r.fuzz_ran ? (r.fuzz_found ? r.fuzz_property : none) : "not run",
        r.fuzz_ran ? std::to_string(r.fuzz_inputs) : "-",
        r.fuzz_ran ? fmt::format("{:.2f}", r.fuzz_seconds) : "-",
        r.fuzz_found && r.fuzz_steps ? std::to_string(r.fuzz_steps) : "-", soak_cells);
  }
  return table;
}

std::string matrix_summary(const MutantsOptions& o, const std::vector<Row>& rows,
                           std::size_t corpus_size) {
  std::set<int> all_classes, caught_classes;
  for (const auto& r : rows) {
    if (r.defect_class == 0) continue;
    all_classes.insert(r.defect_class);
    if (r.caught()) caught_classes.insert(r.defect_class);
  }
  // A class counts as caught when every variant of it was.
  for (const auto& r : rows) {
    if (r.defect_class > 0 && !r.caught()) caught_classes.erase(r.defect_class);
  }
  return fmt::format(
      "{} of {} defect variants caught, {} of {} classes; reference switch {} ({} corpus "
      "scenarios, up to {} generated scenarios or {} s per switch and engine, seed {})",
      std::count_if(rows.begin(), rows.end(),
                    [](const Row& r) { return r.defect_class > 0 && r.caught(); }),
      std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.defect_class > 0; }),
      caught_classes.size(), all_classes.size(),
      std::any_of(rows.begin(), rows.end(),
                  [](const Row& r) { return r.defect_class == 0 && r.caught(); })
          ? "NOT clean"
          : "clean",
      corpus_size, o.tests, o.budget_per_defect, o.seed);
}

std::string matrix_notes(const std::vector<Row>& rows, const std::string& no_fuzz_why) {
  std::string notes;
  if (!no_fuzz_why.empty()) {
    notes = "fuzzing not run: " + no_fuzz_why + "\n";
  } else {
    for (const auto& r : rows) {
      if (!r.fuzz_note.empty()) notes += "fuzzing " + r.name + ": " + r.fuzz_note + "\n";
    }
  }
  if (std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.threads; })) {
    notes += fmt::format(
        "threaded rows: the switch calls from its own threads; the search ran each scenario under "
        "{} perturbed schedules (docs/concurrency.md)\n",
        check::CheckOptions{}.schedules);
  }
  return notes;
}

// The matrix as a Markdown file (--markdown): false when it cannot be written.
bool write_markdown(const std::string& path, const std::string& table, const std::string& summary,
                    const std::string& coverage, const std::string& notes,
                    const std::vector<Row>& rows) {
  std::ofstream md(path);
  md << "# Wrongbox defect-detection matrix\n\n"
     << table << "\n"
     << summary << "\n\n"
     << "```\n"
     << coverage << "```\n\n";
  if (!notes.empty()) md << notes << "\n";
  md << "Reproduce each property-based finding:\n\n";
  for (const auto& r : rows) {
    if (!r.reproduce.empty()) md << "- " << r.name << ": `" << r.reproduce << "`\n";
  }
  return static_cast<bool>(md);
}

// The matrix's run in the evidence: a row per switch, the reference's
// situations, and what each soak found.
bool record_matrix(Recorder& rec, const std::vector<Row>& rows,
                   const model::SituationCoverage& reference, CommandResult& res) {
  if (!rec.on()) return true;
  auto t = run_totals(res.exit_code);
  Settings soaks = Settings::object();
  for (const auto& r : rows) {
    if (!r.soak_ran) continue;
    soaks[r.name] = {{"property", r.soak_property},
                     {"messages", r.soak_messages},
                     {"seconds", std::round(r.soak_seconds * 1000) / 1000}};
  }
  Settings cov = Settings::object();
  cov["situations"] = Settings::parse(reference.to_json(check::kDefaultCoverageK));
  cov["soak"] = soaks;
  t.coverage_json = cov.dump();
  for (const auto& r : rows) {
    t.scenarios += r.scenarios;
    t.messages += r.messages;
    t.steps += r.steps;
    // Checks of the reference only: a defect variant's violations are the
    // matrix's findings, not the switch's.
    if (r.defect_class == 0) t.checks = r.checks;
    rec.write([&](evidence::Store& store, std::int64_t run) {
      store.add_mutant(
          run, {r.name, r.defect_class, r.caught(), r.corpus_caught, r.corpus_property,
                r.search_property, r.scenarios, r.seconds, static_cast<long>(r.shrunk_steps),
                r.fuzz_ran, r.fuzz_found ? r.fuzz_property : "", r.fuzz_inputs, r.fuzz_seconds,
                static_cast<long>(r.fuzz_steps)});
    });
  }
  return rec.finish(t, res);
}

}  // namespace

CommandResult mutants(const MutantsOptions& o, const Console& io) {
  CommandResult res;
  std::vector<std::string> errors;
  const std::string corpus_dir = o.corpus.empty() ? builtin_corpus_dir() : o.corpus;
  std::vector<Scenario> corpus;
  if (corpus_dir.empty()) {
    fmt::print(io.err,
               "wrongbox: warning: the built-in regression corpus was not found; the matrix "
               "has no corpus column (--corpus DIR names one)\n");
  } else {
    corpus = load_scenarios({corpus_dir}, errors);
  }
  if (!errors.empty()) return fail(res, io, kExitUsage, errors);
  const std::string fuzzer = o.no_fuzz ? "" : find_fuzzer(o.fuzzer);
  const std::string no_fuzz_why = o.no_fuzz ? "--no-fuzz" : (fuzzer.empty() ? kNoLibFuzzer : "");
  std::vector<Variant> variants;
  if (auto e = variants_asked(o.defects, variants); !e.empty()) {
    return fail(res, io, kExitUsage, e);
  }
  auto rec = start_recording(o.evidence, "mutants", nullptr, "builtin:*",
                             Settings{{"tests", o.tests},
                                      {"budget_per_defect", o.budget_per_defect},
                                      {"seed", o.seed},
                                      {"corpus", corpus_dir},
                                      {"corpus_scenarios", corpus.size()},
                                      {"fuzzing", no_fuzz_why.empty()},
                                      {"defects", o.defects.empty() ? "all" : o.defects}},
                             io, res);
  if (!rec) return res;
  std::vector<Row> rows;
  model::SituationCoverage reference_situations;  // what the clean run of the reference met
  for (const auto& d : variants) {
    rows.push_back(play_variant(o, d, corpus, fuzzer, no_fuzz_why, reference_situations));
    fmt::print(io.err, "mutants: {} done\n", rows.back().name);
  }
  bool ok = true;
  const std::string table = matrix_table(o, rows, ok);
  const std::string summary = matrix_summary(o, rows, corpus.size());
  const std::string notes = matrix_notes(rows, no_fuzz_why);
  const std::string coverage = "Situations the reference switch's search met:\n" +
                               situation_summary(reference_situations, check::kDefaultCoverageK);
  fmt::print(io.out, "Defect-detection matrix\n\n{}\n{}\n{}\n{}", table, summary, notes, coverage);
  if (!o.markdown.empty()) {
    if (!write_markdown(o.markdown, table, summary, coverage, notes, rows)) {
      return fail(res, io, kExitUsage, "cannot write " + o.markdown);
    }
    fmt::print(io.out, "matrix written to {}\n", o.markdown);
  }
  res.exit_code = ok ? kExitOk : kExitViolation;
  if (!record_matrix(*rec, rows, reference_situations, res)) return res;
  res.summary = summary;
  return res;
}

}  // namespace wrongbox::cli
