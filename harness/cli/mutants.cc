// `wrongbox mutants`: the defect-detection matrix. For every built-in defect
// variant: does the regression corpus catch it, does a property-based search
// find it (how fast, how short the shrunk counterexample)? And does the
// reference switch stay clean under the same corpus and search?
#include <fmt/core.h>
#include <fmt/os.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "examples/reference_switch.h"
#include "harness/check/campaign.h"
#include "harness/cli/commands.h"
#include "harness/cli/record.h"
#include "harness/runner.h"
#include "harness/sut.h"

namespace wrongbox::cli {
namespace {

struct Row {
  std::string name;
  int defect_class = 0;
  int corpus_caught = 0;  // scenarios of the corpus that fail on it
  std::string corpus_property;
  bool search_found = false;
  int scenarios = 0;
  double seconds = 0;
  std::size_t shrunk_steps = 0;
  std::string search_property;
  std::string reproduce;
};

}  // namespace

int mutants(const MutantsOptions& o) {
  std::vector<std::string> errors;
  std::vector<Scenario> corpus;
  for (const auto& f : collect_scenarios({o.corpus}, errors)) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = parse_scenario(ss.str(), f);
    if (!r.ok()) {
      errors.push_back(r.error.to_string());
      continue;
    }
    corpus.push_back(std::move(*r.scenario));
  }
  for (const auto& e : errors) fmt::print(stderr, "wrongbox: {}\n", e);
  if (!errors.empty()) return kExitUsage;

  auto rec =
      start_recording(o.evidence, "mutants", nullptr, "builtin:*",
                      fmt::format("{{\"tests\":{},\"budget_per_defect\":{},\"seed\":{},\"corpus\":"
                                  "\"{}\",\"corpus_scenarios\":{}}}",
                                  o.tests, o.budget_per_defect, o.seed, o.corpus, corpus.size()));
  if (!rec) return kExitUsage;
  std::vector<Row> rows;
  for (const auto& d : examples::catalog()) {
    Row row;
    row.name = std::string(d.name);
    row.defect_class = d.defect_class;
    auto sut = open_sut("builtin:" + row.name);
    for (const auto& sc : corpus) {
      const auto r = run_scenario(sc, *sut.sw);
      if (r.outcome == Outcome::kViolation || r.outcome == Outcome::kSwitchFailure) {
        if (row.corpus_caught++ == 0) {
          row.corpus_property = r.headline() ? to_string(r.headline()->property) : "switch";
        }
      }
    }
    check::CheckOptions co;
    co.tests = o.tests;
    co.seed = o.seed;
    co.time_budget = o.budget_per_defect;
    co.replay_failures_first = false;
    const auto r = check::run_check(*sut.sw, sut.hello, sut.spec, co);
    row.search_found = r.failed;
    row.scenarios = r.failed ? r.scenarios_to_failure : r.tests_run;
    row.seconds = r.failed ? r.seconds_to_failure : r.seconds;
    if (r.failed) {
      row.shrunk_steps = r.counterexample->steps.size();
      row.search_property =
          r.failure.headline() ? to_string(r.failure.headline()->property) : "switch";
      row.reproduce = check::reproduce_command(sut.spec, co, r);
    }
    rows.push_back(std::move(row));
    fmt::print(stderr, "mutants: {} done\n", rows.back().name);
  }

  bool ok = true;
  std::string table =
      "| class | defect | caught | by corpus | by property-based search | scenarios | seconds | "
      "shrunk steps |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    const bool reference = r.defect_class == 0;
    const bool caught = r.corpus_caught > 0 || r.search_found;
    if (reference ? caught : !caught) ok = false;
    const std::string verdict =
        reference ? (caught ? "**NOT CLEAN**" : "clean (expected)") : (caught ? "yes" : "**NO**");
    table += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {:.4f} | {} |\n",
        reference ? "-" : std::to_string(r.defect_class), r.name, verdict,
        r.corpus_caught
            ? fmt::format("{} scenario(s), first {}", r.corpus_caught, r.corpus_property)
            : "-",
        r.search_found ? r.search_property : (reference ? "no violation" : "not found"),
        r.scenarios, r.seconds, r.search_found ? std::to_string(r.shrunk_steps) : "-");
  }
  const std::string summary = fmt::format(
      "{} of {} defect classes caught; reference switch {} ({} corpus scenarios, up "
      "to {} generated scenarios or {} s per switch, seed {})",
      std::count_if(rows.begin(), rows.end(),
                    [](const Row& r) {
                      return r.defect_class > 0 && (r.corpus_caught > 0 || r.search_found);
                    }),
      rows.size() - 1,
      rows.front().corpus_caught == 0 && !rows.front().search_found ? "clean" : "NOT clean",
      corpus.size(), o.tests, o.budget_per_defect, o.seed);
  fmt::print("Defect-detection matrix\n\n{}\n{}\n", table, summary);
  if (!o.markdown.empty()) {
    std::ofstream md(o.markdown);
    md << "# Wrongbox defect-detection matrix\n\n" << table << "\n" << summary << "\n\n";
    md << "Reproduce each property-based finding:\n\n";
    for (const auto& r : rows) {
      if (!r.reproduce.empty()) md << "- " << r.name << ": `" << r.reproduce << "`\n";
    }
    if (!md) {
      fmt::print(stderr, "wrongbox: cannot write {}\n", o.markdown);
      return kExitUsage;
    }
    fmt::print("matrix written to {}\n", o.markdown);
  }
  const int rc = ok ? kExitOk : kExitViolation;
  try {
    if (rec->on()) {
      evidence::RunTotals t;
      t.exit_code = rc;
      t.verdict = verdict_word(rc);
      for (const auto& r : rows) {
        t.scenarios += r.scenarios;
        rec->store()->add_mutant(
            rec->run(), {r.name, r.defect_class, r.corpus_caught > 0 || r.search_found,
                         r.corpus_caught, r.corpus_property, r.search_property, r.scenarios,
                         r.seconds, static_cast<long>(r.shrunk_steps)});
      }
      if (!rec->finish(t)) return kExitUsage;
    }
  } catch (const evidence::EvidenceError& e) {
    fmt::print(stderr, "wrongbox: evidence: {}\n", e.what());
    return kExitUsage;
  }
  return rc;
}

}  // namespace wrongbox::cli
