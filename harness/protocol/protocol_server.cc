// Protocol v1, switch side.
#include "wrongbox/protocol_server.h"

#include <deque>
#include <iostream>
#include <variant>

#include "harness/protocol/protocol.h"

namespace wrongbox {
namespace {

struct HarnessGone : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Calls over the pipe. A call whose answer the switch needs now (lookup,
// deliver) flushes and waits; the others (print, hold, receipt, log) are
// written and their answers read later: before the next wait, or after the
// command's result and before the next command is read (the harness answers
// every call it reads, in order, and sends all answers before the next
// command, so the result need not wait for them).
// lookup_each and deliver_each write all their calls before reading any
// answer. At most kWindow answers are owed at a time, so neither side can
// fill its pipe while the other waits to write.
class RemoteCalls final : public Calls {
 public:
  RemoteCalls(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

  LookupReply lookup(const std::string& person) override {
    return ask_each<LookupReply>(1, [&](std::size_t) { lookup_call(person); }).front();
  }
  DeliverReply deliver(const std::string& mailbox, const Message& m) override {
    return ask_each<DeliverReply>(1, [&](std::size_t) { deliver_call(mailbox, m); }).front();
  }
  std::vector<LookupReply> lookup_each(const std::vector<std::string>& persons) override {
    return ask_each<LookupReply>(persons.size(), [&](std::size_t i) { lookup_call(persons[i]); });
  }
  std::vector<DeliverReply> deliver_each(const std::vector<Delivery>& ds) override {
    return ask_each<DeliverReply>(
        ds.size(), [&](std::size_t i) { deliver_call(*ds[i].mailbox, *ds[i].message); });
  }
  void print(const std::string& person, const Message& m) override {
    message_call("print", "person", person, m);
    send({});
  }
  void hold(const Message& m, const std::string& reason) override {
    message_call("hold", "reason", reason, m);
    send({});
  }
  void receipt(const std::string& sender, const std::string& id, ReceiptStatus s) override {
    w_.start_object();
    w_.field("call", "receipt");
    w_.field("sender", sender);
    w_.field("id", id);
    w_.field("status", to_string(s));
    w_.end_object();
    send({});
  }
  void log(const std::string& text) override {
    w_.start_object();
    w_.field("call", "log");
    w_.field("text", text);
    w_.end_object();
    send({});
  }

  // Reads every answer still owed. Called before each command is read.
  void drain() {
    while (!owed_.empty()) receive_one();
  }

 private:
  static constexpr std::size_t kWindow = 256;

  void lookup_call(const std::string& person) {
    w_.start_object();
    w_.field("call", "lookup");
    w_.field("person", person);
    w_.end_object();
  }
  void deliver_call(const std::string& mailbox, const Message& m) {
    message_call("deliver", "mailbox", mailbox, m);
  }
  // {"call":CALL,KEY:VALUE,"message":{...}}
  void message_call(const char* call, const char* key, const std::string& value, const Message& m) {
    w_.start_object();
    w_.field("call", call);
    w_.field(key, value);
    w_.key("message");
    protocol::encode(w_, m);
    w_.end_object();
  }

  // Where an answer goes: decoded into a reply, or only checked.
  using Owed = std::variant<std::monostate, LookupReply*, DeliverReply*>;

  // Sends the n calls written by make(0..n-1), then reads and decodes their
  // answers.
  template <typename Reply, typename Make>
  std::vector<Reply> ask_each(std::size_t n, Make make) {
    std::vector<Reply> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      make(i);
      send(&out[i]);
    }
    drain();
    return out;
  }

  // Sends the call just written into w_; its answer is owed to `to`.
  void send(Owed to) {
    out_ << w_.line();
    owed_.push_back(to);
    if (owed_.size() >= kWindow) receive_one();
  }

  void receive_one() {
    out_.flush();
    if (!std::getline(in_, line_)) throw HarnessGone("end of input while waiting for an answer");
    protocol::Value a;
    std::string error;
    if (!parser_.parse(line_, a, error)) throw HarnessGone("the answer is not JSON: " + line_);
    const Owed to = owed_.front();
    owed_.pop_front();
    if (const auto* r = std::get_if<LookupReply*>(&to)) {
      if (!protocol::decode(a, **r, error)) throw HarnessGone(error);
    } else if (const auto* d = std::get_if<DeliverReply*>(&to)) {
      if (!protocol::decode(a, **d, error)) throw HarnessGone(error);
    } else if (!a.is_object() || protocol::field(a, "error")) {
      throw HarnessGone("unexpected answer: " + line_);
    }
  }

  std::istream& in_;
  std::ostream& out_;
  std::deque<Owed> owed_;
  protocol::Parser parser_;  // answers
  protocol::Writer w_;       // calls
  std::string line_;
};

}  // namespace

int serve_protocol(Switch& sw, std::istream& in, std::ostream& out) {
  RemoteCalls calls(in, out);
  protocol::Parser commands;
  std::string l;
  protocol::Writer w;
  // {"result":{...}} with the fields fill() writes.
  auto result = [&](auto fill) {
    w.start_object();
    w.key("result");
    w.start_object();
    fill();
    w.end_object();
    w.end_object();
    out << w.line() << std::flush;
  };
  auto fail = [&](const std::string& why) { result([&] { w.field("error", why); }); };
  auto done = [&] { result([] {}); };
  try {
    while (true) {
      calls.drain();  // the answers to the last command's calls come first
      if (!std::getline(in, l)) break;
      if (l.empty()) continue;
      protocol::Value cmd;
      std::string op, error;
      if (!commands.parse(l, cmd, error) || !protocol::get_string(cmd, "op", op, error)) {
        fail("not a command: " + l.substr(0, 200));
        continue;
      }
      if (op == "hello") {
        if (protocol::field_as<std::int64_t>(cmd, "protocol") != protocol::kVersion) {
          fail("this switch speaks protocol 1 only");
          continue;
        }
        const HelloInfo h = sw.hello();
        result([&] {
          w.field("name", h.name);
          w.field("version", h.version);
          w.key("capabilities");
          w.strings(h.capabilities);
        });
      } else if (op == "reset") {
        std::vector<std::string> senders;
        if (const auto list = protocol::field_as<simdjson::dom::array>(cmd, "senders")) {
          for (protocol::Value s : *list) {
            std::string_view v;
            if (s.get_string().get(v) == simdjson::SUCCESS) senders.emplace_back(v);
          }
        }
        sw.reset(senders);
        done();
      } else if (op == "submit") {
        std::vector<Message> batch;
        const auto messages = protocol::field_as<simdjson::dom::array>(cmd, "messages");
        if (!messages) {
          fail("submit without 'messages'");
          continue;
        }
        batch.reserve(messages->size());
        bool ok = true;
        for (protocol::Value j : *messages) {
          if (!protocol::decode(j, batch.emplace_back(), error)) {
            ok = false;
            break;
          }
        }
        if (!ok) {
          fail(error);
          continue;
        }
        const auto verdicts = sw.submit(batch, calls);
        result([&] {
          w.key("verdicts");
          w.start_array();
          for (const auto& v : verdicts) protocol::encode(w, v);
          w.end_array();
        });
      } else if (op == "tick") {
        std::int64_t now = 0;
        if (const auto f = protocol::field(cmd, "now");
            f && f->get_int64().get(now) != simdjson::SUCCESS) {
          fail("tick: 'now' must be a whole number");
          continue;
        }
        const bool idle = sw.tick(now, calls);
        result([&] {
          w.key("idle");
          w.boolean(idle);
        });
      } else if (op == "restart") {
        sw.restart();
        done();
      } else if (op == "bye") {
        done();
        return 0;
      } else {
        fail("unknown op '" + op + "'");
      }
    }
  } catch (const HarnessGone& e) {
    std::cerr << "protocol: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace wrongbox
