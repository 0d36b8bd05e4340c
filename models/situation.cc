// The conditions of each decision kind and the rules that tie them together
// (docs/situations.md); pair coverage over them.
#include "models/situation.h"

#include <algorithm>
#include <stdexcept>

namespace wrongbox::model {
namespace {

// A full assignment `v` of one kind's conditions is possible when the rules
// can produce it. Each line is one rule of docs/exchange.md or one fact of
// how the condition is defined.
bool submit_possible(const std::uint8_t* v) {
  using namespace submit;
  const bool invalid = v[kSubject] == 2, no_parts = v[kParts] == 0, repeated = v[kKey] == 1;
  // Rejection: invalid subject, no parts, or a (sender, id) accepted before.
  if ((v[kVerdict] == 1) != (invalid || no_parts || repeated)) return false;
  // Neighbours are looked for only among messages with valid numbers.
  if (invalid && v[kNeighbour] != kNoNeighbour) return false;
  if (v[kBatch] == kSingle && v[kNeighbour] != kNoNeighbour) return false;
  // "Fewer parts than the message before": there is one before, and it had more.
  if ((v[kBatch] == kSingle || v[kBatch] == kFirstInBatch) && v[kFewerParts]) return false;
  return true;
}

bool route_possible(const std::uint8_t* v) {
  using namespace route;
  const bool has_mailbox = v[kRegistered] == 1;
  // Rules 3-4: a mailbox when registered and not blocked; else hold for a
  // protected person; else paper.
  const int expected = has_mailbox && !v[kBlocked] ? 0 : v[kProtected] ? 2 : 1;
  if (v[kExpected] != expected) return false;
  // History and address shape describe the registered mailbox.
  if ((v[kHistory] == 0) != !has_mailbox) return false;
  if ((v[kAddress] == kNoAddress) != !has_mailbox) return false;
  if (v[kBatch] == kSingle && v[kNeighbour] != kNoNeighbour) return false;
  if ((v[kBatch] == kSingle || v[kBatch] == kFirstInBatch) && v[kFewerParts]) return false;
  // "A submit routes its own messages": the first attempt happens during the
  // submit, when the registry is what it was at submission.
  if (v[kAttempt] == kFirst && v[kChanged]) return false;
  // no_such_mailbox: the account closed and the registry stopped naming it;
  // the retry looks up again within the same command and finds no mailbox.
  // Nor can a block have begun since: the refused delivery was allowed, and
  // the environment does not change within a command. So the route changed:
  // the refused attempt's was that account.
  if (v[kAttempt] == kAfterNoSuchMailbox && (has_mailbox || v[kBlocked] || !v[kChanged])) {
    return false;
  }
  return true;
}

bool receipt_possible(const std::uint8_t*) {
  return true;
}

bool log_possible(const std::uint8_t* v) {
  // A protected person's family exists only while someone is protected.
  return !(v[log::kFamily] && !v[log::kProtectedKnown]);
}

const std::vector<std::string_view> kNoYes = {"no", "yes"};
const std::vector<std::string_view> kBatchValues = {"single", "first", "middle", "last"};
const std::vector<std::string_view> kNeighbourValues = {"none", "same subject", "collision family"};

std::array<DecisionSpec, kDecisionKinds> make_decisions() {
  return {{
      {DecisionKind::kSubmit,
       "submit",
       "the verdict on each submitted message",
       {
           {"verdict", {"accept", "reject"}, "what the rules allow"},
           {"subject",
            {"personnummer", "samordningsnummer", "invalid"},
            "the subject number's kind"},
           {"parts", {"none", "one", "several"}, "how many parts the message has"},
           {"key",
            {"new", "repeated", "id of another sender"},
            "(sender, id): new, already accepted, or an id another sender used"},
           {"batch", kBatchValues, "the message's position in its submit"},
           {"neighbour", kNeighbourValues,
            "another message of the batch about the same person, or about one of their "
            "collision family"},
           {"fewer parts", kNoYes, "fewer parts than the message just before it in the batch"},
           {"registry", {"up", "down"}, "the registry at the submit"},
           {"restarted", kNoYes, "the first submit after a restart of the switch"},
       },
       submit_possible},
      {DecisionKind::kRoute,
       "route",
       "the sink of each attempt that handles an accepted message",
       {
           {"expected", {"mailbox", "paper", "hold"}, "the sink the rules choose at this call"},
           {"registered", {"none", "mailbox"}, "whether the subject has a registered mailbox"},
           {"history",
            {"none", "original", "moved", "reopened"},
            "how the subject came to that mailbox: their first, after a move, or an account "
            "reopened for them that was someone else's"},
           {"protected", kNoYes, "the subject has a protected identity"},
           {"blocked", kNoYes, "the subject blocks this sender"},
           {"attempt",
            {"first", "after registry down", "after operator down", "after no_such_mailbox",
             "after restart"},
            "the first try, or a retry after a refusal of this message or a restart"},
           {"changed", kNoYes,
            "the rules' route now differs from the one at submission or, for a retry, from "
            "the mailbox of the refused delivery (the rules' route at a refused lookup)"},
           {"batch", kBatchValues, "the message's position in the submit that brought it"},
           {"neighbour", kNeighbourValues, "as for submit"},
           {"shared id", kNoYes, "another sender used this message's id in the run"},
           {"fewer parts", kNoYes, "as for submit"},
           {"address",
            {"none", "plain", "path prefix", "pattern characters"},
            "the registered mailbox's address: a path prefix of another open one (or the "
            "reverse), or an account with + # * > % or a space"},
       },
       route_possible},
      {DecisionKind::kReceipt,
       "receipt",
       "each receipt that names a handled message",
       {
           {"status", {"delivered", "printed", "held"}, "what the receipt must say"},
           {"attempt", {"first", "retried", "after restart"}, "how the message got handled"},
           {"shared id", kNoYes, "another sender used this id in the run"},
           {"batch", kBatchValues, "the message's position in its submit"},
       },
       receipt_possible},
      {DecisionKind::kLog,
       "log",
       "each line the switch writes to the staff log",
       {
           {"protected known", kNoYes, "someone in the run has a protected identity now"},
           {"family", kNoYes,
            "a subject of the run is in the collision family of a protected person"},
           {"pending", kNoYes, "an accepted message of the run is not handled yet"},
       },
       log_possible},
  }};
}

// Where each kind's values and pairs sit in the flat count vectors, and
// which pairs are feasible.
struct Layout {
  std::array<int, kDecisionKinds> conditions{};                         // per kind
  std::array<std::array<int, kMaxConditions>, kDecisionKinds> sizes{};  // values per condition
  std::array<std::array<int, kMaxConditions>, kDecisionKinds> value_base{};
  std::array<std::array<std::array<int, kMaxConditions>, kMaxConditions>, kDecisionKinds>
      pair_base{};
  int values = 0;
  int pairs = 0;
  std::vector<char> feasible;  // by pair index
  std::vector<PairId> all;     // by pair index
  std::vector<PairId> feasible_list;
  std::array<int, kDecisionKinds> feasible_per_kind{};

  Layout() {
    for (const auto& d : model::decisions()) {
      const int k = static_cast<int>(d.kind);
      const int n = static_cast<int>(d.conditions.size());
      conditions[k] = n;
      for (int c = 0; c < n; ++c) {
        sizes[k][c] = static_cast<int>(d.conditions[c].values.size());
        // SituationCoverage packs a situation's values in 4 bits each.
        if (sizes[k][c] > 16) throw std::logic_error("a condition has more than 16 values");
        value_base[k][c] = values;
        values += static_cast<int>(d.conditions[c].values.size());
      }
      for (int c1 = 0; c1 < n; ++c1) {
        for (int c2 = c1 + 1; c2 < n; ++c2) {
          pair_base[k][c1][c2] = pairs;
          for (int a = 0; a < sizes[k][c1]; ++a) {
            for (int b = 0; b < sizes[k][c2]; ++b) all.push_back(PairId{d.kind, c1, a, c2, b});
          }
          pairs += sizes[k][c1] * sizes[k][c2];
        }
      }
    }
    feasible.assign(static_cast<std::size_t>(pairs), 0);
    // Every full assignment, as a mixed-radix counter; mark the pairs of the
    // possible ones.
    for (const auto& d : model::decisions()) {
      const int k = static_cast<int>(d.kind);
      const int n = static_cast<int>(d.conditions.size());
      std::array<std::uint8_t, kMaxConditions> v{};
      while (true) {
        if (d.possible(v.data())) {
          for (int c1 = 0; c1 < n; ++c1) {
            for (int c2 = c1 + 1; c2 < n; ++c2) {
              const auto size2 = static_cast<int>(d.conditions[c2].values.size());
              feasible[static_cast<std::size_t>(pair_base[k][c1][c2] + v[c1] * size2 + v[c2])] = 1;
            }
          }
        }
        int c = 0;
        while (c < n && ++v[c] == d.conditions[c].values.size()) v[c++] = 0;
        if (c == n) break;
      }
    }
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (!feasible[i]) continue;
      feasible_list.push_back(all[i]);
      ++feasible_per_kind[static_cast<int>(all[i].kind)];
    }
  }
};

const Layout& layout() {
  static const Layout kLayout;
  return kLayout;
}

}  // namespace

const std::array<DecisionSpec, kDecisionKinds>& decisions() {
  static const std::array<DecisionSpec, kDecisionKinds> kDecisions = make_decisions();
  return kDecisions;
}

std::string describe(const Situation& s) {
  const auto& d = decision(s.kind);
  std::string out(d.name);
  out += ":";
  for (std::size_t c = 0; c < d.conditions.size(); ++c) {
    out += c ? ", " : " ";
    out += d.conditions[c].name;
    out += "=";
    out += d.conditions[c].values[s.v[c]];
  }
  return out;
}

std::string describe(const PairId& p) {
  const auto& d = decision(p.kind);
  std::string out(d.name);
  const auto& a = d.conditions[static_cast<std::size_t>(p.c1)];
  const auto& b = d.conditions[static_cast<std::size_t>(p.c2)];
  out.append(": ").append(a.name).append("=").append(a.values[static_cast<std::size_t>(p.v1)]);
  out.append(" & ").append(b.name).append("=").append(b.values[static_cast<std::size_t>(p.v2)]);
  return out;
}

SituationCoverage::SituationCoverage()
    : pairs_(static_cast<std::size_t>(layout().pairs), 0),
      values_(static_cast<std::size_t>(layout().values), 0) {}

int SituationCoverage::pair_index(DecisionKind kind, int c1, int v1, int c2, int v2) {
  const auto& L = layout();
  const int k = static_cast<int>(kind);
  return L.pair_base[k][c1][c2] + v1 * L.sizes[k][c2] + v2;
}

namespace {
// Kind and values, 4 bits each (static_asserts below).
std::uint64_t pack(const Situation& s) {
  std::uint64_t x = static_cast<std::uint64_t>(s.kind);
  for (int c = 0; c < kMaxConditions; ++c) x |= std::uint64_t{s.v[c]} << (4 * (c + 1));
  return x;
}
Situation unpack(std::uint64_t x) {
  Situation s;
  s.kind = static_cast<DecisionKind>(x & 15);
  for (int c = 0; c < kMaxConditions; ++c)
    s.v[c] = static_cast<std::uint8_t>((x >> (4 * (c + 1))) & 15);
  return s;
}
static_assert(4 * (kMaxConditions + 1) <= 64 && kDecisionKinds <= 16);
}  // namespace

int SituationCoverage::add(const Situation& s) {
  ++decisions_[static_cast<int>(s.kind)];
  const std::uint64_t key = pack(s);
  auto [it, first] = repeats_.try_emplace(key, 0);
  if (first) return expand(s, 1);
  if (it->second++ == 0) dirty_.push_back(key);
  return 0;
}

int SituationCoverage::expand(const Situation& s, std::uint64_t times) const {
  const auto& L = layout();
  const int k = static_cast<int>(s.kind);
  const int n = L.conditions[k];
  const auto& base = L.pair_base[k];
  const auto& sizes = L.sizes[k];
  for (int c = 0; c < n; ++c)
    values_[static_cast<std::size_t>(L.value_base[k][c] + s.v[c])] += times;
  int fresh = 0;
  for (int c1 = 0; c1 < n; ++c1) {
    for (int c2 = c1 + 1; c2 < n; ++c2) {
      const auto i = static_cast<std::size_t>(base[c1][c2] + s.v[c1] * sizes[c2] + s.v[c2]);
      const auto before = pairs_[i];
      pairs_[i] += times;
      if (!L.feasible[i]) continue;
      if (before == 0) {
        ++covered_once_;
        ++fresh;
      }
      if (before < k_ && before + times >= k_) ++covered_k_;
    }
  }
  return fresh;
}

void SituationCoverage::flush() const {
  for (const auto key : dirty_) {
    auto& times = repeats_[key];
    expand(unpack(key), times);
    times = 0;
  }
  dirty_.clear();
}

void SituationCoverage::feasible_pairs_of(const Situation& s, std::vector<int>& out) {
  const auto& L = layout();
  const int n = static_cast<int>(decision(s.kind).conditions.size());
  for (int c1 = 0; c1 < n; ++c1) {
    for (int c2 = c1 + 1; c2 < n; ++c2) {
      const int i = pair_index(s.kind, c1, s.v[c1], c2, s.v[c2]);
      if (L.feasible[static_cast<std::size_t>(i)]) out.push_back(i);
    }
  }
}

void SituationCoverage::merge(const SituationCoverage& o) {
  flush();
  o.flush();
  for (int k = 0; k < kDecisionKinds; ++k) decisions_[k] += o.decisions_[k];
  for (std::size_t i = 0; i < pairs_.size(); ++i) pairs_[i] += o.pairs_[i];
  for (std::size_t i = 0; i < values_.size(); ++i) values_[i] += o.values_[i];
  recount();
}

void SituationCoverage::track(std::uint64_t k) {
  flush();
  k_ = std::max<std::uint64_t>(1, k);
  recount();
}

void SituationCoverage::recount() {
  covered_once_ = covered_k_ = 0;
  const auto& L = layout();
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    if (!L.feasible[i]) continue;
    covered_once_ += pairs_[i] >= 1;
    covered_k_ += pairs_[i] >= k_;
  }
}

std::uint64_t SituationCoverage::count(const PairId& p) const {
  flush();
  return pairs_[static_cast<std::size_t>(pair_index(p.kind, p.c1, p.v1, p.c2, p.v2))];
}

std::uint64_t SituationCoverage::value_count(DecisionKind k, int c, int v) const {
  flush();
  return values_[static_cast<std::size_t>(layout().value_base[static_cast<int>(k)][c] + v)];
}

bool SituationCoverage::feasible(const PairId& p) {
  return layout().feasible[static_cast<std::size_t>(pair_index(p.kind, p.c1, p.v1, p.c2, p.v2))];
}

const std::vector<PairId>& SituationCoverage::feasible_list() {
  return layout().feasible_list;
}

int SituationCoverage::covered_pairs(std::uint64_t k) const {
  flush();
  if (k <= 1) return covered_once_;
  if (k == k_) return covered_k_;
  int n = 0;
  for (const auto& p : feasible_list()) n += count(p) >= k;
  return n;
}

int SituationCoverage::feasible_pairs(DecisionKind kind) const {
  return layout().feasible_per_kind[static_cast<int>(kind)];
}

int SituationCoverage::covered_pairs(DecisionKind kind, std::uint64_t k) const {
  int n = 0;
  for (const auto& p : feasible_list()) n += p.kind == kind && count(p) >= k;
  return n;
}

std::vector<PairId> SituationCoverage::uncovered(std::uint64_t k) const {
  std::vector<PairId> out;
  for (const auto& p : feasible_list()) {
    if (count(p) < k) out.push_back(p);
  }
  return out;
}

std::vector<PairId> SituationCoverage::impossible_seen() const {
  flush();
  const auto& L = layout();
  std::vector<PairId> out;
  for (std::size_t i = 0; i < L.all.size(); ++i) {
    if (!L.feasible[i] && pairs_[i] > 0) out.push_back(L.all[i]);
  }
  return out;
}

namespace {
void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}
}  // namespace

std::string SituationCoverage::to_json(std::uint64_t k) const {
  std::string out = "{\"k\":" + std::to_string(k) +
                    ",\"pairs_feasible\":" + std::to_string(feasible_pairs()) +
                    ",\"pairs_covered\":" + std::to_string(covered_pairs(1)) +
                    ",\"pairs_covered_k\":" + std::to_string(covered_pairs(k)) + ",\"kinds\":{";
  for (const auto& d : model::decisions()) {
    if (d.kind != DecisionKind::kSubmit) out += ",";
    json_string(out, d.name);
    out += ":{\"decisions\":" + std::to_string(decisions(d.kind)) +
           ",\"feasible\":" + std::to_string(feasible_pairs(d.kind)) +
           ",\"covered\":" + std::to_string(covered_pairs(d.kind, 1)) + ",\"values\":{";
    for (std::size_t c = 0; c < d.conditions.size(); ++c) {
      if (c) out += ",";
      json_string(out, d.conditions[c].name);
      out += ":{";
      for (std::size_t x = 0; x < d.conditions[c].values.size(); ++x) {
        if (x) out += ",";
        json_string(out, d.conditions[c].values[x]);
        out += ":" + std::to_string(value_count(d.kind, static_cast<int>(c), static_cast<int>(x)));
      }
      out += "}";
    }
    out += "}}";
  }
  out += "},\"uncovered\":[";
  bool first = true;
  for (const auto& p : uncovered(1)) {
    if (!first) out += ",";
    first = false;
    json_string(out, describe(p));
  }
  return out + "]}";
}

}  // namespace wrongbox::model
