// The situation recorder: one model::Situation per decision the switch met
// (models/situation.h), from the same sink events the oracle judges. It
// reads the ledger and the model; it judges nothing. Coverage and the
// steered search read what it records.
#pragma once

#include <array>
#include <cstdint>
#include <memory_resource>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "harness/core/oracle/ledger.h"
#include "models/situation.h"
#include "models/world.h"

namespace wrongbox {

class SituationRecorder {
 public:
  SituationRecorder(const model::World& world, Ledger& ledger) : world_(world), ledger_(ledger) {}
  SituationRecorder(const SituationRecorder&) = delete;
  SituationRecorder& operator=(const SituationRecorder&) = delete;

  // The batch the ledger added last was built from `specs`: the facts of
  // its submission (position, neighbours, the route at that moment).
  void on_batch(const std::vector<MessageSpec>& specs);
  // A verdict: `repeated` when its (sender, id) had been accepted before.
  void on_verdict(std::uint32_t slot, bool repeated);
  // All verdicts of the batch are in.
  void on_verdicts_done() { restarted_ = false; }
  // A message reached its first sink; `facts`: what the rules read then.
  void on_first_sink(Ledger::Instance& in, const model::World::Facts& facts);
  void on_receipt(const Ledger::Instance& in);
  void on_log();
  // Refusals the harness's actors answered, and restarts: what the next
  // attempt of the messages concerned is a retry after. The route of a
  // refused delivery is the mailbox it was sent to; that of a refused lookup
  // is the rules' route at that moment.
  void on_delivery_refused(const Message& sent, const std::string& mailbox,
                           model::route::Attempt why);
  void on_registry_unavailable(const std::string& person);
  void on_restart();

  // One per decision the switch met, in order.
  const std::vector<model::Situation>& situations() const { return situations_; }
  std::vector<model::Situation> take() { return std::move(situations_); }
  // From now on, situations are counted into `coverage` instead of kept.
  void count_into(model::SituationCoverage* coverage) { coverage_ = coverage; }

 private:
  void record(const model::Situation& s) {
    if (coverage_) {
      coverage_->add(s);
    } else {
      situations_.push_back(s);
    }
  }
  model::route::Address address_shape(const std::string& mailbox) const;
  // For each message, the closest other subject in its batch: the same
  // subject, one of its collision family (which wins), or none.
  const std::vector<std::uint8_t>& batch_neighbours(const std::vector<MessageSpec>& specs);
  const std::vector<std::uint8_t>& batch_neighbours_pairwise(const std::vector<MessageSpec>& specs);

  const model::World& world_;
  Ledger& ledger_;
  std::vector<model::Situation> situations_;
  model::SituationCoverage* coverage_ = nullptr;
  bool restarted_ = false;                // a restart since the last submit
  Ledger::Content scratch_;               // a refused delivery's title
  std::vector<std::uint8_t> neighbours_;  // batch_neighbours()'s answer
  // batch_neighbours' table for a large batch: (key, first chain entry) per
  // slot, and (message, next entry) per chain entry.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> neighbour_slots_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> neighbour_chain_;
  // ... and its distinct subjects: index by subject, the first message and
  // the count of each, each message's subject, whether a subject has family.
  std::unordered_map<std::string_view, std::uint32_t> distinct_;
  std::vector<std::uint32_t> distinct_at_, distinct_count_, subject_of_;
  std::vector<std::uint8_t> family_of_;
  struct FamilyMemo {
    std::size_t checked = 0;  // subjects compared with this protected person
    bool found = false;
  };
  std::unordered_map<std::string, FamilyMemo> family_memo_;
  struct {
    std::uint64_t protection = UINT64_MAX;
    std::size_t subjects = 0;
    bool any = false;
  } family_;  // the last answer of on_log's family question
};

}  // namespace wrongbox
