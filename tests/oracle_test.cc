// The oracle is the product: each property fires on a crafted violation, at
// the right step, and stays silent on correct behaviour.
#include "harness/core/oracle/oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <set>
#include <unordered_map>

#include "harness/core/runner.h"
#include "harness/core/scenario.h"
#include "models/identity.h"

namespace wrongbox {
namespace {

const std::string kA = "199001011239";
const std::string kB = "198503142344";
const std::string kP = "198503742341";  // protected in the scenarios below

// A switch whose behaviour each test writes inline.
class ScriptedSwitch : public Switch {
 public:
  using SubmitFn = std::function<std::vector<Verdict>(const std::vector<Message>&, Calls&)>;
  using TickFn = std::function<bool(std::int64_t, Calls&)>;
  explicit ScriptedSwitch(
      SubmitFn s, TickFn t = [](std::int64_t, Calls&) { return true; })
      : submit_(std::move(s)), tick_(std::move(t)) {}
  HelloInfo hello() override { return {"scripted", "0", {"restart"}}; }
  void reset(const std::vector<std::string>&) override {}
  std::vector<Verdict> submit(const std::vector<Message>& b, Calls& c) override {
    return submit_(b, c);
  }
  bool tick(std::int64_t now, Calls& c) override { return tick_(now, c); }
  void restart() override {}

 private:
  SubmitFn submit_;
  TickFn tick_;
};

std::vector<Verdict> accept_all(const std::vector<Message>& batch) {
  std::vector<Verdict> v;
  for (const auto& m : batch) v.push_back({m.sender, m.id, true, ""});
  return v;
}

// What a correct switch does with one message when everything is up.
void route_correctly(const Message& m, Calls& c) {
  const auto r = c.lookup(m.subject);
  const bool blocked = std::find(r.blocked_senders.begin(), r.blocked_senders.end(), m.sender) !=
                       r.blocked_senders.end();
  if (r.mailbox && !blocked && c.deliver(*r.mailbox, m) == DeliverReply::kOk) {
    c.receipt(m.sender, m.id, ReceiptStatus::kDelivered);
  } else if (r.is_protected) {
    c.hold(m, "protected");
    c.receipt(m.sender, m.id, ReceiptStatus::kHeld);
  } else {
    c.print(m.subject, m);
    c.receipt(m.sender, m.id, ReceiptStatus::kPrinted);
  }
}

ScriptedSwitch correct_switch() {
  return ScriptedSwitch([](const std::vector<Message>& batch, Calls& c) {
    for (const auto& m : batch) route_correctly(m, c);
    return accept_all(batch);
  });
}

// Mailboxes for A and B, C has none, P is protected; one message each.
const char* kWorld = R"(wrongbox-scenario 1
open kivra/a for 199001011239
open kivra/b for 198503142344
protect 198503742341
submit
  s1 1 to 199001011239 parts 2
end
)";

RunResult run(const std::string& text, Switch& sw) {
  const auto p = parse_scenario(text, "t.wbs");
  EXPECT_TRUE(p.ok()) << p.error.to_string();
  return run_scenario(*p.scenario, sw, RunOptions{});
}

void expect_violation(const RunResult& r, Property p, int step, const std::string& summary_part) {
  ASSERT_EQ(r.outcome, Outcome::kViolation) << summarize(r);
  const auto* v = r.headline();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->property, p) << format_violation(*v);
  EXPECT_EQ(v->step, step) << format_violation(*v);
  EXPECT_NE(v->summary.find(summary_part), std::string::npos) << format_violation(*v);
}

// After kWorld: a mailbox, a blocked sender, paper, a hold and no parts.
const char* kEverySink = R"(block 198503142344 s2
submit
  s1 2 to 198503142344 parts 3
  s2 2 to 198503142344
  s1 3 to 197108215562
  s1 4 to 198503742341 parts 0
end
)";

TEST(OracleTest, SilentOnACorrectSwitchAcrossMailboxPaperHoldAndBlocked) {
  auto sw = correct_switch();
  const auto r = run(std::string(kWorld) + kEverySink, sw);
  EXPECT_EQ(r.outcome, Outcome::kPass) << summarize(r);
  EXPECT_TRUE(r.violations.empty());
  for (auto p : {Property::S1, Property::S2, Property::S3, Property::S4, Property::C1, Property::C2,
                 Property::C3, Property::C4, Property::L1}) {
    EXPECT_GT(r.checks[static_cast<int>(p)], 0u) << to_string(p) << " was never checked";
  }
}

TEST(OracleTest, S1FiresWhenContentReachesAnotherPersonsMailbox) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.deliver("kivra/b", b[0]);
    return accept_all(b);
  });
  const auto r = run(kWorld, sw);
  expect_violation(r, Property::S1, 3, "whose owner it is not about");
  const auto* v = r.headline();
  EXPECT_EQ(v->call, 1);
  EXPECT_EQ(v->call_text, "deliver kivra/b");
  const auto text = format_violation(*v, "t.wbs");
  EXPECT_NE(text.find("owned now by 198503142344"), std::string::npos) << text;
  EXPECT_NE(text.find("belongs to 199001011239"), std::string::npos) << text;
  EXPECT_NE(text.find("mailbox kivra/a"), std::string::npos) << text;
  EXPECT_NE(text.find("t.wbs:5"), std::string::npos) << text;
}

TEST(OracleTest, S1ReadsContentNotHeadersEvenWhenTheEnvelopeIsRewritten) {
  // The 2018 defect: B's envelope, A's content. A header check would pass it.
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    Message forged = b[0];
    forged.subject = "198503142344";
    forged.id = "999";
    c.deliver("kivra/b", forged);
    return accept_all(b);
  });
  expect_violation(run(kWorld, sw), Property::S1, 3, "not about");
}

TEST(OracleTest, S1FiresForASingleForeignAttachment) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    Message mixed = b[1];
    mixed.parts.push_back(b[0].parts[1]);
    c.deliver("kivra/b", mixed);
    return accept_all(b);
  });
  const auto r = run(R"(wrongbox-scenario 1
open kivra/a for 199001011239
open kivra/b for 198503142344
submit
  s1 1 to 199001011239 parts 2
  s1 2 to 198503142344
end
)",
                     sw);
  expect_violation(r, Property::S1, 2, "not about");
  EXPECT_EQ(r.headline()->facts[2].second, "part 2 of s1/1, which belongs to 199001011239");
}

TEST(OracleTest, S2FiresWhenPrintingForSomeoneElse) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.print("198503142344", b[0]);
    return accept_all(b);
  });
  expect_violation(run(kWorld, sw), Property::S2, 3, "printed for a person it is not about");
}

TEST(OracleTest, S2FiresWhenPrintingForAProtectedPerson) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.print(b[0].subject, b[0]);
    return accept_all(b);
  });
  expect_violation(run(R"(wrongbox-scenario 1
protect 198503742341
submit
  s1 1 to 198503742341
end
)",
                       sw),
                   Property::S2, 1, "protected person");
}

TEST(OracleTest, S3FiresOnContentInTheStaffLog) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.log("handling " + b[0].title);
    return accept_all(b);
  });
  expect_violation(run(kWorld, sw), Property::S3, 3, "holds message content");
}

TEST(OracleTest, S3FiresOnAProtectedNumberInEitherFormButNotOnOthers) {
  for (const std::string line : {"person 198503742341", "person 8503742341"}) {
    ScriptedSwitch sw([line](const std::vector<Message>& b, Calls& c) {
      c.log(line);
      for (const auto& m : b) route_correctly(m, c);
      return accept_all(b);
    });
    expect_violation(run(kWorld, sw), Property::S3, 3, "protected person's number");
  }
  ScriptedSwitch ok([](const std::vector<Message>& b, Calls& c) {
    c.log("person 199001011239 and 198503142344");  // not protected: allowed
    for (const auto& m : b) route_correctly(m, c);
    return accept_all(b);
  });
  EXPECT_EQ(run(kWorld, ok).outcome, Outcome::kPass);
}

TEST(OracleTest, S3FiresOnContentInAHoldReason) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.hold(b[0], "see " + b[0].parts[0].data);
    return accept_all(b);
  });
  expect_violation(run(R"(wrongbox-scenario 1
protect 198503742341
submit
  s1 1 to 198503742341
end
)",
                       sw),
                   Property::S3, 1, "hold reason");
}

TEST(OracleTest, S4FiresOnAReceiptToTheWrongSender) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.deliver("kivra/a", b[0]);
    c.receipt("s2", b[0].id, ReceiptStatus::kDelivered);
    return accept_all(b);
  });
  const auto r = run(R"(wrongbox-scenario 1
open kivra/a for 199001011239
submit
  s1 1 to 199001011239
end
submit
  s2 5 to 198503142344
end
)",
                     sw);
  expect_violation(r, Property::S4, 1, "no handled message with that id");
}

TEST(OracleTest, S4FiresOnAReceiptBeforeTheMessageIsHandled) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.receipt(b[0].sender, b[0].id, ReceiptStatus::kDelivered);
    route_correctly(b[0], c);
    return accept_all(b);
  });
  expect_violation(run(kWorld, sw), Property::S4, 3, "no handled message");
}

TEST(OracleTest, S4FiresOnContentInAReceipt) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.deliver("kivra/a", b[0]);
    c.receipt(b[0].sender, b[0].title, ReceiptStatus::kDelivered);
    return accept_all(b);
  });
  expect_violation(run(kWorld, sw), Property::S4, 3, "carries content");
}

TEST(OracleTest, S5FiresWhenARejectedMessageIsPrinted) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.print(b[0].subject, b[0]);
    return std::vector<Verdict>{{b[0].sender, b[0].id, false, "no"}};
  });
  const auto r = run(R"(wrongbox-scenario 1
submit
  s1 1 to 197108215562
end
)",
                     sw);
  expect_violation(r, Property::S5, 0, "rejected after its content reached a sink");
}

TEST(OracleTest, S5FiresWhenAnInvalidSubjectReachesASink) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.print(b[0].subject, b[0]);
    return accept_all(b);
  });
  expect_violation(run(R"(wrongbox-scenario 1
submit
  s1 1 to 199001011238
end
)",
                       sw),
                   Property::S5, 0, "invalid subject");
}

TEST(OracleTest, AcceptingAnInvalidSubjectThatGoesNowhereIsNoViolation) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls&) { return accept_all(b); });
  EXPECT_EQ(run("wrongbox-scenario 1\nsubmit\n  s1 1 to 12345\nend\n", sw).outcome, Outcome::kPass);
}

TEST(OracleTest, C1FiresWhenAnAcceptedMessageIsNeverHandled) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls&) { return accept_all(b); });
  const auto r = run(kWorld, sw);
  expect_violation(r, Property::C1, -1, "never reached");
}

TEST(OracleTest, C1FiresWhenAMessageReachesTwoSinks) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    route_correctly(b[0], c);
    c.deliver("kivra/a", b[0]);
    return accept_all(b);
  });
  expect_violation(run(kWorld, sw), Property::C1, 3, "second sink");
}

TEST(OracleTest, C1FiresWhenTheSameSenderAndIdIsAcceptedTwice) {
  auto sw = correct_switch();
  expect_violation(run(std::string(kWorld) + "submit\n  s1 1 to 198503142344\nend\n", sw),
                   Property::C1, 4, "accepted again");
}

TEST(OracleTest, C2FiresWhenAPartIsDroppedReorderedOrTheTitleChanged) {
  const std::vector<std::function<void(Message&)>> edits = {
      [](Message& m) { m.parts.pop_back(); },
      [](Message& m) { std::swap(m.parts[0], m.parts[1]); },
      [](Message& m) { m.title += " (copy)"; },
      [](Message& m) { m.parts[1].name = "renamed.pdf"; },
  };
  for (const auto& edit : edits) {
    ScriptedSwitch sw([&](const std::vector<Message>& b, Calls& c) {
      Message m = b[0];
      edit(m);
      c.deliver("kivra/a", m);
      c.receipt(m.sender, m.id, ReceiptStatus::kDelivered);
      return accept_all(b);
    });
    const auto r = run(kWorld, sw);
    EXPECT_EQ(r.outcome, Outcome::kViolation);
    ASSERT_FALSE(r.violations.empty());
    EXPECT_EQ(r.violations.front().property, Property::C2) << summarize(r);
    EXPECT_EQ(r.violations.front().step, 3);
  }
}

TEST(OracleTest, C2FiresOnContentWithNoCanary) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    Message m = b[0];
    m.title = "Beslut";
    m.parts.clear();
    c.deliver("kivra/a", m);
    route_correctly(b[0], c);
    return accept_all(b);
  });
  expect_violation(run(kWorld, sw), Property::C2, 3, "no recognisable content");
}

TEST(OracleTest, C3FiresWhenPaperIsChosenOverAnOpenMailbox) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.print(b[0].subject, b[0]);
    c.receipt(b[0].sender, b[0].id, ReceiptStatus::kPrinted);
    return accept_all(b);
  });
  const auto r = run(kWorld, sw);
  expect_violation(r, Property::C3, 3, "another sink than the rules choose");
  EXPECT_EQ(r.headline()->facts.back().second, "mailbox kivra/a (registry at this call)");
}

TEST(OracleTest, C3FiresForTheOwnersOtherMailboxWhichS1Allows) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.deliver("kivra/old", b[0]);
    c.receipt(b[0].sender, b[0].id, ReceiptStatus::kDelivered);
    return accept_all(b);
  });
  const auto r = run(R"(wrongbox-scenario 1
open kivra/old owned-by 199001011239
open kivra/new for 199001011239
submit
  s1 1 to 199001011239
end
)",
                     sw);
  expect_violation(r, Property::C3, 2, "another sink");
  EXPECT_EQ(r.violations.size(), 1u);
}

TEST(OracleTest, C4FiresOnAMissingASecondOrAWrongReceipt) {
  ScriptedSwitch none([](const std::vector<Message>& b, Calls& c) {
    c.deliver("kivra/a", b[0]);
    return accept_all(b);
  });
  expect_violation(run(kWorld, none), Property::C4, -1, "no receipt");
  ScriptedSwitch twice([](const std::vector<Message>& b, Calls& c) {
    route_correctly(b[0], c);
    c.receipt(b[0].sender, b[0].id, ReceiptStatus::kDelivered);
    return accept_all(b);
  });
  expect_violation(run(kWorld, twice), Property::C4, 3, "second receipt");
  ScriptedSwitch wrong([](const std::vector<Message>& b, Calls& c) {
    c.deliver("kivra/a", b[0]);
    c.receipt(b[0].sender, b[0].id, ReceiptStatus::kPrinted);
    return accept_all(b);
  });
  expect_violation(run(kWorld, wrong), Property::C4, 3, "status does not match");
}

TEST(OracleTest, L1FiresWhenTheSwitchNeverSettles) {
  ScriptedSwitch sw(
      [](const std::vector<Message>& b, Calls& c) {
        for (const auto& m : b) route_correctly(m, c);
        return accept_all(b);
      },
      [](std::int64_t, Calls&) { return false; });
  const auto r = run(kWorld, sw);
  expect_violation(r, Property::L1, -1, "not idle after 100 ticks");
  EXPECT_EQ(r.stats.ticks, 100);
}

TEST(OracleTest, TheRunStopsAtTheFirstSafetyViolation) {
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    c.deliver("kivra/b", b[0]);
    return accept_all(b);
  });
  const auto r = run(std::string(kWorld) + "tick 5\nsubmit\n  s1 9 to 199001011239\nend\n", sw);
  EXPECT_EQ(r.stats.steps, 4);
  EXPECT_EQ(r.stats.ticks, 0);
}

TEST(OracleTest, AWrongVerdictListIsASwitchFailureNotAViolation) {
  ScriptedSwitch few([](const std::vector<Message>&, Calls&) { return std::vector<Verdict>{}; });
  auto r = run(kWorld, few);
  EXPECT_EQ(r.outcome, Outcome::kSwitchFailure);
  EXPECT_EQ(r.error_step, 3);
  EXPECT_NE(r.error.find("0 verdicts for 1 messages"), std::string::npos) << r.error;
  ScriptedSwitch thrower([](const std::vector<Message>&, Calls&) -> std::vector<Verdict> {
    throw std::runtime_error("segfault, in spirit");
  });
  r = run(kWorld, thrower);
  EXPECT_EQ(r.outcome, Outcome::kSwitchFailure);
  EXPECT_EQ(r.error, "segfault, in spirit");
  EXPECT_EQ(r.error_line, 5);
}

TEST(OracleTest, AnImpossibleEnvironmentStepIsAnInputErrorWithItsLine) {
  auto sw = correct_switch();
  const auto r = run(R"(wrongbox-scenario 1
open kivra/a for 199001011239
close kivra/a
tick
reopen kivra/a for 198503142344
)",
                     sw);
  EXPECT_EQ(r.outcome, Outcome::kInputError);
  EXPECT_EQ(r.error_line, 5);
  EXPECT_NE(r.error.find("quarantine lasts until tick 2"), std::string::npos) << r.error;
}

TEST(OracleTest, CloseAtDeliveryAnswersNoSuchMailboxAndTheRegistryFollows) {
  // A switch that gives up after no_such_mailbox loses the message: C1.
  ScriptedSwitch gives_up([](const std::vector<Message>& b, Calls& c) {
    const auto r = c.lookup(b[0].subject);
    EXPECT_EQ(c.deliver(*r.mailbox, b[0]), DeliverReply::kNoSuchMailbox);
    EXPECT_FALSE(c.lookup(b[0].subject).mailbox.has_value());
    return accept_all(b);
  });
  const std::string race =
      "wrongbox-scenario 1\nopen kivra/a for 199001011239\n"
      "close kivra/a at-delivery\nsubmit\n  s1 1 to 199001011239\nend\n";
  expect_violation(run(race, gives_up), Property::C1, -1, "never reached");
}

TEST(OracleTest, OutagesAnswerUnavailableAndEndBeforeTheDrain) {
  int ticks = 0;
  std::vector<Message> waiting;
  ScriptedSwitch sw(
      [&](const std::vector<Message>& b, Calls& c) {
        EXPECT_TRUE(c.lookup(b[0].subject).unavailable);
        waiting = b;
        return accept_all(b);
      },
      [&](std::int64_t, Calls& c) {
        ++ticks;
        if (waiting.empty()) return true;
        if (c.lookup(waiting[0].subject).unavailable) return false;
        route_correctly(waiting[0], c);
        waiting.clear();
        return true;
      });
  const auto r =
      run("wrongbox-scenario 1\nregistry down\nsubmit\n  s1 1 to 199001011239\nend\n"
          "tick 3\n",
          sw);
  EXPECT_EQ(r.outcome, Outcome::kPass) << summarize(r);
  EXPECT_EQ(ticks, 4);  // three while down, one in the drain
}

// Streaming: a bound on what the oracle keeps, the same verdicts within it.

Step open_step(const std::string& mailbox, const std::string& person) {
  Step st;
  st.kind = StepKind::kOpen;
  st.mailbox = mailbox;
  st.person = person;
  return st;
}

Step submit_step(const std::string& id, const std::string& subject = kA) {
  Step st;
  st.kind = StepKind::kSubmit;
  st.messages = {MessageSpec{"s1", id, subject, 2}};
  return st;
}

// Plays `n` one-message submits to A through a Session bounded to `retain`.
struct StreamRun {
  RunResult result;
  std::size_t max_known = 0;  // in flight + retained, at most
  int stopped_at = -1;
};
StreamRun stream(Switch& sw, int n, std::size_t retain,
                 const std::function<Step(int)>& step_for = nullptr) {
  StreamRun out;
  Session s(sw, RunOptions{}, retain);
  s.start({"s1"});
  int i = 0;
  s.play(open_step("kivra/a", kA), i++);
  for (int k = 0; k < n; ++k, ++i) {
    const Step st = step_for ? step_for(k) : submit_step(std::to_string(k));
    const bool ok = s.play(st, i) && s.oracle().violations().empty();
    out.max_known = std::max(out.max_known, s.oracle().in_flight() + s.oracle().retained());
    if (!ok) {
      out.stopped_at = i;
      break;
    }
  }
  out.result = std::move(s.finish(i));
  return out;
}

// Delivers each message correctly and, when `again` > 0, also redelivers a
// copy of the message it handled `again` submits earlier.
class Redeliverer : public Switch {
 public:
  explicit Redeliverer(int again) : again_(again) {}
  HelloInfo hello() override { return {"redeliverer", "0", {}}; }
  void reset(const std::vector<std::string>&) override { kept_.clear(); }
  std::vector<Verdict> submit(const std::vector<Message>& b, Calls& c) override {
    for (const auto& m : b) {
      route_correctly(m, c);
      kept_.push_back(m);  // a copy: the batch is valid only during submit
      if (again_ > 0 && kept_.size() > static_cast<std::size_t>(again_)) {
        c.deliver("kivra/a", kept_[kept_.size() - 1 - static_cast<std::size_t>(again_)]);
      }
    }
    return accept_all(b);
  }
  bool tick(std::int64_t, Calls&) override { return true; }
  void restart() override {}

 private:
  int again_;
  std::vector<Message> kept_;
};

TEST(StreamingOracleTest, KeepsOnlyWhatIsInFlightAndTheRetainedWindow) {
  auto sw = correct_switch();
  const auto r = stream(sw, 2000, 8);
  EXPECT_EQ(r.result.outcome, Outcome::kPass) << summarize(r.result);
  EXPECT_EQ(r.result.stats.messages, 2000);
  EXPECT_LE(r.max_known, 9u);  // 8 settled + the one in flight
}

TEST(StreamingOracleTest, ASecondSinkOfASettledMessageStillKnownIsC1) {
  Redeliverer sw(3);
  const auto r = stream(sw, 50, 8);
  ASSERT_EQ(r.result.outcome, Outcome::kViolation) << summarize(r.result);
  EXPECT_EQ(r.result.headline()->property, Property::C1);
  EXPECT_NE(r.result.headline()->summary.find("second sink"), std::string::npos);
  EXPECT_EQ(r.stopped_at, 4);  // the fourth submit (step 1 opens the mailbox)
}

TEST(StreamingOracleTest, ContentOfAForgottenMessageIsUnknownContentC2) {
  Redeliverer sw(20);
  const auto r = stream(sw, 50, 4);
  ASSERT_EQ(r.result.outcome, Outcome::kViolation) << summarize(r.result);
  const auto* v = r.result.headline();
  EXPECT_EQ(v->property, Property::C2);
  EXPECT_NE(v->summary.find("settled long ago"), std::string::npos) << v->summary;
  EXPECT_EQ(r.stopped_at, 21);
}

TEST(StreamingOracleTest, WithoutABoundTheSameRedeliveryIsNamedC1) {
  Redeliverer sw(20);
  const auto r = stream(sw, 50, Oracle::kRetainAll);
  ASSERT_EQ(r.result.outcome, Outcome::kViolation) << summarize(r.result);
  EXPECT_EQ(r.result.headline()->property, Property::C1);
}

TEST(StreamingOracleTest, ADuplicateAcceptedWithinTheWindowIsC1) {
  auto sw = correct_switch();
  const auto r =
      stream(sw, 20, 8, [](int k) { return submit_step(std::to_string(k == 5 ? 2 : k)); });
  ASSERT_EQ(r.result.outcome, Outcome::kViolation) << summarize(r.result);
  EXPECT_NE(r.result.headline()->summary.find("accepted again"), std::string::npos);
}

TEST(StreamingOracleTest, ADuplicateAcceptedLongAfterItsFirstWasForgottenIsStillC1) {
  // The first s1/2 settles and is forgotten long before its copy comes; the
  // key is still known, so accepting the copy is C1 as it was within the window.
  auto sw = correct_switch();
  const auto r =
      stream(sw, 40, 4, [](int k) { return submit_step(std::to_string(k == 30 ? 2 : k)); });
  ASSERT_EQ(r.result.outcome, Outcome::kViolation) << summarize(r.result);
  const auto* v = r.result.headline();
  EXPECT_EQ(v->property, Property::C1);
  EXPECT_NE(v->summary.find("accepted again"), std::string::npos) << v->summary;
  EXPECT_EQ(v->step, 31);
  ASSERT_EQ(v->facts.size(), 2u);
  EXPECT_NE(v->facts[1].second.find("more than 4 settlements ago"), std::string::npos)
      << v->facts[1].second;
}

TEST(StreamingOracleTest, ForgottenKeysNumberedInOrderAreAFewRunsAndStayExact) {
  // A switch that accepts every message with parts, duplicates included:
  // the oracle alone must know which forgotten keys were accepted.
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls& c) {
    std::vector<Verdict> v;
    for (const auto& m : b) {
      if (!m.parts.empty()) route_correctly(m, c);
      v.push_back({m.sender, m.id, !m.parts.empty(), m.parts.empty() ? "no parts" : ""});
    }
    return v;
  });
  Session s(sw, RunOptions{}, 4);
  s.start({"s1"});
  int i = 0;
  ASSERT_TRUE(s.play(open_step("kivra/a", kA), i++));
  for (int k = 0; k < 2000; ++k) {
    Step st = submit_step(std::to_string(k));
    if (k % 100 == 50) st.messages[0].parts = 0;  // rejected: a gap in the accepted ids
    ASSERT_TRUE(s.play(st, i++) && s.oracle().violations().empty()) << k;
  }
  // 0..49, 51..149, ..., 1951..1995 (the last 4 are still retained): 21
  // runs, each begun from the table by its first id (0, 51, ..., 1951).
  EXPECT_EQ(s.oracle().ledger().forgotten_runs(), 21u);
  EXPECT_EQ(s.oracle().ledger().forgotten_in_table(), 21u);
  // A rejected id in a gap, and ids that are not plain numbers, were never accepted.
  for (const char* id : {"50", "1950", "007", "7 ", "x"}) {
    ASSERT_TRUE(s.play(submit_step(id), i++)) << id;
    EXPECT_TRUE(s.oracle().violations().empty())
        << id << ": " << s.oracle().violations()[0].summary;
  }
  EXPECT_EQ(s.oracle().ledger().forgotten_in_table(), 21u);  // those are still retained
  // An accepted id inside a run is known: accepting it again is C1.
  s.play(submit_step("1000"), i++);
  ASSERT_EQ(s.oracle().violations().size(), 1u);
  EXPECT_EQ(s.oracle().violations()[0].property, Property::C1);
  EXPECT_NE(s.oracle().violations()[0].summary.find("accepted again"), std::string::npos);
}

TEST(StreamingOracleTest, ForgottenNumbersWithNoNeighbourAreKeptOneByOne) {
  // Ids from a counter another sender shares: s1 gets every other number.
  auto sw = correct_switch();
  Session s(sw, RunOptions{}, 4);
  s.start({"s1"});
  int i = 0;
  ASSERT_TRUE(s.play(open_step("kivra/a", kA), i++));
  for (int k = 0; k < 400; k += 2) {
    ASSERT_TRUE(s.play(submit_step(std::to_string(k)), i++) && s.oracle().violations().empty());
  }
  EXPECT_EQ(s.oracle().ledger().forgotten_runs(), 0u);
  EXPECT_EQ(s.oracle().ledger().forgotten_in_table(), 196u);  // 200 less the 4 retained
  EXPECT_TRUE(s.oracle().ledger().forgotten_accepted("s1", "100"));
  EXPECT_FALSE(s.oracle().ledger().forgotten_accepted("s1", "101"));
  EXPECT_FALSE(s.oracle().ledger().forgotten_accepted("s2", "100"));
}

TEST(StreamingOracleTest, ADuplicateRejectedLongAfterItsFirstWasForgottenIsCorrect) {
  // A switch that remembers every key: the late copy is rejected, which is
  // right, and not a "valid message rejected" warning either.
  std::set<std::string> seen;
  ScriptedSwitch sw([&](const std::vector<Message>& b, Calls& c) {
    std::vector<Verdict> v;
    for (const auto& m : b) {
      const bool fresh = seen.insert(m.sender + "/" + m.id).second;
      if (fresh) route_correctly(m, c);
      v.push_back({m.sender, m.id, fresh, fresh ? "" : "duplicate"});
    }
    return v;
  });
  const auto r =
      stream(sw, 40, 4, [](int k) { return submit_step(std::to_string(k == 30 ? 2 : k)); });
  EXPECT_EQ(r.result.outcome, Outcome::kPass) << summarize(r.result);
  EXPECT_TRUE(r.result.warnings.empty()) << r.result.warnings.front();
}

TEST(StreamingOracleTest, ASecondReceiptForAForgottenMessageIsC4NotAStrayReceipt) {
  // At the 20th message, a second receipt for the first (forgotten by then).
  int n = 0;
  ScriptedSwitch sw([&](const std::vector<Message>& b, Calls& c) {
    for (const auto& m : b) {
      route_correctly(m, c);
      if (++n == 20) c.receipt("s1", "0", ReceiptStatus::kDelivered);
    }
    return accept_all(b);
  });
  const auto r = stream(sw, 30, 4);
  ASSERT_EQ(r.result.outcome, Outcome::kViolation) << summarize(r.result);
  const auto* v = r.result.headline();
  EXPECT_EQ(v->property, Property::C4) << v->summary;
  EXPECT_NE(v->summary.find("second receipt"), std::string::npos) << v->summary;
  // Within the window the same receipt is named by its message.
  n = 0;
  const auto all = stream(sw, 30, Oracle::kRetainAll);
  ASSERT_EQ(all.result.outcome, Outcome::kViolation) << summarize(all.result);
  EXPECT_EQ(all.result.headline()->property, Property::C4);
}

// After tens of thousands of tokens have come and gone (the canary table
// grows, and forgetting shifts entries back over the holes), a late copy is
// still named exactly: C1 inside the window, C2 beyond it, nothing without one.
TEST(StreamingOracleTest, TokensStayExactThroughLongChurn) {
  auto late_copy = [](int at, int back) {
    auto kept = std::make_shared<std::vector<Message>>();
    return ScriptedSwitch([kept, at, back](const std::vector<Message>& b, Calls& c) {
      for (const auto& m : b) {
        route_correctly(m, c);
        kept->push_back(m);
        if (static_cast<int>(kept->size()) == at) {
          c.deliver("kivra/a", (*kept)[kept->size() - 1 - static_cast<std::size_t>(back)]);
        }
      }
      return accept_all(b);
    });
  };
  auto inside = late_copy(15000, 900);
  const auto r1 = stream(inside, 16000, 1000);
  ASSERT_EQ(r1.result.outcome, Outcome::kViolation) << summarize(r1.result);
  EXPECT_EQ(r1.result.headline()->property, Property::C1);
  EXPECT_EQ(r1.stopped_at, 15000);
  auto beyond = late_copy(15000, 1100);
  const auto r2 = stream(beyond, 16000, 1000);
  ASSERT_EQ(r2.result.outcome, Outcome::kViolation) << summarize(r2.result);
  EXPECT_EQ(r2.result.headline()->property, Property::C2);
  EXPECT_EQ(r2.stopped_at, 15000);
  auto never = late_copy(-1, 0);
  const auto r3 = stream(never, 16000, 1000);
  EXPECT_EQ(r3.result.outcome, Outcome::kPass) << summarize(r3.result);
  EXPECT_LE(r3.max_known, 1001u);
}

// A settled message keeps no text: a copy of it that arrives later is
// compared with the text written again from its tokens, so an intact copy is
// only a second sink, and a copy with one byte changed is also named as such.
TEST(StreamingOracleTest, ALateCopyIsComparedWithTheTextWrittenAgain) {
  auto late_copy = [](bool alter) {
    auto kept = std::make_shared<std::vector<Message>>();
    return ScriptedSwitch([kept, alter](const std::vector<Message>& b, Calls& c) {
      for (const auto& m : b) {
        route_correctly(m, c);
        kept->push_back(m);
        if (kept->size() == 3000) {
          Message copy = (*kept)[2000];
          if (alter) copy.parts.back().data.back() = '!';
          c.deliver("kivra/a", copy);
        }
      }
      return accept_all(b);
    });
  };
  auto intact = late_copy(false);
  const auto r1 = stream(intact, 3000, 2000);
  ASSERT_EQ(r1.result.violations.size(), 1u) << summarize(r1.result);
  EXPECT_EQ(r1.result.headline()->property, Property::C1);
  EXPECT_NE(r1.result.headline()->summary.find("second sink"), std::string::npos);
  auto altered = late_copy(true);
  const auto r2 = stream(altered, 3000, 2000);
  ASSERT_EQ(r2.result.violations.size(), 2u) << summarize(r2.result);
  EXPECT_EQ(r2.result.violations[0].property, Property::C2);
  EXPECT_NE(r2.result.violations[0].summary.find("byte-identical: part 2 differs"),
            std::string::npos)
      << r2.result.violations[0].summary;
  EXPECT_EQ(r2.result.violations[1].property, Property::C1);
}

TEST(StreamingOracleTest, ViolationsBeyondTheCapAreCountedNotKept) {
  // Accepts 1,100 messages and never delivers one: 1,100 C1 at the end.
  ScriptedSwitch sw([](const std::vector<Message>& b, Calls&) { return accept_all(b); });
  const auto r = stream(sw, 1100, Oracle::kRetainAll);
  ASSERT_EQ(r.result.outcome, Outcome::kViolation);
  EXPECT_EQ(r.result.violations.size(), Oracle::kMaxViolations);
  EXPECT_EQ(r.result.violations_not_kept, 1100 - Oracle::kMaxViolations);
  EXPECT_EQ(r.result.headline()->property, Property::C1);
}

TEST(StreamingOracleTest, ACheckpointFindsAMessageThatWasLost) {
  // Drops every tenth message it accepts; a quiet period checks what is in flight.
  int n = 0;
  ScriptedSwitch sw([&](const std::vector<Message>& b, Calls& c) {
    for (const auto& m : b) {
      if (++n % 10 != 0) route_correctly(m, c);
    }
    return accept_all(b);
  });
  Session s(sw, RunOptions{}, 16);
  s.start({"s1"});
  s.play(open_step("kivra/a", kA), 0);
  for (int k = 0; k < 12; ++k) ASSERT_TRUE(s.play(submit_step(std::to_string(k)), k + 1));
  EXPECT_FALSE(s.checkpoint(13));
  const auto& r = s.finish(13);
  ASSERT_EQ(r.outcome, Outcome::kViolation);
  EXPECT_EQ(r.headline()->property, Property::C1);
  EXPECT_NE(r.headline()->summary.find("never reached"), std::string::npos);
}

TEST(StreamingOracleTest, ABoundedRunOfAScenarioJudgesItAsAnUnboundedOne) {
  auto sw = correct_switch();
  const auto p = parse_scenario(std::string(kWorld) + kEverySink + R"(submit
  s1 5 to 199001011239
  s2 5 to 198503742341
end
tick 3
)",
                                "t.wbs");
  ASSERT_TRUE(p.ok());
  const auto all = run_scenario(*p.scenario, sw, {});
  Session s(sw, RunOptions{}, 2);
  s.start(senders_of(*p.scenario));
  for (std::size_t i = 0; i < p.scenario->steps.size(); ++i) {
    s.play(p.scenario->steps[i], static_cast<int>(i));
  }
  const auto& bounded = s.finish(static_cast<int>(p.scenario->steps.size()));
  EXPECT_EQ(all.outcome, Outcome::kPass) << summarize(all);
  EXPECT_EQ(bounded.outcome, all.outcome) << summarize(bounded);
  // Every check at a call is made either way; the end's C1 and C4 checks
  // skip the messages already forgotten (they were complete when they settled).
  for (int i = 0; i < kPropertyCount; ++i) {
    const auto prop = static_cast<Property>(i);
    if (prop == Property::C1 || prop == Property::C4) {
      EXPECT_LE(bounded.checks[i], all.checks[i]) << to_string(prop);
    } else {
      EXPECT_EQ(bounded.checks[i], all.checks[i]) << to_string(prop);
    }
  }
}

// The canary table against a reference map, through growth and heavy
// erasing (at half load, probe runs are long enough that most erases shift
// entries back), and values that are not there.
TEST(CanaryTableTest, AgreesWithAMapThroughChurn) {
  CanaryTable t;
  std::unordered_map<std::uint64_t, CanaryOwner> ref;
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> live;
  for (std::uint32_t step = 0; step < 60000; ++step) {
    if (live.size() < 3000 || rng() % 2 == 0) {
      const std::uint64_t v = rng();
      const CanaryOwner o{step, static_cast<int>(step % 5) - 1};
      t.set(v, o);
      if (ref.insert_or_assign(v, o).second) live.push_back(v);
    } else {
      const std::size_t k = rng() % live.size();
      const std::uint64_t v = live[k];
      t.erase_if_owned(v, ref.at(v).instance + 1);  // another's: stays
      ASSERT_NE(t.find(v), nullptr);
      t.erase_if_owned(v, ref.at(v).instance);
      ASSERT_EQ(t.find(v), nullptr);
      ref.erase(v);
      live[k] = live.back();
      live.pop_back();
    }
    if (step % 997 == 0) {
      ASSERT_EQ(t.size(), ref.size()) << step;
      for (const auto& [v, o] : ref) {
        const CanaryOwner* got = t.find(v);
        ASSERT_NE(got, nullptr) << "step " << step << " lost " << v;
        ASSERT_EQ(got->instance, o.instance);
        ASSERT_EQ(got->part, o.part);
      }
      const std::uint64_t absent = rng();
      if (!ref.contains(absent)) {
        ASSERT_EQ(t.find(absent), nullptr);
      }
    }
  }
}

}  // namespace
}  // namespace wrongbox

namespace wrongbox {
namespace {

// The neighbour each message of a batch records (situations), read back
// from the submit situations of one add_batch.
std::vector<std::uint8_t> recorded_neighbours(const std::vector<MessageSpec>& specs) {
  model::World world;
  Oracle oracle(world, 1);
  oracle.add_batch(specs, 0);
  std::vector<Verdict> verdicts;
  for (const auto& s : specs) verdicts.push_back({s.sender, s.id, false, "test"});
  oracle.on_verdicts(verdicts);
  std::vector<std::uint8_t> out;
  for (const auto& s : oracle.situations()) {
    if (s.kind == model::DecisionKind::kSubmit) out.push_back(s.v[model::submit::kNeighbour]);
  }
  return out;
}

// A large batch is answered from family keys and distinct subjects; the
// answer must be the pairwise one, whatever the mix of subjects.
TEST(OracleTest, ALargeBatchsNeighboursAreThePairwiseOnes) {
  std::vector<std::string> pool;
  for (const auto& p : {"199001011239", "191212121212", "200512312385"}) {
    pool.push_back(p);
    for (const auto& n : model::collision_neighbours(p)) pool.push_back(n);
  }
  pool.push_back("198503142344");
  pool.push_back("not a number");
  pool.push_back("19121212121x");
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<MessageSpec> specs(33 + rng() % 100);
    for (std::size_t k = 0; k < specs.size(); ++k) {
      specs[k].sender = "s1";
      specs[k].id = std::to_string(k);
      specs[k].subject = pool[rng() % (round % 2 ? pool.size() : 3)];
      specs[k].parts = 1;
    }
    std::vector<std::uint8_t> expected(specs.size(), model::kNoNeighbour);
    for (std::size_t a = 0; a < specs.size(); ++a) {
      for (std::size_t b = 0; b < specs.size(); ++b) {
        if (a == b) continue;
        if (specs[a].subject == specs[b].subject) {
          expected[a] = std::max<std::uint8_t>(expected[a], model::kSameSubject);
        } else if (model::is_valid_person_number(specs[a].subject) &&
                   model::is_valid_person_number(specs[b].subject) &&
                   model::in_collision_family(specs[a].subject, specs[b].subject)) {
          expected[a] = model::kCollisionFamily;
        }
      }
    }
    const auto got = recorded_neighbours(specs);
    std::vector<std::uint8_t> valid_expected;
    for (std::size_t k = 0; k < specs.size(); ++k) {
      if (model::is_valid_person_number(specs[k].subject)) valid_expected.push_back(expected[k]);
    }
    // Submit situations of invalid subjects carry no neighbour: compare the valid ones.
    std::vector<std::uint8_t> got_valid;
    for (std::size_t k = 0; k < specs.size(); ++k) {
      if (model::is_valid_person_number(specs[k].subject)) got_valid.push_back(got[k]);
    }
    EXPECT_EQ(got_valid, valid_expected) << "round " << round;
  }
}

// 100,000 messages to one subject in one submit: every one has a neighbour
// with the same subject, and the batch is judged in time linear in its size
// (quadratic, it did not finish in minutes).
TEST(OracleTest, AHundredThousandMessagesToOneSubjectAreOneLinearBatch) {
  std::vector<MessageSpec> specs(100000);
  for (std::size_t k = 0; k < specs.size(); ++k) {
    specs[k] = MessageSpec{"s1", std::to_string(k), "199001011239", 1};
  }
  const auto got = recorded_neighbours(specs);
  ASSERT_EQ(got.size(), specs.size());
  EXPECT_EQ(std::count(got.begin(), got.end(), model::kSameSubject),
            static_cast<std::ptrdiff_t>(specs.size()));
}

}  // namespace
}  // namespace wrongbox
