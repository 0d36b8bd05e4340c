// The property search behind `wrongbox check`: generate scenarios, play them
// against a switch, shrink the first failure to a minimal scenario, make it
// replayable.
//
// A check first replays the failures it saved before for the same switch
// (failure memory, like Hypothesis's example database), then runs RapidCheck
// in chunks of scenarios until `tests` scenarios passed, a failure is found,
// or the time budget is spent.
//
// Example usage:
//   CheckOptions o; o.tests = 1000; o.seed = 42;
//   CheckResult r = run_check(*sut.sw, sut.hello, "builtin:reference", o);
//   if (r.failed) std::cout << print_scenario(*r.counterexample);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/check/generators.h"
#include "harness/core/minimize.h"
#include "harness/core/runner.h"
#include "harness/core/scenario.h"
#include "models/situation.h"
#include "wrongbox/switch.h"

namespace wrongbox::check {

// How scenarios are found: the coverage-steered loop (harness/check/steer.h),
// or RapidCheck over the generators alone, shrunk by RapidCheck.
enum class Search { kSteered, kRapidCheck };

// The default `wrongbox check` budget, in seconds, when neither a count nor
// a budget is given: the search stops earlier once every feasible pair of
// conditions has been met `coverage_k` times.
inline constexpr double kDefaultCheckBudget = 10.0;
inline constexpr std::uint64_t kDefaultCoverageK = 3;

struct CheckOptions {
  int tests = 1000;        // scenarios to play; 0 = no fixed count
  std::uint64_t seed = 0;  // 0: pick one from the clock (printed)
  double time_budget = 0;  // seconds; 0 = none
  // Stop once every feasible situation pair was met coverage_k times.
  bool stop_when_covered = false;
  std::uint64_t coverage_k = kDefaultCoverageK;
  Search search = Search::kSteered;
  std::string reproduce;  // RapidCheck reproduce string from an earlier report (kRapidCheck)
  // Sharding: this check plays chunks shard_index, shard_index + shard_count, ...
  // of the seed's stream, so N shards with one seed play disjoint scenarios
  // and together the chunks one long run would.
  int shard_index = 0;  // 0 .. shard_count - 1
  int shard_count = 1;
  GenConfig gen;
  // Schedule perturbation (harness/core/shared_calls.h): pauses chosen by
  // the seed at every call the switch makes. kAuto: for a switch that calls
  // from several threads (hello capability "threads").
  using Perturb = ::wrongbox::Perturb;
  Perturb perturb = Perturb::kAuto;
  // For a threaded or perturbed switch: runs of each generated scenario (each
  // under its own schedule), and replays that measure a failure's rate.
  int schedules = 4;
  int rate_runs = 100;
  std::string failures_dir;  // failure memory for this switch; "" = none
  bool replay_failures_first = true;
  std::function<void(int tests_done, double seconds)> on_progress;  // after each chunk
  // Called with every generated scenario before it is played (not the
  // shrinking runs): for tests and benchmarks that look at the stream.
  std::function<void(const Scenario&)> on_scenario;
  // The transport's freedoms a scenario used, a bit each, since the last
  // call (net:); the steered search keeps a plan that used a new one.
  std::function<std::uint32_t()> wire_used;
};

struct CheckStats {
  int scenarios = 0;  // generated scenarios played (shrink runs not counted)
  long steps = 0;
  long messages = 0;
  long calls = 0;
  std::array<int, 13> covered{};  // scenarios per Coverage field, in declaration order
  std::array<std::uint64_t, kPropertyCount> checks{};
  std::array<long, kPlaceCount> files{};  // files judged at rest (S6), by place
  model::SituationCoverage situations;    // of the generated scenarios' decisions
};
// Labels for CheckStats::covered, in order.
const std::array<const char*, 13>& coverage_labels();

struct CheckResult {
  bool failed = false;       // a property was violated, or the switch failed
  bool from_memory = false;  // the failure is a saved one that reproduced
  std::string memory_file;   // which saved failure, when from_memory
  std::string error;         // the check itself could not run (bad reproduce string, ...)
  int tests_run = 0;
  std::uint64_t seed = 0;
  double seconds = 0;
  double seconds_to_failure = 0;
  int scenarios_to_failure = 0;
  std::optional<Scenario> counterexample;  // shrunk
  RunResult failure;                       // the counterexample's result
  std::string reproduce;                   // RapidCheck reproduce string
  std::string saved_to;                    // file the counterexample was saved as
  bool budget_exhausted = false;
  // Shrinking stopped at its deadline (the time budget, or 60 s without one)
  // or after two replays that timed out: the counterexample is the smallest
  // failing one found by then.
  bool shrink_cut_short = false;
  // The failure did not happen again when its scenario was replayed: it is
  // reported (and saved) as found, unshrunk, with a warning in `error`.
  bool replay_passed = false;
  // A race: no smaller scenario failed as often as the one found, which is
  // reported as found.
  bool unshrunk = false;
  // For a threaded or perturbed switch: how often the counterexample fails
  // (its replays, each under its own schedule); runs == 0 when not measured.
  FailureRate rate;
  bool perturbed = false;  // the runs had schedules (seeded from `seed`)
  bool flaky() const { return rate.runs > 0 && !rate.always(); }
  bool covered = false;             // stopped because every feasible pair was met coverage_k times
  int scenarios_to_cover_once = 0;  // scenarios until every feasible pair was met once (0: never)
  int scenarios_to_cover_k = 0;     // ... coverage_k times
  std::array<int, 3> sources{};     // steered: fresh, uniform and mutated plans played
  int kept = 0;                     // steered: plans kept for reaching a new pair
  // net: pairs of the wire's freedoms used together by coverage_k runs or
  // more, and by one run or more (steered search only).
  std::pair<int, int> wire_pairs{0, 0};
  CheckStats stats;
};

// Parses "K/N" (1 <= K <= N <= 10000) into o.shard_index = K - 1 and
// o.shard_count = N; returns "" or the problem.
std::string parse_shard(const std::string& spec, CheckOptions& o);

// The seed RapidCheck gets for chunk `chunk` of the stream of `seed`: a hash
// of both, so different seeds give unrelated streams (not shifted copies).
std::uint64_t chunk_seed(std::uint64_t seed, std::uint64_t chunk);

// REQUIRES: `sut` was opened for `sut_spec` (used in texts and file names).
CheckResult run_check(Switch& sut, const HelloInfo& hello, const std::string& sut_spec,
                      const CheckOptions& options);

// The command line that reproduces a failure exactly.
std::string reproduce_command(const std::string& sut_spec, const CheckOptions& o,
                              const CheckResult& r);

// Writes `sc` (a failing scenario) as DIR/PROPERTY-HASH.wbs: `how_found`
// and the violation report as header comments, `tag`, and a guards line for
// a built-in defect variant. Returns the path, or "" when it cannot write.
std::string save_counterexample(const std::string& dir, const std::string& sut_spec, Scenario sc,
                                const RunResult& failure, std::vector<std::string> how_found,
                                const std::string& tag);

// How printed commands name the wrongbox tool ("wrongbox" unless the CLI
// sets its own path because PATH would not find it).
std::string& program_name();

// What a failed check tells its user: how it was found, the shrunk
// scenario, the violation (or the switch's failure), the reproduce command,
// and where it was saved with the command that replays it. `wrongbox check`
// prints it; wrongbox::check_switch returns it (the GoogleTest message).
// `next` replaces the lines that say what to do next (failure_next_steps)
// where the switch has no --sut spec to run again (an in-process switch).
// REQUIRES: r.failed.
std::string failure_report(const std::string& sut_spec, const CheckOptions& o, const CheckResult& r,
                           const std::vector<std::string>* next = nullptr);

// The lines of failure_report that say what to do next: "reproduce: CMD"
// (a new finding), "saved:     FILE" and "replay:    CMD".
std::vector<std::string> failure_next_steps(const std::string& sut_spec, const CheckOptions& o,
                                            const CheckResult& r);

// "failed 37 of 100 replays under schedule perturbation", or "" for a
// failure whose rate was not measured.
std::string rate_line(const CheckResult& r);

// One line: what failed and how it was found ("S1 violated at step 2, call 3
// `deliver ...`; found after 37 scenario(s) in 0.0123 s; shrunk to 3
// step(s)"). REQUIRES: r.failed.
std::string failure_headline(const CheckResult& r);

// "wrongbox replay FILE --sut SPEC [--trace]", quoted for a shell.
std::string replay_command(const std::string& file, const std::string& sut_spec, bool trace = true);

// The file name a failure is saved under: PROPERTY-HASH.wbs, HASH the first
// 16 hex digits of the SHA-256 of its steps (print_step, one per line):
// comments, name, tags and guards do not count, so one failure has one name
// on every toolchain, whether a check saved it or a campaign imported it
// from the evidence store.
std::string saved_failure_name(const std::string& property, const Scenario& sc);

// Directory under `root` that holds `sut_spec`'s saved failures.
std::string failures_dir_for(const std::string& root, const std::string& sut_spec);

}  // namespace wrongbox::check

namespace wrongbox::check {
// `count` scenarios as the check would generate them for `seed` (for
// looking at what the generators produce; no switch is involved).
std::vector<Scenario> sample_scenarios(const GenConfig& cfg, std::uint64_t seed, int count);
}  // namespace wrongbox::check
