// The places a switch may write files in (property S6): which one a file
// rests in decides what may rest there.
#pragma once

#include <cstdint>

namespace wrongbox {

enum class Place : std::uint8_t {
  kPrivate,  // the private store: content allowed, in files only the owner can read
  kShared,   // the shared staff directory: nothing personal
  kLog,      // the log directory: part of the staff log (S3)
  kTemp,     // the temporary directory: content only while a command runs
  kHome,     // the home directory: nothing personal
};
inline constexpr int kPlaceCount = 5;

// One word for each: "private", "shared", "log", "tmp", "home".
inline const char* to_string(Place p) {
  constexpr const char* kWords[kPlaceCount] = {"private", "shared", "log", "tmp", "home"};
  return kWords[static_cast<int>(p)];
}

// "the private store", "the shared directory", ...
inline const char* describe(Place p) {
  switch (p) {
    case Place::kPrivate:
      return "the private store";
    case Place::kShared:
      return "the shared directory (every staff member can read it)";
    case Place::kLog:
      return "the log directory (part of the staff log)";
    case Place::kTemp:
      return "the temporary directory (TMPDIR)";
    case Place::kHome:
      return "the home directory (HOME)";
  }
  return "?";
}

}  // namespace wrongbox
