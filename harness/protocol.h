// Protocol v1 (shared/spec/PROTOCOL.md): JSON encoding of the Switch
// interface's types, shared by the harness side (ExecSwitch, exec:) and the
// switch side (the protocol adapter that serves a C++ Switch on stdio).
//
// Lines are written with nlohmann::json and read with simdjson's DOM parser
// (ten times faster at reading a `deliver` call: bench/protocol_json.cc).
// A parsed Value points into its Parser and is valid until that Parser reads
// the next line: decode it before then.
//
// Decoders never throw on bad input: they return false and set `error` to a
// sentence naming the field, which the caller reports as a protocol error.
#pragma once

#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/switch.h"

namespace wrongbox::protocol {

using Json = nlohmann::json;           // what is written
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
// A value as compact JSON, for error messages.
std::string to_json(Value v);

Json encode(const Message& m);
// `head` with field "message" set to encode(m), without copying the
// encoded message (an initializer list would copy it).
Json with_message(Json head, const Message& m);
bool decode(Value j, Message& m, std::string& error);

Json encode(const LookupReply& r);
bool decode(Value j, LookupReply& r, std::string& error);

Json encode(DeliverReply r);
bool decode(Value j, DeliverReply& r, std::string& error);

Json encode(const Verdict& v);
bool decode(Value j, Verdict& v, std::string& error);

bool decode(Value j, ReceiptStatus& s, std::string& error);

// Reads a required string field of an object.
bool get_string(Value obj, const char* field, std::string& out, std::string& error);

// One line of JSON, '\n'-terminated. Invalid UTF-8 is replaced, never thrown.
std::string line(const Json& j);

}  // namespace wrongbox::protocol
