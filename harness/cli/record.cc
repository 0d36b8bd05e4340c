// Evidence recording helpers for the CLI.
#include "harness/cli/record.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/net/net_spec.h"
#include "harness/protocol/exec_switch.h"

namespace wrongbox::cli {

std::string& command_line() {
  static std::string s;
  return s;
}

std::string& current_campaign() {
  static std::string s;
  return s;
}

std::string fingerprint(const std::string& spec) {
  namespace fs = std::filesystem;
  if (spec.rfind("builtin:", 0) == 0) {
    return "wrongbox=" + evidence::sha256_file("/proc/self/exe");
  }
  std::vector<std::string> words;
  std::string error;
  const auto colon = spec.find(':');
  if (colon == std::string::npos || !split_command(spec.substr(colon + 1), words, error)) return "";
  std::string out;
  fs::path base;  // where relative words are found
  if (const auto net = parse_net_sut(spec)) {
    // The net: file, then the files its start command names (run in its directory).
    std::error_code ec;
    const std::string file = net->file;
    if (!fs::is_regular_file(file, ec)) return "";
    out = file + "=" + evidence::sha256_file(file);
    std::vector<std::string> command;
    try {
      const auto ns = net::load_net_spec(file);
      base = ns.dir;
      if (!split_command(ns.command, command, error)) command.clear();
      // --verify-signatures trusts this certificate: it is part of what was tested.
      if (!ns.signing_certificate.empty() && fs::is_regular_file(ns.signing_certificate, ec)) {
        out += " " + ns.signing_certificate + "=" + evidence::sha256_file(ns.signing_certificate);
      }
    } catch (const std::exception&) {
    }
    words = std::move(command);
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string path = words[i];
    if (!base.empty() && fs::path(path).is_relative() &&
        (i > 0 || path.find('/') != std::string::npos)) {
      path = (base / path).string();
    }
    if (i == 0 && path.find('/') == std::string::npos) {
      std::stringstream dirs(std::getenv("PATH") ? std::getenv("PATH") : "");
      for (std::string d; std::getline(dirs, d, ':');) {
        if (fs::is_regular_file(fs::path(d) / path)) {
          path = (fs::path(d) / path).string();
          break;
        }
      }
    }
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) continue;
    out += (out.empty() ? "" : " ") + words[i] + "=" + evidence::sha256_file(path);
  }
  return out;
}

bool Console::live() const {
  return ::isatty(::fileno(err)) != 0;
}

Recorder::Recorder(const EvidenceOptions& o, const std::string& command, const OpenedSut* sut,
                   const std::string& sut_spec, const Settings& settings, const Console& io)
    : io_(io) {
  if (o.disabled) return;
  path_ = o.path;
  // The key first: a key that cannot be used stops the command before it runs.
  if (!o.sign_key.empty()) key_ = evidence::load_secret_key(o.sign_key);
  store_.emplace(evidence::Store::open(o.path));
  evidence::RunHeader h;
  h.command = command;
  h.command_line = command_line();
  h.sut_spec = sut_spec;
  if (sut) {
    h.sut_name = sut->hello.name;
    h.sut_version = sut->hello.version;
  }
  h.sut_sha256 = sut_spec.empty() ? "" : fingerprint(sut_spec);
  Settings all = Settings::object();
  if (!current_campaign().empty()) all["campaign"] = current_campaign();
  all.update(settings);
  h.settings_json = all.dump();
  run_ = store_->begin_run(h);
}

bool Recorder::finish_one(const std::string& file, const RunResult& r, const std::string& report,
                          int rc, long scenarios, CommandResult& failed) {
  write([&](evidence::Store& store, std::int64_t run) {
    store.add_scenario(run, {file, to_string(r.outcome), summarize(r), report});
  });
  auto t = run_totals(rc, scenarios, r.stats.steps, r.stats.messages);
  t.checks = r.checks;
  if (const auto* v = r.headline()) ++t.violations[static_cast<int>(v->property)];
  return finish(t, failed, /*quiet=*/true);
}

void Recorder::write(const std::function<void(evidence::Store&, std::int64_t run)>& rows) {
  if (!store_ || !error_.empty()) return;
  try {
    rows(*store_, run_);
  } catch (const evidence::EvidenceError& e) {
    error_ = e.what();
  }
}

bool Recorder::finish(const evidence::RunTotals& t, CommandResult& failed, bool quiet) {
  if (!store_) return true;
  if (error_.empty()) {
    try {
      store_->finish_run(run_, t);
      if (key_) store_->sign_run_and_head(run_, *key_);
    } catch (const evidence::EvidenceError& e) {
      error_ = e.what();
    }
  }
  if (!error_.empty()) {
    fail(failed, io_, kExitUsage, "evidence: " + error_);
    return false;
  }
  if (!quiet) {
    fmt::print(io_.out, "evidence: {} (run #{}{})\n", path_, run_,
               key_ ? ", signed by key " + key_->pub.id : "");
  }
  return true;
}

std::optional<OpenedSut> open_sut_for_cli(const std::string& spec, const SutOptions& options,
                                          const Console& io, CommandResult& failed) {
  try {
    return open_sut(spec, options);
  } catch (const SutError& e) {
    fail(failed, io, kExitUsage, e.what());
  } catch (const std::exception& e) {
    fail(failed, io, kExitSwitchFailed,
         fmt::format("switch {} failed to start: {}", spec, e.what()));
  }
  return std::nullopt;
}

std::optional<Recorder> start_recording(const EvidenceOptions& o, const std::string& command,
                                        const OpenedSut* sut, const std::string& sut_spec,
                                        const Settings& settings, const Console& io,
                                        CommandResult& failed) {
  try {
    return std::optional<Recorder>(std::in_place, o, command, sut, sut_spec, settings, io);
  } catch (const evidence::EvidenceError& e) {
    fail(failed, io, kExitUsage, std::string("evidence: ") + e.what());
    return std::nullopt;
  }
}

evidence::RunTotals run_totals(int exit_code, long scenarios, long steps, long messages) {
  evidence::RunTotals t;
  t.exit_code = exit_code;
  t.verdict = verdict_word(exit_code);
  t.scenarios = scenarios;
  t.steps = steps;
  t.messages = messages;
  return t;
}

void count_scenario(evidence::RunTotals& t, const RunResult& r) {
  ++t.scenarios;
  t.steps += r.stats.steps;
  t.messages += r.stats.messages;
  for (int p = 0; p < kPropertyCount; ++p) t.checks[p] += r.checks[p];
}

std::string verdict_word(int exit_code) {
  switch (exit_code) {
    case kExitOk:
      return "pass";
    case kExitViolation:
      return "violation";
    case kExitSwitchFailed:
      return "switch-failure";
    default:
      return "input-error";
  }
}

}  // namespace wrongbox::cli

namespace wrongbox::cli {

int import_failures(evidence::Store& store, const std::string& sut_spec, const std::string& dir) {
  int written = 0;
  std::error_code ec;
  for (const auto& found : store.counterexamples_found(sut_spec)) {
    auto parsed = parse_scenario(found.scenario_text, "evidence");
    if (!parsed.ok() || found.property.find('/') != std::string::npos) continue;
    Scenario sc = std::move(*parsed.scenario);
    const auto path = std::filesystem::path(dir) / check::saved_failure_name(found.property, sc);
    if (std::filesystem::exists(path, ec)) continue;
    std::filesystem::create_directories(dir, ec);
    sc.header_comments.insert(sc.header_comments.begin(),
                              "Imported from the evidence store " + store.path() + ", run #" +
                                  std::to_string(found.run) + " (" + found.command + ").");
    std::ofstream out(path, std::ios::binary);
    out << print_scenario(sc);
    if (out) ++written;
  }
  return written;
}

std::string story_trace(const RunResult& traced) {
  const auto& lines = traced.trace;
  std::string out;
  if (!traced.failed()) out += "(this replay, made for the story, did not fail again)\n";
  std::size_t from = 0;
  if (lines.size() > kStoryLines) {
    from = lines.size() - kStoryLines;
    out += fmt::format("({} earlier lines left out)\n", from);
  }
  for (std::size_t i = from; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

std::string story_trace(const Scenario& sc, Switch& sw, RunOptions options) {
  options.trace = true;
  try {
    return story_trace(run_scenario(sc, sw, options));
  } catch (const std::exception&) {
    return "";  // the story is an aid: its absence loses nothing recorded
  }
}

}  // namespace wrongbox::cli
