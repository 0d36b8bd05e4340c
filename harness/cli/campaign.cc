// `wrongbox campaign`: the whole job in one command. Phases: conformance
// (exec: and plugin: switches), the regression corpus and remembered
// failures, a property-based search and (in-process switch, libFuzzer build)
// coverage-guided fuzzing sharing the rest of the budget, then the evidence
// chain verified and the HTML report written. Each phase's full
// output goes to a log file; the display shows one line per phase.
#include "harness/check/campaign.h"

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
#include "harness/evidence/evidence.h"

namespace wrongbox::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Sends standard output and standard error to a file while alive (the
// phases print a lot, and their reasons for failing go to standard error).
// `append` adds to what is there (the campaign's own warnings come first).
class OutputTo {
 public:
  explicit OutputTo(const std::string& path, bool append = false) {
    std::fflush(stdout);
    std::fflush(stderr);
    saved_out_ = ::dup(1);
    saved_err_ = ::dup(2);
    std::FILE* f = std::fopen(path.c_str(), append ? "a" : "w");
    if (f) {
      ::dup2(::fileno(f), 1);
      ::dup2(::fileno(f), 2);
      std::fclose(f);
    }
  }
  ~OutputTo() {
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(saved_out_, 1);
    ::dup2(saved_err_, 2);
    ::close(saved_out_);
    ::close(saved_err_);
  }
  OutputTo(const OutputTo&) = delete;
  OutputTo& operator=(const OutputTo&) = delete;

 private:
  int saved_out_ = -1;
  int saved_err_ = -1;
};

// One display for people (TTY: a redrawn line per phase), CI (plain
// periodic lines), and tools (--json: one object per event).
class Display {
 public:
  // Writes to its own copy of standard output, which phases' redirection
  // does not touch.
  Display(bool quiet, bool json) : quiet_(quiet), json_(json) {
    const int fd = ::dup(1);
    out_ = fd >= 0 ? ::fdopen(fd, "w") : stdout;
    const char* ci = std::getenv("CI");
    tty_ = !json && ::isatty(fd) && !(ci && std::string(ci) == "true");
  }
  ~Display() {
    if (out_ != stdout) std::fclose(out_);
  }
  Display(const Display&) = delete;
  Display& operator=(const Display&) = delete;
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

// The last line of a log that says why a phase failed ("wrongbox: ..."), for
// the phase's summary when it printed no verdict line.
std::string reason_in(const std::string& path);

std::string last_line_with(const std::string& path, const std::string& needle) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return "";
  std::string found;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, f)) {
    std::string l(buf);
    if (!l.empty() && l.back() == '\n') l.pop_back();
    if (l.find(needle) != std::string::npos) found = l;
  }
  std::fclose(f);
  return found;
}

std::string reason_in(const std::string& path) {
  auto l = last_line_with(path, "wrongbox: ");
  if (auto at = l.find("wrongbox: "); at != std::string::npos) l.erase(0, at + 10);
  return l;
}

// "S1 violated at step 2, ...; found after 37 scenario(s) ..." from a
// failing check or fuzz log, "" when it has no FAIL line.
std::string failure_summary(const std::string& path) {
  auto fail = last_line_with(path, "FAIL: ");
  if (fail.empty()) return "";
  if (fail.back() == ':') fail.pop_back();
  auto what = last_line_with(path, " violated at step ");
  if (what.empty()) what = last_line_with(path, "switch failure");
  if (auto colon = what.find(": "); colon != std::string::npos) what.erase(colon);
  return what.empty() ? fail : what + "; " + fail.substr(6);
}

void append_line(const std::string& path, const std::string& line) {
  if (std::FILE* f = std::fopen(path.c_str(), "a")) {
    fmt::print(f, "{}\n", line);
    std::fclose(f);
  }
}

}  // namespace

int campaign(const CampaignOptions& o) {
  Display d(o.quiet, o.json);
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  std::error_code ec;
  fs::create_directories(o.logs, ec);
  const std::string slug = fs::path(check::failures_dir_for("", o.sut)).filename().string();
  auto log = [&](const std::string& phase) {
    return (fs::path(o.logs) / ("campaign-" + slug + "-" + phase + ".log")).string();
  };
  struct Row {
    std::string phase;
    int rc;
    std::string summary;
  };
  std::vector<Row> rows;
  int worst = kExitOk;
  auto note = [&](int rc) { worst = worst_exit(worst, rc); };
  // Every run this campaign records carries its id (report --campaign ID).
  {
    std::random_device rd;
    const auto t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
    current_campaign() = fmt::format("{}-{:08x}", when, rd());
  }
  // This campaign's runs are the ones recorded after this id (JUnit, SARIF, HTML).
  std::int64_t before = 0;
  if (!o.evidence.disabled) {
    try {
      before = evidence::Store::open(o.evidence.path).last_run_id();
    } catch (const evidence::EvidenceError& e) {
      fmt::print(stderr, "wrongbox: evidence: {}\n", e.what());
      return kExitUsage;
    }
  }

  // 1. Conformance, for switches outside the harness's own code.
  if (o.sut.rfind("exec:", 0) == 0 || o.sut.rfind("plugin:", 0) == 0) {
    d.start("conformance", "does the switch speak the protocol?");
    ConformanceOptions c;
    static_cast<SwitchOptions&>(c) = o;
    c.evidence = o.evidence;
    int rc;
    {
      OutputTo out(log("conformance"));
      rc = conformance(c);
    }
    auto s = last_line_with(log("conformance"), "checks passed");
    if (s.empty()) s = reason_in(log("conformance"));
    d.end("conformance", rc, s, log("conformance"));
    rows.push_back({"conformance", rc, s});
    note(rc);
    if (rc != kExitOk) {
      if (!d.json()) d.print("the switch does not conform; no property was tested\n");
      return rc;
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
  const auto files = collect_scenarios(paths, unreadable);
  for (const auto& u : unreadable) warnings.push_back(u);
  d.start("replay", "regression corpus" + std::string(has_memory ? " and saved failures" : ""));
  std::ofstream(log("replay"), std::ios::trunc).flush();
  for (const auto& w : warnings) {
    d.warning("replay", w);
    append_line(log("replay"), "warning: " + w);
  }
  if (files.empty()) {
    const std::string why = "no scenario files to replay";
    d.warning("replay", why);
    append_line(log("replay"), "warning: " + why);
    d.end("replay", kExitOk, "skipped: " + why, log("replay"));
    rows.push_back({"replay", kExitOk, "skipped: " + why});
  } else {
    ReplayOptions r;
    static_cast<SwitchOptions&>(r) = o;
    r.paths = files;
    r.quiet = true;
    r.evidence = o.evidence;
    // At most half of what is left, so that a slow or hanging switch leaves
    // the search its share (every file can cost the timeout).
    r.budget_seconds = std::max(5.0, (o.budget - elapsed()) / 2);
    int rc;
    {
      OutputTo out(log("replay"), /*append=*/true);
      rc = replay(r);
    }
    auto s = last_line_with(log("replay"), "replayed ");
    if (auto at = s.find(" against " + o.sut); at != std::string::npos) {
      s.erase(at, 9 + o.sut.size());
    }
    if (s.empty()) s = reason_in(log("replay"));
    d.end("replay", rc, s, log("replay"));
    rows.push_back({"replay", rc, s});
    note(rc);
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
    c.evidence = o.evidence;
    c.progress = [&](int done, double secs) { d.progress("check", done, secs, budget, 0); };
    int rc;
    {
      OutputTo out(log("check"));
      rc = check(c);
    }
    std::string s = last_line_with(log("check"), "PASS: ");
    if (const auto cov = last_line_with(log("check"), "situation pairs");
        !s.empty() && !cov.empty()) {
      s += "; situation pairs " + cov.substr(cov.find(": ") + 2);
    }
    if (s.empty()) s = failure_summary(log("check"));
    if (s.empty()) s = reason_in(log("check"));
    d.end("check", rc, s, log("check"));
    rows.push_back({"check", rc, s});
    note(rc);
  }

  if (!no_fuzz_why.empty()) {
    d.event({{"event", "phase-skipped"}, {"phase", "fuzz"}, {"why", no_fuzz_why}});
    if (!o.quiet && !o.json) d.print("{:<12} skip  {}\n", "fuzz", no_fuzz_why);
    rows.push_back({"fuzz", 0, "skipped: " + no_fuzz_why});
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
    int rc;
    {
      OutputTo out(log("fuzz"));
      rc = fuzz(f);
    }
    std::string s = last_line_with(log("fuzz"), "PASS: ");
    if (s.empty()) s = failure_summary(log("fuzz"));
    if (s.empty() && rc != kExitOk) s = reason_in(log("fuzz"));
    if (s.empty()) s = fmt::format("the fuzzer did not run (exit {}); see {}", rc, log("fuzzer"));
    d.end("fuzz", rc, s, log("fuzz"));
    rows.push_back({"fuzz", rc, s});
    note(rc);
  }

  // 5. Evidence and the report.
  std::string report_line;
  std::string head_file;  // written beside the report when the chain verified
  if (!o.evidence.disabled) {
    std::string what = "verify the evidence chain, write the HTML report";
    if (!o.junit.empty()) what += ", JUnit";
    if (!o.sarif.empty()) what += ", SARIF";
    d.start("report", what);
    int rc;
    {
      OutputTo out(log("report"));
      EvidenceToolOptions verify;
      verify.store = o.evidence.path;
      rc = evidence_verify(verify);
      for (const auto& [format, file] : {std::pair{"html", o.report}, std::pair{"junit", o.junit},
                                         std::pair{"sarif", o.sarif}}) {
        if (file.empty()) continue;
        evidence::ReportScope scope;
        scope.after_run = before;
        scope.campaign = current_campaign();
        const int rr = report(o.evidence.path, format, file, scope);
        rc = worst_exit(rc, rr);
      }
      // Where the chain ended, beside the report: whoever keeps it can later
      // tell whether records were removed (`evidence verify --expect-head`).
      if (rc == kExitOk && !o.report.empty()) {
        EvidenceToolOptions head;
        head.store = o.evidence.path;
        head.sign_key = o.evidence.sign_key;
        head.out =
            (fs::path(o.report).parent_path() / fs::path(o.report).stem()).string() + ".head";
        const int hr = evidence_head(head);
        if (hr == kExitOk) head_file = head.out;
        rc = worst_exit(rc, hr);
      }
    }
    // The verification's line, not the head file's (which comes after it).
    auto said = last_line_with(log("report"), "verified: ");
    if (said.empty()) said = last_line_with(log("report"), o.evidence.path);
    d.end("report", rc, said, "");
    rows.push_back({"report", rc, o.report});
    note(rc);
  }

  d.event({{"event", "done"},
           {"exit_code", worst},
           {"seconds", elapsed()},
           {"report", o.evidence.disabled ? "" : o.report},
           {"campaign", current_campaign()}});
  if (!o.json) {
    if (!o.quiet) {
      d.print("\n{:<12} {:<6} {}\n", "phase", "result", "summary");
      for (const auto& r : rows) {
        d.print("{:<12} {:<6} {}\n", r.phase, r.rc == 0 ? "ok" : fmt::format("exit {}", r.rc),
                r.summary);
      }
      // What to do next about a finding: the lines its phase printed.
      for (const char* phase : {"check", "fuzz"}) {
        for (const char* what : {"reproduce: ", "saved:     ", "replay:    "}) {
          const auto l = last_line_with(log(phase), what);
          if (l.rfind(what, 0) == 0) d.print("{:<12} {}\n", phase, l);
        }
      }
      d.print("\ncampaign against {}: {} in {:.1f} s\n", o.sut,
              worst == kExitOk ? "nothing violated" : verdict_word(worst), elapsed());
    }
    if (!o.evidence.disabled) {
      d.print("report: {} (campaign {}: `wrongbox report --campaign {}` shows only its runs)\n",
              o.report, current_campaign(), current_campaign());
      if (!head_file.empty())
        d.print("head:   {} (keep it: `wrongbox evidence verify --expect-head`)\n", head_file);
      if (!o.junit.empty()) d.print("junit:  {}\n", o.junit);
      if (!o.sarif.empty()) d.print("sarif:  {}\n", o.sarif);
    }
  }
  return worst;
}

}  // namespace wrongbox::cli
