// Switches in other processes (protocol v1): every way a switch can break the
// protocol is a switch failure with the offending line or signal, never a
// property violation; the process is restarted for the next scenario.
#include "harness/protocol/exec_switch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "examples/reference_switch.h"
#include "harness/check/check.h"
#include "harness/cli/sut.h"
#include "harness/core/runner.h"
#include "harness/protocol/protocol.h"
#include "wrongbox/protocol_server.h"

namespace wrongbox {
namespace {

const char* kBoom = R"(wrongbox-scenario 1
open kivra/a for 199001011239
submit
  s1 boom to 199001011239
end
)";
const char* kFine = R"(wrongbox-scenario 1
open kivra/a for 199001011239
submit
  s1 1 to 199001011239
  s1 2 to 198503142344
end
tick
)";

Scenario parse(const char* text) {
  auto r = parse_scenario(text, "t.wbs");
  EXPECT_TRUE(r.ok()) << r.error.to_string();
  return *r.scenario;
}

std::string log_path(const std::string& mode) {
  return (std::filesystem::temp_directory_path() /
          ("wb-exec-" + mode + "-" + std::to_string(::getpid()) + ".log"))
      .string();
}

struct Case {
  const char* mode;
  const char* message_part;  // must appear in the failure
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.mode;
}

class ExecFailureTest : public ::testing::TestWithParam<Case> {};

TEST_P(ExecFailureTest, IsASwitchFailureWithTheReasonAndTheNextScenarioRunsOnAFreshProcess) {
  const auto& c = GetParam();
  const auto log = log_path(c.mode);
  ExecSwitch sw(std::string("python3 tests/fixtures/bad_switch.py ") + c.mode, {1.0, log});
  ASSERT_EQ(sw.hello().name, std::string("bad-") + c.mode);
  const auto bad = run_scenario(parse(kBoom), sw, {});
  EXPECT_EQ(bad.outcome, Outcome::kSwitchFailure) << summarize(bad);
  EXPECT_TRUE(bad.violations.empty());
  EXPECT_EQ(bad.error_step, 1);
  EXPECT_EQ(bad.error_line, 3);
  EXPECT_NE(bad.error.find("protocol error during 'submit'"), std::string::npos) << bad.error;
  EXPECT_NE(bad.error.find(c.message_part), std::string::npos) << bad.error;
  EXPECT_NE(bad.error.find("switch log: " + log), std::string::npos) << bad.error;
  // The switch's standard error was kept.
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(std::string("misbehaving as ") + c.mode), std::string::npos) << text;
  // The next scenario gets a new process and passes.
  const auto good = run_scenario(parse(kFine), sw, {});
  EXPECT_EQ(good.outcome, Outcome::kPass) << summarize(good);
  EXPECT_EQ(sw.starts(), 2);
  std::filesystem::remove(log);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, ExecFailureTest,
    ::testing::Values(
        Case{"garbage",
             "a line that is not valid JSON (only protocol lines may go to standard output; "
             "diagnostics belong on standard error); offending line: this is not json"},
        Case{"unknown-call", "unknown call 'teleport'; offending line: {\"call\""},
        Case{"wrong-result", "submit result without a 'verdicts' array"},
        Case{"missing-field", "deliver call: missing field 'mailbox'"},
        Case{"early-exit", "the switch exited with status 3"},
        Case{"crash", "the switch was killed by signal 11 (SIGSEGV)"},
        Case{"hang", "no result within 1.000 s"},
        Case{"partial-line", "after writing an unfinished line; offending line: {\"call\": \"look"},
        Case{"error-result", "the switch answered with an error: \"database on fire\""}),
    [](const auto& param_info) {
      std::string n = param_info.param.mode;
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

// A switch may send many calls before it reads any answer. The harness keeps
// reading while it answers, so neither side blocks on a full pipe.
TEST(ExecSwitchTest, ASwitchThatSendsManyCallsBeforeReadingAnyAnswerIsServedInOrder) {
  const auto log = log_path("flood");
  ExecSwitch sw("python3 tests/fixtures/bad_switch.py flood", {10.0, log});
  RunOptions o;
  o.trace = true;
  const auto r = run_scenario(parse(kBoom), sw, o);
  EXPECT_EQ(r.outcome, Outcome::kPass) << summarize(r);
  int logs = 0;  // answered one by one, in the order sent
  for (const auto& t : r.trace) {
    if (t.find("log -> \"pipelined call") == std::string::npos) continue;
    EXPECT_NE(t.find("pipelined call " + std::to_string(logs) + "\""), std::string::npos) << t;
    ++logs;
  }
  EXPECT_EQ(logs, 20000);
  EXPECT_EQ(sw.starts(), 1);
  std::filesystem::remove(log);
}

// Debug printing to standard output is the commonest adapter bug: output
// that arrives between commands is reported as such, with the line, against
// the command it followed, not mistaken for the next command's answer.
TEST(ExecSwitchTest, OutputBetweenCommandsIsASwitchFailureNamingTheLine) {
  const auto log = log_path("chatty");
  ExecSwitch sw("python3 tests/fixtures/bad_switch.py chatty", {5.0, log});
  const auto r = run_scenario(parse(kBoom), sw, {});
  EXPECT_EQ(r.outcome, Outcome::kSwitchFailure) << summarize(r);
  EXPECT_NE(r.error.find("protocol error during 'submit': the switch wrote to its standard "
                         "output after the result"),
            std::string::npos)
      << r.error;
  EXPECT_NE(r.error.find("offending line: debug: submit done"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("diagnostics belong on standard error"), std::string::npos) << r.error;
  // The next scenario runs on a fresh process and passes.
  EXPECT_EQ(run_scenario(parse(kFine), sw, {}).outcome, Outcome::kPass);
  std::filesystem::remove(log);

  // A banner before the first command: seen before `hello` is sent, or as
  // `hello`'s answer, depending on how fast the switch starts; either way
  // the report names the line and says where diagnostics go.
  ExecSwitch banner("python3 tests/fixtures/bad_switch.py banner", {5.0, log});
  try {
    banner.hello();
    ADD_FAILURE() << "no failure";
  } catch (const SwitchFailure& e) {
    const std::string w = e.what();
    EXPECT_NE(w.find("offending line: acme switch adapter 4.2 starting"), std::string::npos) << w;
    EXPECT_NE(w.find("diagnostics belong on standard error"), std::string::npos) << w;
  }
  std::filesystem::remove(log);
}

TEST(ExecSwitchTest, AHelloErrorIsASwitchFailureAtStart) {
  ExecSwitch sw("python3 tests/fixtures/bad_switch.py bad-hello", {1.0, log_path("hello")});
  try {
    sw.hello();
    FAIL() << "no failure";
  } catch (const SwitchFailure& e) {
    EXPECT_NE(std::string(e.what()).find("during 'hello'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("I speak protocol 7"), std::string::npos) << e.what();
  }
  std::filesystem::remove(log_path("hello"));
}

TEST(ExecSwitchTest, AMissingProgramIsReportedClearly) {
  try {
    auto s = open_sut("exec:/nonexistent/switch --flag", {1.0, log_path("missing")});
    FAIL() << "no failure";
  } catch (const SwitchFailure& e) {
    EXPECT_NE(std::string(e.what()).find("cannot start '/nonexistent/switch'"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove(log_path("missing"));
}

// WRONGBOX_EXEC_SPIN_US tunes how long the harness looks for a switch's
// answer before it sleeps: a bad value is refused by name; 0 (never spin)
// and a long spin both give the same verdicts.
TEST(ExecSwitchTest, TheSpinSettingIsCheckedAndChangesNoVerdict) {
  const std::string spec = std::string("exec:") + WRONGBOX_REFERENCE_SWITCH;
  ::setenv("WRONGBOX_EXEC_SPIN_US", "fast", 1);
  try {
    auto s = open_sut(spec, {5.0, log_path("spin")});
    FAIL() << "no failure";
  } catch (const SutError& e) {
    EXPECT_NE(std::string(e.what()).find("WRONGBOX_EXEC_SPIN_US must be microseconds"),
              std::string::npos)
        << e.what();
  }
  for (const char* spin : {"0", "5000"}) {
    ::setenv("WRONGBOX_EXEC_SPIN_US", spin, 1);
    auto good = open_sut(spec, {5.0, log_path("spin")});
    EXPECT_EQ(run_scenario(parse(kFine), *good.sw, {}).outcome, Outcome::kPass) << spin;
    auto bad = open_sut(spec + " concurrency", {5.0, log_path("spin")});
    EXPECT_EQ(run_scenario(parse(kFine), *bad.sw, {}).outcome, Outcome::kViolation) << spin;
  }
  ::unsetenv("WRONGBOX_EXEC_SPIN_US");
  std::filesystem::remove(log_path("spin"));
}

TEST(ExecSwitchTest, AViolationOverTheProtocolIsAViolationNotAFailure) {
  auto sut = open_sut(std::string("exec:") + WRONGBOX_REFERENCE_SWITCH + " concurrency",
                      {5.0, log_path("violation")});
  const auto r = run_scenario(parse(kFine), *sut.sw, {});
  EXPECT_EQ(r.outcome, Outcome::kViolation) << summarize(r);
  EXPECT_TRUE(r.error.empty());
  std::filesystem::remove(log_path("violation"));
}

TEST(ExecSwitchTest, ReplayAndCampaignGiveTheSameVerdictsInProcessAndOverTheProtocol) {
  std::vector<Scenario> corpus;
  for (const auto& e : std::filesystem::directory_iterator("corpus/regressions")) {
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    corpus.push_back(*parse_scenario(text, e.path().string()).scenario);
  }
  for (const std::string variant : {"reference", "stale-route", "receipt-mixup", "fault-path"}) {
    auto builtin = open_sut("builtin:" + variant);
    const check::CheckOptions o = [] {
      check::CheckOptions x;
      x.tests = 300;
      x.seed = 17;
      return x;
    }();
    const auto ca = check::run_check(*builtin.sw, builtin.hello, builtin.spec, o);
    for (const std::string& seam : {std::string("exec:") + WRONGBOX_REFERENCE_SWITCH,
                                    std::string("plugin:") + WRONGBOX_REFERENCE_PLUGIN}) {
      auto other = open_sut(seam + " " + variant, {5.0, log_path("parity")});
      for (const auto& sc : corpus) {
        const auto a = run_scenario(sc, *builtin.sw, {});
        const auto b = run_scenario(sc, *other.sw, {});
        EXPECT_EQ(summarize(a), summarize(b)) << seam << " " << variant << " " << sc.source;
      }
      const auto cb = check::run_check(*other.sw, other.hello, other.spec, o);
      EXPECT_EQ(ca.failed, cb.failed) << seam << " " << variant;
      EXPECT_EQ(ca.tests_run, cb.tests_run) << seam << " " << variant;
      if (ca.failed && cb.failed) {
        EXPECT_EQ(print_scenario(*ca.counterexample), print_scenario(*cb.counterexample))
            << seam << " " << variant;
        EXPECT_EQ(summarize(ca.failure), summarize(cb.failure)) << seam << " " << variant;
      }
    }
  }
  std::filesystem::remove(log_path("parity"));
}

TEST(PluginSwitchTest, LoadErrorsAreSwitchFailuresThatSayWhy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"plugin:/nonexistent/lib.so", "cannot load"},
      {"plugin:libm.so.6", "exports no wrongbox_plugin_v1() function"},
      {std::string("plugin:") + WRONGBOX_REFERENCE_PLUGIN + " no-such-variant",
       "create(\"no-such-variant\") failed"},
  };
  for (const auto& [spec, part] : cases) {
    try {
      open_sut(spec);
      ADD_FAILURE() << spec << ": no failure";
    } catch (const SwitchFailure& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  }
}

// Found by protocol_fuzzer: fields of the wrong JSON type are answered or
// refused, never thrown through the switch side (which would kill it).
TEST(ProtocolServerTest, FieldsOfTheWrongTypeAreErrorsNotCrashes) {
  auto sw = examples::make_reference_switch();
  std::istringstream in(
      "{\"op\":\"hello\",\"protocol\":\"1\"}\n"
      "{\"op\":\"hello\",\"protocol\":1}\n"
      "{\"op\":\"reset\",\"senders\":[\"s1\"]}\n"
      "{\"op\":\"tick\",\"now\":\"soon\"}\n"
      "{\"op\":\"submit\",\"messages\":[{\"sender\":\"s1\",\"id\":\"1\","
      "\"subject\":\"199001011239\",\"title\":\"T\",\"parts\":[{\"name\":\"a\","
      "\"data\":\"D\"}]}]}\n"
      "{\"mailbox\":\"kivra/1\",\"protected\":false,\"blocked_senders\":[]}\n"
      "{\"ok\":\"yes\"}\n");
  std::ostringstream out;
  EXPECT_EQ(serve_protocol(*sw, in, out), 1);  // the harness broke the protocol: said so
  const std::string o = out.str();
  EXPECT_NE(o.find("this switch speaks protocol 1 only"), std::string::npos) << o;
  EXPECT_NE(o.find("tick: 'now' must be a whole number"), std::string::npos) << o;
  std::string error;
  DeliverReply r{};
  protocol::Parser parser;
  protocol::Value v;
  ASSERT_TRUE(parser.parse(R"({"ok":"yes"})", v, error));
  EXPECT_FALSE(protocol::decode(v, r, error));
  ASSERT_TRUE(parser.parse(R"({"ok":true})", v, error));
  EXPECT_TRUE(protocol::decode(v, r, error));
}

// What the reader takes as one line of JSON: what RFC 8259 allows, a CRLF
// line end and a leading byte order mark; not two values, trailing bytes,
// invalid UTF-8 or an empty line.
TEST(ProtocolParserTest, ReadsOneJsonValuePerLineAndSaysWhyNot) {
  protocol::Parser parser;
  protocol::Value v;
  std::string error, text;
  for (const char* good : {"{\"text\":\"x\"}", "{\"text\":\"x\"}\r", "\xEF\xBB\xBF{\"text\":\"x\"}",
                           " {\"text\" : \"x\", \"more\": [1, {\"y\": null}]} "}) {
    ASSERT_TRUE(parser.parse(good, v, error)) << good << ": " << error;
    ASSERT_TRUE(protocol::get_string(v, "text", text, error)) << good << ": " << error;
    EXPECT_EQ(text, "x");
  }
  for (const char* bad : {"{\"a\":1} {\"b\":2}", "{\"a\":1}x", "{\"a\":\"\xff\"}", "", "nul",
                          "{\"a\":1e400}", "{\"a\":"}) {
    error.clear();
    EXPECT_FALSE(parser.parse(bad, v, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  // Escapes come back decoded, NUL included; a 1 MiB string comes back whole.
  ASSERT_TRUE(parser.parse(R"({"text":"a\u0000b\n\"\u00c4"})", v, error)) << error;
  ASSERT_TRUE(protocol::get_string(v, "text", text, error));
  EXPECT_EQ(text, std::string("a\0b\n\"\xC3\x84", 7));
  const std::string big(1 << 20, 'z');
  ASSERT_TRUE(parser.parse("{\"text\":\"" + big + "\"}", v, error)) << error;
  ASSERT_TRUE(protocol::get_string(v, "text", text, error));
  EXPECT_EQ(text, big);
  // A field of the wrong type or a missing one is named.
  ASSERT_TRUE(parser.parse(R"({"text":1})", v, error));
  EXPECT_FALSE(protocol::get_string(v, "text", text, error));
  EXPECT_EQ(error, "field 'text' must be a string");
  EXPECT_FALSE(protocol::get_string(v, "other", text, error));
  EXPECT_EQ(error, "missing field 'other'");
}

// What the writer makes of awkward strings: quotes, backslashes and control
// characters (NUL too) escaped, UTF-8 kept as it is, bytes that are not UTF-8 replaced
// by U+FFFD (a line must stay JSON whatever a switch logs); and every line
// it writes reads back to the same values.
TEST(ProtocolWriterTest, WritesOneLineOfJsonThatReadsBackTheSame) {
  protocol::Writer w;
  w.start_object();
  w.field("text", std::string("q\"b\\n\n\t\x01 \xC3\x84", 12));
  w.key("n");
  w.integer(-42);
  w.key("none");
  w.null();
  w.key("list");
  w.start_array();
  w.boolean(true);
  w.string("cut \xC3");  // a name cut in the middle of a character
  w.end_array();
  w.end_object();
  const std::string l = w.line();
  EXPECT_EQ(l,
            "{\"text\":\"q\\\"b\\\\n\\n\\t\\u0001 \xC3\x84\\u0000\",\"n\":-42,\"none\":null,"
            "\"list\":[true,\"cut \xEF\xBF\xBD\"]}\n");
  protocol::Parser parser;
  protocol::Value v;
  std::string error, text;
  ASSERT_TRUE(parser.parse(l, v, error)) << error;
  ASSERT_TRUE(protocol::get_string(v, "text", text, error));
  EXPECT_EQ(text, std::string("q\"b\\n\n\t\x01 \xC3\x84", 12));
  // The writer starts afresh after line().
  w.start_object();
  w.field("a", "b");
  w.end_object();
  EXPECT_EQ(w.line(), "{\"a\":\"b\"}\n");

  // Every encoder's output decodes to what was encoded.
  Message m{"s1", "7", "199001011239", "T \xE2\x9C\x93", {{"a.txt", "D\n"}, {"b", ""}}};
  protocol::encode(w, m);
  Message back;
  ASSERT_TRUE(parser.parse(w.line(), v, error)) << error;
  ASSERT_TRUE(protocol::decode(v, back, error)) << error;
  EXPECT_EQ(back, m);
  LookupReply r;
  r.mailbox = "kivra/1";
  r.is_protected = true;
  r.blocked_senders = {"s2"};
  protocol::encode(w, r);
  LookupReply r2;
  ASSERT_TRUE(parser.parse(w.line(), v, error));
  ASSERT_TRUE(protocol::decode(v, r2, error)) << error;
  EXPECT_EQ(r2.mailbox, r.mailbox);
  EXPECT_TRUE(r2.is_protected);
  EXPECT_EQ(r2.blocked_senders, r.blocked_senders);
  LookupReply unavailable;
  unavailable.unavailable = true;
  protocol::encode(w, unavailable);
  ASSERT_TRUE(parser.parse(w.line(), v, error));
  ASSERT_TRUE(protocol::decode(v, r2, error));
  EXPECT_TRUE(r2.unavailable);
  for (auto d : {DeliverReply::kOk, DeliverReply::kUnavailable, DeliverReply::kNoSuchMailbox}) {
    protocol::encode(w, d);
    DeliverReply d2{};
    ASSERT_TRUE(parser.parse(w.line(), v, error));
    ASSERT_TRUE(protocol::decode(v, d2, error)) << error;
    EXPECT_EQ(d2, d);
  }
  protocol::encode(w, Verdict{"s1", "7", false, "blocked"});
  Verdict verdict;
  ASSERT_TRUE(parser.parse(w.line(), v, error));
  ASSERT_TRUE(protocol::decode(v, verdict, error)) << error;
  EXPECT_EQ(verdict.sender, "s1");
  EXPECT_EQ(verdict.id, "7");
  EXPECT_FALSE(verdict.accepted);
  EXPECT_EQ(verdict.reason, "blocked");
}

// Hands out one line per read and notes how many lines the switch side had
// written by then: shows which calls went out before which answer was read.
class LineFeed : public std::streambuf {
 public:
  LineFeed(std::vector<std::string> lines, const std::ostringstream& out)
      : lines_(std::move(lines)), out_(out) {}
  std::vector<long> written_at_read;  // per line handed out

 protected:
  int_type underflow() override {
    if (next_ >= lines_.size()) return traits_type::eof();
    const std::string s = out_.str();
    written_at_read.push_back(std::count(s.begin(), s.end(), '\n'));
    current_ = lines_[next_++] + "\n";
    setg(current_.data(), current_.data(), current_.data() + current_.size());
    return traits_type::to_int_type(current_[0]);
  }

 private:
  std::vector<std::string> lines_;
  const std::ostringstream& out_;
  std::size_t next_ = 0;
  std::string current_;
};

// Makes calls the way a batching switch does.
class BatchingSwitch final : public Switch {
 public:
  HelloInfo hello() override { return {"batching", "1", {}}; }
  void reset(const std::vector<std::string>&) override {}
  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) override {
    calls.log("one");
    calls.log("two");
    const auto routes = calls.lookup_each({"199001011239", "198503142344"});
    const std::string box = *routes.at(0).mailbox;
    std::vector<Delivery> ds = {{&box, &batch.at(0)}, {&box, &batch.at(0)}};
    const auto replies = calls.deliver_each(ds);
    seen = {routes.at(1).mailbox.value_or("none"), to_string(replies.at(0)),
            to_string(replies.at(1))};
    calls.receipt("s1", "1", ReceiptStatus::kDelivered);
    return {{"s1", "1", true, ""}};
  }
  bool tick(std::int64_t, Calls&) override { return true; }
  void restart() override {}
  std::vector<std::string> seen;
};

TEST(ProtocolServerTest, CallsGoOutInRunsAndAnswersAreReadOnlyWhenNeeded) {
  BatchingSwitch sw;
  std::ostringstream out;
  LineFeed feed({R"({"op":"submit","messages":[{"sender":"s1","id":"1",)"
                 R"("subject":"199001011239","title":"T","parts":[{"name":"a","data":"D"}]}]})",
                 R"({"ok":true})",  // log one
                 R"({"ok":true})",  // log two
                 R"({"mailbox":"kivra/1","protected":false,"blocked_senders":[]})",
                 R"({"mailbox":null,"protected":false,"blocked_senders":[]})",
                 R"({"ok":true})",                  // deliver 1
                 R"({"error":"no_such_mailbox"})",  // deliver 2
                 R"({"ok":true})",                  // receipt
                 R"({"op":"bye"})"},
                out);
  std::istream in(&feed);
  ASSERT_EQ(serve_protocol(sw, in, out), 0) << out.str();
  // log, log, lookup, lookup were all written before the first answer was
  // read; both delivers before their answers; the receipt's answer is read
  // after the result, before the next command.
  EXPECT_EQ(feed.written_at_read, (std::vector<long>{0, 4, 4, 4, 4, 6, 6, 8, 8}));
  EXPECT_EQ(sw.seen, (std::vector<std::string>{"none", "ok", "no_such_mailbox"}));
  std::istringstream lines(out.str());
  std::vector<std::string> calls;
  protocol::Parser parser;
  for (std::string l; std::getline(lines, l);) {
    protocol::Value j;
    std::string call, error;
    ASSERT_TRUE(parser.parse(l, j, error)) << l;
    calls.push_back(protocol::get_string(j, "call", call, error) ? call : "result");
  }
  EXPECT_EQ(calls, (std::vector<std::string>{"log", "log", "lookup", "lookup", "deliver", "deliver",
                                             "receipt", "result", "result"}));
}

// In-process, lookup_each and deliver_each are the same calls one by one.
TEST(CallsTest, LookupEachAndDeliverEachAreTheSingleCallsInOrder) {
  struct Recording final : Calls {
    std::vector<std::string> made;
    LookupReply lookup(const std::string& p) override {
      made.push_back("lookup " + p);
      LookupReply r;
      r.mailbox = "box-" + p;
      return r;
    }
    DeliverReply deliver(const std::string& mb, const Message& m) override {
      made.push_back("deliver " + mb + " " + m.id);
      return m.id == "2" ? DeliverReply::kUnavailable : DeliverReply::kOk;
    }
    void print(const std::string&, const Message&) override {}
    void hold(const Message&, const std::string&) override {}
    void receipt(const std::string&, const std::string&, ReceiptStatus) override {}
    void log(const std::string&) override {}
  } c;
  const auto r = c.lookup_each({"a", "b"});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(*r[1].mailbox, "box-b");
  Message m1, m2;
  m1.id = "1";
  m2.id = "2";
  const std::string x = "x";
  const auto d = c.deliver_each({{&x, &m1}, {&x, &m2}});
  EXPECT_EQ(d, (std::vector<DeliverReply>{DeliverReply::kOk, DeliverReply::kUnavailable}));
  EXPECT_EQ(c.made,
            (std::vector<std::string>{"lookup a", "lookup b", "deliver x 1", "deliver x 2"}));
}

TEST(SplitCommandTest, SplitsLikeAShellWithoutExpanding) {
  std::vector<std::string> w;
  std::string e;
  ASSERT_TRUE(split_command(R"(java -jar 'my switch.jar' "a \"b\" c" d\ e $HOME *)", w, e));
  EXPECT_EQ(w, (std::vector<std::string>{"java", "-jar", "my switch.jar", "a \"b\" c", "d e",
                                         "$HOME", "*"}));
  ASSERT_TRUE(split_command("x ''", w, e));
  EXPECT_EQ(w, (std::vector<std::string>{"x", ""}));
  EXPECT_FALSE(split_command("a 'b", w, e));
  EXPECT_NE(e.find("unclosed single quote"), std::string::npos);
  EXPECT_FALSE(split_command("a \"b", w, e));
  EXPECT_FALSE(split_command("   ", w, e));
  EXPECT_NE(e.find("empty"), std::string::npos);
}

}  // namespace
}  // namespace wrongbox
