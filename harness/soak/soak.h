// The soak engine: a switch under long generated traffic (traffic.h), judged
// by a streaming oracle whose memory is bounded by what is in flight.
//
// Every safety property is checked at the exact call, C2 and C3 at each sink
// call, C4 at each receipt; a message settles (is released) once it is
// handled and receipted. At each quiet period and at the end of each segment
// the switch is drained and C1, C4 and L1 are checked for everything still in
// flight. The switch is reset once, at the start: what it remembers and counts
// lasts the whole soak, restarts included (where the profile puts them). The
// soak stops at the first violation or switch failure;
// cut_out() then regenerates the traffic and cuts the finding out as a
// short scenario that fails the same way.
//
// Example usage:
//   SoakOptions o;
//   o.profile = profile_by_name("incident-week");
//   o.messages = 1'000'000;
//   SoakResult r = run_soak(*sut, o, {}, {});
//   if (r.run.failed()) { CutOut c = cut_out(o, r, *fresh_sut, {}); save(c.scenario); }
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "harness/core/minimize.h"
#include "harness/core/runner.h"
#include "harness/soak/traffic.h"
#include "models/situation.h"
#include "wrongbox/switch.h"

namespace wrongbox::soak {

// A soak under schedule perturbation (a switch with threads) plays one long
// schedule in which one call boundary in so many may pause: light enough for
// millions of calls, and still each of the threaded example's races shows
// within 10^5 messages (docs/soak.md).
inline constexpr std::uint32_t kPauseOneIn = 16;

// The schedule of a soak with traffic seed `seed` (never 0).
inline std::uint64_t soak_schedule(std::uint64_t seed) {
  const std::uint64_t s = (seed + 1) * 0x9e3779b97f4a7c15ULL;
  return s == 0 ? 1 : s;
}

struct SoakOptions {
  const Profile* profile = nullptr;  // required
  std::uint64_t seed = 1;
  std::int64_t messages = 1000000;
  double rate = 0;  // messages per second at most (0: as fast as the switch goes)
  std::size_t retain = Oracle::kDefaultRetain;
  RunOptions run;  // canary seed, drain ticks, whether the switch restarts
  // Steady-clock time at which the soak stops cleanly, as if it had sent
  // its messages (default: none).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct SoakProgress {
  std::int64_t messages = 0;
  std::int64_t steps = 0;
  std::int64_t segments = 0;  // completed
  std::size_t in_flight = 0;  // messages not settled
  std::size_t retained = 0;   // settled messages still known
  std::size_t violations = 0;
  double seconds = 0;
  long peak_rss_kb = 0;  // of this process, so far
};

struct SegmentDone {
  std::int64_t index = 0;  // 0-based
  std::int64_t first_message = 0, messages = 0, steps = 0, calls = 0, ticks = 0;
  double seconds = 0;
};

struct SoakResult {
  // Outcome, violations or switch failure, warnings, checks and totals.
  RunResult run;
  std::int64_t segments = 0;  // completed (drained, checked)
  double seconds = 0;
  long peak_rss_kb = 0;
  std::size_t peak_in_flight = 0;
  model::SituationCoverage coverage;
  // Where it stopped when it failed: the 0-based step last played, and
  // whether the failure came in the drain after it.
  std::int64_t stop_step = -1;
  bool at_drain = false;
  bool deadline_reached = false;
};

// Called about once a second, and when a segment ends.
using ProgressFn = std::function<void(const SoakProgress&)>;
using SegmentFn = std::function<void(const SegmentDone&)>;

SoakResult run_soak(Switch& sw, const SoakOptions& options, const ProgressFn& progress,
                    const SegmentFn& segment_done);

struct CutOut {
  Scenario scenario;            // the smallest scenario found that fails the same way
  RunResult result;             // its run
  bool reproduced = false;      // false: no window of the segment failed the same way
  std::int64_t window = 0;      // steps of the soak the cut started from
  std::int64_t first_step = 0;  // 0-based soak step the window starts at
  int runs = 0;                 // scenarios played to cut and shrink
  bool cut_short = false;       // a limit stopped the shrinking
};

// Regenerates the traffic up to `found.stop_step` and cuts the finding out:
// the steps that rebuild the world as it was, then the last 16, 64, 256, ...
// steps, until one such scenario fails on `sw` like the soak did; at last
// every step since the start (or the last 262,144 steps); then shrinks it
// within `limits`.
CutOut cut_out(const SoakOptions& options, const SoakResult& found, Switch& sw,
               const MinimizeLimits& limits);

// Peak resident memory of this process, in KiB.
long peak_rss_kb();

}  // namespace wrongbox::soak
