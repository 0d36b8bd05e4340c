// PlayableBuilder: which steps can be played in the state the steps before
// them left, in one place. The runner plays a scenario's environment steps
// through it, the fuzzer's byte codec drops the steps it refuses, and the
// generators emit their plans through it, so a rule of the model (a
// mailbox must be open to be closed, a reopened account waits out its
// quarantine, a person registers only their own mailbox, ...) is written
// once, in models/world.h, and read here.
//
// Example usage:
//   PlayableBuilder b;
//   std::string why;
//   if (!b.add(step, &why)) report(step, why);   // "kivra/1 is not open"
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "harness/core/scenario.h"
#include "models/world.h"

namespace wrongbox {

class PlayableBuilder {
 public:
  enum class Policy {
    kAsWritten,    // what the model allows (the runner: a scenario as its author wrote it)
    kNoRacedReuse  // also refuse any later step on a mailbox that closes at its next
                   // delivery: its state is the switch's timing from then on (decoded
                   // and generated scenarios)
  };
  explicit PlayableBuilder(Policy policy = Policy::kAsWritten) : policy_(policy) {}

  // Applies `st` to the model when it can be played now; otherwise changes
  // nothing and returns false, with the reason in `why` when given (without
  // `why` the commonest refusals cost no sentence). Switch commands (submit,
  // restart) are always playable; a tick moves the clock.
  bool add(const Step& st, std::string* why = nullptr);
  // The clock moves by `ticks` (the runner's ticks, drain included).
  void advance(std::int64_t ticks);

  model::World& world() { return world_; }
  const model::World& world() const { return world_; }
  std::int64_t now() const { return now_; }
  // Mailboxes closed at delivery so far.
  bool raced(const std::string& mailbox) const { return raced_.count(mailbox) != 0; }

 private:
  Policy policy_;
  model::World world_;
  std::int64_t now_ = 0;
  std::set<std::string> raced_;
};

// Environment steps that, played on a fresh model, rebuild `world`'s
// mailboxes and owners, registrations, protections, blocks and outages;
// closed mailboxes can be reopened at once after them. (Which accounts were
// reopened for someone else, and the clock, are not rebuilt.)
std::vector<Step> steps_to_rebuild(const model::World& world);

}  // namespace wrongbox
