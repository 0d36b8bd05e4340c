#include "harness/core/minimize.h"

#include <algorithm>

namespace wrongbox {
namespace {

bool is_timeout(const RunResult& r) {
  return r.outcome == Outcome::kSwitchFailure && r.failure_kind == SwitchFailure::Kind::kTimeout;
}

class Minimizer {
 public:
  Minimizer(Switch& sw, const RunOptions& o, const MinimizeLimits& limits)
      : sw_(sw), o_(o), limits_(limits) {}

  bool spent() {
    if (runs_ >= limits_.max_runs || timeouts_ >= limits_.max_timeouts ||
        std::chrono::steady_clock::now() >= limits_.deadline) {
      cut_short_ = true;
      return true;
    }
    return false;
  }

  // Plays `s` up to limits_.tries times, each under the next schedule, until
  // limits_.min_failures of them failed like `want` (any failure without
  // `want`) or that can no longer happen; returns a failing run if that many
  // failed, else the last run.
  RunResult play(const Scenario& s, const RunResult* want = nullptr) {
    const int tries = std::max(1, limits_.tries);
    const int needed = std::clamp(limits_.min_failures, 1, tries);
    RunResult r, failing;
    int failed = 0;
    for (int t = 0; t < tries && failed < needed && failed + (tries - t) >= needed; ++t) {
      ++runs_;
      r = run_scenario(s, sw_, o_.under_schedule(schedule_++));
      if (is_timeout(r)) ++timeouts_;
      if (want ? fails_like(r, *want) : r.failed()) {
        if (failed++ == 0) failing = r;
      }
      if (runs_ >= limits_.max_runs || std::chrono::steady_clock::now() >= limits_.deadline) break;
    }
    return failed >= needed ? failing : (failed > 0 && !want ? failing : r);
  }

  // Plays `candidate`; keeps it when it fails like the original.
  bool try_keep(Scenario candidate) {
    if (spent()) return false;
    RunResult r = play(candidate, &result_);
    if (!fails_like(r, result_)) return false;
    best_ = std::move(candidate);
    result_ = std::move(r);
    return true;
  }

  MinimizeResult run(const Scenario& s) {
    best_ = s;
    result_ = play(s);
    if (!result_.failed()) return {best_, result_, runs_, false};
    // A switch failure needs nothing after the step at which it happened.
    if (result_.outcome == Outcome::kSwitchFailure && result_.error_step >= 0 &&
        static_cast<std::size_t>(result_.error_step) + 1 < best_.steps.size()) {
      Scenario cut = best_;
      cut.steps.resize(static_cast<std::size_t>(result_.error_step) + 1);
      try_keep(std::move(cut));
    }
    // Nor a safety violation: the run stops at its step.
    if (const Violation* v = result_.headline();
        v && is_safety(v->property) && v->step >= 0 &&
        static_cast<std::size_t>(v->step) + 1 < best_.steps.size()) {
      Scenario cut = best_;
      cut.steps.resize(static_cast<std::size_t>(v->step) + 1);
      try_keep(std::move(cut));
    }
    for (bool changed = true; changed && !spent();) {
      changed = remove_step_chunks();
      changed = remove_messages() || changed;
      changed = unify_subjects() || changed;
      changed = merge_submits() || changed;
      changed = simplify_counts() || changed;
      changed = registry_outages() || changed;
      changed = fresh_mailboxes() || changed;
    }
    return {best_, result_, runs_, cut_short_};
  }

 private:
  // Delete runs of steps, halving the chunk size down to single steps.
  bool remove_step_chunks() {
    bool any = false;
    for (std::size_t chunk = std::max<std::size_t>(1, best_.steps.size() / 2); chunk >= 1;
         chunk /= 2) {
      for (std::size_t at = 0; at < best_.steps.size() && !spent();) {
        Scenario c = best_;
        const auto end = std::min(at + chunk, c.steps.size());
        c.steps.erase(c.steps.begin() + static_cast<long>(at),
                      c.steps.begin() + static_cast<long>(end));
        if (try_keep(std::move(c))) {
          any = true;
        } else {
          at += chunk;
        }
      }
      if (chunk == 1 || spent()) break;
    }
    return any;
  }

  bool remove_messages() {
    bool any = false;
    for (std::size_t i = 0; i < best_.steps.size() && !spent(); ++i) {
      for (std::size_t m = 0; !spent() && best_.steps[i].kind == StepKind::kSubmit &&
                              best_.steps[i].messages.size() > 1 &&
                              m < best_.steps[i].messages.size();) {
        Scenario c = best_;
        c.steps[i].messages.erase(c.steps[i].messages.begin() + static_cast<long>(m));
        if (try_keep(std::move(c))) {
          any = true;
        } else {
          ++m;
        }
      }
    }
    return any;
  }

  // Fewer persons: a message about a person who appears later in the
  // scenario is tried about each person who appears earlier (first
  // appearance order), so that the steps about the later person can go in
  // the next round. A failure between two senders' letters to two persons
  // often needs only one person; deleting steps alone cannot find that.
  bool unify_subjects() {
    bool any = false;
    for (std::size_t i = 0; i < best_.steps.size() && !spent(); ++i) {
      for (std::size_t m = 0; m < best_.steps[i].messages.size() && !spent(); ++m) {
        const std::string subject = best_.steps[i].messages[m].subject;
        for (const std::string& earlier : persons_before(subject)) {
          if (spent()) break;
          Scenario c = best_;
          c.steps[i].messages[m].subject = earlier;
          if (try_keep(std::move(c))) {
            any = true;
            break;
          }
        }
      }
    }
    return any;
  }

  // Two submits become one: the earlier one's messages join the next submit
  // (in front of its own), or else the later one's join the earlier. One
  // step less, when the failure needs the messages and not two batches.
  bool merge_submits() {
    bool any = false;
    for (std::size_t i = 0; i < best_.steps.size() && !spent();) {
      if (best_.steps[i].kind != StepKind::kSubmit) {
        ++i;
        continue;
      }
      std::size_t j = i + 1;
      while (j < best_.steps.size() && best_.steps[j].kind != StepKind::kSubmit) ++j;
      if (j == best_.steps.size()) break;
      Scenario later = best_;
      auto& into = later.steps[j].messages;
      into.insert(into.begin(), later.steps[i].messages.begin(), later.steps[i].messages.end());
      later.steps.erase(later.steps.begin() + static_cast<long>(i));
      if (try_keep(std::move(later))) {
        any = true;  // the step at i is another one now: look at it again
        continue;
      }
      if (spent()) break;
      Scenario earlier = best_;
      auto& to = earlier.steps[i].messages;
      to.insert(to.end(), earlier.steps[j].messages.begin(), earlier.steps[j].messages.end());
      earlier.steps.erase(earlier.steps.begin() + static_cast<long>(j));
      any = try_keep(std::move(earlier)) || any;
      ++i;
    }
    return any;
  }

  // An operator's outage becomes the registry's (the outage that names
  // nothing), with the operator's matching `up` if there is one: a failure
  // that needs letters to wait often needs only that they wait, and with the
  // registry down they wait whoever their persons are, so the persons can
  // then be unified.
  bool registry_outages() {
    bool any = false;
    for (std::size_t i = 0; i < best_.steps.size() && !spent(); ++i) {
      if (best_.steps[i].kind != StepKind::kOperatorDown) continue;
      Scenario c = best_;
      const std::string op = c.steps[i].op;
      c.steps[i].kind = StepKind::kRegistryDown;
      c.steps[i].op.clear();
      for (std::size_t j = i + 1; j < c.steps.size(); ++j) {
        if (c.steps[j].kind == StepKind::kOperatorUp && c.steps[j].op == op) {
          c.steps[j].kind = StepKind::kRegistryUp;
          c.steps[j].op.clear();
          break;
        }
        if (c.steps[j].kind == StepKind::kOperatorDown && c.steps[j].op == op) break;
      }
      any = try_keep(std::move(c)) || any;
    }
    return any;
  }

  // The persons of best_ in order of first appearance, up to `subject`'s.
  std::vector<std::string> persons_before(const std::string& subject) const {
    std::vector<std::string> seen;
    const auto note = [&](const std::string& p) {
      if (p.empty() || std::find(seen.begin(), seen.end(), p) != seen.end()) return true;
      if (p == subject) return false;
      seen.push_back(p);
      return true;
    };
    for (const Step& st : best_.steps) {
      if (!note(st.person)) return seen;
      for (const MessageSpec& msg : st.messages) {
        if (!note(msg.subject)) return seen;
      }
    }
    return seen;
  }

  // A reopened mailbox whose earlier life the failure may not need: the
  // reopen becomes an open, and the steps that opened and closed it before
  // go (deleting them one at a time would leave the reopen invalid).
  bool fresh_mailboxes() {
    bool any = false;
    for (std::size_t i = 0; i < best_.steps.size() && !spent(); ++i) {
      if (best_.steps[i].kind != StepKind::kReopen) continue;
      Scenario c = best_;
      const std::string mailbox = c.steps[i].mailbox;
      c.steps[i].kind = StepKind::kOpen;
      std::size_t removed = 0;
      for (std::size_t j = i; j-- > 0;) {
        const auto k = c.steps[j].kind;
        if (c.steps[j].mailbox == mailbox &&
            (k == StepKind::kOpen || k == StepKind::kOpenUnregistered || k == StepKind::kClose ||
             k == StepKind::kCloseAtDelivery || k == StepKind::kReopen)) {
          c.steps.erase(c.steps.begin() + static_cast<long>(j));
          ++removed;
        }
      }
      if (try_keep(std::move(c))) {
        any = true;
        i -= std::min(i, removed);
      }
    }
    return any;
  }

  bool simplify_counts() {
    bool any = false;
    // (Checked before each copy: a spent budget must not cost a copy per step.)
    for (std::size_t i = 0; i < best_.steps.size() && !spent(); ++i) {
      if (best_.steps[i].kind == StepKind::kTick && best_.steps[i].count > 1) {
        Scenario c = best_;
        c.steps[i].count = 1;
        any = try_keep(std::move(c)) || any;
      }
      for (std::size_t m = 0; m < best_.steps[i].messages.size(); ++m) {
        if (best_.steps[i].messages[m].parts > 1) {
          Scenario c = best_;
          c.steps[i].messages[m].parts = 1;
          any = try_keep(std::move(c)) || any;
        }
      }
    }
    return any;
  }

  Switch& sw_;
  RunOptions o_;
  MinimizeLimits limits_;
  int runs_ = 0;
  std::uint64_t schedule_ = 0;  // of the next replay
  int timeouts_ = 0;
  bool cut_short_ = false;
  Scenario best_;
  RunResult result_;  // the run of best_: the failure to keep
};

}  // namespace

bool fails_like(const RunResult& r, const RunResult& want) {
  if (r.outcome != want.outcome) return false;
  if (r.outcome == Outcome::kSwitchFailure) return r.failure_kind == want.failure_kind;
  if (r.outcome != Outcome::kViolation) return false;
  return r.headline()->property == want.headline()->property;
}

FailureRate failure_rate(const Scenario& s, Switch& sw, const RunOptions& o, const RunResult& want,
                         int runs) {
  FailureRate rate;
  for (int i = 0; i < runs; ++i) {
    const RunResult r = run_scenario(s, sw, o.under_schedule(static_cast<std::uint64_t>(i)));
    ++rate.runs;
    rate.failed += fails_like(r, want);
  }
  return rate;
}

RunResult first_failure(const Scenario& s, Switch& sw, const RunOptions& o, std::uint64_t from,
                        int runs) {
  RunResult r;
  for (int i = 0; i < std::max(1, runs) && !r.failed(); ++i) {
    r = run_scenario(s, sw, o.under_schedule(from + static_cast<std::uint64_t>(i)));
  }
  return r;
}

MinimizeResult minimize_scenario(const Scenario& s, Switch& sw, const RunOptions& o,
                                 const MinimizeLimits& limits) {
  return Minimizer(sw, o, limits).run(s);
}

}  // namespace wrongbox
