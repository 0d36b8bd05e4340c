// wrongbox: command-line entry point. Each add_NAME declares one subcommand's
// options (CLI11) and how to run it; main parses the command line and runs
// the subcommand given, a function of harness/cli/commands.h.
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

namespace {

using namespace wrongbox::cli::options;

void add_soak(CLI::App& app, std::vector<Command>& commands) {
  auto o = std::make_shared<wrongbox::cli::SoakCliOptions>();
  auto* soak = app.add_subcommand(
      "soak",
      "Long generated traffic (a steady day, an incident week) against one switch, judged as it "
      "goes by an oracle whose memory follows the messages in flight; the switch is reset once, "
      "at the start. A finding is cut out of the traffic as a short scenario, shrunk, saved and "
      "recorded.");
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
  add_perturb_option(soak, o->perturb,
                     "Schedule perturbation, light: one call in 16 may pause, the seed from "
                     "--seed");
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
