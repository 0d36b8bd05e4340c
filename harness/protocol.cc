// Protocol v1 codec (nlohmann::json).
#include "harness/protocol.h"

namespace wrongbox::protocol {

bool get_string(const Json& obj, const char* field, std::string& out, std::string& error) {
  if (!obj.is_object()) {
    error = "expected a JSON object";
    return false;
  }
  auto it = obj.find(field);
  if (it == obj.end()) {
    error = std::string("missing field '") + field + "'";
    return false;
  }
  if (!it->is_string()) {
    error = std::string("field '") + field + "' must be a string";
    return false;
  }
  out = it->get_ref<const std::string&>();
  return true;
}

Json encode(const Message& m) {
  // Built field by field: an initializer list would copy every value once more.
  Json j = Json::object();
  j["sender"] = m.sender;
  j["id"] = m.id;
  j["subject"] = m.subject;
  j["title"] = m.title;
  Json& parts = j["parts"] = Json::array();
  for (const auto& p : m.parts) {
    Json& part = parts.emplace_back(Json::object());
    part["name"] = p.name;
    part["data"] = p.data;
  }
  return j;
}

bool decode(const Json& j, Message& m, std::string& error) {
  if (!get_string(j, "sender", m.sender, error) || !get_string(j, "id", m.id, error) ||
      !get_string(j, "subject", m.subject, error) || !get_string(j, "title", m.title, error)) {
    error = "message: " + error;
    return false;
  }
  auto it = j.find("parts");
  if (it == j.end() || !it->is_array()) {
    error = "message: field 'parts' must be an array";
    return false;
  }
  m.parts.clear();
  for (const auto& p : *it) {
    Part part;
    if (!get_string(p, "name", part.name, error) || !get_string(p, "data", part.data, error)) {
      error = "message part: " + error;
      return false;
    }
    m.parts.push_back(std::move(part));
  }
  return true;
}

Json with_message(Json head, const Message& m) {
  head["message"] = encode(m);
  return head;
}

Json encode(const LookupReply& r) {
  if (r.unavailable) return {{"error", "unavailable"}};
  return {{"mailbox", r.mailbox ? Json(*r.mailbox) : Json(nullptr)},
          {"protected", r.is_protected},
          {"blocked_senders", r.blocked_senders}};
}

bool decode(const Json& j, LookupReply& r, std::string& error) {
  r = LookupReply{};
  if (!j.is_object()) {
    error = "lookup answer: expected a JSON object";
    return false;
  }
  if (j.contains("error")) {
    r.unavailable = true;
    return true;
  }
  auto mb = j.find("mailbox");
  if (mb == j.end() || !(mb->is_null() || mb->is_string())) {
    error = "lookup answer: 'mailbox' must be a string or null";
    return false;
  }
  if (mb->is_string()) r.mailbox = mb->get<std::string>();
  auto pr = j.find("protected");
  if (pr == j.end() || !pr->is_boolean()) {
    error = "lookup answer: 'protected' must be true or false";
    return false;
  }
  r.is_protected = pr->get<bool>();
  auto bl = j.find("blocked_senders");
  if (bl != j.end()) {
    if (!bl->is_array()) {
      error = "lookup answer: 'blocked_senders' must be an array";
      return false;
    }
    for (const auto& s : *bl) {
      if (!s.is_string()) {
        error = "lookup answer: 'blocked_senders' holds strings";
        return false;
      }
      r.blocked_senders.push_back(s.get<std::string>());
    }
  }
  return true;
}

Json encode(DeliverReply r) {
  switch (r) {
    case DeliverReply::kOk:
      return {{"ok", true}};
    case DeliverReply::kUnavailable:
      return {{"error", "unavailable"}};
    case DeliverReply::kNoSuchMailbox:
      return {{"error", "no_such_mailbox"}};
  }
  return {};
}

bool decode(const Json& j, DeliverReply& r, std::string& error) {
  if (auto ok = j.is_object() ? j.find("ok") : j.end();
      ok != j.end() && ok->is_boolean() && ok->get<bool>()) {
    r = DeliverReply::kOk;
    return true;
  }
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    const auto e = j["error"].get<std::string>();
    if (e == "unavailable") {
      r = DeliverReply::kUnavailable;
      return true;
    }
    if (e == "no_such_mailbox") {
      r = DeliverReply::kNoSuchMailbox;
      return true;
    }
  }
  error = "deliver answer: expected {\"ok\":true} or an error unavailable/no_such_mailbox";
  return false;
}

Json encode(const Verdict& v) {
  Json j = {{"sender", v.sender}, {"id", v.id}, {"status", v.accepted ? "accepted" : "rejected"}};
  if (!v.reason.empty()) j["reason"] = v.reason;
  return j;
}

bool decode(const Json& j, Verdict& v, std::string& error) {
  std::string status;
  if (!get_string(j, "sender", v.sender, error) || !get_string(j, "id", v.id, error) ||
      !get_string(j, "status", status, error)) {
    error = "verdict: " + error;
    return false;
  }
  if (status != "accepted" && status != "rejected") {
    error = "verdict: status must be \"accepted\" or \"rejected\", got \"" + status + "\"";
    return false;
  }
  v.accepted = status == "accepted";
  v.reason.clear();
  if (auto it = j.find("reason"); it != j.end() && it->is_string())
    v.reason = it->get<std::string>();
  return true;
}

bool decode(const Json& j, ReceiptStatus& s, std::string& error) {
  std::string status;
  if (!get_string(j, "status", status, error)) {
    error = "receipt: " + error;
    return false;
  }
  if (status == "delivered")
    s = ReceiptStatus::kDelivered;
  else if (status == "printed")
    s = ReceiptStatus::kPrinted;
  else if (status == "held")
    s = ReceiptStatus::kHeld;
  else {
    error = "receipt: status must be delivered, printed or held, got \"" + status + "\"";
    return false;
  }
  return true;
}

std::string line(const Json& j) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  s.push_back('\n');
  return s;
}

}  // namespace wrongbox::protocol
