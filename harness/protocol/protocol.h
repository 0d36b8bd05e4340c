// Protocol v1 (docs/protocol-v1.md): JSON encoding of the Switch
// interface's types, shared by the harness side (ExecSwitch, exec:) and the
// switch side (the protocol adapter that serves a C++ Switch on stdio).
//
// Lines are written with rapidjson's Writer (no tree is built) and read with
// simdjson's DOM parser: bench/protocol_json.cc measures both.
// A parsed Value points into its Parser and is valid until that Parser reads
// the next line: decode it before then.
//
// Decoders never throw on bad input: they return false and set `error` to a
// sentence naming the field, which the caller reports as a protocol error.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wrongbox/switch.h"

namespace wrongbox::protocol {

using Value = simdjson::dom::element;  // what is read
using Object = simdjson::dom::object;
inline constexpr int kVersion = 1;

// Reads one line of JSON at a time, reusing its buffers.
class Parser {
 public:
  // False, with `error` saying what is wrong (simdjson's words), when `line`
  // is not one JSON value.
  bool parse(std::string_view line, Value& out, std::string& error);

 private:
  simdjson::dom::parser parser_;
  std::vector<char> buffer_;  // the line and simdjson's padding
};

// The field of an object, or nullopt (also when `v` is not an object).
std::optional<Value> field(Value v, std::string_view name);
// The field as a T (std::string_view, bool, std::int64_t,
// simdjson::dom::array), or nullopt when it is missing or of another type.
template <typename T>
std::optional<T> field_as(Value v, std::string_view name) {
  const auto f = field(v, name);
  T out;
  if (!f || f->get<T>().get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}
// A value as compact JSON, for error messages.
std::string to_json(Value v);

// Writes one line of JSON at a time, reusing its buffer. Strings that are
// not valid UTF-8 are written with each bad byte replaced by U+FFFD, never
// thrown.
//
// Example usage:
//   Writer w;
//   w.start_object();
//   w.field("call", "log");
//   w.field("text", "hello");
//   w.end_object();
//   out << w.line();  // {"call":"log","text":"hello"}\n
class Writer {
 public:
  Writer();
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void start_object();
  void end_object();
  void start_array();
  void end_array();
  // A key: one of the protocol's own field names (ASCII, not checked).
  void key(std::string_view k);
  void string(std::string_view s);
  void boolean(bool b);
  void integer(std::int64_t i);
  void null();
  void field(std::string_view k, std::string_view v) {
    key(k);
    string(v);
  }
  // An array of strings.
  void strings(const std::vector<std::string>& v);
  // The finished value, '\n'-terminated; the writer starts afresh.
  std::string line();

 private:
  struct Impl;  // rapidjson's Writer, kept out of this header
  std::unique_ptr<Impl> impl_;
};

void encode(Writer& w, const Message& m);
bool decode(Value j, Message& m, std::string& error);

void encode(Writer& w, const LookupReply& r);
bool decode(Value j, LookupReply& r, std::string& error);

void encode(Writer& w, DeliverReply r);
bool decode(Value j, DeliverReply& r, std::string& error);

void encode(Writer& w, const Verdict& v);
bool decode(Value j, Verdict& v, std::string& error);

bool decode(Value j, ReceiptStatus& s, std::string& error);

// Reads a required string field of an object.
bool get_string(Value obj, const char* field, std::string& out, std::string& error);

}  // namespace wrongbox::protocol
