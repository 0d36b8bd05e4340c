// Protocol v1 (shared/spec/PROTOCOL.md): JSON encoding of the Switch
// interface's types, shared by the harness side (ExecSwitch, exec:) and the
// switch side (the protocol adapter that serves a C++ Switch on stdio).
//
// Decoders never throw on bad input: they return false and set `error` to a
// sentence naming the field, which the caller reports as a protocol error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/switch.h"

namespace wrongbox::protocol {

using Json = nlohmann::json;
inline constexpr int kVersion = 1;

Json encode(const Message& m);
// `head` with field "message" set to encode(m), without copying the
// encoded message (an initializer list would copy it).
Json with_message(Json head, const Message& m);
bool decode(const Json& j, Message& m, std::string& error);

Json encode(const LookupReply& r);
bool decode(const Json& j, LookupReply& r, std::string& error);

Json encode(DeliverReply r);
bool decode(const Json& j, DeliverReply& r, std::string& error);

Json encode(const Verdict& v);
bool decode(const Json& j, Verdict& v, std::string& error);

bool decode(const Json& j, ReceiptStatus& s, std::string& error);

// Reads a required string field of an object.
bool get_string(const Json& obj, const char* field, std::string& out, std::string& error);

// One line of JSON, '\n'-terminated. Invalid UTF-8 is replaced, never thrown.
std::string line(const Json& j);

}  // namespace wrongbox::protocol
