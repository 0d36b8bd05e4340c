// Situations: the conditions the routing rules read at each decision a
// switch makes, and the 2-way coverage of them over a run or a campaign.
//
// A decision is a point where the model says what a correct switch must do:
// a verdict at submission, a sink for an attempt (first try, retry after a
// refusal, after a restart), a receipt, a log line. Each kind of decision has
// a fixed list of conditions, each with a few values (docs/situations.md
// lists them). The oracle records one Situation per decision; a
// SituationCoverage counts every value and every pair of values per kind.
//
// Which pairs can occur at all is computed, not listed: every full
// assignment of a kind's conditions goes through that kind's `possible`
// rule (the routing rules: "hold" needs a protected person, "no mailbox" has
// no address shape, a batch of one has no neighbour), and a pair is feasible
// when some possible assignment contains it. Adding a condition here, with
// its values and the rule that ties it to the others, is all it takes for
// the coverage, the report and the search to see it.
//
// Example usage:
//   SituationCoverage cov;
//   cov.add(s);                                 // from RunResult::situations
//   std::printf("%d/%d pairs\n", cov.covered_pairs(1), cov.feasible_pairs());
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wrongbox::model {

enum class DecisionKind : std::uint8_t { kSubmit, kRoute, kReceipt, kLog };
inline constexpr int kDecisionKinds = 4;
inline constexpr int kMaxConditions = 12;

// Condition indices and their values, per decision kind.
namespace submit {
enum Condition : int {
  kVerdict,     // what the rules allow: accept | reject
  kSubject,     // personnummer | samordningsnummer | invalid
  kParts,       // none | one | several
  kKey,         // new | repeated (same sender and id accepted before) | id of another sender
  kBatch,       // single | first | middle | last (position in its submit)
  kNeighbour,   // none | same subject | collision family (another message of the batch)
  kFewerParts,  // no | yes (fewer parts than the message before it in the batch)
  kRegistry,    // up | down (at the submit)
  kRestarted,   // no | yes (the first submit after a restart)
  kCount
};
}  // namespace submit
namespace route {
enum Condition : int {
  kExpected,    // mailbox | paper | hold: what the rules choose now
  kRegistered,  // none | mailbox
  kHistory,     // none | original | moved | reopened (MailboxHistory)
  kProtected,   // no | yes
  kBlocked,     // no | yes (the subject blocks this sender)
  kAttempt,     // first | after registry down | after operator down | after no_such_mailbox |
                // after restart
  kChanged,     // no | yes (the rules' route differs from the one at submission, or from
                // that of the message's latest refused attempt)
  kBatch,       // single | first | middle | last
  kNeighbour,   // none | same subject | collision family
  kSharedId,    // no | yes (another sender used this id in the run)
  kFewerParts,  // no | yes
  kAddress,     // none | plain | path prefix | pattern characters
  kCount
};
enum Attempt : std::uint8_t {
  kFirst,
  kAfterRegistryDown,
  kAfterOperatorDown,
  kAfterNoSuchMailbox,
  kAfterRestart
};
enum Address : std::uint8_t { kNoAddress, kPlain, kPathPrefix, kPattern };
}  // namespace route
namespace receipt {
enum Condition : int {
  kStatus,    // delivered | printed | held
  kAttempt,   // first | retried | after restart
  kSharedId,  // no | yes
  kBatch,     // single | first | middle | last
  kCount
};
}  // namespace receipt
namespace log {
enum Condition : int {
  kProtectedKnown,  // no | yes (someone in the run is protected now)
  kFamily,          // no | yes (a subject of the run is in a protected person's collision family)
  kPending,         // no | yes (an accepted message of the run is not handled yet)
  kCount
};
}  // namespace log

// Values shared by several kinds.
enum BatchPosition : std::uint8_t { kSingle, kFirstInBatch, kMiddleOfBatch, kLastInBatch };
enum Neighbour : std::uint8_t { kNoNeighbour, kSameSubject, kCollisionFamily };

struct ConditionSpec {
  std::string_view name;
  std::vector<std::string_view> values;
  std::string_view meaning;
};

struct DecisionSpec {
  DecisionKind kind;
  std::string_view name;
  std::string_view meaning;
  std::vector<ConditionSpec> conditions;
  // Whether a full assignment of the conditions can occur under the rules.
  bool (*possible)(const std::uint8_t* values);
};

const std::array<DecisionSpec, kDecisionKinds>& decisions();
inline const DecisionSpec& decision(DecisionKind k) {
  return decisions()[static_cast<std::size_t>(k)];
}

struct Situation {
  DecisionKind kind = DecisionKind::kSubmit;
  std::array<std::uint8_t, kMaxConditions> v{};
  bool operator==(const Situation&) const = default;
};
// "route: expected=mailbox, registered=mailbox, ...".
std::string describe(const Situation& s);

// One value of one condition, or a pair of them, of one decision kind.
struct PairId {
  DecisionKind kind;
  int c1, v1, c2, v2;  // c1 < c2
};
std::string describe(const PairId& p);  // "route: attempt=after restart & batch=middle"

// Counts of values and pairs per decision kind, and which pairs the rules
// allow (computed once per process).
class SituationCoverage {
 public:
  SituationCoverage();
  // Counts `s`; returns how many feasible pairs it met for the first time.
  int add(const Situation& s);
  void merge(const SituationCoverage& other);
  // covered_pairs(k) for this k (and for 1) is kept up to date as situations
  // are added, at no cost per call (default 3).
  void track(std::uint64_t k);

  std::uint64_t decisions(DecisionKind k) const { return decisions_[static_cast<int>(k)]; }
  std::uint64_t count(const PairId& p) const;
  std::uint64_t value_count(DecisionKind k, int c, int v) const;
  static bool feasible(const PairId& p);
  // The indices of the feasible pairs `s` contains (for count_at).
  static void feasible_pairs_of(const Situation& s, std::vector<int>& out);
  std::uint64_t count_at(int pair) const {
    flush();
    return pairs_[static_cast<std::size_t>(pair)];
  }
  // Every pair the rules allow, in a fixed order.
  static const std::vector<PairId>& feasible_list();
  int feasible_pairs() const { return static_cast<int>(feasible_list().size()); }
  // Feasible pairs seen at least `k` times.
  int covered_pairs(std::uint64_t k = 1) const;
  int feasible_pairs(DecisionKind kind) const;
  int covered_pairs(DecisionKind kind, std::uint64_t k = 1) const;
  // Feasible pairs seen fewer than `k` times (k = 1: never).
  std::vector<PairId> uncovered(std::uint64_t k = 1) const;
  // Pairs counted that the rules say cannot happen (always empty unless the
  // oracle records an inconsistent situation: tests look here).
  std::vector<PairId> impossible_seen() const;

  // {"k":K,"pairs_feasible":N,"pairs_covered":N,"pairs_covered_k":N,
  //  "kinds":{"route":{"decisions":N,"feasible":N,"covered":N,
  //                    "values":{"attempt":{"first":N,...},...}},...},
  //  "uncovered":["route: attempt=after restart & batch=middle",...]}
  std::string to_json(std::uint64_t k) const;

 private:
  static int pair_index(DecisionKind k, int c1, int v1, int c2, int v2);
  void recount();
  // Counts `times` occurrences of `s` into pairs_ and values_; returns the
  // feasible pairs met for the first time.
  int expand(const Situation& s, std::uint64_t times) const;
  // Counts the repeats of seen situations that add() deferred.
  void flush() const;
  std::array<std::uint64_t, kDecisionKinds> decisions_{};
  std::uint64_t k_ = 3;
  // The counts below are brought up to date by flush(), which every reader calls.
  mutable int covered_once_ = 0;
  mutable int covered_k_ = 0;
  mutable std::vector<std::uint64_t> pairs_;   // by pair_index, feasible or not
  mutable std::vector<std::uint64_t> values_;  // by value_index
  // A long run meets the same few situations over and over: each distinct
  // situation (packed in 64 bits) is counted into the pairs the first time,
  // and its repeats are only tallied here until a reader asks. A repeat meets
  // no pair for the first time, so add()'s answer is exact without them.
  mutable std::unordered_map<std::uint64_t, std::uint64_t> repeats_;  // packed -> not counted yet
  mutable std::vector<std::uint64_t> dirty_;  // packed situations with repeats not counted
};

}  // namespace wrongbox::model
