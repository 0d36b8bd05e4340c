// The options of the subcommands that play scenarios against a switch:
// replay, check, mutants, conformance, campaign, fuzz, explain, shrink,
// corpus (options.h).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/cli/locate.h"
#include "harness/cli/options.h"
#include "harness/cli/sut.h"
#include "harness/core/scenario.h"
#include "harness/core/shell.h"

namespace wrongbox::cli::options {

void add_replay(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::ReplayOptions>();
  auto* replay = app.add_subcommand(
      "replay",
      "Replay scenario files (or directories of *.wbs files) against a switch and print one "
      "line per scenario, the failures' reports, and a summary.");
  replay->add_option("paths", o->paths, "Scenario files or directories")->required();
  add_switch_options(replay, *o);
  replay->add_flag("--trace", o->trace,
                   "Print every step and every call the switch made, with the oracle's view");
  replay->add_flag("--quiet,-q", o->quiet, "Print only failures and the summary");
  replay->add_option("--seed", o->seed, "Canary key seed (any value; fixed for reproducible text)")
      ->capture_default_str()
      ->check(seed_number());
  replay
      ->add_option("--retain", o->retain,
                   "Settled messages the oracle keeps knowing while a file plays (memory is "
                   "bounded by this, not by the file's length; a late copy of an older one is "
                   "still a violation, reported as unknown content)")
      ->capture_default_str()
      ->check(CLI::Range(1024LL, 100000000LL));
  replay
      ->add_option("--time-budget", o->budget_seconds,
                   "Seconds after which no further file starts; the rest are counted as not "
                   "played (0: no limit)")
      ->capture_default_str()
      ->check(between(0, 1e7));
  replay
      ->add_option("--runs", o->runs,
                   "Plays of each file, each under its own schedule; a file fails when one play "
                   "does, and says in how many (default 1, or 20 for a switch whose hello says "
                   "\"threads\")")
      ->check(CLI::Range(1, 100000));
  add_perturb_option(replay, o->perturb, "Schedule perturbation");
  replay->add_option("--tag", o->tags,
                     "Play only files with this tag (repeat: any of them); with --guards and "
                     "--last-failed a file must pass each");
  replay->add_option("--guards", o->guards,
                     "Play only files with a guards line for this built-in defect, property (S1 "
                     "... L1) or defect class (3 or class-3); repeat: each");
  replay->add_flag("--last-failed,--lf", o->last_failed,
                   "Play only the files that failed in the last replay against this switch "
                   "recorded in the evidence store (all files when none did)");
  replay->add_flag("--check-guards", o->check_guards,
                   "Check the files' guards lines instead: each file on each built-in defect "
                   "its guards name, and on --sut for a `guards PROPERTY` line; exit 0 when "
                   "every guard holds (the switch fails naming the guard's property), 1 when "
                   "one is lost");
  replay->add_flag("--fail-fast,-x", o->fail_fast,
                   "Stop after the first file that fails; the rest are counted as not played");
  add_evidence_options(replay, o->evidence);
  commands.push_back({replay, [o] { return wrongbox::cli::replay(*o).exit_code; }});
}

void add_check(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::CheckCliOptions>();
  auto* check = app.add_subcommand(
      "check",
      "Property-based search: generate scenarios aimed at misdelivery, play them against the "
      "switch, shrink the first failure to a minimal scenario, save it, and print the command "
      "that reproduces it. Saved failures are replayed first on the next run.");
  add_switch_options(check, *o);
  check->add_option("--tests", o->tests,
                    "Play exactly this many scenarios (default: until every feasible pair of "
                    "situation conditions was met --coverage-k times, or the time budget)");
  check->add_option("--seed", o->seed, "Random seed (0: new each run; printed)")
      ->capture_default_str()
      ->check(seed_number());
  check->add_option("--max-steps", o->max_steps, "Generated actions per scenario, at most")
      ->capture_default_str();
  check->add_option("--time-budget", o->time_budget,
                    "Stop after this many seconds; alone, run until then (default 10 with "
                    "neither --tests nor --time-budget, else none)");
  check
      ->add_option("--coverage-k", o->coverage_k,
                   "Stop once every feasible situation pair was met K times (default 3; "
                   "docs/situations.md)")
      ->check(CLI::Range(1, 1000000));
  check
      ->add_option("--search", o->search,
                   "steered: coverage-steered loop (default); rapidcheck: RapidCheck over the "
                   "generators alone")
      ->check(CLI::IsMember({"steered", "rapidcheck"}))
      ->capture_default_str();
  check->add_option("--shard", o->shard,
                    "K/N: shard K of N (give every shard the same --seed): the steered search "
                    "runs from a seed derived from --seed and K; with --search rapidcheck, "
                    "chunks K, K+N, ... of the seed's stream (docs/check.md)");
  check->add_option("--reproduce", o->reproduce,
                    "Replay exactly one failure from the reproduce string a --search rapidcheck "
                    "report printed");
  check
      ->add_option("--save-failures", o->save_failures,
                   "Directory of failure memory; failures are saved under DIR/<sut>/ and "
                   "replayed first next time ('' to disable)")
      ->capture_default_str();
  check->add_flag("--no-memory", o->no_memory, "Do not replay saved failures first");
  check->add_option("--weights", o->weights,
                    "Action weights, e.g. submit=8,reopen=3,restart=0 (kinds: open, close, "
                    "close-race, reopen, unregister, protect, block, registry, operator, submit, "
                    "tick, restart)");
  check->add_flag("--no-swarm", o->no_swarm,
                  "Enable every feature in every scenario (default: swarm testing switches "
                  "features off per scenario)");
  add_perturb_option(check, o->perturb, "Schedule perturbation");
  check
      ->add_option("--schedules", o->schedules,
                   "For a switch with threads or --perturb on: runs of each scenario, each under "
                   "its own schedule")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  check->add_flag("--quiet,-q", o->quiet, "Print only a failure");

  add_evidence_options(check, o->evidence);
  commands.push_back({check, [o] { return wrongbox::cli::check(*o).exit_code; }});
}

void add_mutants(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::MutantsOptions>();
  auto* mutants = app.add_subcommand(
      "mutants",
      "Defect-detection matrix: against every built-in defect variant, replay the regression "
      "corpus, run a property-based search and (in a libFuzzer build) coverage-guided fuzzing "
      "from an empty corpus; confirm the reference switch stays clean under all three. "
      "Exit 0 when every defect class is caught and the reference is clean.");
  mutants->add_option("--corpus", o->corpus,
                      "Regression corpus (default: the built-in one, share/wrongbox/corpus)");
  mutants->add_option("--tests", o->tests, "Generated scenarios per switch, at most")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  mutants
      ->add_option("--budget-per-defect", o->budget_per_defect,
                   "Seconds of search per switch and engine, at most")
      ->capture_default_str()
      ->check(between(0.1, 1e7));
  mutants->add_option("--seed", o->seed, "Random seed")
      ->capture_default_str()
      ->check(seed_number());
  mutants->add_option("--defects", o->defects,
                      "Only these defect variants, comma-separated (the reference always runs)");
  mutants->add_option("--fuzzer", o->fuzzer,
                      "libFuzzer switch_fuzzer (default: $WRONGBOX_FUZZER, else this build's)");
  mutants->add_flag("--no-fuzz", o->no_fuzz, "Leave out the fuzzing engine");
  mutants
      ->add_option("--soak-messages", o->soak_messages,
                   "Messages of the soak engine, which runs against the reference and against "
                   "the variants the other engines missed (0: leave it out)")
      ->capture_default_str()
      ->check(CLI::Range(0LL, 1000000000LL));
  mutants->add_option("--soak-profile", o->soak_profile, "Traffic profile of the soak engine")
      ->capture_default_str()
      ->check(CLI::IsMember({"steady-day", "incident-week"}));
  mutants->add_flag("--soak-all", o->soak_all, "Soak every variant, caught or not");
  mutants->add_option("--fuzz-work", o->fuzz_work, "Directory for the fuzzer's work files")
      ->capture_default_str();
  mutants->add_option("--markdown", o->markdown, "Also write the matrix as Markdown to this file");

  add_evidence_options(mutants, o->evidence);
  commands.push_back({mutants, [o] { return wrongbox::cli::mutants(*o).exit_code; }});
}

void add_conformance(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::ConformanceOptions>();
  auto* conformance = app.add_subcommand(
      "conformance",
      "Check that a switch speaks the protocol (hello, reset, idle after reset, verdicts, calls "
      "in order, reset forgets, restart, bye) and explain each departure. Exit 0 or 3.");
  add_switch_options(conformance, *o);

  add_evidence_options(conformance, o->evidence);
  commands.push_back({conformance, [o] { return wrongbox::cli::conformance(*o).exit_code; }});
}

void add_campaign(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::CampaignOptions>();
  auto* campaign = app.add_subcommand(
      "campaign",
      "The whole job: conformance (exec:, plugin:), the regression corpus and saved failures, a "
      "property-based search and, for in-process switches in a libFuzzer build, coverage-guided "
      "fuzzing, sharing the rest of the budget; the evidence chain verified and the HTML report "
      "written. One line per phase; full output in --logs.");
  add_switch_options(campaign, *o);
  campaign->add_option("--budget", o->budget, "Seconds for the whole campaign")
      ->capture_default_str()
      ->check(between(1, 1e7));
  campaign
      ->add_option("--tests", o->tests,
                   "The search plays exactly this many scenarios (default: until the budget)")
      ->check(CLI::Range(1, 100000000));
  campaign->add_option("--shard", o->shard,
                       "K/N: shard K of N, a search from a seed derived from --seed and K (same "
                       "--seed on every shard), and every N-th corpus file from the K-th");
  campaign->add_option("--corpus", o->corpus,
                       "Scenario files or directories to replay besides the built-in regression "
                       "corpus (repeatable)");
  campaign->add_flag("--no-builtin-corpus", o->no_builtin_corpus,
                     "Replay only --corpus (and saved failures), not the built-in corpus");
  campaign->add_option("--junit", o->junit, "Also write this campaign's JUnit XML here");
  campaign->add_option("--sarif", o->sarif,
                       "Also write this campaign's SARIF here (locations relative to the working "
                       "directory)");
  campaign->add_option("--save-failures", o->failures, "Failure memory directory")
      ->capture_default_str();
  campaign->add_option("--report", o->report, "HTML report to write")->capture_default_str();
  campaign->add_option("--logs", o->logs, "Directory for each phase's full output")
      ->capture_default_str();
  campaign->add_option("--seed", o->seed, "Random seed (0: new each run)")
      ->capture_default_str()
      ->check(seed_number());
  campaign->add_option("--fuzzer", o->fuzzer,
                       "libFuzzer switch_fuzzer for the fuzzing phase (default: $WRONGBOX_FUZZER, "
                       "else this build's; none: the phase is skipped)");
  campaign->add_flag("--no-fuzz", o->no_fuzz, "Skip the fuzzing phase");
  add_perturb_option(campaign, o->perturb, "The search's schedule perturbation");
  campaign
      ->add_option("--fuzz-work", o->fuzz_work,
                   "Directory for the fuzzer's growing corpus (kept across runs)")
      ->capture_default_str();
  campaign->add_flag("--quiet,-q", o->quiet, "Print only the report path (and errors)");
  campaign->add_flag("--json", o->json, "One JSON object per event, for tools");
  add_evidence_options(campaign, o->evidence);
  campaign->get_option("--no-evidence")->description("Do not record (and so write no report)");
  commands.push_back({campaign, [o] { return wrongbox::cli::campaign(*o).exit_code; }});
}

void add_fuzz(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::FuzzCliOptions>();
  auto* fuzz = app.add_subcommand(
      "fuzz",
      "Coverage-guided fuzzing of an in-process switch (builtin:, plugin:) with the libFuzzer "
      "build of switch_fuzzer, seeded from scenario files. A finding is replayed here, "
      "minimized, saved as a scenario file and recorded. Needs a build with -DWRONGBOX_FUZZ=ON "
      "(clang) or --fuzzer.");
  fuzz->add_option("--sut", o->sut,
                   "Switch under test, in-process only: builtin:NAME or plugin:PATH.so [ARG]")
      ->capture_default_str();
  fuzz->add_option("--budget", o->budget, "Seconds of fuzzing")
      ->capture_default_str()
      ->check(between(0.1, 1e7));
  fuzz->add_option("--seeds", o->seeds, "Scenario files or directories to start from");
  fuzz->add_option("--fuzzer", o->fuzzer,
                   "libFuzzer switch_fuzzer binary (default: $WRONGBOX_FUZZER, else this "
                   "build's)");
  fuzz->add_option("--work", o->work, "Directory for the growing corpus and the fuzzer's log")
      ->capture_default_str();
  fuzz->add_option("--seed", o->seed, "libFuzzer seed (0: new each run)")
      ->capture_default_str()
      ->check(seed_number());
  fuzz->add_option("--max-len", o->max_len,
                   "Bytes per fuzzer input, at most (shorter inputs run faster but reach less of "
                   "the switch: docs/fuzzing.md)")
      ->capture_default_str();
  fuzz->add_option("--save-failures", o->save_failures,
                   "Failure memory directory (\"\" to not save)")
      ->capture_default_str();
  fuzz->add_flag("--quiet,-q", o->quiet, "Print only the verdict");
  add_evidence_options(fuzz, o->evidence);
  commands.push_back({fuzz, [o] { return wrongbox::cli::fuzz(*o).exit_code; }});
}

void add_explain(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::ExplainOptions>();
  auto* explain = app.add_subcommand(
      "explain",
      "Replay one scenario and tell the story of its first violation in plain words, "
      "with the steps that set the trap marked.");
  explain->add_option("file", o->file, "Scenario file")->required();
  add_switch_options(explain, *o);
  add_evidence_options(explain, o->evidence);
  commands.push_back({explain, [o] { return wrongbox::cli::explain(*o).exit_code; }});
}

void add_shrink(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::ShrinkOptions>();
  auto* shrink = app.add_subcommand(
      "shrink",
      "Shrink a failing scenario file to the smallest that still fails the same way (the same "
      "first property, or a switch failure of the same kind), over any transport. The header "
      "(name, tags, guards, comments) and the comments of the steps kept stay; the input file "
      "is not changed unless --out names it.");
  shrink->add_option("file", o->file, "Scenario file")->required();
  add_switch_options(shrink, *o);
  shrink->add_option("--out,-o", o->out,
                     "Write the shrunk scenario here (default: print it on standard output, "
                     "the summary on standard error)");
  shrink
      ->add_option("--time-budget", o->budget_seconds,
                   "Seconds after which no further replay starts; the smallest failing "
                   "scenario found so far is kept")
      ->capture_default_str()
      ->check(between(1e-3, 1e7));
  add_evidence_options(shrink, o->evidence);
  commands.push_back({shrink, [o] { return wrongbox::cli::shrink(*o).exit_code; }});
}

void add_corpus(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::CorpusOptions>();
  auto* corpus = app.add_subcommand(
      "corpus", "Make a corpus smaller without losing what it tests (docs/corpus.md).");
  corpus->require_subcommand(1);
  auto* minimize = corpus->add_subcommand(
      "minimize",
      "Copy into --out the smallest subset (greedy) that keeps every situation pair, every "
      "guards line and every failure signature the whole set has against --sut, and say why "
      "each file was kept. The corpus is not changed.");
  auto* dedup = corpus->add_subcommand(
      "dedup",
      "Group the files that fail against --sut by failure signature (property or switch "
      "failure kind, the kind of step, the shrunk scenario) and keep the shortest of each; "
      "passing files are kept. Reports only, unless --out names where the kept files go.");
  for (auto* sub : {minimize, dedup}) {
    sub->add_option("paths", o->paths, "Scenario files or directories")->required();
    add_switch_options(sub, *o);
    sub->add_option("--out,-o", o->out, "A new or empty directory for the kept files")
        ->required(sub == minimize);
  }
  dedup->add_option("--shrink-time", o->shrink_seconds, "Seconds of shrinking per failing file")
      ->capture_default_str()
      ->check(between(1e-3, 1e6));
  commands.push_back({corpus, [o, minimize] {
                        o->action = minimize->parsed() ? "minimize" : "dedup";
                        return wrongbox::cli::corpus(*o).exit_code;
                      }});
}

}  // namespace wrongbox::cli::options
