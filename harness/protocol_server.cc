// Protocol v1, switch side.
#include "harness/protocol_server.h"

#include <deque>
#include <iostream>

#include "harness/protocol.h"

namespace wrongbox {
namespace {

using protocol::Json;

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
    return ask_each<LookupReply>(1, [&](std::size_t) { return lookup_call(person); }).front();
  }
  DeliverReply deliver(const std::string& mailbox, const Message& m) override {
    return ask_each<DeliverReply>(1, [&](std::size_t) { return deliver_call(mailbox, m); }).front();
  }
  std::vector<LookupReply> lookup_each(const std::vector<std::string>& persons) override {
    return ask_each<LookupReply>(persons.size(),
                                 [&](std::size_t i) { return lookup_call(persons[i]); });
  }
  std::vector<DeliverReply> deliver_each(const std::vector<Delivery>& ds) override {
    return ask_each<DeliverReply>(
        ds.size(), [&](std::size_t i) { return deliver_call(*ds[i].mailbox, *ds[i].message); });
  }
  void print(const std::string& person, const Message& m) override {
    send(protocol::with_message({{"call", "print"}, {"person", person}}, m), nullptr);
  }
  void hold(const Message& m, const std::string& reason) override {
    send(protocol::with_message({{"call", "hold"}, {"reason", reason}}, m), nullptr);
  }
  void receipt(const std::string& sender, const std::string& id, ReceiptStatus s) override {
    send({{"call", "receipt"}, {"sender", sender}, {"id", id}, {"status", to_string(s)}}, nullptr);
  }
  void log(const std::string& text) override { send({{"call", "log"}, {"text", text}}, nullptr); }

  // Reads every answer still owed. Called before each command is read.
  void drain() {
    while (!owed_.empty()) receive_one();
  }

 private:
  static constexpr std::size_t kWindow = 256;

  static Json lookup_call(const std::string& person) {
    return {{"call", "lookup"}, {"person", person}};
  }
  static Json deliver_call(const std::string& mailbox, const Message& m) {
    return protocol::with_message({{"call", "deliver"}, {"mailbox", mailbox}}, m);
  }

  // Sends the n calls make(0..n-1), then reads and decodes their answers.
  template <typename Reply, typename Make>
  std::vector<Reply> ask_each(std::size_t n, Make make) {
    std::vector<Json> answers(n);
    for (std::size_t i = 0; i < n; ++i) send(make(i), &answers[i]);
    drain();
    std::vector<Reply> out(n);
    std::string error;
    for (std::size_t i = 0; i < n; ++i) {
      if (!protocol::decode(answers[i], out[i], error)) throw HarnessGone(error);
    }
    return out;
  }

  // Writes a call; its answer goes to *answer, or is only checked when null.
  void send(const Json& call, Json* answer) {
    out_ << protocol::line(call);
    owed_.push_back(answer);
    if (owed_.size() >= kWindow) receive_one();
  }

  void receive_one() {
    out_.flush();
    std::string l;
    if (!std::getline(in_, l)) throw HarnessGone("end of input while waiting for an answer");
    Json a = Json::parse(l, nullptr, false);
    if (a.is_discarded()) throw HarnessGone("the answer is not JSON: " + l);
    Json* to = owed_.front();
    owed_.pop_front();
    if (to != nullptr) {
      *to = std::move(a);
    } else if (!a.is_object() || a.contains("error")) {
      throw HarnessGone("unexpected answer: " + l);
    }
  }

  std::istream& in_;
  std::ostream& out_;
  std::deque<Json*> owed_;
};

}  // namespace

int serve_protocol(Switch& sw, std::istream& in, std::ostream& out) {
  RemoteCalls calls(in, out);
  std::string l;
  auto result = [&](Json r) {
    Json wrapped = Json::object();
    wrapped["result"] = std::move(r);
    out << protocol::line(wrapped) << std::flush;
  };
  try {
    while (true) {
      calls.drain();  // the answers to the last command's calls come first
      if (!std::getline(in, l)) break;
      if (l.empty()) continue;
      const Json cmd = Json::parse(l, nullptr, false);
      std::string op, error;
      if (cmd.is_discarded() || !protocol::get_string(cmd, "op", op, error)) {
        result({{"error", "not a command: " + l.substr(0, 200)}});
        continue;
      }
      if (op == "hello") {
        const auto pv = cmd.find("protocol");
        if (pv == cmd.end() || !pv->is_number_integer() ||
            pv->get<std::int64_t>() != protocol::kVersion) {
          result({{"error", "this switch speaks protocol 1 only"}});
          continue;
        }
        const HelloInfo h = sw.hello();
        result({{"name", h.name}, {"version", h.version}, {"capabilities", h.capabilities}});
      } else if (op == "reset") {
        std::vector<std::string> senders;
        if (auto it = cmd.find("senders"); it != cmd.end() && it->is_array()) {
          for (const auto& s : *it) {
            if (s.is_string()) senders.push_back(s.get<std::string>());
          }
        }
        sw.reset(senders);
        result(Json::object());
      } else if (op == "submit") {
        std::vector<Message> batch;
        bool ok = true;
        auto it = cmd.find("messages");
        if (it == cmd.end() || !it->is_array()) {
          ok = false;
          error = "submit without 'messages'";
        } else {
          for (const auto& j : *it) {
            Message m;
            if (!protocol::decode(j, m, error)) {
              ok = false;
              break;
            }
            batch.push_back(std::move(m));
          }
        }
        if (!ok) {
          result({{"error", error}});
          continue;
        }
        Json vs = Json::array();
        for (const auto& v : sw.submit(batch, calls)) vs.push_back(protocol::encode(v));
        Json r = Json::object();
        r["verdicts"] = std::move(vs);
        result(std::move(r));
      } else if (op == "tick") {
        const auto now = cmd.find("now");
        if (now != cmd.end() && !now->is_number_integer()) {
          result({{"error", "tick: 'now' must be a whole number"}});
          continue;
        }
        result({{"idle", sw.tick(now == cmd.end() ? 0 : now->get<std::int64_t>(), calls)}});
      } else if (op == "restart") {
        sw.restart();
        result(Json::object());
      } else if (op == "bye") {
        result(Json::object());
        return 0;
      } else {
        result({{"error", "unknown op '" + op + "'"}});
      }
    }
  } catch (const HarnessGone& e) {
    std::cerr << "protocol: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace wrongbox
