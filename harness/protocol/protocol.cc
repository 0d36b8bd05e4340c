// Protocol v1 codec: written with rapidjson, read with simdjson.
#include "harness/protocol/protocol.h"

// rapidjson 1.1.0 (the release Debian ships) adds an offset to a null pointer
// the first time its internal stack grows (Tencent/rapidjson#1724, fixed on
// its master in 2020, never released): harmless, but UBSan stops on it. Not
// checked for rapidjson's own functions only.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow"))), apply_to = function)
#endif
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#if defined(__clang__)
#pragma clang attribute pop
#endif

#include <algorithm>
#include <nlohmann/json.hpp>

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

struct Writer::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

Writer::Writer() : impl_(std::make_unique<Impl>()) {}
Writer::~Writer() = default;
void Writer::start_object() {
  impl_->writer.StartObject();
}
void Writer::end_object() {
  impl_->writer.EndObject();
}
void Writer::start_array() {
  impl_->writer.StartArray();
}
void Writer::end_array() {
  impl_->writer.EndArray();
}
void Writer::boolean(bool b) {
  impl_->writer.Bool(b);
}
void Writer::integer(std::int64_t i) {
  impl_->writer.Int64(i);
}
void Writer::null() {
  impl_->writer.Null();
}

void Writer::key(std::string_view k) {
  impl_->writer.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

void Writer::string(std::string_view s) {
  // Most strings are ASCII: that test is cheaper than a call to simdjson's.
  const bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
  if (ascii || simdjson::validate_utf8(s.data(), s.size())) {
    impl_->writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return;
  }
  // Rare (a switch that cut a name in the middle of a character, a fuzzed
  // scenario): nlohmann/json's serializer replaces what is not UTF-8.
  const std::string replaced =
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  impl_->writer.RawValue(replaced.data(), replaced.size(), rapidjson::kStringType);
}

void Writer::strings(const std::vector<std::string>& v) {
  start_array();
  for (const auto& s : v) string(s);
  end_array();
}

std::string Writer::line() {
  auto& b = impl_->buffer;
  std::string out;
  out.reserve(b.GetSize() + 1);
  out.append(b.GetString(), b.GetSize());
  out.push_back('\n');
  b.Clear();
  impl_->writer.Reset(b);
  return out;
}

void encode(Writer& w, const Message& m) {
  w.start_object();
  w.field("sender", m.sender);
  w.field("id", m.id);
  w.field("subject", m.subject);
  w.field("title", m.title);
  w.key("parts");
  w.start_array();
  for (const auto& p : m.parts) {
    w.start_object();
    w.field("name", p.name);
    w.field("data", p.data);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

bool decode(Value j, Message& m, std::string& error) {
  if (!get_string(j, "sender", m.sender, error) || !get_string(j, "id", m.id, error) ||
      !get_string(j, "subject", m.subject, error) || !get_string(j, "title", m.title, error)) {
    error = "message: " + error;
    return false;
  }
  const auto parts = field_as<simdjson::dom::array>(j, "parts");
  if (!parts) {
    error = "message: field 'parts' must be an array";
    return false;
  }
  m.parts.clear();
  m.parts.reserve(parts->size());
  for (Value p : *parts) {
    Part& part = m.parts.emplace_back();
    if (!get_string(p, "name", part.name, error) || !get_string(p, "data", part.data, error)) {
      error = "message part: " + error;
      return false;
    }
  }
  return true;
}

void encode(Writer& w, const LookupReply& r) {
  w.start_object();
  if (r.unavailable) {
    w.field("error", "unavailable");
  } else {
    w.key("mailbox");
    if (r.mailbox)
      w.string(*r.mailbox);
    else
      w.null();
    w.key("protected");
    w.boolean(r.is_protected);
    w.key("blocked_senders");
    w.strings(r.blocked_senders);
  }
  w.end_object();
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
  const auto pr = field_as<bool>(j, "protected");
  if (!pr) {
    error = "lookup answer: 'protected' must be true or false";
    return false;
  }
  r.is_protected = *pr;
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

void encode(Writer& w, DeliverReply r) {
  w.start_object();
  switch (r) {
    case DeliverReply::kOk:
      w.key("ok");
      w.boolean(true);
      break;
    case DeliverReply::kUnavailable:
      w.field("error", "unavailable");
      break;
    case DeliverReply::kNoSuchMailbox:
      w.field("error", "no_such_mailbox");
      break;
  }
  w.end_object();
}

bool decode(Value j, DeliverReply& r, std::string& error) {
  if (field_as<bool>(j, "ok") == true) {
    r = DeliverReply::kOk;
    return true;
  }
  if (const auto e = field_as<std::string_view>(j, "error")) {
    if (*e == "unavailable") {
      r = DeliverReply::kUnavailable;
      return true;
    }
    if (*e == "no_such_mailbox") {
      r = DeliverReply::kNoSuchMailbox;
      return true;
    }
  }
  error = "deliver answer: expected {\"ok\":true} or an error unavailable/no_such_mailbox";
  return false;
}

void encode(Writer& w, const Verdict& v) {
  w.start_object();
  w.field("sender", v.sender);
  w.field("id", v.id);
  w.field("status", v.accepted ? "accepted" : "rejected");
  if (!v.reason.empty()) w.field("reason", v.reason);
  w.end_object();
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
  if (const auto reason = field_as<std::string_view>(j, "reason")) v.reason = *reason;
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

}  // namespace wrongbox::protocol
