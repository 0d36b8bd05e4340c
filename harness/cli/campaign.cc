// `wrongbox campaign`: the whole job in one command. Phases: conformance
// (exec: and plugin: switches), the regression corpus and remembered
// failures, a property-based search and (in-process switch, libFuzzer build)
// coverage-guided fuzzing sharing the rest of the budget, then the evidence
// chain verified and the HTML report written. Each phase's full
// output goes to a log file; the display shows one line per phase.
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "harness/check/check.h"
#include "harness/cli/commands.h"
#include "harness/cli/fuzz_engine.h"
#include "harness/cli/locate.h"
#include "harness/core/printable.h"
#include "harness/evidence/evidence.h"

namespace wrongbox::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A phase's log file, open while alive: the Console the phase writes to
// (its report and its diagnostics both). `append` adds to what is there (the
// campaign's own warnings come first).
class PhaseLog {
 public:
  explicit PhaseLog(const std::string& path, bool append = false)
      : file_(std::fopen(path.c_str(), append ? "a" : "w")) {
    if (file_) std::setvbuf(file_, nullptr, _IOLBF, 0);  // whole lines even if killed
  }
  ~PhaseLog() {
    if (file_) std::fclose(file_);
  }
  PhaseLog(const PhaseLog&) = delete;
  PhaseLog& operator=(const PhaseLog&) = delete;
  // Where the phase writes; nowhere (a null device) when the log cannot be
  // opened, so that the campaign still runs.
  Console console() {
    if (!file_) file_ = std::fopen("/dev/null", "w");
    return Console{file_, file_};
  }

 private:
  std::FILE* file_;
};

// One display for people (TTY: a redrawn line per phase), CI (plain
// periodic lines), and tools (--json: one object per event).
class Display {
 public:
  Display(std::FILE* out, bool quiet, bool json) : out_(out), quiet_(quiet), json_(json) {
    const char* ci = std::getenv("CI");
    tty_ = !json && ::isatty(::fileno(out)) && !(ci && std::string(ci) == "true");
  }
  template <typename... T>
  void print(fmt::format_string<T...> f, T&&... args) {
    fmt::print(out_, f, std::forward<T>(args)...);
    std::fflush(out_);
  }
  void event(const nlohmann::json& e) {
    if (json_) print("{}\n", e.dump());
  }
  void start(const std::string& phase, const std::string& what) {
    event({{"event", "phase-start"}, {"phase", phase}, {"what", what}});
    if (!quiet_ && !json_) print("{:<12} {}\n", phase, what);
    last_ = 0;
  }
  void progress(const std::string& phase, long done, double secs, double budget, int violations,
                const char* unit = "scenarios") {
    event({{"event", "progress"},
           {"phase", phase},
           {unit, done},
           {"seconds", secs},
           {"budget", budget},
           {"violations", violations}});
    if (quiet_ || json_) return;
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    const auto line = fmt::format(
        "{:<12} {} {}, {:.0f}/s, {:.1f} s elapsed, {:.1f} s left, "
        "{} violation(s)",
        phase, done, unit, rate, secs, std::max(0.0, budget - secs), violations);
    if (tty_) {
      print("\r\x1b[2K{}", line);
    } else if (secs - last_ >= 5) {
      print("{}\n", line);
      last_ = secs;
    }
  }
  void warning(const std::string& phase, const std::string& text) {
    event({{"event", "warning"}, {"phase", phase}, {"text", text}});
    if (!json_) print("{:<12} warning: {}\n", phase, text);
  }
  void end(const std::string& phase, int rc, const std::string& summary, const std::string& log) {
    event({{"event", "phase-end"},
           {"phase", phase},
           {"exit_code", rc},
           {"summary", summary},
           {"log", log}});
    if (quiet_ || json_) return;
    if (tty_) print("\r\x1b[2K");
    print("{:<12} {}  {}{}\n", phase, rc == 0 ? "ok  " : "FAIL", summary,
          log.empty() ? "" : "  (" + log + ")");
  }
  bool json() const { return json_; }
  bool quiet() const { return quiet_; }

 private:
  std::FILE* out_ = stdout;
  bool quiet_;
  bool json_;
  bool tty_ = false;
  double last_ = 0;
};

void append_line(const std::string& path, const std::string& line) {
  if (std::FILE* f = std::fopen(path.c_str(), "a")) {
    fmt::print(f, "{}\n", line);
    std::fclose(f);
  }
}

// "20261207T101500Z-1a2b3c4d": a campaign's id, carried by every run it
// records (report --campaign ID).
std::string new_campaign_id() {
  std::random_device rd;
  const auto t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
  return fmt::format("{}-{:08x}", when, rd());
}

// A shard's share of the files (every N-th from the K-th, in sorted order):
// the N shards together replay each file once. Returns what it says of it.
std::string take_share(const std::string& shard, std::vector<std::string>& files) {
  check::CheckOptions so;
  if (shard.empty() || !check::parse_shard(shard, so).empty() || so.shard_count <= 1) return "";
  std::vector<std::string> mine;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (static_cast<int>(i % static_cast<std::size_t>(so.shard_count)) == so.shard_index) {
      mine.push_back(files[i]);
    }
  }
  const auto share = fmt::format(" (shard {}: {} of {} files)", shard, mine.size(), files.size());
  files = std::move(mine);
  return share;
}

// One campaign: its phases in order, each shown on the display, logged to
// its own file and counted in the exit code.
class Campaign {
 public:
  Campaign(const CampaignOptions& o, const Console& io)
      : o_(o), io_(io), d_(io.out, o.quiet, o.json), t0_(Clock::now()) {
    std::error_code ec;
    fs::create_directories(o.logs, ec);
    slug_ = fs::path(check::failures_dir_for("", o.sut)).filename().string();
  }
  CampaignResult run();

 private:
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }
  std::string log(const std::string& phase) const {
    return (fs::path(o_.logs) / ("campaign-" + slug_ + "-" + phase + ".log")).string();
  }
  // A phase's result: shown, kept, and counted in the campaign's exit code.
  void ended(const std::string& phase, CommandResult r, const std::string& log_file) {
    d_.end(phase, r.exit_code, r.summary, log_file);
    worst_ = worst_exit(worst_, r.exit_code);
    res_.phases.push_back({phase, std::move(r), log_file, false});
  }
  bool conformance_phase();
  std::vector<std::string> corpus_paths(std::vector<std::string>& warnings, bool& has_memory);
  void replay_phase();
  void check_phase(double budget);
  void show_never_met(const std::vector<std::string>& never);
  void fuzz_phase(const std::string& fuzzer, const std::string& no_fuzz_why);
  void report_phase();
  CommandResult verify_and_report(const Console& phase);
  void show_end();
  void show_findings();

  const CampaignOptions& o_;
  Console io_;
  Display d_;
  Clock::time_point t0_;
  std::string slug_;
  CampaignResult res_;
  int worst_ = kExitOk;
  std::int64_t before_ = 0;         // this campaign's runs are the ones after it
  std::vector<std::string> paths_;  // what the replay phase read: the fuzzer's seeds
};

CampaignResult Campaign::run() {
  current_campaign() = new_campaign_id();
  res_.id = current_campaign();
  if (!o_.evidence.disabled) {
    try {
      before_ = evidence::Store::open(o_.evidence.path).last_run_id();
    } catch (const evidence::EvidenceError& e) {
      return fail(res_, io_, kExitUsage, std::string("evidence: ") + e.what());
    }
  }
  if (!conformance_phase()) return res_;
  replay_phase();
  // The search, and fuzzing when the switch runs in-process and this build
  // has libFuzzer: they share the rest of the budget (at least 5 s each).
  const std::string fuzzer = find_fuzzer(o_.fuzzer);
  std::string no_fuzz_why = o_.no_fuzz ? "--no-fuzz" : why_not_fuzzable(o_.sut);
  if (no_fuzz_why.empty() && fuzzer.empty()) no_fuzz_why = kNoLibFuzzer;
  const double rest = o_.budget - elapsed() - 2.0;
  check_phase(std::max(5.0, no_fuzz_why.empty() ? rest / 2 : rest));
  fuzz_phase(fuzzer, no_fuzz_why);
  if (!o_.evidence.disabled) report_phase();
  res_.exit_code = worst_;
  res_.summary =
      fmt::format("campaign against {}: {} in {:.1f} s", o_.sut,
                  worst_ == kExitOk ? "nothing violated" : verdict_word(worst_), elapsed());
  show_end();
  return res_;
}

// Conformance, for switches outside the harness's own code: false when the
// switch does not speak the protocol (nothing else is run).
bool Campaign::conformance_phase() {
  if (o_.sut.rfind("exec:", 0) != 0 && o_.sut.rfind("plugin:", 0) != 0) return true;
  d_.start("conformance", "does the switch speak the protocol?");
  ConformanceOptions c;
  static_cast<SwitchOptions&>(c) = o_;
  c.evidence = o_.evidence;
  ConformanceResult r;
  {
    PhaseLog out(log("conformance"));
    r = conformance(c, out.console());
  }
  const int rc = r.exit_code;
  ended("conformance", std::move(r), log("conformance"));
  if (rc == kExitOk) return true;
  if (!d_.json()) d_.print("the switch does not conform; no property was tested\n");
  res_.exit_code = rc;
  res_.summary = "the switch does not conform; no property was tested";
  return false;
}

// The regression corpus and the failures remembered for this switch (saved
// files, and counterexamples other runs recorded for it in the evidence
// store: a merged store brings every shard's failures here).
std::vector<std::string> Campaign::corpus_paths(std::vector<std::string>& warnings,
                                                bool& has_memory) {
  std::vector<std::string> paths;
  std::error_code ec;
  if (!o_.no_builtin_corpus) {
    const auto builtin = builtin_corpus_dir();
    if (builtin.empty()) {
      warnings.push_back(
          "the built-in regression corpus was not found (no share/wrongbox/corpus beside this "
          "wrongbox, no $WRONGBOX_CORPUS); replaying only --corpus and saved failures");
    } else {
      paths.push_back(builtin);
    }
  }
  for (const auto& c : o_.corpus) {
    if (fs::exists(c, ec)) {
      paths.push_back(c);
    } else {
      warnings.push_back("--corpus " + c + ": no such file or directory; left out");
    }
  }
  const auto memory = check::failures_dir_for(o_.failures, o_.sut);
  if (!o_.evidence.disabled && !o_.failures.empty()) {
    try {
      auto store = evidence::Store::open(o_.evidence.path);
      import_failures(store, o_.sut, memory);
    } catch (const evidence::EvidenceError& e) {
      warnings.push_back(std::string("failures recorded in the evidence store: ") + e.what());
    }
  }
  has_memory = fs::is_directory(memory, ec);
  if (has_memory) paths.push_back(memory);
  return paths;
}

void Campaign::replay_phase() {
  std::vector<std::string> warnings;
  bool has_memory = false;
  paths_ = corpus_paths(warnings, has_memory);
  auto files = collect_scenarios(paths_, warnings);
  const std::string share = take_share(o_.shard, files);
  d_.start("replay",
           "regression corpus" + std::string(has_memory ? " and saved failures" : "") + share);
  std::ofstream(log("replay"), std::ios::trunc).flush();
  if (files.empty()) warnings.push_back("no scenario files to replay");
  for (const auto& w : warnings) {
    d_.warning("replay", w);
    append_line(log("replay"), "warning: " + w);
  }
  if (files.empty()) {
    CommandResult skipped;
    skipped.summary = "skipped: no scenario files to replay";
    ended("replay", std::move(skipped), log("replay"));
    return;
  }
  ReplayOptions r;
  static_cast<SwitchOptions&>(r) = o_;
  r.paths = files;
  r.quiet = true;
  r.evidence = o_.evidence;
  // At most half of what is left, so that a slow or hanging switch leaves
  // the search its share (every file can cost the timeout).
  r.budget_seconds = std::max(5.0, (o_.budget - elapsed()) / 2);
  ReplayResult rr;
  {
    PhaseLog out(log("replay"), /*append=*/true);
    rr = replay(r, out.console());
  }
  ended("replay", std::move(rr), log("replay"));
}

void Campaign::check_phase(double budget) {
  d_.start("check", fmt::format("coverage-steered property-based search, {:.0f} s budget", budget));
  CheckCliOptions c;
  static_cast<SwitchOptions&>(c) = o_;
  c.tests = o_.tests > 0 ? o_.tests : 100000000;
  c.time_budget = o_.tests > 0 ? 0 : budget;
  c.shard = o_.shard;
  c.seed = o_.seed;
  c.save_failures = o_.failures;
  c.perturb = o_.perturb;
  c.evidence = o_.evidence;
  c.progress = [&](int done, double secs) { d_.progress("check", done, secs, budget, 0); };
  CheckCommandResult r;
  {
    PhaseLog out(log("check"));
    r = check(c, out.console());
  }
  if (r.exit_code == kExitOk && !r.situations.empty()) {
    r.summary += "; situation pairs " + r.situations;
  }
  const auto never = r.never_met;
  ended("check", std::move(r), log("check"));
  show_never_met(never);
}

// The pairs the search never met: what to steer or write scenarios for.
void Campaign::show_never_met(const std::vector<std::string>& never) {
  if (never.empty()) return;
  constexpr std::size_t kShown = 5;
  d_.event({{"event", "never-met"}, {"count", never.size()}, {"pairs", never}});
  if (o_.quiet || o_.json) return;
  for (std::size_t i = 0; i < never.size() && i < kShown; ++i) {
    d_.print("{:<12} never met: {}\n", "", never[i]);
  }
  if (never.size() > kShown) {
    d_.print("{:<12} ... and {} more pairs never met (all in {})\n", "", never.size() - kShown,
             log("check"));
  }
}

void Campaign::fuzz_phase(const std::string& fuzzer, const std::string& no_fuzz_why) {
  if (!no_fuzz_why.empty()) {
    d_.event({{"event", "phase-skipped"}, {"phase", "fuzz"}, {"why", no_fuzz_why}});
    if (!o_.quiet && !o_.json) d_.print("{:<12} skip  {}\n", "fuzz", no_fuzz_why);
    CommandResult skipped;
    skipped.summary = "skipped: " + no_fuzz_why;
    res_.phases.push_back({"fuzz", std::move(skipped), "", true});
    return;
  }
  const double budget = std::max(5.0, o_.budget - elapsed() - 2.0);
  d_.start("fuzz", fmt::format("coverage-guided fuzzing (libFuzzer), {:.0f} s budget", budget));
  FuzzCliOptions f;
  f.sut = o_.sut;
  f.budget = budget;
  f.fuzzer = fuzzer;
  f.seeds = paths_;
  f.work = o_.fuzz_work;
  f.log = log("fuzzer");
  f.save_failures = o_.failures;
  f.seed = o_.seed;
  f.evidence = o_.evidence;
  f.progress = [&](long done, double secs) {
    d_.progress("fuzz", done, secs, budget, 0, "inputs");
  };
  FuzzCommandResult r;
  {
    PhaseLog out(log("fuzz"));
    r = fuzz(f, out.console());
  }
  if (r.summary.empty()) {
    r.summary = fmt::format("the fuzzer did not run (exit {}); see {}", r.exit_code, log("fuzzer"));
  }
  ended("fuzz", std::move(r), log("fuzz"));
}

void Campaign::report_phase() {
  std::string what = "verify the evidence chain, write the HTML report";
  if (!o_.junit.empty()) what += ", JUnit";
  if (!o_.sarif.empty()) what += ", SARIF";
  d_.start("report", what);
  CommandResult r;
  {
    PhaseLog out(log("report"));
    r = verify_and_report(out.console());
  }
  d_.end("report", r.exit_code, r.summary, "");
  worst_ = worst_exit(worst_, r.exit_code);
  r.summary = o_.report;
  res_.phases.push_back({"report", std::move(r), log("report"), false});
}

// The chain verified (its line is the phase's summary), the reports written,
// and the chain's head beside the HTML report: whoever keeps it can later
// tell whether records were removed (`evidence verify --expect-head`).
CommandResult Campaign::verify_and_report(const Console& phase) {
  EvidenceToolOptions verify;
  verify.store = o_.evidence.path;
  CommandResult r = evidence_verify(verify, phase);
  for (const auto& [format, file] :
       {std::pair{"html", o_.report}, std::pair{"junit", o_.junit}, std::pair{"sarif", o_.sarif}}) {
    if (file.empty()) continue;
    ReportOptions ro;
    ro.store = o_.evidence.path;
    ro.format = format;
    ro.out = file;
    ro.scope.after_run = before_;
    ro.scope.campaign = current_campaign();
    const auto written = report(ro, phase);
    if (written.exit_code != kExitOk && r.exit_code == kExitOk) r.summary = written.summary;
    r.exit_code = worst_exit(r.exit_code, written.exit_code);
  }
  if (r.exit_code != kExitOk || o_.report.empty()) return r;
  EvidenceToolOptions head;
  head.store = o_.evidence.path;
  head.sign_key = o_.evidence.sign_key;
  head.out = (fs::path(o_.report).parent_path() / fs::path(o_.report).stem()).string() + ".head";
  const auto hr = evidence_head(head, phase);
  if (hr.exit_code == kExitOk) res_.head_file = head.out;
  if (hr.exit_code != kExitOk) r.summary = hr.summary;
  r.exit_code = worst_exit(r.exit_code, hr.exit_code);
  return r;
}

void Campaign::show_end() {
  d_.event({{"event", "done"},
            {"exit_code", worst_},
            {"seconds", elapsed()},
            {"report", o_.evidence.disabled ? "" : o_.report},
            {"campaign", current_campaign()}});
  if (o_.json) return;
  if (!o_.quiet) {
    d_.print("\n{:<12} {:<6} {}\n", "phase", "result", "summary");
    for (const auto& p : res_.phases) {
      d_.print("{:<12} {:<6} {}\n", p.name,
               p.result.exit_code == 0 ? "ok" : fmt::format("exit {}", p.result.exit_code),
               p.result.summary);
    }
    show_findings();
    d_.print("\n{}\n", res_.summary);
  }
  if (o_.evidence.disabled) return;
  d_.print("report: {} (campaign {}: `wrongbox report --campaign {}` shows only its runs)\n",
           o_.report, current_campaign(), current_campaign());
  if (!res_.head_file.empty())
    d_.print("head:   {} (keep it: `wrongbox evidence verify --expect-head`)\n", res_.head_file);
  if (!o_.junit.empty()) d_.print("junit:  {}\n", o_.junit);
  if (!o_.sarif.empty()) d_.print("sarif:  {}\n", o_.sarif);
}

// What to do next about a finding: the lines its phase printed, and the
// shrunk scenario itself (a CI log is often all a vendor reads).
void Campaign::show_findings() {
  for (const auto& p : res_.phases) {
    if (p.name == "replay") {
      std::size_t shown = 0;
      for (const auto& l : p.result.next) {
        if (shown++ < 5) d_.print("{:<12} {}\n", p.name, l);
      }
      if (shown > 5) d_.print("{:<12} ... and {} more in its log\n", p.name, shown - 5);
      continue;
    }
    if (p.name != "check" && p.name != "fuzz") continue;
    for (const auto& l : p.result.next) d_.print("{:<12} {}\n", p.name, l);
    const std::string& file = p.result.saved_file;
    std::ifstream in(file);
    if (file.empty() || !in) continue;
    d_.print("{:<12} the finding, shrunk ({}):\n", p.name, file);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      d_.print("{:<12}   {}\n", "", printable(line));
    }
  }
}

}  // namespace

CampaignResult campaign(const CampaignOptions& o, const Console& io) {
  return Campaign(o, io).run();
}

}  // namespace wrongbox::cli
