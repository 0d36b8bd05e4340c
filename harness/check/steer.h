// The steered search: a feedback loop over situation coverage.
//
// Each round plays one plan, from one of three sources:
//   - fresh: the search's generators (collision families, tricky accounts, swarm);
//   - uniform: the same plan shape with every action kind equally likely and
//     no swarm, a plain random share that anticipates nothing;
//   - mutant: a kept plan changed by one to four mutations (insert, delete,
//     duplicate or swap actions; move a subject to a collision neighbour;
//     put a refusal, an outage or a restart before a tick or a submit; change
//     a message's parts, id, sender or validity; grow a batch; switch a
//     feature; change the world of one message's subject; splice two kept
//     plans).
// A plan is kept when its run reaches a pair of conditions
// (models/situation.h) that no earlier run reached. Half the time the plan
// to mutate is one that met a value of a pair never met; otherwise a
// tournament favours plans holding pairs met fewest times, so the search
// spends its time where coverage is thin. Nothing in the switch
// is instrumented: exec: and plugin: switches are steered the same way.
//
// Example usage:
//   Steering st(gen, seed);
//   Plan p = st.next();                    // play interpret(p, gen), then:
//   st.feedback(p, result.situations);     // keeps p if it covered a new pair
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "harness/check/generators.h"
#include "models/situation.h"

namespace wrongbox::check {

// The shares of each source, in percent (the rest is fresh generation).
struct SteerConfig {
  int mutate_percent = 50;   // when some plan is kept
  int uniform_percent = 20;  // plain uniform random plans
  std::uint64_t k = 3;       // coverage counts pairs met k times (CheckOptions::coverage_k)
  bool wire = true;          // keep plans for the transport's freedoms too (feedback)
};

// Applies one random mutation to `p` (exposed for tests).
void mutate_plan(Plan& p, std::mt19937_64& rng, const GenConfig& cfg, const Plan* other);

class Steering {
 public:
  Steering(const GenConfig& gen, std::uint64_t seed, SteerConfig cfg = {});
  // The next plan to play.
  Plan next();
  // What the last plan's run met; keeps it when it covered a new pair, or
  // when the transport's freedoms it used (`wire`, a bit per freedom: net:'s
  // answers reordered, outages' forms, Delivered=false...) hold a freedom
  // or a pair of them used fewer than k times so far.
  void feedback(const Plan& played, const std::vector<model::Situation>& situations,
                std::uint32_t wire = 0);

  const model::SituationCoverage& coverage() const { return coverage_; }
  // Pairs of the transport's freedoms (a freedom with itself included) that
  // runs used together at least k times, of those some run used.
  std::pair<int, int> wire_pairs(std::uint64_t k) const;
  int kept() const { return static_cast<int>(pool_.size()); }
  // How many plans each source produced: fresh, uniform, mutant.
  const std::array<int, 3>& sources() const { return sources_; }
  // The source of the last plan next() returned: 0 fresh, 1 uniform, 2 mutant.
  int last_source() const { return last_source_; }

 private:
  struct Entry {
    Plan plan;
    std::vector<int> pairs;             // feasible pair indices its run contained, unique
    std::vector<std::uint32_t> values;  // (kind, condition, value) keys its run met, unique
  };
  const Entry& pick();

  GenConfig gen_;
  GenConfig uniform_;
  SteerConfig cfg_;
  std::mt19937_64 rng_;
  std::uint64_t draws_ = 0;
  std::uint64_t seed_;
  model::SituationCoverage coverage_;
  std::vector<Entry> pool_;
  std::array<int, 3> sources_{};
  int last_source_ = 0;
  std::vector<int> scratch_;
  std::array<std::uint64_t, 32 * 32> wire_seen_{};  // runs that used freedoms i and j (i <= j)
  std::vector<model::PairId> never_;                // pairs never met, as of never_at_ pairs met
  int never_at_ = -1;
};

}  // namespace wrongbox::check
