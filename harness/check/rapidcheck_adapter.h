// The one place that uses RapidCheck's internals (rc::detail): running a
// property in chunks with our own seed, size and listener, and reading and
// writing its reproduce strings. RapidCheck's public API (rc::check) prints
// and reads its configuration from the environment; a search needs to
// drive it. Written against RapidCheck as Debian ships it in
// librapidcheck-dev 0~1033-08b5058 (upstream commit 08b5058);
// tests/check_test.cc (RapidCheckAdapter*) fails if that API changes.
//
// Example usage:
//   rcadapter::Property prop("wrongbox-check", "");   // or a reproduce string
//   auto out = prop.run([&] { RC_ASSERT(ok(*gen)); }, seed, 50, 100);
//   if (out.kind == rcadapter::Outcome::Kind::kFailed) std::cout << out.reproduce;
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace wrongbox::check::rcadapter {

struct Outcome {
  enum class Kind { kPassed, kFailed, kGaveUp, kError };
  Kind kind = Kind::kPassed;
  int successes = 0;        // cases that passed before the end (or the failure)
  std::string description;  // RapidCheck's words, for kFailed, kGaveUp, kError
  std::string reproduce;    // for kFailed: the string --reproduce takes
};

class Property {
 public:
  // `reproduce` "" for a search, else a string an earlier kFailed outcome
  // gave: then run() replays exactly that case. Throws std::runtime_error when
  // the string is not one of this property's.
  Property(std::string id, const std::string& reproduce);
  ~Property();
  Property(const Property&) = delete;
  Property& operator=(const Property&) = delete;

  bool reproducing() const;
  // Runs `body` (which fails through RC_ASSERT, RC_FAIL, ... of
  // <rapidcheck.h>) up to `max_success` times from `seed` at sizes up to
  // `max_size`, shrinking the first failure.
  Outcome run(const std::function<void()>& body, std::uint64_t seed, int max_success, int max_size);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace wrongbox::check::rcadapter
