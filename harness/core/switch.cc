// Small helpers of the switch interface.
#include "wrongbox/switch.h"

#include <algorithm>

namespace wrongbox {

const char* to_string(DeliverReply r) {
  switch (r) {
    case DeliverReply::kOk:
      return "ok";
    case DeliverReply::kUnavailable:
      return "unavailable";
    case DeliverReply::kNoSuchMailbox:
      return "no_such_mailbox";
  }
  return "?";
}

const char* to_string(ReceiptStatus s) {
  switch (s) {
    case ReceiptStatus::kDelivered:
      return "delivered";
    case ReceiptStatus::kPrinted:
      return "printed";
    case ReceiptStatus::kHeld:
      return "held";
  }
  return "?";
}

std::vector<LookupReply> Calls::lookup_each(const std::vector<std::string>& persons) {
  std::vector<LookupReply> out;
  out.reserve(persons.size());
  for (const auto& p : persons) out.push_back(lookup(p));
  return out;
}

std::vector<DeliverReply> Calls::deliver_each(const std::vector<Delivery>& deliveries) {
  std::vector<DeliverReply> out;
  out.reserve(deliveries.size());
  for (const auto& d : deliveries) out.push_back(deliver(*d.mailbox, *d.message));
  return out;
}

bool HelloInfo::has(const std::string& cap) const {
  return std::find(capabilities.begin(), capabilities.end(), cap) != capabilities.end();
}

}  // namespace wrongbox
