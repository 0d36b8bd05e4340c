// Scenario <-> bytes, for coverage-guided fuzzing.
//
// decode_scenario turns ANY byte string into a valid, playable scenario
// (structure-aware: a small change to the bytes is a small change to the
// scenario), so libFuzzer's mutations always mean something. encode_scenario
// is its inverse for the scenarios it can express, so a fuzzer finding becomes
// a readable .wbs file and a .wbs file becomes a seed (`wrongbox convert`).
//
// Layout: a table of persons (7 bytes each: year u16, month, day, serial u16,
// flags; a flag makes a person the previous one a century apart, so identity
// collisions are one bit away), a table of mailboxes (operator byte, whose
// top bit makes the address the previous one plus "/ACCOUNT", then account
// length and bytes), a table of senders, then steps until the input ends: an
// opcode byte and its arguments (table indices, tick counts of 1-16, batch
// sizes of 0-4 and part counts of 0-3 in one byte, where a byte of 0xf0 or
// more asks for a large count instead: up to 1000 ticks or 64 parts with a
// second byte, up to 16 messages; strings as length + bytes),
// at most kMaxDecodedSteps steps. Every read past the
// end yields 0. Steps that the state makes impossible (closing a
// closed mailbox, reopening before the quarantine) are dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/scenario.h"

namespace wrongbox::fuzz {

inline constexpr std::size_t kMaxDecodedSteps = 16;

Scenario decode_scenario(const std::uint8_t* data, std::size_t size);

// The bytes that decode to `s`'s steps, or nullopt with `why` set when the
// encoding cannot express it exactly (e.g. an account with non-ASCII text).
std::optional<std::vector<std::uint8_t>> encode_scenario(const Scenario& s, std::string& why);

}  // namespace wrongbox::fuzz
