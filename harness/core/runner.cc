// Plays a scenario: the harness's actors answer the switch from the model.
#include "harness/core/runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <type_traits>

#include "harness/core/actors.h"
#include "harness/core/places.h"
#include "harness/core/playable.h"
#include "harness/core/printable.h"
#include "harness/core/shared_calls.h"
#include "models/world.h"

namespace wrongbox {

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kViolation:
      return "violation";
    case Outcome::kSwitchFailure:
      return "switch-failure";
    case Outcome::kInputError:
      return "input-error";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "?";
}

const Violation* RunResult::headline() const {
  for (const auto& v : violations) {
    if (is_safety(v.property)) return &v;
  }
  return violations.empty() ? nullptr : &violations.front();
}

struct Session::State {
  State(Switch& s, const RunOptions& o, std::size_t retain)
      : sut(s),
        opt(o),
        oracle(play.world(), o.seed, o.trace, retain),
        actors(play.world(), oracle, result, o.trace),
        shared(actors, o.schedule, o.pause_one_in) {
    if (auto* w = dynamic_cast<WatchedSwitch*>(&s)) watch = &w->watch();
  }
  Switch& sut;
  PlaceWatch* watch = nullptr;  // the switch's places, when they are watched (S6)
  RunOptions opt;
  RunResult result;
  PlayableBuilder play;  // the model, as the environment steps change it
  Oracle oracle;
  Actors actors;
  SharedCalls shared;  // what the switch calls: `actors`, safe from several threads
  std::int64_t now = 0;
  bool stopped = false;
  bool finished = false;

  void fail(Outcome o, std::string msg, int step, int line) {
    result.outcome = o;
    result.error = std::move(msg);
    result.error_step = step;
    result.error_line = line;
    stopped = true;
  }
  // A switch failure caught as `e`: its message, where, and its kind.
  void switch_failed(const std::exception& e, std::string msg, int step, int line) {
    fail(Outcome::kSwitchFailure, std::move(msg), step, line);
    result.failure_kind = failure_kind_of(e);
  }
  // Runs one command that may call: the calls are open while it runs; a
  // call the switch made between commands fails the run (SwitchFailure).
  template <typename F>
  auto command(const char* name, F&& f) {
    shared.open();
    struct Close {
      SharedCalls& s;
      ~Close() { s.close(); }
    } close{shared};
    check_late();
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      judge_places(name);
    } else {
      auto r = f();
      judge_places(name);
      return r;
    }
  }
  // The files that changed in the switch's places during a command, judged
  // as they rest once it has ended (S6). Costs nothing when none changed.
  void judge_places(const char* after) {
    if (!watch || !watch->dirty()) return;
    for (const auto& f : watch->take()) {
      struct stat st {};
      if (::stat(f.path.c_str(), &st) != 0) continue;
      std::string content;
      // A private file only its owner can read is allowed whatever it holds.
      const bool read = f.place != Place::kPrivate || (st.st_mode & 0044) != 0;
      if (read) {
        std::ifstream in(f.path, std::ios::binary);
        if (!in) continue;
        content.assign(std::istreambuf_iterator<char>(in), {});
      }
      ++result.stats.files[static_cast<int>(f.place)];
      oracle.begin_call("a file at rest after ", after, ": ", f.shown);
      oracle.on_file(f.place, f.shown, content, st.st_mode);
      if (opt.trace) {
        std::string line =
            "    file: " + f.shown + " (" +
            (read ? std::to_string(content.size()) + " bytes"
                  : std::to_string(st.st_size) + " bytes, not read: only the switch can read it") +
            ") in " + describe(f.place);
        if (!oracle.note().empty()) line += "\n      oracle: " + oracle.note();
        result.trace.push_back(std::move(line));
      }
      if (oracle.safety_violated()) return;
    }
  }
  void check_late() {
    if (auto late = shared.late_call()) {
      throw SwitchFailure("the switch called " + *late +
                          " (every call must return before its command does)");
    }
  }
  bool tick() {
    ++now;
    ++result.stats.ticks;
    play.advance(1);
    return command("tick", [&] { return sut.tick(now, shared); });
  }
  // All outages end, races disarm, and the switch gets time to settle; then
  // C1, C4 and L1 for what is still in flight.
  void drain(int index) {
    play.world().all_up();
    actors.close_at_delivery.clear();
    oracle.set_step(index, 0);
    if (opt.trace) result.trace.push_back("drain: registry and operators up; ticking until idle");
    bool idle = false;
    try {
      for (int k = 0; k < opt.drain_ticks && !idle && !oracle.safety_violated(); ++k) {
        idle = tick();
      }
      check_late();
      Switch* inner = &sut;
      if (auto* watched = dynamic_cast<WatchedSwitch*>(inner)) inner = &watched->inner();
      if (auto* quiet = dynamic_cast<QuietAfterCommands*>(inner)) quiet->check_quiet();
    } catch (const std::exception& e) {
      switch_failed(e, std::string("during the drain: ") + e.what(), index, 0);
      return;
    }
    if (opt.trace) {
      result.trace.push_back(std::string("drain: ") + (idle ? "idle" : "still busy") + " after " +
                             std::to_string(result.stats.ticks) + " ticks in all");
    }
    if (!oracle.safety_violated()) oracle.at_end(idle, opt.drain_ticks);
    if (!oracle.violations().empty()) stopped = true;
  }
};

Session::Session(Switch& sut, const RunOptions& options, std::size_t retain)
    : s_(std::make_unique<State>(sut, options, retain)) {}
Session::~Session() = default;

void Session::reserve(std::size_t messages, std::size_t batches) {
  s_->oracle.reserve(messages, batches);
}

bool Session::start(const std::vector<std::string>& senders) {
  try {
    s_->sut.reset(senders);
  } catch (const std::exception& e) {
    s_->switch_failed(e, std::string("reset failed: ") + e.what(), -1, 0);
  }
  return !s_->stopped;
}

bool Session::play(const Step& st, int si) {
  State& S = *s_;
  if (S.stopped) return false;
  RunResult& result = S.result;
  Oracle& oracle = S.oracle;
  oracle.set_step(si, st.line);
  ++result.stats.steps;
  if (S.opt.trace) {
    std::string text = print_step(st);
    for (std::size_t p; (p = text.find('\n')) != std::string::npos;) text.replace(p, 1, " | ");
    result.trace.push_back(step_location(si, st.line) + ": " + printable(text));
  }
  if (!is_switch_command(st.kind)) {
    if (std::string why; !S.play.add(st, &why)) {
      S.fail(Outcome::kInputError, print_step(st) + ": " + why, si, st.line);
      return false;
    }
    if (st.kind == StepKind::kCloseAtDelivery) S.actors.close_at_delivery.insert(st.mailbox);
    return true;
  }
  try {
    if (st.kind == StepKind::kSubmit) {
      const std::vector<Message>& batch = oracle.add_batch(st.messages, si);
      result.stats.messages += static_cast<std::int64_t>(batch.size());
      const auto verdicts = S.command("submit", [&] { return S.sut.submit(batch, S.shared); });
      oracle.on_verdicts(verdicts);
      if (S.opt.trace) {
        std::string v = "    verdicts:";
        for (const auto& x : verdicts) {
          v += " " + x.sender + "/" + x.id + "=" + (x.accepted ? "accepted" : "rejected");
          if (!x.accepted && !x.reason.empty()) v += " (" + x.reason + ")";
        }
        result.trace.push_back(v);
      }
    } else if (st.kind == StepKind::kTick) {
      for (int k = 0; k < st.count && !oracle.safety_violated(); ++k) {
        const bool idle = S.tick();
        if (S.opt.trace) {
          result.trace.push_back("    tick now=" + std::to_string(S.now) +
                                 (idle ? " -> idle" : " -> busy"));
        }
      }
    } else {
      S.sut.restart();
      oracle.on_restart();
      S.judge_places("restart");
    }
    S.check_late();
  } catch (const std::exception& e) {
    S.switch_failed(e, e.what(), si, st.line);
    return false;
  }
  if (oracle.safety_violated()) S.stopped = true;
  return !S.stopped;
}

bool Session::checkpoint(int index) {
  State& S = *s_;
  if (S.stopped) return false;
  S.drain(index);
  return !S.stopped;
}

RunResult& Session::finish(int index) {
  State& S = *s_;
  if (!S.finished) {
    S.finished = true;
    if (!S.stopped) S.drain(index);
    RunResult& result = S.result;
    result.violations = S.oracle.violations();
    result.violations_not_kept = S.oracle.violations_not_kept();
    result.warnings = S.oracle.warnings();
    if (S.shared.saw_threads() && !S.opt.threads) {
      result.warnings.push_back(
          "the switch called from several threads during one command, but its hello does not "
          "list \"threads\": its scenarios ran once each, without schedule perturbation "
          "(--perturb on, docs/concurrency.md)");
    }
    result.checks = S.oracle.checks();
    auto rest = S.oracle.take_situations();
    if (result.situations.empty()) {
      result.situations = std::move(rest);
    } else {
      result.situations.insert(result.situations.end(), rest.begin(), rest.end());
    }
    if (result.outcome == Outcome::kPass && !result.violations.empty()) {
      result.outcome = Outcome::kViolation;
    }
  }
  return S.result;
}

bool Session::stopped() const {
  return s_->stopped;
}
const Oracle& Session::oracle() const {
  return s_->oracle;
}
std::vector<model::Situation> Session::take_situations() {
  return s_->oracle.take_situations();
}
void Session::count_situations_into(model::SituationCoverage* coverage) {
  s_->oracle.count_situations_into(coverage);
}
const PlayableBuilder& Session::model() const {
  return s_->play;
}
const RunResult& Session::result() const {
  return s_->result;
}

namespace {
// The result of a scenario that restarts a switch that cannot restart.
RunResult skipped_for_restart() {
  RunResult r;
  r.outcome = Outcome::kSkipped;
  r.error = "the scenario restarts the switch, which has no 'restart' capability";
  return r;
}

// The scenario being played (or the file), for a sanitizer's report (see
// the end of this file).
std::atomic<const Scenario*> g_playing{nullptr};
std::atomic<const std::string*> g_playing_file{nullptr};
template <typename T>
struct Playing {
  Playing(std::atomic<const T*>& where, const T* now)
      : slot(where), previous(where.exchange(now)) {}
  ~Playing() { slot.store(previous); }
  Playing(const Playing&) = delete;
  Playing& operator=(const Playing&) = delete;
  std::atomic<const T*>& slot;
  const T* previous;
};

}  // namespace

RunResult run_scenario(const Scenario& sc, Switch& sut, const RunOptions& opt) {
  const Playing<Scenario> playing(g_playing, &sc);
  for (const auto& st : sc.steps) {
    if (st.kind == StepKind::kRestart && !opt.can_restart) return skipped_for_restart();
  }
  Session session(sut, opt);
  {
    std::size_t messages = 0, batches = 0;
    for (const auto& st : sc.steps) {
      messages += st.messages.size();
      batches += st.kind == StepKind::kSubmit;
    }
    session.reserve(messages, batches);
  }
  if (session.start(senders_of(sc))) {
    for (std::size_t i = 0; i < sc.steps.size(); ++i) {
      if (!session.play(sc.steps[i], static_cast<int>(i))) break;
    }
  }
  return std::move(session.finish(static_cast<int>(sc.steps.size())));
}

SwitchFailure::Kind failure_kind_of(const std::exception& e) {
  const auto* f = dynamic_cast<const SwitchFailure*>(&e);
  return f ? f->kind() : SwitchFailure::Kind::kThrew;
}

const char* to_string(SwitchFailure::Kind k) {
  switch (k) {
    case SwitchFailure::Kind::kThrew:
      return "threw";
    case SwitchFailure::Kind::kProtocol:
      return "protocol";
    case SwitchFailure::Kind::kExited:
      return "exited";
    case SwitchFailure::Kind::kSignal:
      return "signal";
    case SwitchFailure::Kind::kTimeout:
      return "timeout";
    case SwitchFailure::Kind::kClosedInput:
      return "closed-input";
  }
  return "threw";
}

std::string summarize(const RunResult& r) {
  switch (r.outcome) {
    case Outcome::kPass:
      return "PASS";
    case Outcome::kViolation: {
      const auto* v = r.headline();
      std::string s = std::string("FAIL ") + to_string(v->property);
      if (v->step >= 0) {
        s += " at " + step_location(v->step, v->line);
      } else {
        s += " at the end";
      }
      return s + ": " + printable(v->summary);
    }
    case Outcome::kSwitchFailure:
    case Outcome::kInputError:
    case Outcome::kSkipped: {
      std::string s = r.outcome == Outcome::kSwitchFailure ? "SWITCH FAILED"
                      : r.outcome == Outcome::kInputError  ? "INPUT ERROR"
                                                           : "SKIP";
      if (r.error_step >= 0) s += " at " + step_location(r.error_step, r.error_line);
      return s + ": " + printable(r.error);
    }
  }
  return "?";
}

FileRun run_scenario_file(const std::string& path, Switch& sut, const RunOptions& opt,
                          std::size_t retain) {
  const Playing<std::string> playing(g_playing_file, &path);
  FileRun out;
  auto input_error = [&](const ParseError& e) {
    out.result.outcome = Outcome::kInputError;
    out.result.error = e.to_string();
    out.result.error_line = e.line;
    return std::move(out);
  };
  // First read: the whole file is well formed, and what reset needs.
  std::set<std::string> senders;
  bool restarts = false;
  std::int64_t steps = 0;
  out.parsed = stream_scenario_file(path, [&](const Scenario&, Step&& st) {
    for (const auto& m : st.messages) senders.insert(m.sender);
    restarts |= st.kind == StepKind::kRestart;
    ++steps;
    return true;
  });
  if (!out.parsed.ok()) return input_error(out.parsed.error);
  // A header and nothing to play: a truncated file, not a pass.
  if (steps == 0) {
    return input_error(ParseError{path, 0, 0, "the file has a header and no steps (truncated?)"});
  }
  if (restarts && !opt.can_restart) {
    out.result = skipped_for_restart();
    return out;
  }
  Session session(sut, opt, retain);
  session.count_situations_into(&out.coverage);
  int index = 0;
  if (session.start({senders.begin(), senders.end()})) {
    const ParseResult again = stream_scenario_file(
        path, [&](const Scenario&, Step&& st) { return session.play(st, index++); });
    // The file changed between the two reads.
    if (!again.ok() && !session.stopped()) return input_error(again.error);
  }
  out.result = std::move(session.finish(index));
  return out;
}

}  // namespace wrongbox

// A sanitizer (ThreadSanitizer on a switch's data race, AddressSanitizer,
// UndefinedBehaviorSanitizer) calls this after each report: the report is
// followed by the scenario that was being played, also written to
// wrongbox-sanitizer-PID.wbs in the working directory, so that the race can
// be replayed (docs/concurrency.md). Without a sanitizer nothing calls it.
extern "C" void __sanitizer_report_error_summary(const char* summary) {
  std::fprintf(stderr, "%s\n", summary);
  const wrongbox::Scenario* sc = wrongbox::g_playing.load();
  if (!sc) {
    if (const std::string* file = wrongbox::g_playing_file.load()) {
      std::fprintf(stderr, "wrongbox: the report above came while %s was played\n", file->c_str());
    }
    return;
  }
  const std::string text = wrongbox::print_scenario(*sc);
  const std::string file = "wrongbox-sanitizer-" + std::to_string(::getpid()) + ".wbs";
  if (std::FILE* f = std::fopen(file.c_str(), "w")) {
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  std::fprintf(stderr,
               "wrongbox: the report above came while this scenario was played (saved as %s):\n%s",
               file.c_str(), text.c_str());
}
