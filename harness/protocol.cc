// Protocol v1 codec: written with nlohmann::json, read with simdjson.
#include "harness/protocol.h"

namespace wrongbox::protocol {

bool Parser::parse(std::string_view line, Value& out, std::string& error) {
  // A byte order mark (some Windows runtimes write one first) is not JSON,
  // but says nothing wrong either: skipped.
  if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: copy into a
  // buffer of our own that has them (and keeps its capacity between lines).
  buffer_.resize(line.size() + simdjson::SIMDJSON_PADDING);
  std::copy(line.begin(), line.end(), buffer_.begin());
  const auto e = parser_.parse(buffer_.data(), line.size(), false).get(out);
  if (e != simdjson::SUCCESS) {
    error = simdjson::error_message(e);
    return false;
  }
  return true;
}

std::optional<Value> field(Value v, std::string_view name) {
  Object obj;
  Value f;
  if (v.get_object().get(obj) != simdjson::SUCCESS || obj.at_key(name).get(f) != simdjson::SUCCESS)
    return std::nullopt;
  return f;
}

std::string to_json(Value v) {
  return simdjson::minify(v);
}

bool get_string(Value obj, const char* name, std::string& out, std::string& error) {
  if (!obj.is_object()) {
    error = "expected a JSON object";
    return false;
  }
  const auto f = field(obj, name);
  if (!f) {
    error = std::string("missing field '") + name + "'";
    return false;
  }
  std::string_view s;
  if (f->get_string().get(s) != simdjson::SUCCESS) {
    error = std::string("field '") + name + "' must be a string";
    return false;
  }
  out.assign(s);
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

bool decode(Value j, Message& m, std::string& error) {
  if (!get_string(j, "sender", m.sender, error) || !get_string(j, "id", m.id, error) ||
      !get_string(j, "subject", m.subject, error) || !get_string(j, "title", m.title, error)) {
    error = "message: " + error;
    return false;
  }
  simdjson::dom::array parts;
  if (const auto f = field(j, "parts"); !f || f->get_array().get(parts) != simdjson::SUCCESS) {
    error = "message: field 'parts' must be an array";
    return false;
  }
  m.parts.clear();
  m.parts.reserve(parts.size());
  for (Value p : parts) {
    Part& part = m.parts.emplace_back();
    if (!get_string(p, "name", part.name, error) || !get_string(p, "data", part.data, error)) {
      error = "message part: " + error;
      return false;
    }
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

bool decode(Value j, LookupReply& r, std::string& error) {
  r = LookupReply{};
  if (!j.is_object()) {
    error = "lookup answer: expected a JSON object";
    return false;
  }
  if (field(j, "error")) {
    r.unavailable = true;
    return true;
  }
  const auto mb = field(j, "mailbox");
  if (!mb || !(mb->is_null() || mb->is_string())) {
    error = "lookup answer: 'mailbox' must be a string or null";
    return false;
  }
  if (mb->is_string()) r.mailbox = std::string(std::string_view(*mb));
  const auto pr = field(j, "protected");
  if (!pr || pr->get_bool().get(r.is_protected) != simdjson::SUCCESS) {
    error = "lookup answer: 'protected' must be true or false";
    return false;
  }
  if (const auto bl = field(j, "blocked_senders")) {
    simdjson::dom::array senders;
    if (bl->get_array().get(senders) != simdjson::SUCCESS) {
      error = "lookup answer: 'blocked_senders' must be an array";
      return false;
    }
    for (Value s : senders) {
      std::string_view v;
      if (s.get_string().get(v) != simdjson::SUCCESS) {
        error = "lookup answer: 'blocked_senders' holds strings";
        return false;
      }
      r.blocked_senders.emplace_back(v);
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

bool decode(Value j, DeliverReply& r, std::string& error) {
  bool ok = false;
  if (const auto f = field(j, "ok"); f && f->get_bool().get(ok) == simdjson::SUCCESS && ok) {
    r = DeliverReply::kOk;
    return true;
  }
  std::string_view e;
  if (const auto f = field(j, "error"); f && f->get_string().get(e) == simdjson::SUCCESS) {
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

bool decode(Value j, Verdict& v, std::string& error) {
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
  std::string_view reason;
  if (const auto f = field(j, "reason"); f && f->get_string().get(reason) == simdjson::SUCCESS)
    v.reason = reason;
  return true;
}

bool decode(Value j, ReceiptStatus& s, std::string& error) {
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
