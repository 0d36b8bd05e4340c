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
#include <filesystem>
#include <nlohmann/json.hpp>

#include "harness/cli/commands.h"
#include "harness/cli/fuzz_engine.h"

namespace wrongbox::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Sends standard output to a file while alive (the phases print a lot).
class StdoutTo {
 public:
  explicit StdoutTo(const std::string& path) {
    std::fflush(stdout);
    saved_ = ::dup(1);
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f) {
      ::dup2(::fileno(f), 1);
      std::fclose(f);
    }
  }
  ~StdoutTo() {
    std::fflush(stdout);
    ::dup2(saved_, 1);
    ::close(saved_);
  }

 private:
  int saved_ = -1;
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
  auto note = [&](int rc) {
    if (rc == kExitUsage || (rc != kExitOk && (worst == kExitOk || rc > worst))) worst = rc;
  };

  // 1. Conformance, for switches outside the harness's own code.
  if (o.sut.rfind("exec:", 0) == 0 || o.sut.rfind("plugin:", 0) == 0) {
    d.start("conformance", "does the switch speak the protocol?");
    ConformanceOptions c{o.sut, o.timeout, o.switch_log, o.evidence};
    int rc;
    {
      StdoutTo out(log("conformance"));
      rc = conformance(c);
    }
    const auto s = last_line_with(log("conformance"), "checks passed");
    d.end("conformance", rc, s, log("conformance"));
    rows.push_back({"conformance", rc, s});
    note(rc);
    if (rc != kExitOk) {
      if (!d.json()) d.print("the switch does not conform; no property was tested\n");
      return rc;
    }
  }

  // 2. The regression corpus and the failures remembered for this switch.
  std::vector<std::string> paths = {o.corpus};
  const auto memory = check::failures_dir_for(o.failures, o.sut);
  if (fs::is_directory(memory, ec)) paths.push_back(memory);
  d.start("replay",
          "regression corpus" + std::string(paths.size() > 1 ? " and saved failures" : ""));
  {
    ReplayOptions r;
    r.paths = paths;
    r.sut = o.sut;
    r.timeout = o.timeout;
    r.switch_log = o.switch_log;
    r.quiet = true;
    r.evidence = o.evidence;
    int rc;
    {
      StdoutTo out(log("replay"));
      rc = replay(r);
    }
    const auto s = last_line_with(log("replay"), "replayed ");
    std::string shown = s;
    if (auto at = shown.find(" against " + o.sut); at != std::string::npos) {
      shown.erase(at, 9 + o.sut.size());
    }
    d.end("replay", rc, shown, log("replay"));
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
    d.start("check", fmt::format("property-based search, {:.0f} s budget", budget));
    CheckCliOptions c;
    c.sut = o.sut;
    c.tests = 100000000;
    c.time_budget = budget;
    c.seed = o.seed;
    c.timeout = o.timeout;
    c.switch_log = o.switch_log;
    c.save_failures = o.failures;
    c.evidence = o.evidence;
    c.progress = [&](int done, double secs) { d.progress("check", done, secs, budget, 0); };
    int rc;
    {
      StdoutTo out(log("check"));
      rc = check(c);
    }
    std::string s = last_line_with(log("check"), "PASS: ");
    if (s.empty()) s = last_line_with(log("check"), "FAIL: ");
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
      StdoutTo out(log("fuzz"));
      rc = fuzz(f);
    }
    std::string s = last_line_with(log("fuzz"), "PASS: ");
    if (s.empty()) s = last_line_with(log("fuzz"), "FAIL: ");
    if (s.empty()) s = fmt::format("the fuzzer did not run (exit {}); see {}", rc, log("fuzzer"));
    d.end("fuzz", rc, s, log("fuzz"));
    rows.push_back({"fuzz", rc, s});
    note(rc);
  }

  // 5. Evidence and the report.
  std::string report_line;
  if (!o.evidence.disabled) {
    d.start("report", "verify the evidence chain, write the HTML report");
    int rc;
    {
      StdoutTo out(log("report"));
      rc = evidence_verify(o.evidence.path);
      const int rr = report(o.evidence.path, "html", o.report);
      if (rr != kExitOk) rc = rr;
    }
    d.end("report", rc, last_line_with(log("report"), o.evidence.path), "");
    rows.push_back({"report", rc, o.report});
    note(rc);
  }

  d.event({{"event", "done"},
           {"exit_code", worst},
           {"seconds", elapsed()},
           {"report", o.evidence.disabled ? "" : o.report}});
  if (!o.json) {
    if (!o.quiet) {
      d.print("\n{:<12} {:<6} {}\n", "phase", "result", "summary");
      for (const auto& r : rows) {
        d.print("{:<12} {:<6} {}\n", r.phase, r.rc == 0 ? "ok" : fmt::format("exit {}", r.rc),
                r.summary);
      }
      d.print("\ncampaign against {}: {} in {:.1f} s\n", o.sut,
              worst == kExitOk ? "nothing violated" : verdict_word(worst), elapsed());
    }
    if (!o.evidence.disabled) d.print("report: {}\n", o.report);
  }
  return worst;
}

}  // namespace wrongbox::cli
