// wrongbox: command-line entry point. Parses arguments (CLI11) and hands over
// to one subcommand in harness/cli/.
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "harness/cli/commands.h"
#include "harness/sut.h"

int main(int argc, char** argv) {
  using namespace wrongbox;
  CLI::App app{
      "Wrongbox: a regression harness for recipient-routing message switches.\n"
      "Exit codes: 0 nothing violated, 1 a property was violated, 2 usage or input error,\n"
      "3 the switch failed (crash, hang, protocol error).",
      "wrongbox"};
  app.set_version_flag("--version", std::string("wrongbox ") + WRONGBOX_VERSION);
  app.require_subcommand(1);

  auto* suts = app.add_subcommand("suts", "Print the built-in switch names, one per line.");

  cli::ReplayOptions ro;
  auto* replay = app.add_subcommand(
      "replay",
      "Replay scenario files (or directories of *.wbs files) against a switch and print one "
      "line per scenario, the failures' reports, and a summary.");
  replay->add_option("paths", ro.paths, "Scenario files or directories")->required();
  replay->add_option("--sut", ro.sut, "Switch under test: builtin:NAME (see `wrongbox suts`)")
      ->capture_default_str();
  replay->add_flag("--trace", ro.trace,
                   "Print every step and every call the switch made, with the oracle's view");
  replay->add_flag("--quiet,-q", ro.quiet, "Print only failures and the summary");
  replay->add_option("--seed", ro.seed, "Canary key seed (any value; fixed for reproducible text)")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? cli::kExitOk : cli::kExitUsage;
  }

  if (suts->parsed()) {
    for (const auto& n : builtin_sut_names()) fmt::print("builtin:{}\n", n);
    return cli::kExitOk;
  }
  if (replay->parsed()) return cli::replay(ro);
  return cli::kExitUsage;
}
