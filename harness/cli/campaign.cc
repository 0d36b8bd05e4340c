// `wrongbox campaign`: the whole job in one command. Phases: conformance
// (exec: and plugin: switches), the regression corpus and remembered
// failures, a property-based search and (in-process switch, libFuzzer build)
// coverage-guided fuzzing sharing the rest of the budget, then the evidence
// chain verified and the HTML report written. Each phase's full
// output goes to a log file; the display shows one line per phase.
#include "harness/check/check.h"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

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

}  // namespace

CampaignResult campaign(const CampaignOptions& o, const Console& io) {
  CampaignResult res;
  Display d(io.out, o.quiet, o.json);
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  std::error_code ec;
  fs::create_directories(o.logs, ec);
  const std::string slug = fs::path(check::failures_dir_for("", o.sut)).filename().string();
  auto log = [&](const std::string& phase) {
    return (fs::path(o.logs) / ("campaign-" + slug + "-" + phase + ".log")).string();
  };
  int worst = kExitOk;
  // A phase's result: shown, kept, and counted in the campaign's exit code.
  auto ended = [&](const std::string& phase, CommandResult r, const std::string& log_file) {
    d.end(phase, r.exit_code, r.summary, log_file);
    worst = worst_exit(worst, r.exit_code);
    res.phases.push_back({phase, std::move(r), log_file, false});
  };
  // Every run this campaign records carries its id (report --campaign ID).
  {
    std::random_device rd;
    const auto t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
    current_campaign() = fmt::format("{}-{:08x}", when, rd());
    res.id = current_campaign();
  }
  // This campaign's runs are the ones recorded after this id (JUnit, SARIF, HTML).
  std::int64_t before = 0;
  if (!o.evidence.disabled) {
    try {
      before = evidence::Store::open(o.evidence.path).last_run_id();
    } catch (const evidence::EvidenceError& e) {
      return fail(res, io, kExitUsage, std::string("evidence: ") + e.what());
    }
  }

  // 1. Conformance, for switches outside the harness's own code.
  if (o.sut.rfind("exec:", 0) == 0 || o.sut.rfind("plugin:", 0) == 0) {
    d.start("conformance", "does the switch speak the protocol?");
    ConformanceOptions c;
    static_cast<SwitchOptions&>(c) = o;
    c.evidence = o.evidence;
    ConformanceResult r;
    {
      PhaseLog out(log("conformance"));
      r = conformance(c, out.console());
    }
    const int rc = r.exit_code;
    ended("conformance", std::move(r), log("conformance"));
    if (rc != kExitOk) {
      if (!d.json()) d.print("the switch does not conform; no property was tested\n");
      res.exit_code = rc;
      res.summary = "the switch does not conform; no property was tested";
      return res;
    }
  }

  // 2. The regression corpus and the failures remembered for this switch
  // (saved files, and counterexamples other runs recorded for it in the
  // evidence store: a merged store brings every shard's failures here).
  std::vector<std::string> paths;
  std::vector<std::string> warnings;
  if (!o.no_builtin_corpus) {
    const auto builtin = builtin_corpus_dir();
    if (builtin.empty()) {
      warnings.push_back(
          "the built-in regression corpus was not found (no share/wrongbox/corpus beside this "
          "wrongbox, no $WRONGBOX_CORPUS); replaying only --corpus and saved failures");
    } else {
      paths.push_back(builtin);
    }
  }
  for (const auto& c : o.corpus) {
    if (fs::exists(c, ec)) {
      paths.push_back(c);
    } else {
      warnings.push_back("--corpus " + c + ": no such file or directory; left out");
    }
  }
  const auto memory = check::failures_dir_for(o.failures, o.sut);
  if (!o.evidence.disabled && !o.failures.empty()) {
    try {
      auto store = evidence::Store::open(o.evidence.path);
      import_failures(store, o.sut, memory);
    } catch (const evidence::EvidenceError& e) {
      warnings.push_back(std::string("failures recorded in the evidence store: ") + e.what());
    }
  }
  const bool has_memory = fs::is_directory(memory, ec);
  if (has_memory) paths.push_back(memory);
  std::vector<std::string> unreadable;
  auto files = collect_scenarios(paths, unreadable);
  for (const auto& u : unreadable) warnings.push_back(u);
  // A shard replays its share of the files (every N-th from the K-th, in
  // sorted order): the N shards together replay each file once.
  std::string share;
  if (check::CheckOptions so;
      !o.shard.empty() && check::parse_shard(o.shard, so).empty() && so.shard_count > 1) {
    std::vector<std::string> mine;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (static_cast<int>(i % static_cast<std::size_t>(so.shard_count)) == so.shard_index) {
        mine.push_back(files[i]);
      }
    }
    share = fmt::format(" (shard {}: {} of {} files)", o.shard, mine.size(), files.size());
    files = std::move(mine);
  }
  d.start("replay",
          "regression corpus" + std::string(has_memory ? " and saved failures" : "") + share);
  std::ofstream(log("replay"), std::ios::trunc).flush();
  for (const auto& w : warnings) {
    d.warning("replay", w);
    append_line(log("replay"), "warning: " + w);
  }
  if (files.empty()) {
    const std::string why = "no scenario files to replay";
    d.warning("replay", why);
    append_line(log("replay"), "warning: " + why);
    CommandResult skipped;
    skipped.summary = "skipped: " + why;
    ended("replay", std::move(skipped), log("replay"));
  } else {
    ReplayOptions r;
    static_cast<SwitchOptions&>(r) = o;
    r.paths = files;
    r.quiet = true;
    r.evidence = o.evidence;
    // At most half of what is left, so that a slow or hanging switch leaves
    // the search its share (every file can cost the timeout).
    r.budget_seconds = std::max(5.0, (o.budget - elapsed()) / 2);
    ReplayResult rr;
    {
      PhaseLog out(log("replay"), /*append=*/true);
      rr = replay(r, out.console());
    }
    ended("replay", std::move(rr), log("replay"));
  }

  // 3. Property-based search, and 4. coverage-guided fuzzing when the switch
  // runs in-process and this build has libFuzzer: they share the rest of the
  // budget (at least 5 s each).
  const std::string fuzzer = find_fuzzer(o.fuzzer);
  std::string no_fuzz_why = o.no_fuzz ? "--no-fuzz" : why_not_fuzzable(o.sut);
  if (no_fuzz_why.empty() && fuzzer.empty()) no_fuzz_why = kNoLibFuzzer;
  const double rest = o.budget - elapsed() - 2.0;
  {
    const double budget = std::max(5.0, no_fuzz_why.empty() ? rest / 2 : rest);
    d.start("check",
            fmt::format("coverage-steered property-based search, {:.0f} s budget", budget));
    CheckCliOptions c;
    static_cast<SwitchOptions&>(c) = o;
    c.tests = o.tests > 0 ? o.tests : 100000000;
    c.time_budget = o.tests > 0 ? 0 : budget;
    c.shard = o.shard;
    c.seed = o.seed;
    c.save_failures = o.failures;
    c.perturb = o.perturb;
    c.evidence = o.evidence;
    c.progress = [&](int done, double secs) { d.progress("check", done, secs, budget, 0); };
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
    // The pairs the search never met: what to steer or write scenarios for.
    if (!never.empty()) {
      constexpr std::size_t kShown = 5;
      const std::vector<std::string> first(never.begin(),
                                           never.begin() + std::min(never.size(), kShown));
      d.event({{"event", "never-met"}, {"count", never.size()}, {"pairs", never}});
      if (!o.quiet && !o.json) {
        for (const auto& p : first) d.print("{:<12} never met: {}\n", "", p);
        if (never.size() > kShown) {
          d.print("{:<12} ... and {} more pairs never met (all in {})\n", "", never.size() - kShown,
                  log("check"));
        }
      }
    }
  }

  if (!no_fuzz_why.empty()) {
    d.event({{"event", "phase-skipped"}, {"phase", "fuzz"}, {"why", no_fuzz_why}});
    if (!o.quiet && !o.json) d.print("{:<12} skip  {}\n", "fuzz", no_fuzz_why);
    CommandResult skipped;
    skipped.summary = "skipped: " + no_fuzz_why;
    res.phases.push_back({"fuzz", std::move(skipped), "", true});
  } else {
    const double budget = std::max(5.0, o.budget - elapsed() - 2.0);
    d.start("fuzz", fmt::format("coverage-guided fuzzing (libFuzzer), {:.0f} s budget", budget));
    FuzzCliOptions f;
    f.sut = o.sut;
    f.budget = budget;
    f.fuzzer = fuzzer;
    f.seeds = paths;
    f.work = o.fuzz_work;
    f.log = log("fuzzer");
    f.save_failures = o.failures;
    f.seed = o.seed;
    f.evidence = o.evidence;
    f.progress = [&](long done, double secs) {
      d.progress("fuzz", done, secs, budget, 0, "inputs");
    };
    FuzzCommandResult r;
    {
      PhaseLog out(log("fuzz"));
      r = fuzz(f, out.console());
    }
    if (r.summary.empty()) {
      r.summary =
          fmt::format("the fuzzer did not run (exit {}); see {}", r.exit_code, log("fuzzer"));
    }
    ended("fuzz", std::move(r), log("fuzz"));
  }

  // 5. Evidence and the report.
  if (!o.evidence.disabled) {
    std::string what = "verify the evidence chain, write the HTML report";
    if (!o.junit.empty()) what += ", JUnit";
    if (!o.sarif.empty()) what += ", SARIF";
    d.start("report", what);
    CommandResult r;
    {
      PhaseLog out(log("report"));
      const Console phase = out.console();
      EvidenceToolOptions verify;
      verify.store = o.evidence.path;
      // The verification's line is the phase's summary.
      r = evidence_verify(verify, phase);
      for (const auto& [format, file] : {std::pair{"html", o.report}, std::pair{"junit", o.junit},
                                         std::pair{"sarif", o.sarif}}) {
        if (file.empty()) continue;
        ReportOptions ro;
        ro.store = o.evidence.path;
        ro.format = format;
        ro.out = file;
        ro.scope.after_run = before;
        ro.scope.campaign = current_campaign();
        const auto written = report(ro, phase);
        if (written.exit_code != kExitOk && r.exit_code == kExitOk) r.summary = written.summary;
        r.exit_code = worst_exit(r.exit_code, written.exit_code);
      }
      // Where the chain ended, beside the report: whoever keeps it can later
      // tell whether records were removed (`evidence verify --expect-head`).
      if (r.exit_code == kExitOk && !o.report.empty()) {
        EvidenceToolOptions head;
        head.store = o.evidence.path;
        head.sign_key = o.evidence.sign_key;
        head.out =
            (fs::path(o.report).parent_path() / fs::path(o.report).stem()).string() + ".head";
        const auto hr = evidence_head(head, phase);
        if (hr.exit_code == kExitOk) res.head_file = head.out;
        if (hr.exit_code != kExitOk) r.summary = hr.summary;
        r.exit_code = worst_exit(r.exit_code, hr.exit_code);
      }
    }
    d.end("report", r.exit_code, r.summary, "");
    worst = worst_exit(worst, r.exit_code);
    r.summary = o.report;
    res.phases.push_back({"report", std::move(r), log("report"), false});
  }

  res.exit_code = worst;
  res.summary = fmt::format("campaign against {}: {} in {:.1f} s", o.sut,
                            worst == kExitOk ? "nothing violated" : verdict_word(worst), elapsed());
  d.event({{"event", "done"},
           {"exit_code", worst},
           {"seconds", elapsed()},
           {"report", o.evidence.disabled ? "" : o.report},
           {"campaign", current_campaign()}});
  if (!o.json) {
    if (!o.quiet) {
      d.print("\n{:<12} {:<6} {}\n", "phase", "result", "summary");
      for (const auto& p : res.phases) {
        d.print("{:<12} {:<6} {}\n", p.name,
                p.result.exit_code == 0 ? "ok" : fmt::format("exit {}", p.result.exit_code),
                p.result.summary);
      }
      // What to do next about a finding: the lines its phase printed, and
      // the shrunk scenario itself (a CI log is often all a vendor reads).
      for (const auto& p : res.phases) {
        if (p.name == "replay") {
          std::size_t shown = 0;
          for (const auto& l : p.result.next) {
            if (shown++ < 5) d.print("{:<12} {}\n", p.name, l);
          }
          if (shown > 5) d.print("{:<12} ... and {} more in its log\n", p.name, shown - 5);
          continue;
        }
        if (p.name != "check" && p.name != "fuzz") continue;
        for (const auto& l : p.result.next) d.print("{:<12} {}\n", p.name, l);
        if (const std::string& file = p.result.saved_file; !file.empty()) {
          std::ifstream in(file);
          if (!in) continue;
          d.print("{:<12} the finding, shrunk ({}):\n", p.name, file);
          for (std::string line; std::getline(in, line);) {
            if (line.empty() || line[0] == '#') continue;
            d.print("{:<12}   {}\n", "", printable(line));
          }
        }
      }
      d.print("\n{}\n", res.summary);
    }
    if (!o.evidence.disabled) {
      d.print("report: {} (campaign {}: `wrongbox report --campaign {}` shows only its runs)\n",
              o.report, current_campaign(), current_campaign());
      if (!res.head_file.empty())
        d.print("head:   {} (keep it: `wrongbox evidence verify --expect-head`)\n", res.head_file);
      if (!o.junit.empty()) d.print("junit:  {}\n", o.junit);
      if (!o.sarif.empty()) d.print("sarif:  {}\n", o.sarif);
    }
  }
  return res;
}

}  // namespace wrongbox::cli
