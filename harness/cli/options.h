// The subcommands' options (CLI11): each add_NAME declares one subcommand
// and how to run it, a function of commands.h. main.cc runs what was parsed.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "harness/cli/commands.h"

namespace wrongbox::cli::options {

// A subcommand, and what runs it (its options live in the closure).
struct Command {
  CLI::App* sub;
  std::function<int()> run;
};

// Options every command that records a run takes.
void add_evidence_options(CLI::App* sub, wrongbox::cli::EvidenceOptions& e);

// A number from lo to hi; unlike CLI::Range it refuses nan.
CLI::Validator between(double lo, double hi);

// A whole number from 0 to 2^64-1 (CLI11 would wrap "-1" around).
CLI::Validator seed_number();

// --perturb, on every command that plays scenarios (docs/concurrency.md).
void add_perturb_option(CLI::App* sub, std::string& perturb, const std::string& what);

// The switch to drive, with one text on every command that drives one.
void add_switch_options(CLI::App* sub, wrongbox::cli::SwitchOptions& o);

void add_replay(CLI::App& app, std::vector<Command>& commands);

void add_check(CLI::App& app, std::vector<Command>& commands);

void add_mutants(CLI::App& app, std::vector<Command>& commands);

void add_conformance(CLI::App& app, std::vector<Command>& commands);

void add_campaign(CLI::App& app, std::vector<Command>& commands);

void add_fuzz(CLI::App& app, std::vector<Command>& commands);

void add_explain(CLI::App& app, std::vector<Command>& commands);

void add_shrink(CLI::App& app, std::vector<Command>& commands);

void add_corpus(CLI::App& app, std::vector<Command>& commands);

}  // namespace wrongbox::cli::options
