// Situations from sink events (situations.h; the list is models/situation.h).
#include "harness/core/oracle/situations.h"

#include <algorithm>

#include "harness/core/mix.h"
#include "models/identity.h"

namespace wrongbox {
void SituationRecorder::on_batch(const std::vector<MessageSpec>& specs) {
  const auto& neighbours = batch_neighbours(specs);
  const auto& slots = ledger_.last_batch();
  const std::size_t n = specs.size();
  for (std::size_t k = 0; k < n; ++k) {
    Ledger::Instance& in = ledger_.at(slots[k]);
    in.batch = n == 1       ? model::kSingle
               : k == 0     ? model::kFirstInBatch
               : k + 1 == n ? model::kLastInBatch
                            : model::kMiddleOfBatch;
    in.fewer_parts = k > 0 && specs[k].parts < specs[k - 1].parts;
    if (in.valid_subject) {
      in.last_route = world_.route(specs[k].subject, specs[k].sender);
      in.neighbour = neighbours[k];
    }
  }
}

const std::vector<std::uint8_t>& SituationRecorder::batch_neighbours(
    const std::vector<MessageSpec>& specs) {
  const std::size_t n = specs.size();
  if (n <= 32) return batch_neighbours_pairwise(specs);
  // A large batch, in time linear in its size whatever the subjects: each
  // distinct subject once (a message shares its subject's answer), and
  // among the distinct subjects only those that share a family key
  // (model::collision_family_keys) are compared. Subjects that are not 12
  // digits have no family (they are no valid number).
  distinct_.clear();
  subject_of_.resize(n);
  distinct_count_.clear();
  distinct_at_.clear();
  for (std::size_t k = 0; k < n; ++k) {
    auto [it, fresh] = distinct_.try_emplace(specs[k].subject, distinct_at_.size());
    if (fresh) {
      distinct_at_.push_back(static_cast<std::uint32_t>(k));
      distinct_count_.push_back(0);
    }
    subject_of_[k] = it->second;
    ++distinct_count_[it->second];
  }
  const std::size_t d = distinct_at_.size();
  family_of_.assign(d, 0);
  // Each key goes into an open-addressing table whose slots head a chain of
  // the distinct subjects with that key; a subject is compared with those
  // before it on each of its chains.
  std::size_t slots = 1024;
  while (slots < 4 * model::kFamilyKeys * d) slots *= 2;
  neighbour_slots_.assign(slots, {0, UINT32_MAX});
  neighbour_chain_.clear();  // (distinct subject, next entry) per key entry
  const std::size_t mask = slots - 1;
  for (std::uint32_t s = 0; s < d; ++s) {
    const std::string& x = specs[distinct_at_[s]].subject;
    if (x.size() != 12 || x.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto keys = model::collision_family_keys(x);
    for (std::size_t t = 1; t < model::kFamilyKeys; ++t) {  // key 0 is the subject itself
      const std::uint64_t key = keys[t];
      std::size_t i = mix64(key) & mask;
      while (neighbour_slots_[i].second != UINT32_MAX && neighbour_slots_[i].first != key) {
        i = (i + 1) & mask;
      }
      auto& slot = neighbour_slots_[i];
      for (std::uint32_t e = slot.second; e != UINT32_MAX; e = neighbour_chain_[e].second) {
        const std::uint32_t q = neighbour_chain_[e].first;
        if (model::in_collision_family(x, specs[distinct_at_[q]].subject)) {
          family_of_[s] = family_of_[q] = 1;
        }
      }
      slot.first = key;
      neighbour_chain_.emplace_back(s, slot.second);
      slot.second = static_cast<std::uint32_t>(neighbour_chain_.size() - 1);
    }
  }
  auto& out = neighbours_;
  out.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const auto s = subject_of_[k];
    out[k] = family_of_[s]            ? model::kCollisionFamily
             : distinct_count_[s] > 1 ? model::kSameSubject
                                      : model::kNoNeighbour;
  }
  return out;
}

const std::vector<std::uint8_t>& SituationRecorder::batch_neighbours_pairwise(
    const std::vector<MessageSpec>& specs) {
  auto& out = neighbours_;
  const std::size_t n = specs.size();
  out.assign(n, model::kNoNeighbour);
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t j = k + 1; j < n; ++j) {  // both ways at once: the relations are symmetric
      if (specs[j].subject == specs[k].subject) {
        out[k] = std::max<std::uint8_t>(out[k], model::kSameSubject);
        out[j] = std::max<std::uint8_t>(out[j], model::kSameSubject);
      } else if (model::in_collision_family(specs[j].subject, specs[k].subject)) {
        out[k] = out[j] = model::kCollisionFamily;
      }
    }
  }
  return out;
}

void SituationRecorder::on_delivery_refused(const Message& sent, const std::string& mailbox,
                                            model::route::Attempt why) {
  scratch_.clear();
  ledger_.scan(sent.title, scratch_);
  if (scratch_.hits.empty()) return;
  auto& in = ledger_.at(scratch_.hits.front().instance);
  if (in.handled > 0) return;
  in.next_attempt = why;
  in.last_route = model::Route{model::SinkKind::kMailbox, mailbox};
}

void SituationRecorder::on_registry_unavailable(const std::string& person) {
  auto* list = ledger_.waiting_about(person);
  if (!list) return;
  for (const auto s : *list) {
    auto& in = ledger_.at(s);
    in.next_attempt = model::route::kAfterRegistryDown;
    in.last_route = world_.route(in.msg->subject, in.msg->sender);
  }
}

void SituationRecorder::on_restart() {
  restarted_ = true;
  for (const auto s : ledger_.waiting()) {
    auto& in = ledger_.at(s);
    if (in.state == Ledger::State::kAccepted) {
      in.next_attempt = model::route::kAfterRestart;
    }
  }
}

void SituationRecorder::on_verdict(std::uint32_t slot, bool repeated) {
  using namespace model::submit;
  const Ledger::Instance& in = ledger_.at(slot);
  model::Situation s;
  s.kind = model::DecisionKind::kSubmit;
  const std::size_t parts = in.tokens.size() - 1;
  const bool no_parts = parts == 0;
  s.v[kSubject] = !in.valid_subject ? 2 : in.coordination ? 1 : 0;
  s.v[kVerdict] = !in.valid_subject || no_parts || repeated;
  s.v[kParts] = no_parts ? 0 : parts == 1 ? 1 : 2;
  s.v[kKey] = repeated ? 1 : in.shared_at_submit ? 2 : 0;
  s.v[kBatch] = in.batch;
  s.v[kNeighbour] = in.neighbour;
  s.v[kFewerParts] = in.fewer_parts;
  s.v[kRegistry] = !world_.registry_up();
  s.v[kRestarted] = restarted_;
  record(s);
}

model::route::Address SituationRecorder::address_shape(const std::string& mailbox) const {
  if (model::has_pattern_characters(mailbox)) return model::route::kPattern;
  if (world_.has_path_relative(mailbox)) return model::route::kPathPrefix;
  return model::route::kPlain;
}

void SituationRecorder::on_first_sink(Ledger::Instance& in, const model::World::Facts& facts) {
  using namespace model::route;
  in.handled_attempt = in.next_attempt;
  const Message& m = *in.msg;
  const std::string* mailbox = facts.mailbox;
  model::Situation s;
  s.kind = model::DecisionKind::kRoute;
  s.v[kExpected] = static_cast<std::uint8_t>(facts.route.kind);
  s.v[kRegistered] = mailbox != nullptr;
  s.v[kHistory] = static_cast<std::uint8_t>(facts.history);
  s.v[kProtected] = facts.is_protected;
  s.v[kBlocked] = facts.blocked;
  s.v[kAttempt] = in.handled_attempt;
  s.v[kChanged] = !(facts.route == in.last_route);
  s.v[kBatch] = in.batch;
  s.v[kNeighbour] = in.neighbour;
  s.v[kSharedId] = ledger_.shared_id(m.id);
  s.v[kFewerParts] = in.fewer_parts;
  s.v[kAddress] = mailbox ? address_shape(*mailbox) : kNoAddress;
  record(s);
}

void SituationRecorder::on_receipt(const Ledger::Instance& in) {
  using namespace model::receipt;
  model::Situation s;
  s.kind = model::DecisionKind::kReceipt;
  s.v[kStatus] = static_cast<std::uint8_t>(in.handled_kind);
  s.v[kAttempt] = in.handled_attempt == model::route::kFirst          ? 0
                  : in.handled_attempt == model::route::kAfterRestart ? 2
                                                                      : 1;
  s.v[kSharedId] = ledger_.shared_id(in.msg->id);
  s.v[kBatch] = in.batch;
  record(s);
}

void SituationRecorder::on_log() {
  using namespace model::log;
  model::Situation s;
  s.kind = model::DecisionKind::kLog;
  if (world_.anyone_protected()) {
    s.v[kProtectedKnown] = 1;
    // Whether a protected person has a collision-family member among the
    // run's subjects. Subjects only come; protection comes and goes.
    const auto& subjects = ledger_.subjects();
    if (family_.protection == world_.protection_version()) {
      // The same protected persons: only new subjects can add an answer.
      for (; family_.subjects < subjects.size() && !family_.any; ++family_.subjects) {
        for (const auto& [p, ten] : world_.protected_ten_digit()) {
          if (model::in_collision_family(p, subjects[family_.subjects])) {
            family_.any = true;
            break;
          }
        }
      }
      family_.subjects = subjects.size();
    } else {
      family_.protection = world_.protection_version();
      family_.subjects = subjects.size();
      family_.any = false;
      for (const auto& [p, ten] : world_.protected_ten_digit()) {
        auto& memo = family_memo_[p];
        for (; memo.checked < subjects.size() && !memo.found; ++memo.checked) {
          memo.found = model::in_collision_family(p, subjects[memo.checked]);
        }
        if (memo.found) {
          family_.any = true;
          break;
        }
      }
    }
    s.v[kFamily] = family_.any;
  }
  s.v[kPending] = ledger_.unhandled_accepted() > 0;
  record(s);
}

}  // namespace wrongbox
