// The soak engine (see the header).
#include "harness/soak/soak.h"

#include <sys/resource.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "harness/core/playable.h"

namespace wrongbox::soak {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

SoakResult run_soak(Switch& sw, const SoakOptions& o, const ProgressFn& progress,
                    const SegmentFn& segment_done) {
  SoakResult out;
  const auto t0 = Clock::now();
  Traffic traffic(*o.profile, o.seed, o.run.can_restart);
  Session session(sw, o.run, o.retain);
  session.count_situations_into(&out.coverage);
  const RunResult& so_far = session.result();

  SegmentDone seg;
  auto segment_start = t0;
  auto snapshot = [&](SoakProgress& p) {
    p.messages = so_far.stats.messages;
    p.steps = so_far.stats.steps;
    p.segments = out.segments;
    p.in_flight = session.oracle().in_flight();
    p.retained = session.oracle().retained();
    p.violations = session.oracle().violations().size();
    p.seconds = since(t0);
    p.peak_rss_kb = peak_rss_kb();
  };
  auto report = [&] {
    if (!progress) return;
    SoakProgress p;
    snapshot(p);
    progress(p);
  };
  auto end_segment_record = [&] {
    seg.messages = so_far.stats.messages - seg.first_message;
    seg.steps = so_far.stats.steps - seg.steps;
    seg.calls = so_far.stats.calls - seg.calls;
    seg.ticks = so_far.stats.ticks - seg.ticks;
    seg.seconds = std::chrono::duration<double>(Clock::now() - segment_start).count();
    if (segment_done) segment_done(seg);
    SegmentDone next;
    next.index = seg.index + 1;
    next.first_message = so_far.stats.messages;
    next.steps = so_far.stats.steps;
    next.calls = so_far.stats.calls;
    next.ticks = so_far.stats.ticks;
    seg = next;
    segment_start = Clock::now();
  };

  std::int64_t index = 0;
  auto next_report = t0 + std::chrono::seconds(1);
  bool ok = session.start(traffic.senders());
  while (ok && traffic.messages() < o.messages) {
    const Step& st = traffic.next();
    ok = session.play(st, static_cast<int>(index)) && session.oracle().violations().empty();
    out.peak_in_flight = std::max(out.peak_in_flight, session.oracle().in_flight());
    if (!ok) {
      out.stop_step = index;
      break;
    }
    ++index;
    // A segment's end and a quiet period alike: drain, then the
    // end-of-scenario checks; a segment's end is also recorded.
    const bool segment_end = traffic.segment_due();
    if (segment_end || traffic.quiet_due()) {
      if (!session.checkpoint(static_cast<int>(index))) {
        ok = false;
        out.stop_step = index - 1;
        out.at_drain = true;
        break;
      }
      if (segment_end) {
        traffic.begin_segment();
        ++out.segments;
        end_segment_record();
        report();
      } else {
        traffic.after_quiet();
      }
    }
    if (o.rate > 0) {
      // Ahead of the rate: wait until the messages sent are due.
      const double due = static_cast<double>(so_far.stats.messages) / o.rate;
      const double ahead = due - since(t0);
      if (ahead > 0) std::this_thread::sleep_for(std::chrono::duration<double>(ahead));
    }
    if ((index & 1023) == 0 || o.rate > 0) {
      const auto now = Clock::now();
      if (now >= o.deadline) {
        out.deadline_reached = true;
        break;
      }
      if (now >= next_report) {
        report();
        next_report = now + std::chrono::seconds(1);
      }
    }
  }
  const bool stopped_in_play = !ok;
  out.run = std::move(session.finish(static_cast<int>(index)));
  if (!stopped_in_play && out.run.failed()) {  // the final drain found it
    out.stop_step = index - 1;
    out.at_drain = true;
  }
  if (!out.run.failed()) {
    ++out.segments;
    end_segment_record();
  }
  out.seconds = since(t0);
  out.peak_rss_kb = peak_rss_kb();
  report();
  return out;
}

CutOut cut_out(const SoakOptions& o, const SoakResult& found, Switch& sw,
               const MinimizeLimits& limits) {
  CutOut c;
  const std::int64_t stop = found.stop_step;
  // Regenerate the soak's steps up to `stop`, keeping the last kMaxWindow
  // (the history a cut can start from) and the world (as the steps left it)
  // where each window starts. The switch is never reset during a soak, so a
  // window that rebuilds only the world may not fail where the whole history
  // does.
  constexpr std::int64_t kMaxWindow = std::int64_t{1} << 18;
  std::vector<std::int64_t> windows;
  for (std::int64_t w = 16; w < kMaxWindow; w *= 4) windows.push_back(w);
  const std::int64_t history_start = std::max<std::int64_t>(0, stop - kMaxWindow + 1);
  Traffic traffic(*o.profile, o.seed, o.run.can_restart);
  PlayableBuilder world;  // what the steps did, in the order they were played
  model::World history_world;
  std::vector<Step> steps;               // from history_start
  std::vector<std::int64_t> step_index;  // each one's soak step (quiet periods: the next one's)
  std::vector<std::optional<model::World>> at_start(windows.size());
  for (std::int64_t i = 0; i <= stop; ++i) {
    for (std::size_t k = 0; k < windows.size(); ++k) {
      if (stop - windows[k] + 1 == i) at_start[k] = world.world();
    }
    if (i == history_start) history_world = world.world();
    const Step& st = traffic.next();
    world.add(st);
    const bool kept = i >= history_start;
    if (kept) {
      steps.push_back(st);
      step_index.push_back(i);
    }
    const bool segment_end = i < stop && traffic.segment_due();
    if (i < stop && (segment_end || traffic.quiet_due())) {
      // The end of a segment or a quiet period, as steps: outages end and
      // the switch gets time.
      if (segment_end) {
        traffic.begin_segment();
      } else {
        traffic.after_quiet();
      }
      std::vector<Step> quiet;
      if (!world.world().registry_up()) quiet.emplace_back().kind = StepKind::kRegistryUp;
      for (const auto& op : world.world().operators_down()) {
        Step& up = quiet.emplace_back();
        up.kind = StepKind::kOperatorUp;
        up.op = op;
      }
      Step& wait = quiet.emplace_back();
      wait.kind = StepKind::kTick;
      wait.count = o.run.drain_ticks;
      for (auto& q : quiet) {
        world.add(q);
        if (!kept) continue;
        steps.push_back(std::move(q));
        step_index.push_back(i + 1);
      }
    }
  }
  const RunResult& want = found.run;
  auto attempt = [&](const model::World& start_world, std::int64_t first) -> bool {
    Scenario sc;
    sc.name = "soak-" + std::string(o.profile->name) + "-seed-" + std::to_string(o.seed);
    sc.header_comments = {
        "Cut out of `wrongbox soak --profile " + std::string(o.profile->name) + " --seed " +
            std::to_string(o.seed) + "`: its steps " + std::to_string(first + 1) + " to " +
            std::to_string(stop + 1) + ", after steps that rebuild the world as it was.",
    };
    sc.steps = steps_to_rebuild(start_world);
    const auto from =
        std::lower_bound(step_index.begin(), step_index.end(), first) - step_index.begin();
    sc.steps.insert(sc.steps.end(), steps.begin() + from, steps.end());
    for (auto& st : sc.steps) st.line = 0;
    RunResult r = run_scenario(sc, sw, o.run);
    ++c.runs;
    if (!fails_like(r, want)) return false;
    c.reproduced = true;
    c.first_step = first;
    c.window = stop - first + 1;
    const auto comments = sc.header_comments;
    auto m = minimize_scenario(sc, sw, o.run, limits);
    c.runs += m.runs;
    c.cut_short = m.cut_short;
    if (m.result.failed() && fails_like(m.result, want)) {
      c.scenario = std::move(m.scenario);
      c.result = std::move(m.result);
    } else {
      c.scenario = std::move(sc);
      c.result = std::move(r);
    }
    c.scenario.header_comments = comments;
    return true;
  };
  for (std::size_t k = 0; k < windows.size(); ++k) {
    const std::int64_t first = stop - windows[k] + 1;
    if (first <= history_start) break;
    if (Clock::now() >= limits.deadline) return c;
    if (attempt(*at_start[k], first)) return c;
  }
  attempt(history_world, history_start);
  return c;
}

}  // namespace wrongbox::soak
