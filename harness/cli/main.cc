// wrongbox: command-line entry point. Each add_NAME declares one subcommand's
// options (CLI11) and how to run it; main parses the command line and runs
// the subcommand given, a function of harness/cli/commands.h.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "harness/check/campaign.h"
#include "harness/cli/commands.h"
#include "harness/cli/locate.h"
#include "harness/cli/sut.h"
#include "harness/core/scenario.h"
#include "harness/core/shell.h"

namespace {

// A subcommand, and what runs it (its options live in the closure).
struct Command {
  CLI::App* sub;
  std::function<int()> run;
};

// Options every command that records a run takes.
void add_evidence_options(CLI::App* sub, wrongbox::cli::EvidenceOptions& e) {
  sub->add_option("--evidence", e.path, "Evidence store (SQLite) to record this run in")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            return text.empty() ? "an empty path names no file (--no-evidence records nothing)"
                                : "";
          },
          "FILE"));
  sub->add_flag("--no-evidence", e.disabled, "Do not record this run");
  sub->add_option("--sign-key", e.sign_key,
                  "Secret key (`wrongbox evidence keygen`): sign the run and the chain head it "
                  "ends (the key must be mode 0600)");
}

// A number from lo to hi; unlike CLI::Range it refuses nan.
CLI::Validator between(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !(v >= lo && v <= hi)) {
          return fmt::format("{} is not a number from {} to {}", text, lo, hi);
        }
        return "";
      },
      fmt::format("NUMBER:[{} - {}]", lo, hi));
}

// A whole number from 0 to 2^64-1 (CLI11 would wrap "-1" around).
CLI::Validator seed_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.size() <= 20 &&
                            text.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || (text.size() == 20 && text > "18446744073709551615")) {
          return text + " is not a seed (a whole number from 0 to 18446744073709551615)";
        }
        return "";
      },
      "SEED");
}

// --perturb, on every command that plays scenarios (docs/concurrency.md).
void add_perturb_option(CLI::App* sub, std::string& perturb, const std::string& what) {
  sub->add_option("--perturb", perturb,
                  what +
                      ": seeded pauses at every call the switch makes, so that rare "
                      "interleavings of its threads occur (auto: for a switch whose hello says "
                      "\"threads\"; on: any in-process switch; docs/concurrency.md)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "on", "off"}));
}

// The switch to drive, with one text on every command that drives one.
void add_switch_options(CLI::App* sub, wrongbox::cli::SwitchOptions& o) {
  sub->add_option("--sut", o.sut,
                  "Switch under test: builtin:NAME (the reference and its defect variants, "
                  "`wrongbox suts`), exec:'COMMAND ARGS' (a program speaking protocol v1), "
                  "net:FILE (a switch run unmodified over HTTP, described by FILE: "
                  "docs/network.md) or "
                  "plugin:PATH.so [ARG] (a shared library with the C ABI of wrongbox/plugin.h)")
      ->capture_default_str();
  sub->add_option("--timeout", o.timeout,
                  "exec:, net: seconds a command (net: a request) may take (above 0; net: "
                  "overrides the file's start.timeout)")
      ->capture_default_str()
      ->check(between(1e-3, 86400));
  sub->add_option("--switch-log", o.switch_log,
                  "exec:, net: file for the switch's output (default "
                  "wrongbox-logs/switch-PID.log, net: wrongbox-logs/net-switch-PID.log)");
  // With --tls, net:FILE becomes net+tls:FILE (net+signed:FILE with
  // --verify-signatures): what the command prints to run again (reproduce,
  // replay, evidence) then carries the options.
  sub->parse_complete_callback([&o] {
    if (auto n = wrongbox::parse_net_sut(o.sut)) {
      n->tls |= o.tls;
      n->verify_signatures |= o.verify_signatures;
      o.sut = n->spec();
    }
  });
  sub->add_flag("--tls", o.tls,
                "net: the fakes speak HTTPS and demand a client certificate, both of a CA made "
                "for the run: {tls_ca}, {tls_cert} and {tls_key} name its files");
  sub->add_flag("--verify-signatures", o.verify_signatures,
                "net: each deliverSecure's SignedDelivery must carry an XML signature (enveloped, "
                "URI=\"\") that verifies with the certificate the net: file's [signatures] "
                "table names");
}

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
                   "its guards name (--sut is not used); exit 0 when every guard holds (the "
                   "defect fails naming the guard's property), 1 when one is lost");
  replay->add_flag("--fail-fast,-x", o->fail_fast,
                   "Stop after the first file that fails; the rest are counted as not played");
  add_evidence_options(replay, o->evidence);
  commands.push_back({replay, [o] { return wrongbox::cli::replay(*o).exit_code; }});
}

void add_check(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::CheckCliOptions>();
  auto* check = app.add_subcommand(
      "check",
      "Property-based campaign: generate scenarios aimed at misdelivery, play them against the "
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

void add_soak(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::SoakCliOptions>();
  auto* soak = app.add_subcommand(
      "soak",
      "Long generated traffic (a steady day, an incident week) against one switch, judged as it "
      "goes by an oracle whose memory is bounded by the messages in flight. A finding is cut "
      "out of the traffic as a short scenario, shrunk, saved and recorded.");
  add_switch_options(soak, *o);
  soak->add_option("--messages", o->messages, "Messages to send")
      ->capture_default_str()
      ->check(CLI::Range(1LL, 1000000000LL));
  soak->add_option("--rate", o->rate, "Messages per second at most (0: as fast as the switch goes)")
      ->capture_default_str()
      ->check(between(0, 1e9));
  soak->add_option("--profile", o->profile, "Traffic profile: steady-day or incident-week")
      ->capture_default_str();
  soak->add_option("--seed", o->seed, "Traffic seed: the same seed sends the same traffic")
      ->capture_default_str()
      ->check(seed_number());
  soak->add_option("--retain", o->retain,
                   "Settled messages the oracle keeps knowing (a late copy of an older one is "
                   "still a violation, reported as unknown content)")
      ->capture_default_str()
      ->check(CLI::Range(1024LL, 100000000LL));
  soak->add_option("--time-budget", o->time_budget,
                   "Seconds after which the soak stops cleanly, as if its messages were sent "
                   "(0: no limit)")
      ->capture_default_str()
      ->check(between(0, 1e7));
  soak->add_option("--shrink-budget", o->shrink_budget,
                   "Seconds for cutting a finding out of the traffic and shrinking it, at most "
                   "(within --time-budget, with 5 s at least); the best scenario so far is saved")
      ->capture_default_str()
      ->check(between(1, 1e7));
  soak->add_option("--save-failures", o->save_failures,
                   "Failure memory directory for the cut-out finding (\"\" to not save)")
      ->capture_default_str();
  soak->add_flag("--json", o->json, "Progress and the result as JSON lines on standard output");
  soak->add_flag("--quiet,-q", o->quiet, "Print only the verdict");
  add_evidence_options(soak, o->evidence);
  commands.push_back({soak, [o] { return wrongbox::cli::soak(*o).exit_code; }});
}

void add_evidence(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::EvidenceToolOptions>();
  auto* evidence = app.add_subcommand("evidence", "Work with an evidence store.");
  evidence->require_subcommand(1);
  auto* verify = evidence->add_subcommand(
      "verify",
      "Recompute the hash chain and check every signature; name the first run that was changed, "
      "removed or reordered. Given a bundle (a directory or .tar from `evidence export`), uses "
      "its public key and head. Exit 0 intact, 1 tampered, 2 unreadable.");
  verify->add_option("file", o->store, "Evidence store, or a bundle directory or .tar")->required();
  verify->add_option("--public-key", o->public_key,
                     "Every signature must be by this key, and a head signature by it must "
                     "cover the last record");
  verify->add_option("--expect-head", o->expect_head,
                     "A head file (`evidence head`, `evidence export`) or a record's hash: it "
                     "must still be in the chain (deleting the newest runs is seen)");
  auto* merge = evidence->add_subcommand(
      "merge", "Join stores (e.g. from sharded CI jobs) into OUT; every input must verify.");
  merge->add_option("out", o->out, "Store to merge into (created if missing)")->required();
  merge->add_option("inputs", o->inputs, "Stores to merge")->required();
  merge->add_option("--sign-key", o->sign_key,
                    "Secret key: sign OUT's unsigned runs and its new head (the inputs' run "
                    "signatures are kept either way)");
  auto* keygen = evidence->add_subcommand(
      "keygen",
      "Make an Ed25519 key pair for signing evidence: FILE (secret, mode 0600, never "
      "overwritten) and FILE.pub.");
  keygen->add_option("file", o->out, "Secret key file to create")->required();
  auto* sign = evidence->add_subcommand(
      "sign", "Sign every complete run not yet signed by the key, and the chain's head.");
  sign->add_option("file", o->store, "Evidence store")->required();
  sign->add_option("--sign-key", o->sign_key, "Secret key (`evidence keygen`)")->required();
  auto* head = evidence->add_subcommand(
      "head",
      "Print (or write with --out) where the store's chain ends: keep it, and `verify "
      "--expect-head` shows later whether records were removed.");
  head->add_option("file", o->store, "Evidence store")->required();
  head->add_option("--out", o->out, "Head file to write (default: standard output)");
  head->add_option("--sign-key", o->sign_key, "Also sign the head");
  auto* export_cmd = evidence->add_subcommand(
      "export",
      "Write an evidence bundle: the store, its head, the public key, the HTML report and "
      "VERIFY.md with the commands that check it.");
  export_cmd->add_option("file", o->store, "Evidence store")->required();
  export_cmd->add_option("--out", o->out, "A new directory, or FILE.tar")->required();
  export_cmd->add_option("--sign-key", o->sign_key,
                         "Secret key: sign the unsigned runs and the head first");
  export_cmd->add_option("--public-key", o->public_key,
                         "Public key to put in the bundle (the store was signed with its pair)");
  using wrongbox::cli::CommandResult;
  using wrongbox::cli::EvidenceToolOptions;
  for (auto [sub, run] : {std::pair{verify, &wrongbox::cli::evidence_verify},
                          std::pair{merge, &wrongbox::cli::evidence_merge},
                          std::pair{keygen, &wrongbox::cli::evidence_keygen},
                          std::pair{sign, &wrongbox::cli::evidence_sign},
                          std::pair{head, &wrongbox::cli::evidence_head},
                          std::pair{export_cmd, &wrongbox::cli::evidence_export}}) {
    commands.push_back({sub, [o, run = run] { return run(*o, {}).exit_code; }});
  }
}

void add_lists(CLI::App& app, std::vector<Command>& commands) {
  auto* suts = app.add_subcommand("suts", "Print the built-in switch names, one per line.");
  commands.push_back({suts, [] {
                        for (const auto& n : wrongbox::builtin_sut_names()) {
                          fmt::print("builtin:{}\n", n);
                        }
                        return wrongbox::cli::kExitOk;
                      }});
  auto* situations = app.add_subcommand(
      "situations",
      "Print the decision kinds, their conditions and values, and how many pairs of values the "
      "rules allow (the tables of docs/situations.md).");
  commands.push_back({situations, [] {
                        fmt::print("{}", wrongbox::cli::situation_tables());
                        return wrongbox::cli::kExitOk;
                      }});
}

void add_report(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::ReportOptions>();
  auto* report = app.add_subcommand("report", "Render a report from an evidence store.");
  report->add_option("--evidence", o->store, "Evidence store")->capture_default_str();
  report->add_option("--format", o->format, "html, md, json, junit or sarif")
      ->capture_default_str();
  report->add_option("--out", o->out, "Output file (default: standard output)");
  report
      ->add_option("--after-run", o->scope.after_run,
                   "Only runs with a larger id (the chain is still verified whole)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  report->add_option("--run", o->scope.run, "Only this run (its id)")->check(CLI::PositiveNumber);
  report->add_option("--since", o->scope.since,
                     "Only runs started at or after this UTC time (ISO 8601: 2026-12-01 or "
                     "2026-12-01T14:00:00Z)");
  report->add_option("--campaign", o->scope.campaign,
                     "Only the runs of this campaign (the id `wrongbox campaign` prints)");
  commands.push_back({report, [o] { return wrongbox::cli::report(*o).exit_code; }});
}

void add_convert(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::ConvertOptions>();
  auto* convert = app.add_subcommand(
      "convert",
      "A fuzzer input becomes a scenario file, a scenario file (*.wbs) becomes a "
      "fuzzer input: a crash becomes corpus/regressions/NAME.wbs in one command.");
  convert->add_option("input", o->in, "Fuzzer input, or a *.wbs scenario")->required();
  convert->add_option("--out,-o", o->out, "Output file (default: standard output)");
  commands.push_back({convert, [o] { return wrongbox::cli::convert(*o).exit_code; }});
}

void add_sample(CLI::App& app, std::vector<Command>& commands) {
  struct SampleOptions {
    unsigned long long seed = 1;
    int count = 3;
    int max_steps = 12;
  };
  auto o = std::make_shared<SampleOptions>();
  auto* sample = app.add_subcommand(
      "sample", "Print scenarios as `check` would generate them (no switch is run).");
  sample->add_option("--seed", o->seed, "Random seed")->capture_default_str()->check(seed_number());
  sample->add_option("--count", o->count, "How many scenarios")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  sample->add_option("--max-steps", o->max_steps, "Generated actions per scenario, at most")
      ->capture_default_str()
      ->check(CLI::Range(1, 200));
  commands.push_back({sample, [o] {
                        wrongbox::check::GenConfig cfg;
                        cfg.max_steps = o->max_steps;
                        for (const auto& sc :
                             wrongbox::check::sample_scenarios(cfg, o->seed, o->count)) {
                          fmt::print("{}\n", wrongbox::print_scenario(sc));
                        }
                        return wrongbox::cli::kExitOk;
                      }});
}

}  // namespace

int main(int argc, char** argv) {
  using namespace wrongbox;
  // Whole lines reach a file or pipe even when the harness is killed.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  cli::say_why_on_termination();
  CLI::App app{
      "Wrongbox: a regression harness for recipient-routing message switches.\n"
      "Exit codes: 0 nothing violated, 1 a property was violated, 2 usage or input error,\n"
      "3 the switch failed (crash, hang, protocol error).",
      "wrongbox"};
  app.set_version_flag("--version", std::string("wrongbox ") + WRONGBOX_VERSION);
  app.footer(
      "Environment: WRONGBOX_EXEC_SPIN_US: exec: how long to look for a switch's answer before\n"
      "sleeping, in microseconds (default 200; 0 = sleep at once; see docs/protocol.md, Speed).\n"
      "WRONGBOX_NET_SLOW_READER_MS: net: the thread reading the switch's output pauses so long\n"
      "before each read, as on a busy machine (a run must not change with it; for tests).\n"
      "WRONGBOX_WIRE_STEERING=0: net: the steered search counts the fakes' freedoms but keeps\n"
      "no scenario for them (bench/wire_steering.sh compares).");
  app.require_subcommand(1);

  // In the order `wrongbox --help` lists them.
  std::vector<Command> commands;
  add_lists(app, commands);
  add_replay(app, commands);
  add_check(app, commands);
  add_mutants(app, commands);
  add_conformance(app, commands);
  add_evidence(app, commands);
  add_report(app, commands);
  add_campaign(app, commands);
  add_fuzz(app, commands);
  add_explain(app, commands);
  add_shrink(app, commands);
  add_corpus(app, commands);
  add_soak(app, commands);
  add_convert(app, commands);
  add_sample(app, commands);

  for (int i = 0; i < argc; ++i) {
    cli::command_line() += (i ? " " : "") + shell_quote(argv[i]);
  }
  check::program_name() = cli::program_for_commands();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? cli::kExitOk : cli::kExitUsage;
  }
  for (const auto& c : commands) {
    if (c.sub->parsed()) return c.run();
  }
  return cli::kExitUsage;
}
