// Canaries: tokens the harness writes into every title and part so that the
// oracle can tell, from content alone, whose content it is looking at.
//
// A token is "[wbx:" + 16 hex digits + "]"; the digits are SipHash-2-4 under a
// per-run secret key of (message instance, part index, sender, id, subject).
// A switch cannot forge a token for another message, and a token that the
// minter never issued is recognised as corrupted content.
//
// Example usage:
//   CanaryMinter minter(seed);
//   std::string tok = minter.mint(0, kTitlePart, "s1", "17", "199001011239");
//   scan_canaries(text, [](std::uint64_t value, std::size_t pos) { ... });
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wrongbox {

inline constexpr int kTitlePart = -1;  // part index of a message's title
inline constexpr std::string_view kCanaryPrefix = "[wbx:";
inline constexpr std::size_t kCanaryLength = 5 + 16 + 1;

class CanaryMinter {
 public:
  // The key is derived from `seed`; runs with the same seed mint the same tokens.
  explicit CanaryMinter(std::uint64_t seed);
  // The token's value and its text form.
  std::uint64_t value(std::uint32_t instance, int part, std::string_view sender,
                      std::string_view id, std::string_view subject) const;
  static std::string text(std::uint64_t value);
  // Appends text(value) to `out` without a temporary.
  static void append_text(std::string& out, std::uint64_t value);

 private:
  std::array<unsigned char, 16> key_{};
};

// Reads the value of `token` (kCanaryLength bytes starting with
// kCanaryPrefix); false when it is not a well-formed token.
bool parse_canary(std::string_view token, std::uint64_t& value);

// Whose content a token is: a message instance and a part (kTitlePart for the title).
struct CanaryOwner {
  std::uint32_t instance;
  int part;
};

// Token values -> owners, in one flat array with linear probing: a token is
// 64 keyed-random bits and so its own hash, and a lookup touches one cache
// line rather than a chain of nodes. At most half full; erasing shifts the
// rest of a probe run back, so there are no tombstones.
//
// Example usage:
//   CanaryTable t;
//   t.set(v, {slot, kTitlePart});
//   if (const CanaryOwner* o = t.find(v)) ...;
//   t.erase_if_owned(v, slot);
class CanaryTable {
 public:
  const CanaryOwner* find(std::uint64_t value) const;
  void set(std::uint64_t value, CanaryOwner owner);  // replaces an owner already there
  // Removes `value` if instance `instance` owns it.
  void erase_if_owned(std::uint64_t value, std::uint32_t instance);
  void reserve(std::size_t n);
  std::size_t size() const { return size_; }

 private:
  static constexpr std::uint32_t kFree = UINT32_MAX;  // owner.instance of an empty entry
  static constexpr std::size_t kMinSlots = 64;        // a short scenario's few tokens
  struct Entry {
    std::uint64_t value = 0;
    CanaryOwner owner{kFree, 0};
  };
  std::size_t home(std::uint64_t value) const { return (value ^ (value >> 29)) & mask_; }
  std::size_t index_of(std::uint64_t value) const;  // its entry, or the free one to fill
  void grow(std::size_t slots);
  std::vector<Entry> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

// Calls `found(value, offset)` for every well-formed token in `text`, in order.
template <typename F>
void scan_canaries(std::string_view text, F&& found) {
  std::size_t pos = 0;
  while ((pos = text.find(kCanaryPrefix, pos)) != std::string_view::npos) {
    if (pos + kCanaryLength > text.size()) return;
    std::uint64_t v = 0;
    if (parse_canary(text.substr(pos, kCanaryLength), v)) {
      found(v, pos);
      pos += kCanaryLength;
    } else {
      pos += 1;
    }
  }
}

}  // namespace wrongbox
