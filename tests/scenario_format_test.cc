// Scenario text format v1: exact round-trips and parse errors that say where.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/core/playable.h"
#include "harness/core/scenario.h"

namespace wrongbox {
namespace {

const char* kCanonical = R"(wrongbox-scenario 1
# What it guards against, in words.
name stale-route
tag reopen
tag defect-class-3
guards stale-route S1

open kivra/000042 for 199001011239
open kivra/b owned-by 198503142344
register 198503142344 at kivra/b
submit
  s1 1 to 199001011239 parts 3
  s2 "id with space" to 1990010112 parts 0
  "end" 7 to 198503142344
end

# The race: closes as the delivery arrives.
close kivra/000042 at-delivery
close kivra/b
tick 2
reopen kivra/b for 199001011239
unregister 199001011239
protect 198503142344
unprotect 198503142344
block 199001011239 s1
unblock 199001011239 s1
registry down
registry up
operator kivra down
operator kivra up
open "kivra/a b+#%*>." for 198503742341
restart
tick

# trailing note
)";

TEST(ScenarioFormatTest, CanonicalTextPrintsBackByteForByte) {
  const auto r = parse_scenario(kCanonical, "x.wbs");
  ASSERT_TRUE(r.ok()) << r.error.to_string();
  EXPECT_EQ(print_scenario(*r.scenario), kCanonical);
}

TEST(ScenarioFormatTest, AGuardMayNameAPropertyAloneAndPrintsBack) {
  const std::string text = "wrongbox-scenario 1\nguards C3\nguards stale-route S1\n\ntick\n";
  const auto r = parse_scenario(text, "g.wbs");
  ASSERT_TRUE(r.ok()) << r.error.to_string();
  ASSERT_EQ(r.scenario->guards.size(), 2u);
  EXPECT_EQ(r.scenario->guards[0], (Guard{"", "C3"}));
  EXPECT_EQ(r.scenario->guards[1], (Guard{"stale-route", "S1"}));
  EXPECT_EQ(print_scenario(*r.scenario), text);
  const auto bad = parse_scenario("wrongbox-scenario 1\nguards a b c\n\ntick\n", "g.wbs");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error.to_string(),
            "g.wbs:2:1: expected: guards DEFECT PROPERTY, or guards PROPERTY");
  const auto notprop = parse_scenario("wrongbox-scenario 1\nguards X9\n\ntick\n", "g.wbs");
  ASSERT_FALSE(notprop.ok());
  EXPECT_EQ(notprop.error.to_string(), "g.wbs:2:8: 'X9' is not a property (S1-S6, C1-C4, L1)");
}

TEST(ScenarioFormatTest, ParsedFieldsAreWhatTheTextSays) {
  const auto r = parse_scenario(kCanonical, "x.wbs");
  ASSERT_TRUE(r.ok());
  const Scenario& s = *r.scenario;
  EXPECT_EQ(s.name, "stale-route");
  EXPECT_EQ(s.tags, (std::vector<std::string>{"reopen", "defect-class-3"}));
  ASSERT_EQ(s.guards.size(), 1u);
  EXPECT_EQ(s.guards[0], (Guard{"stale-route", "S1"}));
  // Its line, where a bad defect name is reported.
  const std::string text = kCanonical;
  const auto at = text.find("\nguards ");
  EXPECT_EQ(s.guards[0].line, 1 + std::count(text.begin(), text.begin() + at + 1, '\n'));
  ASSERT_GE(s.steps.size(), 4u);
  EXPECT_EQ(s.steps[0].kind, StepKind::kOpen);
  EXPECT_EQ(s.steps[0].line, 8);
  EXPECT_EQ(s.steps[1].kind, StepKind::kOpenUnregistered);
  const Step& submit = s.steps[3];
  ASSERT_EQ(submit.kind, StepKind::kSubmit);
  ASSERT_EQ(submit.messages.size(), 3u);
  EXPECT_EQ(submit.messages[1].id, "id with space");
  EXPECT_EQ(submit.messages[1].subject, "1990010112");  // invalid subjects are allowed in messages
  EXPECT_EQ(submit.messages[1].parts, 0);
  EXPECT_EQ(submit.messages[2].sender, "end");
  EXPECT_EQ(s.steps[4].kind, StepKind::kCloseAtDelivery);
  EXPECT_EQ(s.steps[4].comments,
            (std::vector<std::string>{"The race: closes as the delivery arrives."}));
  EXPECT_EQ(s.trailing_comments, (std::vector<std::string>{"trailing note"}));
  EXPECT_EQ(senders_of(s), (std::vector<std::string>{"end", "s1", "s2"}));
}

TEST(ScenarioFormatTest, PrintThenParseGivesTheSameScenarioForAwkwardValues) {
  Scenario s;
  s.name = "name with \"quotes\" and \\ backslash";
  s.tags = {"#hash-first", "tab\there"};
  s.header_comments = {"", "  indented"};
  Step open;
  open.kind = StepKind::kOpen;
  open.mailbox = "op/\"quoted\\ \xc3\xa5 ";
  open.person = "199001011239";
  Step sub;
  sub.kind = StepKind::kSubmit;
  sub.messages = {{"s\x01", "", "\n", 64}, {"#s", "end", "x y", 1}};
  sub.comments = {"c"};
  s.steps = {open, sub};
  ASSERT_EQ(validate_scenario(s), "");
  const std::string text = print_scenario(s);
  const auto r = parse_scenario(text);
  ASSERT_TRUE(r.ok()) << r.error.to_string() << "\n" << text;
  EXPECT_EQ(*r.scenario, s) << text;
  EXPECT_EQ(print_scenario(*r.scenario), text);
}

TEST(ScenarioFormatTest, ARangeOfIdsIsOneMessagePerIdAndPrintsBackAsARange) {
  const auto r = parse_scenario(
      "wrongbox-scenario 1\nsubmit\n  s1 7..65542 to 199001011239 parts 2\n  s1 \"1..2\" to "
      "x\n  s2 3 to x\n  s2 4 to x\nend\n");
  ASSERT_TRUE(r.ok()) << r.error.to_string();
  const auto& ms = r.scenario->steps.at(0).messages;
  ASSERT_EQ(ms.size(), 65536u + 3);
  EXPECT_EQ(ms[0], (MessageSpec{"s1", "7", "199001011239", 2}));
  EXPECT_EQ(ms[65535], (MessageSpec{"s1", "65542", "199001011239", 2}));
  EXPECT_EQ(ms[65536].id, "1..2");  // quoted: a literal id
  // Three or more alike with consecutive ids print as a range; two do not;
  // a literal id with ".." is quoted.
  EXPECT_EQ(print_step(r.scenario->steps[0]),
            "submit\n  s1 7..65542 to 199001011239 parts 2\n  s1 \"1..2\" to x\n  s2 3 to x\n  "
            "s2 4 to x\nend");
  Step sub;
  sub.kind = StepKind::kSubmit;
  sub.messages = {{"s", "9", "x", 1},  {"s", "10", "x", 1},  {"s", "11", "x", 1},
                  {"s", "12", "y", 1}, {"s", "012", "x", 1}, {"s", "1..", "x", 1}};
  EXPECT_EQ(print_step(sub),
            "submit\n  s 9..11 to x\n  s 12 to y\n  s 012 to x\n  s \"1..\" to x\nend");
  Scenario sc;
  sc.steps = {sub};
  const auto back = parse_scenario(print_scenario(sc));
  ASSERT_TRUE(back.ok()) << back.error.to_string();
  EXPECT_EQ(*back.scenario, sc);
}

struct BadInput {
  const char* text;
  int line;
  int col;
  const char* message_part;
};

class ScenarioParseErrorTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(ScenarioParseErrorTest, NamesFileLineColumnAndReason) {
  const auto& p = GetParam();
  const auto r = parse_scenario(p.text, "bad.wbs");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.file, "bad.wbs");
  EXPECT_EQ(r.error.line, p.line) << r.error.to_string();
  EXPECT_EQ(r.error.col, p.col) << r.error.to_string();
  EXPECT_NE(r.error.message.find(p.message_part), std::string::npos) << r.error.to_string();
  EXPECT_EQ(r.error.to_string().rfind("bad.wbs:" + std::to_string(p.line) + ":", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ScenarioParseErrorTest,
    ::testing::Values(
        BadInput{"", 1, 1, "empty scenario"},
        BadInput{"tick\n", 1, 1, "starts with the line 'wrongbox-scenario 1'"},
        BadInput{"wrongbox-scenario 2\n", 1, 19, "reads version 1"},
        BadInput{"wrongbox-scenario one\n", 1, 19, "whole number"},
        BadInput{"wrongbox-scenario 01\n", 1, 19, "plain number"},
        BadInput{"wrongbox-scenario +1\n", 1, 19, "whole number"},
        BadInput{"\xEF\xBB\xBFwrongbox-scenario 1\n", 1, 1, "byte order mark"},
        BadInput{"wrongbox-scenario 1\nfly away\n", 2, 1, "unknown step 'fly'"},
        BadInput{"wrongbox-scenario 1\nopen kivra/a for 199001011238\n", 2, 18,
                 "check digit should be 9"},
        BadInput{"wrongbox-scenario 1\nopen kivra/a with 199001011239\n", 2, 14,
                 "expected: open MAILBOX for PERSON | open MAILBOX owned-by PERSON"},
        BadInput{"wrongbox-scenario 1\nopen kivra for 199001011239\n", 2, 6, "OPERATOR/ACCOUNT"},
        BadInput{"wrongbox-scenario 1\nclose kivra/a now\n", 2, 15, "expected: close MAILBOX"},
        BadInput{"wrongbox-scenario 1\ntick 0\n", 2, 6, "from 1 to 1000"},
        BadInput{"wrongbox-scenario 1\ntick 1 2\n", 2, 8, "expected: tick [COUNT]"},
        BadInput{"wrongbox-scenario 1\nsubmit\n  s1 1 to 199001011239\n", 2, 1, "no 'end'"},
        BadInput{"wrongbox-scenario 1\nsubmit\n  s1 1 at 199001011239\nend\n", 3, 8, "'to'"},
        BadInput{"wrongbox-scenario 1\nsubmit\n  s1 1 to 199001011239 parts 65\nend\n", 3, 30,
                 "from 0 to 64"},
        BadInput{"wrongbox-scenario 1\nsubmit\n  s1 1 to\nend\n", 3, 3, "SENDER ID to SUBJECT"},
        BadInput{"wrongbox-scenario 1\nsubmit now\nend\n", 2, 8, "stands alone"},
        BadInput{"wrongbox-scenario 1\nopen \"kivra/a for 199001011239\n", 2, 6, "not closed"},
        BadInput{"wrongbox-scenario 1\nopen \"kivra/\\q\" for 199001011239\n", 2, 13,
                 "unknown escape"},
        BadInput{"wrongbox-scenario 1\nopen kivra/\x01 for 199001011239\n", 2, 12,
                 "control character"},
        BadInput{"wrongbox-scenario 1\ntick\nname late\n", 3, 1, "belongs in the header"},
        BadInput{"wrongbox-scenario 1\nguards stale-route S9\n", 2, 20, "not a property"},
        BadInput{"wrongbox-scenario 1\nname a\nname b\n", 3, 1, "already has a name"},
        BadInput{"wrongbox-scenario 1\noperator Kivra down\n", 2, 10, "a-z"},
        BadInput{"wrongbox-scenario 1\nblock 199001011239\n", 2, 20, "block PERSON SENDER"},
        BadInput{"wrongbox-scenario 1\ntick\n# caf\xC3\ntick\n", 3, 6, "invalid UTF-8"},
        BadInput{"wrongbox-scenario 1\ntick\n  tick \xFF\n", 3, 8, "cannot start a character"},
        BadInput{"wrongbox-scenario 1\nsubmit\n  s1 5..3 to 199001011239\nend\n", 3, 6,
                 "FIRST below LAST"},
        BadInput{"wrongbox-scenario 1\nsubmit\n  s1 01..3 to 199001011239\nend\n", 3, 6,
                 "without leading zeros"},
        BadInput{"wrongbox-scenario 1\nsubmit\n  s1 1..x to 199001011239\nend\n", 3, 6,
                 "in double quotes"},
        BadInput{"wrongbox-scenario 1\nsubmit\n  s1 0..1000000 to 199001011239\nend\n", 3, 6,
                 "at most 1000000 messages"}));

// The same text read from a file one step at a time: the same error, and the
// steps before it handed on.
TEST_P(ScenarioParseErrorTest, AStreamedFileGivesTheSameErrorAfterTheStepsBeforeIt) {
  const auto& p = GetParam();
  // One file per case: ctest runs the cases side by side.
  const auto path = std::filesystem::temp_directory_path() /
                    ("wrongbox-stream-bad-" + std::to_string(::getpid()) + ".wbs");
  std::ofstream(path, std::ios::binary) << p.text;
  int steps = 0;
  const auto r = stream_scenario_file(path.string(), [&](const Scenario&, Step&& st) {
    EXPECT_LT(st.line, p.line);
    ++steps;
    return true;
  });
  ASSERT_FALSE(r.ok());
  const auto whole = parse_scenario(p.text, path.string());
  EXPECT_EQ(r.error.to_string(), whole.error.to_string());
  std::filesystem::remove(path);
}

TEST(ScenarioFormatTest, CommentsAndBlankLinesAnywhereAreAccepted) {
  const auto r = parse_scenario(
      "\n# before the header\nwrongbox-scenario 1\r\n\n   # indented comment\ntick\r\n"
      "submit\n  # inside a submit\n\n  s1 1 to 199001011239\nend\n");
  ASSERT_TRUE(r.ok()) << r.error.to_string();
  EXPECT_EQ(r.scenario->steps.size(), 2u);
  EXPECT_EQ(r.scenario->steps[1].messages.size(), 1u);
}

// Found by scenario_parser_fuzzer: header comments and the first step's
// comments must keep their places through print and parse (a blank line
// separates them), with and without steps.
TEST(ScenarioFormatTest, HeaderAndFirstStepCommentsKeepTheirPlaces) {
  for (const char* text : {
           "# h\nwrongbox-scenario 1\n# s\ntick\n",
           "wrongbox-scenario 1\n# h\n\n# s\ntick\n",
           "wrongbox-scenario 1\n# h\n",
           "wrongbox-scenario 1\n\n# t\n",
           "wrongbox-scenario 1\n# h\n\n# t\n",
           "wrongbox-scenario 1\nname n\n# t\n",
       }) {
    const auto r = parse_scenario(text);
    ASSERT_TRUE(r.ok()) << r.error.to_string();
    const auto printed = print_scenario(*r.scenario);
    const auto again = parse_scenario(printed);
    ASSERT_TRUE(again.ok()) << again.error.to_string();
    EXPECT_EQ(*again.scenario, *r.scenario) << text << "\nprinted:\n" << printed;
  }
  const auto r = parse_scenario("# h\nwrongbox-scenario 1\n# s\ntick\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.scenario->header_comments, std::vector<std::string>{"h"});
  EXPECT_EQ(r.scenario->steps[0].comments, std::vector<std::string>{"s"});
  const auto t = parse_scenario("wrongbox-scenario 1\n# h\n\n# t\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.scenario->header_comments, std::vector<std::string>{"h"});
  EXPECT_EQ(t.scenario->trailing_comments, std::vector<std::string>{"t"});
}

TEST(ScenarioFormatTest, EveryCorpusFileIsCanonical) {
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator("corpus")) {
    if (e.path().extension() != ".wbs") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const auto r = parse_scenario(ss.str(), e.path().string());
    ASSERT_TRUE(r.ok()) << r.error.to_string();
    EXPECT_EQ(validate_scenario(*r.scenario), "") << e.path();
    EXPECT_EQ(print_scenario(*r.scenario), ss.str()) << e.path() << " is not in canonical form";
    ++files;
  }
  EXPECT_GE(files, 13);
}

TEST(ScenarioFormatTest, StreamingAFileGivesTheStepsLoadingItGives) {
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator("corpus")) {
    if (e.path().extension() != ".wbs") continue;
    const auto loaded = load_scenario_file(e.path().string());
    ASSERT_TRUE(loaded.ok()) << loaded.error.to_string();
    std::vector<Step> steps;
    Scenario header_seen;
    const auto streamed =
        stream_scenario_file(e.path().string(), [&](const Scenario& h, Step&& st) {
          if (steps.empty()) header_seen = h;
          steps.push_back(std::move(st));
          return true;
        });
    ASSERT_TRUE(streamed.ok()) << streamed.error.to_string();
    EXPECT_TRUE(streamed.scenario->steps.empty());
    Scenario again = *streamed.scenario;
    again.steps = std::move(steps);
    EXPECT_EQ(again, *loaded.scenario) << e.path();
    EXPECT_EQ(header_seen.name, loaded.scenario->name) << e.path();
    EXPECT_EQ(header_seen.guards, loaded.scenario->guards) << e.path();
    for (std::size_t i = 0; i < again.steps.size(); ++i) {
      EXPECT_EQ(again.steps[i].line, loaded.scenario->steps[i].line) << e.path();
    }
    ++files;
  }
  EXPECT_GE(files, 13);
}

TEST(ScenarioFormatTest, StreamingStopsWhenTheReaderHasWhatItWants) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("wrongbox-stream-stop-" + std::to_string(::getpid()) + ".wbs");
  // The fourth step is malformed: a reader that stops after two never sees it.
  std::ofstream(path, std::ios::binary) << "wrongbox-scenario 1\ntick\ntick 2\ntick 3\nfly\n";
  std::vector<int> counts;
  const auto r = stream_scenario_file(path.string(), [&](const Scenario&, Step&& st) {
    counts.push_back(st.count);
    return counts.size() < 2;
  });
  EXPECT_TRUE(r.ok()) << r.error.to_string();
  EXPECT_EQ(counts, (std::vector<int>{1, 2}));
  std::filesystem::remove(path);
}

TEST(ScenarioFormatTest, StreamingRefusesWhatIsNotARegularFile) {
  const auto r = stream_scenario_file("/nonexistent/x.wbs", [](const Scenario&, Step&&) {
    ADD_FAILURE() << "no step expected";
    return true;
  });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.to_string().find("no such file"), std::string::npos) << r.error.to_string();
  const auto d = stream_scenario_file("corpus", [](const Scenario&, Step&&) { return true; });
  EXPECT_NE(d.error.message.find("directory"), std::string::npos) << d.error.to_string();
}

}  // namespace
}  // namespace wrongbox

// One rule of what is playable, read by the runner, the byte codec and the
// generators.
namespace wrongbox {
namespace {

Step env(StepKind k, std::string mailbox = "", std::string person = "") {
  Step s;
  s.kind = k;
  s.mailbox = std::move(mailbox);
  s.person = std::move(person);
  return s;
}

TEST(PlayableBuilder, RefusesWhatTheModelForbidsWithTheReason) {
  PlayableBuilder b;
  std::string why;
  EXPECT_FALSE(b.add(env(StepKind::kClose, "kivra/1"), &why));
  EXPECT_NE(why.find("kivra/1"), std::string::npos) << why;
  EXPECT_FALSE(b.add(env(StepKind::kClose, "kivra/1")));  // the same refusal without a sentence
  ASSERT_TRUE(b.add(env(StepKind::kOpen, "kivra/1", "199001011239")));
  EXPECT_FALSE(b.add(env(StepKind::kOpen, "kivra/1", "199001011239")));
  EXPECT_FALSE(b.add(env(StepKind::kRegister, "kivra/1", "191212121212"), &why)) << why;
  ASSERT_TRUE(b.add(env(StepKind::kClose, "kivra/1")));
  // A reopened account waits out its quarantine.
  EXPECT_FALSE(b.add(env(StepKind::kReopen, "kivra/1", "191212121212"), &why));
  Step tick;
  tick.kind = StepKind::kTick;
  tick.count = static_cast<int>(model::kReopenQuarantineTicks);
  ASSERT_TRUE(b.add(tick));
  EXPECT_EQ(b.now(), model::kReopenQuarantineTicks);
  EXPECT_TRUE(b.add(env(StepKind::kReopen, "kivra/1", "191212121212"), &why)) << why;
  EXPECT_EQ(b.world().open_owner("kivra/1"), std::optional<std::string>("191212121212"));
}

TEST(PlayableBuilder, ARacedMailboxIsLeftAloneWhenAsked) {
  for (const auto policy :
       {PlayableBuilder::Policy::kAsWritten, PlayableBuilder::Policy::kNoRacedReuse}) {
    PlayableBuilder b(policy);
    ASSERT_TRUE(b.add(env(StepKind::kOpen, "kivra/1", "199001011239")));
    ASSERT_TRUE(b.add(env(StepKind::kCloseAtDelivery, "kivra/1")));
    EXPECT_TRUE(b.raced("kivra/1"));
    const bool closed = b.add(env(StepKind::kClose, "kivra/1"));
    EXPECT_EQ(closed, policy == PlayableBuilder::Policy::kAsWritten);
  }
}

}  // namespace
}  // namespace wrongbox
