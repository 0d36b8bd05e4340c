// Situation coverage: the feasible pairs come from the rules, the counts are
// exactly what the runs met, and the oracle records what the model saw.
#include "models/situation.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "examples/reference_switch.h"
#include "harness/check/check.h"
#include "harness/check/steer.h"
#include "harness/core/runner.h"
#include "harness/core/scenario.h"
#include "models/identity.h"

namespace wrongbox {
namespace {

using model::DecisionKind;
using model::PairId;
using model::Situation;
using model::SituationCoverage;
namespace route = model::route;

int cond(DecisionKind k, std::string_view name) {
  const auto& cs = model::decision(k).conditions;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (cs[i].name == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no condition " << name;
  return 0;
}
int val(DecisionKind k, std::string_view c, std::string_view v) {
  const auto& vs = model::decision(k).conditions[static_cast<std::size_t>(cond(k, c))].values;
  for (std::size_t i = 0; i < vs.size(); ++i) {
    if (vs[i] == v) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no value " << v << " of " << c;
  return 0;
}
PairId pair(DecisionKind k, std::string_view c1, std::string_view v1, std::string_view c2,
            std::string_view v2) {
  PairId p{k, cond(k, c1), val(k, c1, v1), cond(k, c2), val(k, c2, v2)};
  if (p.c1 > p.c2) p = {k, p.c2, p.v2, p.c1, p.v1};
  return p;
}

TEST(SituationTest, ImpossiblePairsAreComputedFromTheRules) {
  const auto R = DecisionKind::kRoute;
  // Rules 3-4: hold only for a protected person, a mailbox only when registered.
  EXPECT_FALSE(SituationCoverage::feasible(pair(R, "expected", "hold", "protected", "no")));
  EXPECT_TRUE(SituationCoverage::feasible(pair(R, "expected", "hold", "protected", "yes")));
  EXPECT_FALSE(SituationCoverage::feasible(pair(R, "expected", "mailbox", "registered", "none")));
  EXPECT_FALSE(SituationCoverage::feasible(pair(R, "expected", "mailbox", "blocked", "yes")));
  EXPECT_TRUE(SituationCoverage::feasible(pair(R, "expected", "hold", "blocked", "yes")));
  EXPECT_FALSE(SituationCoverage::feasible(pair(R, "address", "none", "registered", "mailbox")));
  EXPECT_FALSE(
      SituationCoverage::feasible(pair(R, "batch", "single", "neighbour", "same subject")));
  EXPECT_FALSE(SituationCoverage::feasible(pair(R, "attempt", "first", "changed", "yes")));
  EXPECT_TRUE(SituationCoverage::feasible(pair(R, "attempt", "after restart", "changed", "yes")));
  const auto S = DecisionKind::kSubmit;
  EXPECT_FALSE(SituationCoverage::feasible(pair(S, "verdict", "accept", "subject", "invalid")));
  EXPECT_FALSE(SituationCoverage::feasible(pair(S, "verdict", "accept", "key", "repeated")));
  EXPECT_TRUE(SituationCoverage::feasible(pair(S, "verdict", "reject", "subject", "personnummer")));
  // Every value of every condition can occur in some pair.
  for (const auto& d : model::decisions()) {
    for (std::size_t c = 0; c < d.conditions.size(); ++c) {
      for (std::size_t v = 0; v < d.conditions[c].values.size(); ++v) {
        bool some = false;
        for (const auto& p : SituationCoverage::feasible_list()) {
          some |=
              p.kind == d.kind && ((p.c1 == static_cast<int>(c) && p.v1 == static_cast<int>(v)) ||
                                   (p.c2 == static_cast<int>(c) && p.v2 == static_cast<int>(v)));
        }
        EXPECT_TRUE(some) << d.name << " " << d.conditions[c].name << "="
                          << d.conditions[c].values[v];
      }
    }
  }
}

TEST(SituationTest, NoImpossiblePairIsEverReportedUncovered) {
  SituationCoverage cov;
  const auto never = cov.uncovered(1);
  EXPECT_EQ(static_cast<int>(never.size()), cov.feasible_pairs());
  for (const auto& p : never) EXPECT_TRUE(SituationCoverage::feasible(p)) << model::describe(p);
  EXPECT_EQ(cov.to_json(1).find(
                model::describe(pair(DecisionKind::kRoute, "expected", "hold", "protected", "no"))),
            std::string::npos);
}

// Random possible situations, and the pair counts recomputed by brute force.
TEST(SituationTest, APairIsReportedCoveredExactlyWhenSomeSituationHadIt) {
  std::mt19937_64 rng(7);
  SituationCoverage cov;
  std::map<std::tuple<int, int, int, int, int>, int> seen;
  for (int i = 0; i < 300; ++i) {
    const auto& d = model::decisions()[rng() % model::kDecisionKinds];
    Situation s;
    s.kind = d.kind;
    do {
      for (std::size_t c = 0; c < d.conditions.size(); ++c) {
        s.v[c] = static_cast<std::uint8_t>(rng() % d.conditions[c].values.size());
      }
    } while (!d.possible(s.v.data()));
    cov.add(s);
    for (std::size_t a = 0; a < d.conditions.size(); ++a) {
      for (std::size_t b = a + 1; b < d.conditions.size(); ++b) {
        ++seen[{static_cast<int>(d.kind), static_cast<int>(a), s.v[a], static_cast<int>(b),
                s.v[b]}];
      }
    }
  }
  int covered = 0;
  for (const auto& p : SituationCoverage::feasible_list()) {
    auto it = seen.find({static_cast<int>(p.kind), p.c1, p.v1, p.c2, p.v2});
    const auto want = it == seen.end() ? 0u : static_cast<std::uint64_t>(it->second);
    EXPECT_EQ(cov.count(p), want) << model::describe(p);
    covered += want > 0;
  }
  EXPECT_EQ(cov.covered_pairs(1), covered);
  EXPECT_GT(covered, 0);
  EXPECT_LT(covered, cov.feasible_pairs());
  EXPECT_EQ(static_cast<int>(cov.uncovered(1).size()), cov.feasible_pairs() - covered);
  EXPECT_TRUE(cov.impossible_seen().empty());
  // Merging two halves counts the same as one.
  SituationCoverage twice;
  twice.merge(cov);
  twice.merge(cov);
  for (const auto& p : SituationCoverage::feasible_list())
    EXPECT_EQ(twice.count(p), 2 * cov.count(p));
}

// A long run repeats a few situations over and over; the coverage tallies
// repeats and counts them into pairs when read. Counts, values, the pairs
// met k times and add()'s "first time" answers stay exact however reads and
// adds interleave.
TEST(SituationTest, RepeatedSituationsCountExactlyWhateverTheReads) {
  std::mt19937_64 rng(11);
  std::vector<Situation> pool;
  while (pool.size() < 24) {
    const auto& d = model::decisions()[rng() % model::kDecisionKinds];
    Situation s;
    s.kind = d.kind;
    for (std::size_t c = 0; c < d.conditions.size(); ++c) {
      s.v[c] = static_cast<std::uint8_t>(rng() % d.conditions[c].values.size());
    }
    if (d.possible(s.v.data())) pool.push_back(s);
  }
  SituationCoverage cov;
  std::map<std::tuple<int, int, int, int, int>, std::uint64_t> seen;
  std::map<std::tuple<int, int, int>, std::uint64_t> values;
  int fresh = 0;
  for (int i = 0; i < 5000; ++i) {
    const Situation& s = pool[rng() % pool.size()];
    const auto& d = model::decision(s.kind);
    fresh += cov.add(s);
    for (std::size_t a = 0; a < d.conditions.size(); ++a) {
      ++values[{static_cast<int>(d.kind), static_cast<int>(a), s.v[a]}];
      for (std::size_t b = a + 1; b < d.conditions.size(); ++b) {
        ++seen[{static_cast<int>(d.kind), static_cast<int>(a), s.v[a], static_cast<int>(b),
                s.v[b]}];
      }
    }
    if (i % 731 != 0 && i != 4999) continue;
    int once = 0, thrice = 0;
    for (const auto& p : SituationCoverage::feasible_list()) {
      auto it = seen.find({static_cast<int>(p.kind), p.c1, p.v1, p.c2, p.v2});
      const std::uint64_t want = it == seen.end() ? 0 : it->second;
      ASSERT_EQ(cov.count(p), want) << model::describe(p) << " after " << i + 1;
      once += want >= 1;
      thrice += want >= 3;
    }
    ASSERT_EQ(cov.covered_pairs(1), once);
    ASSERT_EQ(cov.covered_pairs(3), thrice);
    ASSERT_EQ(fresh, once);
    for (const auto& [key, n] : values) {
      const auto [k, c, v] = key;
      ASSERT_EQ(cov.value_count(static_cast<DecisionKind>(k), c, v), n);
    }
  }
}

RunResult play(const std::string& text, examples::Defect d = examples::Defect::kNone) {
  auto parsed = parse_scenario(text, "situation_test");
  EXPECT_TRUE(parsed.ok()) << parsed.error.to_string();
  auto sw = examples::make_reference_switch(d);
  return run_scenario(*parsed.scenario, *sw);
}

std::vector<Situation> of_kind(const RunResult& r, DecisionKind k) {
  std::vector<Situation> out;
  for (const auto& s : r.situations) {
    if (s.kind == k) out.push_back(s);
  }
  return out;
}

TEST(SituationTest, ARetryAfterAnOperatorOutageInTheMiddleOfABatch) {
  const auto r = play(
      "wrongbox-scenario 1\n"
      "open kivra/a for 199001011239\n"
      "open kivra/a/b for 198503142344\n"
      "operator kivra down\n"
      "submit\n  s1 1 to 199001011239\n  s1 2 to 198503142344 parts 3\n"
      "  s2 3 to 191212121212\nend\n"
      "operator kivra up\ntick\n");
  ASSERT_EQ(r.outcome, Outcome::kPass) << summarize(r);
  const auto routes = of_kind(r, DecisionKind::kRoute);
  ASSERT_EQ(routes.size(), 3u);
  // The paper letter goes at once, the two deliveries after the outage.
  const Situation* middle = nullptr;
  for (const auto& s : routes) {
    if (s.v[route::kBatch] == model::kMiddleOfBatch) middle = &s;
  }
  ASSERT_NE(middle, nullptr);
  EXPECT_EQ(middle->v[route::kAttempt], route::kAfterOperatorDown) << model::describe(*middle);
  EXPECT_EQ(middle->v[route::kExpected], 0);  // mailbox
  EXPECT_EQ(middle->v[route::kHistory], static_cast<int>(model::MailboxHistory::kOriginal));
  EXPECT_EQ(middle->v[route::kAddress], route::kPathPrefix);
  EXPECT_EQ(middle->v[route::kChanged], 0);
  const auto submits = of_kind(r, DecisionKind::kSubmit);
  ASSERT_EQ(submits.size(), 3u);
  EXPECT_EQ(submits[2].v[model::submit::kFewerParts], 1);  // 1 part after 3
  EXPECT_EQ(submits[0].v[model::submit::kNeighbour], model::kNoNeighbour);
  // 191212121212 and 198503142344 are no family; the receipts say delivered twice.
  int delivered = 0;
  for (const auto& s : of_kind(r, DecisionKind::kReceipt)) delivered += s.v[0] == 0;
  EXPECT_EQ(delivered, 2);
}

TEST(SituationTest, ARestartAReopenedAccountAndACollisionFamily) {
  const auto r = play(
      "wrongbox-scenario 1\n"
      "open kivra/x for 199001011239\n"
      "close kivra/x\n"
      "tick 2\n"
      "reopen kivra/x for 209001011239\n"
      "registry down\n"
      "submit\n  s1 1 to 209001011239\n  s1 2 to 199001011239\nend\n"
      "restart\n"
      "registry up\ntick\n");
  ASSERT_EQ(r.outcome, Outcome::kPass) << summarize(r);
  const auto routes = of_kind(r, DecisionKind::kRoute);
  ASSERT_EQ(routes.size(), 2u);
  for (const auto& s : routes) {
    EXPECT_EQ(s.v[route::kAttempt], route::kAfterRestart) << model::describe(s);
    EXPECT_EQ(s.v[route::kNeighbour], model::kCollisionFamily) << model::describe(s);
  }
  const auto& reopened =
      routes[0].v[route::kRegistered] ? routes[0] : routes[1];  // 2090... has kivra/x
  EXPECT_EQ(reopened.v[route::kHistory], static_cast<int>(model::MailboxHistory::kReopened));
  const auto submits = of_kind(r, DecisionKind::kSubmit);
  ASSERT_EQ(submits.size(), 2u);
  EXPECT_EQ(submits[0].v[model::submit::kRegistry], 1);  // down
}

TEST(SituationTest, ARaceLeavesNoMailboxForTheRetry) {
  const auto r = play(
      "wrongbox-scenario 1\n"
      "open kivra/x for 199001011239\n"
      "protect 199001011239\n"
      "close kivra/x at-delivery\n"
      "submit\n  s1 1 to 199001011239\nend\n");
  ASSERT_EQ(r.outcome, Outcome::kPass) << summarize(r);
  const auto routes = of_kind(r, DecisionKind::kRoute);
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].v[route::kAttempt], route::kAfterNoSuchMailbox);
  EXPECT_EQ(routes[0].v[route::kExpected], 2);  // hold
  EXPECT_EQ(routes[0].v[route::kChanged], 1);
  const auto logs = of_kind(r, DecisionKind::kLog);
  ASSERT_FALSE(logs.empty());
  EXPECT_EQ(logs.back().v[model::log::kProtectedKnown], 1);
}

// What the rules call impossible, a correct switch never meets: a rule here
// stricter than the model would show up as a counted impossible pair.
TEST(SituationTest, TheReferenceSwitchMeetsOnlyFeasibleSituations) {
  auto sw = examples::make_reference_switch();
  check::CheckOptions o;
  o.tests = 3000;
  o.seed = 17;
  const auto r = check::run_check(*sw, sw->hello(), "builtin:reference", o);
  ASSERT_FALSE(r.failed);
  for (const auto& p : r.stats.situations.impossible_seen()) ADD_FAILURE() << model::describe(p);
  EXPECT_GT(r.stats.situations.covered_pairs(1), r.stats.situations.feasible_pairs() * 9 / 10);
}

TEST(SituationTest, SteeringStopsOnceEveryPairWasMetKTimes) {
  auto sw = examples::make_reference_switch();
  check::CheckOptions o;
  o.tests = 0;
  o.seed = 5;
  o.stop_when_covered = true;
  o.coverage_k = 2;
  o.time_budget = 120;
  const auto r = check::run_check(*sw, sw->hello(), "builtin:reference", o);
  ASSERT_FALSE(r.failed);
  EXPECT_TRUE(r.covered);
  EXPECT_EQ(r.stats.situations.covered_pairs(2), r.stats.situations.feasible_pairs());
  EXPECT_EQ(r.scenarios_to_cover_k, r.stats.scenarios);
  EXPECT_GT(r.sources[2], 0);  // mutants were played
  EXPECT_GT(r.kept, 0);
}

}  // namespace
}  // namespace wrongbox
