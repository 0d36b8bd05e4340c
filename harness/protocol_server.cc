// Protocol v1, switch side.
#include "harness/protocol_server.h"

#include <iostream>

#include "harness/protocol.h"

namespace wrongbox {
namespace {

using protocol::Json;

struct HarnessGone : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RemoteCalls final : public Calls {
 public:
  RemoteCalls(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

  LookupReply lookup(const std::string& person) override {
    LookupReply r;
    std::string error;
    if (!protocol::decode(ask({{"call", "lookup"}, {"person", person}}), r, error)) {
      throw HarnessGone(error);
    }
    return r;
  }
  DeliverReply deliver(const std::string& mailbox, const Message& m) override {
    DeliverReply r{};
    std::string error;
    const Json a =
        ask({{"call", "deliver"}, {"mailbox", mailbox}, {"message", protocol::encode(m)}});
    if (!protocol::decode(a, r, error)) throw HarnessGone(error);
    return r;
  }
  void print(const std::string& person, const Message& m) override {
    ask({{"call", "print"}, {"person", person}, {"message", protocol::encode(m)}});
  }
  void hold(const Message& m, const std::string& reason) override {
    ask({{"call", "hold"}, {"message", protocol::encode(m)}, {"reason", reason}});
  }
  void receipt(const std::string& sender, const std::string& id, ReceiptStatus s) override {
    ask({{"call", "receipt"}, {"sender", sender}, {"id", id}, {"status", to_string(s)}});
  }
  void log(const std::string& text) override { ask({{"call", "log"}, {"text", text}}); }

 private:
  Json ask(const Json& call) {
    out_ << protocol::line(call) << std::flush;
    std::string l;
    if (!std::getline(in_, l)) throw HarnessGone("end of input while waiting for an answer");
    Json a = Json::parse(l, nullptr, false);
    if (a.is_discarded()) throw HarnessGone("the answer is not JSON: " + l);
    return a;
  }
  std::istream& in_;
  std::ostream& out_;
};

}  // namespace

int serve_protocol(Switch& sw, std::istream& in, std::ostream& out) {
  RemoteCalls calls(in, out);
  std::string l;
  auto result = [&](const Json& r) { out << protocol::line({{"result", r}}) << std::flush; };
  try {
    while (std::getline(in, l)) {
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
        result({{"verdicts", vs}});
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
