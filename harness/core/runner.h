// The runner: plays one scenario against one switch, as every actor of
// docs/exchange.md except the switch, and lets the oracle judge each call.
//
// Per scenario: reset(senders); each step in order (environment actions
// change the model; switch commands go to the switch, whose calls are
// answered from the model and recorded as sink events); then the drain:
// all outages end and the harness ticks until the switch reports idle (at
// most RunOptions::drain_ticks), and C1, C4, L1 are checked.
//
// Example usage:
//   RunResult r = run_scenario(scenario, my_switch, {.trace = true});
//   if (r.outcome == Outcome::kViolation) std::cout << format_violation(*r.headline());
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/oracle/oracle.h"
#include "harness/core/oracle/place.h"
#include "harness/core/scenario.h"
#include "models/situation.h"
#include "wrongbox/switch.h"

namespace wrongbox {

// Schedule perturbation (harness/core/shared_calls.h): kAuto perturbs a
// switch whose hello says "threads", kOn any switch, kOff none.
enum class Perturb { kAuto, kOn, kOff };

// A transport that can tell whether its switch wrote after its last
// command's result (exec:). The runner asks at the end of each drain, so
// that a stray line is blamed on the scenario it came in, not on the next
// one's reset. check_quiet throws SwitchFailure when the switch was not quiet.
class QuietAfterCommands {
 public:
  virtual ~QuietAfterCommands() = default;
  virtual void check_quiet() = 0;
};

struct RunOptions {
  bool trace = false;       // fill RunResult::trace with every step and call
  std::uint64_t seed = 1;   // canary key; any value works, fixed for reproducibility
  int drain_ticks = 100;    // L1 bound
  bool can_restart = true;  // from the switch's hello capabilities
  // The switch calls from several threads (hello capability "threads"): a
  // run may fail under some interleavings only, so failures are replayed
  // several times and reported with their rate (docs/concurrency.md).
  bool threads = false;
  // Nonzero: the seed of a schedule of pauses at every call the switch makes
  // (harness/core/shared_calls.h), for a switch that calls from threads.
  std::uint64_t schedule = 0;
  // With a schedule: one call boundary in this many may pause (1: any, as in
  // `check`; a soak plays one long schedule and pauses lighter).
  std::uint32_t pause_one_in = 1;
  // The options for a switch that said `hello`: restarts only if it can.
  static RunOptions for_switch(const HelloInfo& hello) {
    RunOptions o;
    o.can_restart = hello.has("restart");
    o.threads = hello.has("threads");
    return o;
  }
  // Runs may fail under some interleavings only: each is repeated under
  // several schedules, and a failure is reported with its rate.
  bool repeats() const { return threads || schedule != 0; }
  // These options with schedule `with` (nonzero) when `p` perturbs this
  // switch, else unchanged.
  RunOptions perturbed(Perturb p, std::uint64_t with) const {
    RunOptions o = *this;
    if (p == Perturb::kOn || (p == Perturb::kAuto && threads)) o.schedule = with;
    return o;
  }
  // These options under schedule number `n` of this run's schedules (none
  // when the run has no schedule).
  RunOptions under_schedule(std::uint64_t n) const {
    RunOptions o = *this;
    if (schedule != 0) {
      o.schedule = schedule + n * 0x9e3779b97f4a7c15ull;
      if (o.schedule == 0) o.schedule = 1;
    }
    return o;
  }
};

enum class Outcome {
  kPass,           // no property violated
  kViolation,      // at least one property violated
  kSwitchFailure,  // the switch threw, broke the protocol, crashed or hung
  kInputError,     // the scenario cannot be played (e.g. reopen before quarantine)
  kSkipped,        // the scenario needs a capability the switch lacks
};
const char* to_string(Outcome o);

struct RunStats {
  std::int64_t steps = 0;     // steps played
  std::int64_t messages = 0;  // messages submitted
  std::int64_t calls = 0;     // calls the switch made
  std::int64_t ticks = 0;     // ticks, drain included
  // Files judged at rest after a command (S6), by place (oracle/place.h).
  std::array<std::int64_t, kPlaceCount> files{};
};

struct RunResult {
  Outcome outcome = Outcome::kPass;
  std::vector<Violation> violations;      // in the order found (at most Oracle::kMaxViolations)
  std::uint64_t violations_not_kept = 0;  // found beyond those
  std::vector<std::string> warnings;
  std::string error;    // for kSwitchFailure, kInputError, kSkipped
  int error_step = -1;  // 0-based step of the error, -1 if none
  int error_line = 0;
  // For kSwitchFailure: which kind (a timeout, an exit, a protocol error...).
  SwitchFailure::Kind failure_kind = SwitchFailure::Kind::kThrew;
  RunStats stats;
  std::array<std::uint64_t, kPropertyCount> checks{};
  // Every decision the switch met, with the conditions the rules read there
  // (models/situation.h), in order.
  std::vector<model::Situation> situations;
  std::vector<std::string> trace;
  // The violation to report first: the first safety violation, else the first.
  const Violation* headline() const;
  // A property was violated or the switch failed.
  bool failed() const {
    return outcome == Outcome::kViolation || outcome == Outcome::kSwitchFailure;
  }
};

RunResult run_scenario(const Scenario& scenario, Switch& sut, const RunOptions& options = {});

// A scenario file played without holding its steps.
struct FileRun {
  ParseResult parsed;                 // the scenario's header (no steps), or the file's first error
  RunResult result;                   // kInputError with the parse error when the file is bad
  model::SituationCoverage coverage;  // the decisions the switch met
};
// Plays the scenario file at `path`: a first read checks the whole file and
// collects what reset announces, a second plays it one step at a time with
// `retain` (see Oracle). The verdict is that of run_scenario on the loaded
// file, except that content of a message settled more than `retain`
// settlements ago is no longer named. Memory does not grow with the file
// (RunOptions::trace aside).
FileRun run_scenario_file(const std::string& path, Switch& sut, const RunOptions& options = {},
                          std::size_t retain = Oracle::kDefaultRetain);

class PlayableBuilder;

// A run fed one step at a time: run_scenario is a Session over a scenario's
// steps, and a soak generates its steps as it goes. With `retain` (see
// Oracle), what the run keeps is bounded by the messages in flight.
//
// Example usage:
//   Session s(sut, {}, 65536);
//   s.start(senders);
//   for (int i = 0; more(); ++i) if (!s.play(next(), i)) break;
//   RunResult& r = s.finish(i);
class Session {
 public:
  Session(Switch& sut, const RunOptions& options, std::size_t retain = Oracle::kRetainAll);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void reserve(std::size_t messages, std::size_t batches);
  // reset(senders); false when the switch failed.
  bool start(const std::vector<std::string>& senders);
  // Plays `step` as step number `index` (0-based); false once the run must
  // stop (a safety violation, a switch failure, a step that cannot be played).
  bool play(const Step& step, int index);
  // A quiet period of a long run: the drain and the end-of-scenario checks
  // for what is in flight, and the run goes on. False once the run must stop.
  bool checkpoint(int index);
  // The drain and end-of-scenario checks (unless the run stopped), then the
  // final result. `index` numbers the drain's step.
  RunResult& finish(int index);

  bool stopped() const;
  const Oracle& oracle() const;
  // The model as the environment steps left it.
  const PlayableBuilder& model() const;
  // The result so far (stats, error); violations are copied in by finish().
  const RunResult& result() const;
  // The situations met since the last call (finish() keeps those not taken).
  std::vector<model::Situation> take_situations();
  // From now on, situations are counted into `coverage` instead of kept.
  void count_situations_into(model::SituationCoverage* coverage);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The kind of a switch failure caught as `e` (kThrew unless e is a SwitchFailure).
SwitchFailure::Kind failure_kind_of(const std::exception& e);
const char* to_string(SwitchFailure::Kind k);

// One line for a result: "PASS", "FAIL S1 at step 4 (line 12): ...", "ERROR ...".
std::string summarize(const RunResult& r);

}  // namespace wrongbox
