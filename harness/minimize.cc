#include "harness/minimize.h"

#include <algorithm>
#include <optional>

namespace wrongbox {
namespace {

// What a failure is, for "fails the same way".
struct Signature {
  Outcome outcome;
  std::optional<Property> property;
  bool operator==(const Signature&) const = default;
};

Signature signature_of(const RunResult& r) {
  Signature s{r.outcome, std::nullopt};
  if (const auto* v = r.headline()) s.property = v->property;
  return s;
}

bool fails(const RunResult& r) {
  return r.outcome == Outcome::kViolation || r.outcome == Outcome::kSwitchFailure;
}

class Minimizer {
 public:
  Minimizer(Switch& sw, const RunOptions& o, int max_runs) : sw_(sw), o_(o), max_runs_(max_runs) {}

  // Plays `candidate`; keeps it when it fails like the original.
  bool try_keep(Scenario candidate) {
    if (runs_ >= max_runs_) return false;
    ++runs_;
    RunResult r = run_scenario(candidate, sw_, o_);
    if (!fails(r) || !(signature_of(r) == want_)) return false;
    best_ = std::move(candidate);
    result_ = std::move(r);
    return true;
  }

  MinimizeResult run(const Scenario& s) {
    best_ = s;
    result_ = run_scenario(s, sw_, o_);
    runs_ = 1;
    if (!fails(result_)) return {best_, result_, runs_};
    want_ = signature_of(result_);
    for (bool changed = true; changed && runs_ < max_runs_;) {
      changed = remove_step_chunks();
      changed = remove_messages() || changed;
      changed = simplify_counts() || changed;
    }
    return {best_, result_, runs_};
  }

 private:
  // Delete runs of steps, halving the chunk size down to single steps.
  bool remove_step_chunks() {
    bool any = false;
    for (std::size_t chunk = std::max<std::size_t>(1, best_.steps.size() / 2); chunk >= 1;
         chunk /= 2) {
      for (std::size_t at = 0; at < best_.steps.size();) {
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
      if (chunk == 1) break;
    }
    return any;
  }

  bool remove_messages() {
    bool any = false;
    for (std::size_t i = 0; i < best_.steps.size(); ++i) {
      for (std::size_t m = 0; best_.steps[i].kind == StepKind::kSubmit &&
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

  bool simplify_counts() {
    bool any = false;
    for (std::size_t i = 0; i < best_.steps.size(); ++i) {
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
  int max_runs_;
  int runs_ = 0;
  Scenario best_;
  RunResult result_;
  Signature want_{Outcome::kPass, std::nullopt};
};

}  // namespace

MinimizeResult minimize_scenario(const Scenario& s, Switch& sw, const RunOptions& o, int max_runs) {
  return Minimizer(sw, o, max_runs).run(s);
}

}  // namespace wrongbox
