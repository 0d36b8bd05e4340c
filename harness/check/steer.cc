// Coverage-steered plan search (see steer.h).
#include "harness/check/steer.h"

#include <algorithm>

#include "harness/check/check.h"
#include "models/identity.h"

namespace wrongbox::check {
namespace {

int roll(std::mt19937_64& rng, int n) {
  return static_cast<int>(rng() % static_cast<std::uint64_t>(n));
}

ActionKind random_kind(std::mt19937_64& rng, const GenConfig& cfg) {
  int total = 0;
  for (int w : cfg.weights) total += w;
  int point = roll(rng, std::max(1, total));
  for (int k = 0; k < kActionKinds; ++k) {
    if (point < cfg.weights[k]) return static_cast<ActionKind>(k);
    point -= cfg.weights[k];
  }
  return ActionKind::kSubmit;
}

MsgAction random_msg(std::mt19937_64& rng, const GenConfig& cfg) {
  MsgAction m;
  m.sender = roll(rng, 3);
  m.id_hint = roll(rng, 1000);
  m.subject = roll(rng, 64);
  m.parts = 1 + roll(rng, cfg.max_parts);
  m.invalid = roll(rng, 10) == 0;
  return m;
}

Action random_action(std::mt19937_64& rng, const GenConfig& cfg, ActionKind kind) {
  Action a;
  a.kind = kind;
  a.a = roll(rng, 64);
  a.b = roll(rng, 64);
  if (kind == ActionKind::kSubmit) {
    const int n = 1 + roll(rng, roll(rng, 2) ? 3 : cfg.max_batch);
    for (int i = 0; i < n; ++i) a.msgs.push_back(random_msg(rng, cfg));
  }
  return a;
}

// Indices of the submit actions of `p`.
std::vector<std::size_t> submits(const Plan& p) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < p.actions.size(); ++i) {
    if (p.actions[i].kind == ActionKind::kSubmit && !p.actions[i].msgs.empty()) out.push_back(i);
  }
  return out;
}

MsgAction* random_message(Plan& p, std::mt19937_64& rng) {
  const auto s = submits(p);
  if (s.empty()) return nullptr;
  auto& msgs = p.actions[s[static_cast<std::size_t>(roll(rng, static_cast<int>(s.size())))]].msgs;
  return &msgs[static_cast<std::size_t>(roll(rng, static_cast<int>(msgs.size())))];
}

constexpr int kMaxActions = 40;

}  // namespace

void mutate_plan(Plan& p, std::mt19937_64& rng, const GenConfig& cfg, const Plan* other) {
  auto& acts = p.actions;
  const int n = static_cast<int>(acts.size());
  switch (roll(rng, 11)) {
    case 0:  // insert an action
      if (n < kMaxActions) {
        acts.insert(acts.begin() + roll(rng, n + 1),
                    random_action(rng, cfg, random_kind(rng, cfg)));
      }
      break;
    case 1:  // delete one
      if (n > 1) acts.erase(acts.begin() + roll(rng, n));
      break;
    case 2:  // duplicate one
      if (n > 0 && n < kMaxActions) {
        const int i = roll(rng, n);
        acts.insert(acts.begin() + i + 1, Action(acts[static_cast<std::size_t>(i)]));
      }
      break;
    case 3:  // swap two neighbours
      if (n > 1) {
        const int i = roll(rng, n - 1);
        std::swap(acts[static_cast<std::size_t>(i)], acts[static_cast<std::size_t>(i + 1)]);
      }
      break;
    case 4: {  // move a subject to a collision neighbour (adding one to the pool if needed)
      MsgAction* m = random_message(p, rng);
      if (!m || p.persons.empty()) break;
      const auto& subject = p.persons[static_cast<std::size_t>(m->subject) % p.persons.size()];
      std::vector<int> family;
      for (std::size_t i = 0; i < p.persons.size(); ++i) {
        if (model::in_collision_family(subject, p.persons[i]))
          family.push_back(static_cast<int>(i));
      }
      if (family.empty() || roll(rng, 3) == 0) {
        const auto nb = model::collision_neighbours(subject);
        if (nb.empty()) break;
        p.persons.push_back(nb[static_cast<std::size_t>(roll(rng, static_cast<int>(nb.size())))]);
        family = {static_cast<int>(p.persons.size()) - 1};
      }
      // A neighbour in the same batch, or instead of this subject.
      const int to = family[static_cast<std::size_t>(roll(rng, static_cast<int>(family.size())))];
      m->subject = to;
      break;
    }
    case 5: {  // a refusal, an outage or a restart before a tick or a submit
      std::vector<int> at;
      for (int i = 0; i < n; ++i) {
        const auto k = acts[static_cast<std::size_t>(i)].kind;
        if (k == ActionKind::kTick || k == ActionKind::kSubmit) at.push_back(i);
      }
      if (at.empty() || n >= kMaxActions) break;
      static constexpr ActionKind kFaults[] = {ActionKind::kOperator, ActionKind::kRegistry,
                                               ActionKind::kCloseRace, ActionKind::kRestart};
      const int i = at[static_cast<std::size_t>(roll(rng, static_cast<int>(at.size())))];
      acts.insert(acts.begin() + i, random_action(rng, cfg, kFaults[roll(rng, 4)]));
      break;
    }
    case 6: {  // change one message
      MsgAction* m = random_message(p, rng);
      if (!m) break;
      switch (roll(rng, 5)) {
        case 0:
          m->parts = 1 + roll(rng, cfg.max_parts);
          break;
        case 1:
          m->id_hint = roll(rng, 1000);
          break;
        case 2:
          m->sender = roll(rng, 3);
          break;
        case 3:
          m->invalid = !m->invalid;
          break;
        default:
          m->subject = roll(rng, 64);
      }
      break;
    }
    case 7: {  // grow a batch: a copy of one of its messages, about another person or not
      const auto s = submits(p);
      if (s.empty()) break;
      auto& msgs =
          p.actions[s[static_cast<std::size_t>(roll(rng, static_cast<int>(s.size())))]].msgs;
      if (static_cast<int>(msgs.size()) >= cfg.max_batch) break;
      MsgAction m = msgs[static_cast<std::size_t>(roll(rng, static_cast<int>(msgs.size())))];
      m.id_hint = roll(rng, 1000);
      if (roll(rng, 2)) m.subject = roll(rng, 64);
      m.parts = 1 + roll(rng, cfg.max_parts);
      msgs.insert(msgs.begin() + roll(rng, static_cast<int>(msgs.size()) + 1), m);
      break;
    }
    case 10: {  // change the world of one message: its subject's mailbox, protection or block
      const auto s = submits(p);
      if (s.empty() || n >= kMaxActions) break;
      const auto at = s[static_cast<std::size_t>(roll(rng, static_cast<int>(s.size())))];
      const auto& msgs = p.actions[at].msgs;
      const MsgAction m = msgs[static_cast<std::size_t>(roll(rng, static_cast<int>(msgs.size())))];
      static constexpr ActionKind kAbout[] = {ActionKind::kProtect, ActionKind::kBlock,
                                              ActionKind::kOpen, ActionKind::kUnregister,
                                              ActionKind::kReopen};
      Action a = random_action(rng, cfg, kAbout[roll(rng, 5)]);
      if (a.kind == ActionKind::kReopen) {
        a.b = m.subject;  // reopened for this person
      } else {
        a.a = m.subject;
        if (a.kind == ActionKind::kBlock) a.b = m.sender;
      }
      acts.insert(acts.begin() + static_cast<long>(at) - roll(rng, static_cast<int>(at) + 1) + 0,
                  std::move(a));
      break;
    }
    case 8:  // switch a feature (shared ids matter to interpret)
      p.features ^= 1u << roll(rng, 11);
      break;
    default:  // splice: a run of another kept plan's actions
      if (other && !other->actions.empty() && n < kMaxActions) {
        const int on = static_cast<int>(other->actions.size());
        const int from = roll(rng, on);
        const int len = 1 + roll(rng, std::min(on - from, kMaxActions - n));
        acts.insert(acts.begin() + roll(rng, n + 1), other->actions.begin() + from,
                    other->actions.begin() + from + len);
      }
  }
}

Steering::Steering(const GenConfig& gen, std::uint64_t seed, SteerConfig cfg)
    : gen_(gen), uniform_(gen), cfg_(cfg), rng_(chunk_seed(seed, 0x57ee7ull)), seed_(seed) {
  coverage_.track(cfg.k);
  uniform_.swarm = false;
  for (auto& w : uniform_.weights) w = w > 0 ? 1 : 0;
}

namespace {
std::uint32_t value_key(model::DecisionKind k, int c, int v) {
  return (static_cast<std::uint32_t>(k) << 16) | (static_cast<std::uint32_t>(c) << 8) |
         static_cast<std::uint32_t>(v);
}
}  // namespace

const Steering::Entry& Steering::pick() {
  // Half the time, aim at a pair never met: the kept plan that met either
  // of its values most recently is one mutation from meeting both.
  if (roll(rng_, 2) == 0) {
    if (never_at_ != coverage_.covered_pairs(1)) {  // recomputed only when it changed
      never_ = coverage_.uncovered(1);
      never_at_ = coverage_.covered_pairs(1);
    }
    const auto& never = never_;
    if (!never.empty()) {
      const auto& goal =
          never[static_cast<std::size_t>(roll(rng_, static_cast<int>(never.size())))];
      const auto k1 = value_key(goal.kind, goal.c1, goal.v1);
      const auto k2 = value_key(goal.kind, goal.c2, goal.v2);
      std::vector<std::size_t> near;
      for (std::size_t i = 0; i < pool_.size(); ++i) {
        const auto& v = pool_[i].values;
        if (std::binary_search(v.begin(), v.end(), k1) ||
            std::binary_search(v.begin(), v.end(), k2)) {
          near.push_back(i);
        }
      }
      if (!near.empty())
        return pool_[near[static_cast<std::size_t>(roll(rng_, static_cast<int>(near.size())))]];
    }
  }
  // Tournament of four: the entry whose pairs are rarest (each pair weighs
  // 1 / times met, so a plan holding pairs met once or twice wins).
  const Entry* best = nullptr;
  double best_score = -1;
  for (int t = 0; t < 4; ++t) {
    const auto& e = pool_[static_cast<std::size_t>(roll(rng_, static_cast<int>(pool_.size())))];
    double score = 0;
    for (int i : e.pairs)
      score += 1.0 / static_cast<double>(std::max<std::uint64_t>(1, coverage_.count_at(i)));
    if (score > best_score) {
      best = &e;
      best_score = score;
    }
  }
  return *best;
}

Plan Steering::next() {
  const int r = roll(rng_, 100);
  if (!pool_.empty() && r < cfg_.mutate_percent) {
    Plan p = pick().plan;
    const Plan* other =
        &pool_[static_cast<std::size_t>(roll(rng_, static_cast<int>(pool_.size())))].plan;
    const int times = 1 + roll(rng_, 4);
    for (int i = 0; i < times; ++i) mutate_plan(p, rng_, gen_, other);
    ++sources_[2];
    last_source_ = 2;
    return p;
  }
  const bool uniform = r >= 100 - cfg_.uniform_percent;
  const rc::Random random(chunk_seed(seed_, draws_++));
  const int size = roll(rng_, 101);
  ++sources_[uniform ? 1 : 0];
  last_source_ = uniform ? 1 : 0;
  return gen_plan(uniform ? uniform_ : gen_)(random, size).value();
}

std::pair<int, int> Steering::wire_pairs(std::uint64_t k) const {
  int met = 0, used = 0;
  for (const auto n : wire_seen_) {
    used += n > 0;
    met += n >= k;
  }
  return {met, used};
}

void Steering::feedback(const Plan& played, const std::vector<model::Situation>& situations,
                        std::uint32_t wire) {
  bool fresh = false;
  for (const auto& s : situations) fresh |= coverage_.add(s) > 0;
  for (int i = 0; i < 32; ++i) {
    if (!(wire >> i & 1u)) continue;
    for (int j = i; j < 32; ++j) {
      if (wire >> j & 1u) {
        fresh |= wire_seen_[static_cast<std::size_t>(i * 32 + j)]++ < cfg_.k && cfg_.wire;
      }
    }
  }
  if (!fresh) return;
  scratch_.clear();
  for (const auto& s : situations) model::SituationCoverage::feasible_pairs_of(s, scratch_);
  std::sort(scratch_.begin(), scratch_.end());
  scratch_.erase(std::unique(scratch_.begin(), scratch_.end()), scratch_.end());
  std::vector<std::uint32_t> values;
  for (const auto& s : situations) {
    const int n = static_cast<int>(model::decision(s.kind).conditions.size());
    for (int c = 0; c < n; ++c) values.push_back(value_key(s.kind, c, s.v[c]));
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  pool_.push_back(Entry{played, scratch_, std::move(values)});
}

}  // namespace wrongbox::check
