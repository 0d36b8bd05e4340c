// The harness's actors (actors.h): each call answered from the model, each
// sink event handed to the oracle.
#include "harness/core/actors.h"

#include "harness/core/printable.h"
#include "harness/core/runner.h"

namespace wrongbox {
namespace {

std::string show_message(const Message& m) {
  return m.sender + "/" + m.id + " about " + m.subject + ", " + std::to_string(m.parts.size()) +
         " part(s)";
}

}  // namespace

template <typename... Parts>
void Actors::begin(const Parts&... parts) {
  ++result_.stats.calls;
  oracle_.begin_call(parts...);
}
template <typename F>
void Actors::end(F&& answer) {
  if (!trace_) return;
  end_text(answer());
}
void Actors::end_text(const std::string& answer) {
  std::string line = "    call: " + printable(oracle_.call_text()) + " -> " + printable(answer);
  if (!oracle_.note().empty()) line += "\n      oracle: " + printable(oracle_.note());
  result_.trace.push_back(std::move(line));
}

std::optional<std::string> Actors::account_at(const std::string& person,
                                              std::string_view op) const {
  if (const std::string* m = world_.registered_mailbox(person)) {
    if (model::operator_of(*m) == op && world_.open_owner(*m) == person) return *m;
  }
  for (const auto& info : world_.mailboxes()) {
    if (info.open && info.owner == person && model::operator_of(info.address) == op) {
      return info.address;
    }
  }
  return std::nullopt;
}

LookupReply Actors::lookup(const std::string& person) {
  begin("lookup ", person);
  LookupReply r;
  if (!world_.registry_up()) {
    r.unavailable = true;
    oracle_.on_registry_unavailable(person);
    end([&] { return std::string("unavailable (registry down)"); });
    return r;
  }
  auto a = world_.lookup(person);
  r.mailbox = std::move(a.mailbox);
  r.is_protected = a.is_protected;
  r.blocked_senders = std::move(a.blocked_senders);
  if (trace_) {
    std::string s = r.mailbox ? *r.mailbox : "no mailbox";
    if (r.is_protected) s += ", protected";
    for (const auto& b : r.blocked_senders) s += ", blocks " + b;
    end_text(s);
  }
  return r;
}

DeliverReply Actors::deliver(const std::string& mailbox, const Message& m) {
  begin("deliver ", mailbox);
  const auto op = model::operator_of(mailbox);
  if (!world_.operator_up(op)) {
    oracle_.on_delivery_refused(m, mailbox, model::route::kAfterOperatorDown);
    end([&] {
      return "unavailable (operator " + std::string(op) + " down) [" + show_message(m) + "]";
    });
    return DeliverReply::kUnavailable;
  }
  if (close_at_delivery.erase(mailbox) > 0) {
    oracle_.on_delivery_refused(m, mailbox, model::route::kAfterNoSuchMailbox);
    world_.close_mailbox(mailbox);
    end([&] {
      return std::string("no_such_mailbox (closed just now, between lookup and delivery)");
    });
    return DeliverReply::kNoSuchMailbox;
  }
  const auto owner = world_.open_owner(mailbox);
  if (!owner) {
    oracle_.on_delivery_refused(m, mailbox, model::route::kAfterNoSuchMailbox);
    end([&] { return "no_such_mailbox [" + show_message(m) + "]"; });
    return DeliverReply::kNoSuchMailbox;
  }
  oracle_.on_deliver(mailbox, m, *owner);
  end([&] { return "ok, owner " + *owner + " [" + show_message(m) + "]"; });
  return DeliverReply::kOk;
}

void Actors::print(const std::string& person, const Message& m) {
  begin("print for ", person);
  oracle_.on_print(person, m);
  end([&] { return "ok [" + show_message(m) + "]"; });
}

void Actors::hold(const Message& m, const std::string& reason) {
  begin("hold");
  oracle_.on_hold(m, reason);
  end([&] { return "ok [" + show_message(m) + "] reason: " + reason; });
}

void Actors::receipt(const std::string& sender, const std::string& id, ReceiptStatus status) {
  begin("receipt to ", sender, " for ", id, " (", to_string(status), ")");
  oracle_.on_receipt(sender, id, status);
  end([&] { return std::string("ok"); });
}

void Actors::log(const std::string& text) {
  begin("log");
  oracle_.on_log(text);
  end([&] { return "\"" + text.substr(0, 100) + "\""; });
}

}  // namespace wrongbox
