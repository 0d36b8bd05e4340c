// Protocol conformance checks.
#include "harness/core/conformance.h"

#include <algorithm>

#include "harness/core/printable.h"

namespace wrongbox {
namespace {

constexpr const char* kPerson = "199001011239";
constexpr const char* kMailbox = "kivra/conformance-1";

// Answers like a registry with one person in one mailbox, and records calls.
class RecordingCalls final : public Calls {
 public:
  std::vector<std::string> calls;
  std::string delivered_to;

  LookupReply lookup(const std::string& person) override {
    calls.push_back("lookup " + person);
    LookupReply r;
    if (person == kPerson) r.mailbox = kMailbox;
    return r;
  }
  DeliverReply deliver(const std::string& mailbox, const Message&) override {
    calls.push_back("deliver " + mailbox);
    delivered_to = mailbox;
    return mailbox == kMailbox ? DeliverReply::kOk : DeliverReply::kNoSuchMailbox;
  }
  void print(const std::string& person, const Message&) override {
    calls.push_back("print " + person);
  }
  void hold(const Message&, const std::string&) override { calls.push_back("hold"); }
  void receipt(const std::string& sender, const std::string& id, ReceiptStatus s) override {
    calls.push_back("receipt " + sender + " " + id + " " + to_string(s));
  }
  void log(const std::string&) override { calls.push_back("log"); }
};

Message sample(const std::string& id) {
  return Message{"s1", id, kPerson, "Conformance " + id, {{"a.txt", "conformance data"}}};
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "no calls" : s;
}

}  // namespace

bool ConformanceReport::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c.passed; });
}

ConformanceReport check_conformance(Switch& sw, const std::function<void()>& say_bye) {
  ConformanceReport rep;
  auto add = [&](std::string name, bool passed, std::string why) {
    rep.checks.push_back({std::move(name), passed, std::move(why)});
    return passed;
  };
  auto attempt = [&](const std::string& name, auto&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      return add(name, false, std::string("the switch failed: ") + e.what());
    }
  };

  HelloInfo hello;
  const bool said_hello = attempt("hello", [&] {
    hello = sw.hello();
    std::string caps = hello.capabilities.empty() ? "none" : joined(hello.capabilities);
    if (hello.name.empty()) return add("hello", false, "hello must answer with a non-empty name");
    return add("hello", true,
               "name '" + printable(hello.name) + "', version '" + printable(hello.version) +
                   "', capabilities: " + printable(caps));
  });
  if (!said_hello) return rep;

  attempt("reset", [&] {
    sw.reset({"s1", "s2"});
    return add("reset", true, "reset with senders s1, s2 answered {}");
  });

  attempt("idle after reset", [&] {
    RecordingCalls c;
    const bool idle = sw.tick(1, c);
    if (!idle) {
      return add("idle after reset", false,
                 "tick 1 right after reset answered idle: false; with nothing to do a switch "
                 "must answer idle: true");
    }
    // Log lines may come anywhere (a network switch's start-up output is
    // read with the first command after it).
    std::vector<std::string> core;
    for (const auto& x : c.calls) {
      if (x != "log") core.push_back(x);
    }
    if (!core.empty()) {
      return add("idle after reset", false,
                 "tick 1 right after reset made calls (" + joined(c.calls) +
                     "); with nothing to do a switch makes none (log lines aside)");
    }
    return add("idle after reset", true, "tick 1 after reset: idle, no calls (log lines aside)");
  });

  RecordingCalls c;
  std::vector<Verdict> vs;
  const bool submitted = attempt("submit", [&] {
    vs = sw.submit({sample("c1")}, c);
    if (vs.size() != 1) {
      return add("submit", false,
                 "a submit of 1 message answered " + std::to_string(vs.size()) +
                     " verdicts; it must answer exactly one per message, in order");
    }
    if (vs[0].sender != "s1" || vs[0].id != "c1") {
      return add("submit", false,
                 "the verdict names " + vs[0].sender + "/" + vs[0].id +
                     "; it must name the message's sender and id (s1/c1)");
    }
    return add("submit", vs[0].accepted,
               vs[0].accepted ? "one verdict, s1/c1 accepted"
                              : "a valid message was rejected (" + vs[0].reason +
                                    "); the remaining checks need it accepted");
  });

  if (submitted) {
    std::vector<std::string> core;
    for (const auto& x : c.calls) {
      if (x != "log") core.push_back(x);
    }
    const std::vector<std::string> want = {std::string("lookup ") + kPerson,
                                           std::string("deliver ") + kMailbox,
                                           "receipt s1 c1 delivered"};
    if (core == want) {
      add("calls in order", true, "lookup, deliver to the mailbox the registry named, receipt");
    } else {
      add("calls in order", false,
          "the calls were: " + joined(c.calls) + "; expected lookup " + kPerson +
              ", then deliver to " + kMailbox +
              " (the mailbox the lookup named), then one "
              "receipt to s1 for c1 with status delivered (log calls may come anywhere)");
    }
  }

  attempt("reset forgets", [&] {
    sw.reset({"s1"});
    RecordingCalls again;
    const auto v = sw.submit({sample("c1")}, again);
    const bool ok = v.size() == 1 && v[0].accepted;
    return add("reset forgets", ok,
               ok ? "after reset the same (sender, id) is accepted again"
                  : "after reset, s1/c1 was not accepted again; reset must forget everything, "
                    "including accepted ids");
  });

  if (hello.has("restart")) {
    attempt("restart", [&] {
      sw.reset({"s1"});
      sw.restart();
      RecordingCalls r;
      const bool idle = sw.tick(1, r);
      return add("restart", idle,
                 idle ? "restart answered {} and the switch was idle after it"
                      : "after restart with nothing accepted the switch was not idle");
    });
  } else {
    add("restart", true,
        "not offered (no 'restart' capability): scenarios with restart are skipped");
  }

  if (say_bye) {
    attempt("bye", [&] {
      say_bye();
      return add("bye", true, "bye answered {} and the process exited with status 0");
    });
  }
  return rep;
}

}  // namespace wrongbox
