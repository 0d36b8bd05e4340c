// The minimal switch's rules, in the order docs/exchange.md gives them.
#include "minimal_switch.h"

namespace minimal {

using wrongbox::Calls;
using wrongbox::DeliverReply;
using wrongbox::Message;
using wrongbox::ReceiptStatus;

bool valid_subject(const std::string& s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto num = [&](std::size_t at, std::size_t n) { return std::stoi(s.substr(at, n)); };
  const int year = num(0, 4), month = num(4, 2);
  int day = num(6, 2);
  if (day > 60) day -= 60;  // samordningsnummer
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1800 || year > 2099 || month < 1 || month > 12 || day < 1 || day > days[month - 1]) {
    return false;
  }
  int sum = 0;  // Luhn over digits 3..11, then compare with the 12th
  for (std::size_t i = 2; i < 11; ++i) {
    int d = (s[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return (10 - sum % 10) % 10 == s[11] - '0';
}

wrongbox::HelloInfo MinimalSwitch::hello() {
  return {"minimal-switch", "1.0", {"restart"}};
}

void MinimalSwitch::reset(const std::vector<std::string>&) {
  accepted_.clear();
  pending_.clear();
}

std::vector<wrongbox::Verdict> MinimalSwitch::submit(const std::vector<Message>& batch,
                                                     Calls& calls) {
  std::vector<wrongbox::Verdict> verdicts;
  for (const Message& m : batch) {
    std::string why;
    if (!valid_subject(m.subject)) why = "invalid subject number";
    if (m.parts.empty()) why = "no parts";
    if (why.empty() && !accepted_.insert({m.sender, m.id}).second) why = "duplicate id";
    verdicts.push_back({m.sender, m.id, why.empty(), why});
    if (why.empty()) pending_.push_back(m);
  }
  route_pending(calls);
  return verdicts;
}

bool MinimalSwitch::tick(std::int64_t, Calls& calls) {
  route_pending(calls);
  return pending_.empty();
}

void MinimalSwitch::route_pending(Calls& calls) {
  std::vector<Message> left;
  for (const Message& m : pending_) {
    if (!route(m, calls)) left.push_back(m);
  }
  pending_ = std::move(left);
}

bool MinimalSwitch::route(const Message& m, Calls& calls) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    const wrongbox::LookupReply r = calls.lookup(m.subject);  // fresh in every command
    if (r.unavailable) return false;
    bool blocked = false;
    for (const auto& s : r.blocked_senders) blocked = blocked || s == m.sender;
    if (r.mailbox && !blocked) {
      const DeliverReply d = calls.deliver(*r.mailbox, m);
      if (d == DeliverReply::kUnavailable) return false;
      if (d == DeliverReply::kNoSuchMailbox) continue;  // closed meanwhile: look up again
      calls.receipt(m.sender, m.id, ReceiptStatus::kDelivered);
    } else if (r.is_protected) {
      calls.hold(m, "protected person without a digital mailbox");
      calls.receipt(m.sender, m.id, ReceiptStatus::kHeld);
    } else {
      calls.print(m.subject, m);
      calls.receipt(m.sender, m.id, ReceiptStatus::kPrinted);
    }
    return true;
  }
  return false;  // the mailbox kept vanishing: try again on the next tick
}

}  // namespace minimal
