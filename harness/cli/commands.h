// Subcommands of the `wrongbox` tool. Each is a function that takes its
// options and a Console (where it writes) and returns a result: the process
// exit code (0 nothing violated, 1 a property was violated, 2 usage or input
// error, 3 the switch failed: crash, hang, protocol error), the line that
// sums the run up, and what to do next about a finding. `main` parses the
// command line and calls one; `campaign` calls several, each writing to its
// phase's log, and composes their results.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "harness/cli/console.h"
#include "harness/cli/record.h"
#include "harness/cli/sut.h"
#include "harness/core/runner.h"
#include "harness/core/scenario.h"
#include "harness/evidence/report.h"
#include "models/situation.h"

namespace wrongbox::cli {

// --perturb's text ("auto", "on", "off") as the option's value.
inline Perturb perturb_from(const std::string& text) {
  return text == "on" ? Perturb::kOn : text == "off" ? Perturb::kOff : Perturb::kAuto;
}

// The switch a command drives, with the options every such command has
// (--sut, --timeout, --switch-log), declared once.
struct SwitchOptions {
  std::string sut = "builtin:reference";
  double timeout = 10;     // exec: seconds a command may take
  std::string switch_log;  // exec: the switch's standard error ("" = wrongbox-logs/switch-PID.log)
  bool tls = false;        // net: the fakes speak mutual TLS
  bool verify_signatures = false;  // net: deliverSecure must be signed
  SutOptions sut_options() const {
    SutOptions s{timeout, switch_log};
    s.tls = tls;
    s.verify_signatures = verify_signatures;
    return s;
  }
};

struct ReplayOptions : SwitchOptions {
  std::vector<std::string> paths;
  bool trace = false;
  bool quiet = false;
  unsigned long long seed = 1;
  EvidenceOptions evidence;
  double budget_seconds = 0;  // no file starts after this many seconds (0: no limit)
  long long retain = Oracle::kDefaultRetain;  // settled messages the oracle keeps knowing
  int runs = 0;                  // plays of each file (0: 1, or 20 for a switch with threads)
  std::string perturb = "auto";  // schedule perturbation: auto (a switch with threads), on, off
  // Selection (all given: a file must pass each).
  std::vector<std::string> tags;    // --tag: files with any of these tags
  std::vector<std::string> guards;  // --guards: a guard by this defect, class or property
  bool last_failed = false;         // --last-failed: what failed in the last replay of this switch
  bool fail_fast = false;           // --fail-fast: stop after the first failing file
  // --check-guards: each file's guards lines, each on its built-in defect
  // (--sut unused): the guard holds when the defect fails naming its property.
  bool check_guards = false;
};

struct ReplayResult : CommandResult {
  long played = 0, passed = 0, failed = 0, input_errors = 0, switch_failures = 0, skipped = 0;
  long not_played = 0;  // left when the time budget was spent
};

ReplayResult replay(const ReplayOptions& o, const Console& io = {});

// Scenario files under the given paths (files as given, directories
// recursively, *.wbs only), sorted. Appends unreadable paths to `errors`.
std::vector<std::string> collect_scenarios(const std::vector<std::string>& paths,
                                           std::vector<std::string>& errors);

// The scenarios of collect_scenarios(paths), parsed. Appends unreadable paths
// and parse errors (file:line:col) to `errors`.
std::vector<Scenario> load_scenarios(const std::vector<std::string>& paths,
                                     std::vector<std::string>& errors);

}  // namespace wrongbox::cli

namespace wrongbox::cli {

struct CheckCliOptions : SwitchOptions {
  int tests = 0;  // > 0: exactly this many; 0: until covered or the budget
  unsigned long long seed = 0;
  int max_steps = 12;
  double time_budget = 0;  // 0 with tests == 0: check::kDefaultCheckBudget
  int coverage_k = 0;      // 0: check::kDefaultCoverageK (and no coverage stop with a budget)
  std::string search = "steered";
  std::string shard;  // "K/N" ("" = the whole search)
  std::string reproduce;
  std::string save_failures = "wrongbox-failures";
  bool no_memory = false;
  std::string weights;
  bool no_swarm = false;
  std::string perturb = "auto";  // auto (a switch with threads), on, off
  int schedules = 4;             // runs of each scenario for a threaded or perturbed switch
  bool quiet = false;
  EvidenceOptions evidence;
  // When set, called after each chunk of scenarios instead of printing progress.
  std::function<void(int tests_done, double seconds)> progress;
};

struct CheckCommandResult : CommandResult {
  long long scenarios = 0;
  unsigned long long seed = 0;
  std::string situations;              // "341/341 met (100.0 %), 341/341 met 3+ times"
  std::vector<std::string> never_met;  // the situation pairs never met, described
};

CheckCommandResult check(const CheckCliOptions& o, const Console& io = {});
// Markdown tables of every decision kind's conditions (`wrongbox situations`).
std::string situation_tables();
// Situation pairs met once and k times, as one line: "341/341 met (100.0 %),
// 341/341 met 3+ times".
std::string situations_met(const model::SituationCoverage& cov, std::uint64_t k);
// The coverage lines `check`, `campaign` and `mutants` print: pairs met once
// and k times, per decision kind, and the pairs never exercised.
std::string situation_summary(const model::SituationCoverage& cov, std::uint64_t k, int once_at = 0,
                              int k_at = 0);

}  // namespace wrongbox::cli

namespace wrongbox::cli {

struct MutantsOptions {
  std::string corpus;             // "" = the built-in regression corpus (builtin_corpus_dir())
  int tests = 10000;              // property-based scenarios per defect, at most
  double budget_per_defect = 10;  // seconds of search per defect
  unsigned long long seed = 1;
  std::string markdown;  // also write the matrix here
  std::string defects;   // comma-separated names; "" = all (the reference always runs)
  std::string fuzzer;    // "" = find_fuzzer("")
  bool no_fuzz = false;  // leave out the fuzzing engine
  std::string fuzz_work = "wrongbox-fuzz";
  long long soak_messages = 100000;  // 0 leaves the soak engine out
  std::string soak_profile = "steady-day";
  bool soak_all = false;  // soak every variant, not only what the other engines missed
  EvidenceOptions evidence;
};

CommandResult mutants(const MutantsOptions& o, const Console& io = {});

}  // namespace wrongbox::cli

namespace wrongbox::cli {

struct ConformanceOptions : SwitchOptions {
  EvidenceOptions evidence;
};

struct ConformanceResult : CommandResult {
  int passed = 0, checks = 0;
};

ConformanceResult conformance(const ConformanceOptions& o, const Console& io = {});

}  // namespace wrongbox::cli

namespace wrongbox::cli {
// `wrongbox evidence verify|merge|keygen|sign|head|export`.
struct EvidenceToolOptions {
  std::string store;                // the store (verify: or a bundle directory or .tar)
  std::string public_key;           // verify: every signature by this key, the head signed by it
  std::string expect_head;          // verify: a head file, or a record's 64-digit hash
  std::string sign_key;             // sign, head, merge, export: the secret key
  std::string out;                  // keygen: the secret key file; head: the head file; export
  std::vector<std::string> inputs;  // merge
};
CommandResult evidence_verify(const EvidenceToolOptions& o, const Console& io = {});
CommandResult evidence_merge(const EvidenceToolOptions& o, const Console& io = {});
CommandResult evidence_keygen(const EvidenceToolOptions& o, const Console& io = {});
CommandResult evidence_sign(const EvidenceToolOptions& o, const Console& io = {});
CommandResult evidence_head(const EvidenceToolOptions& o, const Console& io = {});
CommandResult evidence_export(const EvidenceToolOptions& o, const Console& io = {});
// Runs after `after_run` only (0: every run); SARIF file locations relative
// to the working directory.
struct ReportOptions {
  std::string store = "wrongbox-evidence.db";
  std::string format = "md";  // html, md, json, junit, sarif
  std::string out;            // "" or "-": standard output
  evidence::ReportScope scope;
};
CommandResult report(const ReportOptions& o, const Console& io = {});
}  // namespace wrongbox::cli

namespace wrongbox::cli {

struct CampaignOptions : SwitchOptions {
  double budget = 60;               // seconds, all phases
  int tests = 0;                    // > 0: the search plays exactly this many scenarios
  std::string shard;                // "K/N": this job's share of the search ("" = all of it)
  std::vector<std::string> corpus;  // scenario files or directories, besides the built-in corpus
  bool no_builtin_corpus = false;   // replay only --corpus
  std::string junit;                // write this campaign's JUnit XML here ("" = none)
  std::string sarif;                // and its SARIF
  std::string failures = "wrongbox-failures";
  std::string report = "wrongbox-report.html";
  std::string logs = "wrongbox-logs";
  unsigned long long seed = 0;
  bool quiet = false;
  bool json = false;
  std::string fuzzer;            // "" = find_fuzzer("")
  bool no_fuzz = false;          // skip the fuzzing phase
  std::string perturb = "auto";  // the search phase's schedule perturbation (check --perturb)
  std::string fuzz_work = "wrongbox-fuzz";
  EvidenceOptions evidence;
};

struct CampaignResult : CommandResult {
  struct Phase {
    std::string name;  // conformance, replay, check, fuzz, report
    CommandResult result;
    std::string log;  // the phase's full output ("" when it wrote none)
    bool skipped = false;
  };
  std::vector<Phase> phases;
  std::string id;         // the campaign id every run it recorded carries
  std::string head_file;  // written beside the report when the chain verified
};

// The display (one line per phase, --json events) goes to io.out.
CampaignResult campaign(const CampaignOptions& o, const Console& io = {});

}  // namespace wrongbox::cli

namespace wrongbox::cli {

struct FuzzCliOptions {
  std::string sut = "builtin:reference";
  double budget = 60;                  // seconds
  std::string fuzzer;                  // "" = find_fuzzer("")
  std::vector<std::string> seeds;      // scenario files or directories
  std::string work = "wrongbox-fuzz";  // WORK/<switch>/corpus grows across runs
  std::string log;                     // "" = WORK/<switch>/fuzzer.log
  std::string save_failures = "wrongbox-failures";
  unsigned long long seed = 0;
  int max_len = 512;
  bool quiet = false;
  EvidenceOptions evidence;
  // When set, called about once a second instead of printing progress.
  std::function<void(long inputs, double seconds)> progress;
};

struct FuzzCommandResult : CommandResult {
  long inputs = 0;
  double seconds = 0;
};

FuzzCommandResult fuzz(const FuzzCliOptions& o, const Console& io = {});

}  // namespace wrongbox::cli

namespace wrongbox::cli {

struct ExplainOptions : SwitchOptions {
  std::string file;
  EvidenceOptions evidence;
};

CommandResult explain(const ExplainOptions& o, const Console& io = {});

struct ShrinkOptions : SwitchOptions {
  std::string file;
  std::string out;             // "" = the shrunk scenario on standard output
  double budget_seconds = 60;  // no replay starts after this
  EvidenceOptions evidence;
};

CommandResult shrink(const ShrinkOptions& o, const Console& io = {});

// `corpus minimize` and `corpus dedup` (docs/corpus.md).
struct CorpusOptions : SwitchOptions {
  std::string action;  // "minimize" or "dedup"
  std::vector<std::string> paths;
  std::string out;             // where the kept files go ("" = dedup only reports)
  double shrink_seconds = 10;  // dedup: shrinking time per failing file
};

CommandResult corpus(const CorpusOptions& o, const Console& io = {});

}  // namespace wrongbox::cli

namespace wrongbox::cli {

struct SoakCliOptions : SwitchOptions {
  long long messages = 1000000;
  double rate = 0;  // messages per second at most (0: as fast as the switch goes)
  std::string profile = "steady-day";
  unsigned long long seed = 1;
  long long retain = Oracle::kDefaultRetain;  // settled messages the oracle keeps knowing
  double time_budget = 0;                     // seconds (0: until the messages are sent)
  double shrink_budget = 60;  // seconds for cutting out and shrinking a finding, at most
  std::string save_failures = "wrongbox-failures";
  std::string perturb = "auto";  // auto (a switch with threads), on, off: a light schedule
  bool json = false;
  bool quiet = false;
  EvidenceOptions evidence;
};

struct SoakCommandResult : CommandResult {
  long long messages = 0;
  double seconds = 0;
};

SoakCommandResult soak(const SoakCliOptions& o, const Console& io = {});

}  // namespace wrongbox::cli

namespace wrongbox::cli {
struct ConvertOptions {
  std::string in;   // a fuzzer input, or a *.wbs scenario
  std::string out;  // "" or "-": standard output
};
CommandResult convert(const ConvertOptions& o, const Console& io = {});

// On SIGTERM, SIGINT and SIGHUP: say on standard error what stopped the
// harness, then die of the signal as before (exit status 128 + N).
void say_why_on_termination();
}  // namespace wrongbox::cli
