// Canary tokens: keyed SipHash from libsodium (crypto_shorthash).
#include "harness/core/canary.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace wrongbox {

CanaryMinter::CanaryMinter(std::uint64_t seed) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  // Key = SipHash of the seed under a fixed key: spreads any seed over 128 bits.
  static const unsigned char kFixed[crypto_shorthash_KEYBYTES] = {
      'w', 'r', 'o', 'n', 'g', 'b', 'o', 'x', '-', 'c', 'a', 'n', 'a', 'r', 'y', '1'};
  unsigned char in[9];
  for (int half = 0; half < 2; ++half) {
    std::memcpy(in, &seed, 8);
    in[8] = static_cast<unsigned char>(half);
    crypto_shorthash(key_.data() + 8 * half, in, sizeof in, kFixed);
  }
}

std::uint64_t CanaryMinter::value(std::uint32_t instance, int part, std::string_view sender,
                                  std::string_view id, std::string_view subject) const {
  // Length-prefixed fields: no two different tuples share an encoding.
  // Built on the stack when it fits (it nearly always does).
  const std::size_t need = 20 + sender.size() + id.size() + subject.size();
  char small[256];
  std::string large;
  char* buf = small;
  if (need > sizeof small) {
    large.resize(need);
    buf = large.data();
  }
  std::size_t n = 0;
  auto put32 = [&](std::uint32_t v) {
    std::memcpy(buf + n, &v, 4);
    n += 4;
  };
  put32(instance);
  put32(static_cast<std::uint32_t>(part));
  for (auto f : {sender, id, subject}) {
    put32(static_cast<std::uint32_t>(f.size()));
    if (!f.empty()) std::memcpy(buf + n, f.data(), f.size());
    n += f.size();
  }
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(buf), n, key_.data());
  std::uint64_t v;
  std::memcpy(&v, out, 8);
  return v;
}

std::string CanaryMinter::text(std::uint64_t v) {
  std::string s;
  append_text(s, v);
  return s;
}

void CanaryMinter::append_text(std::string& out, std::uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  char t[kCanaryLength];
  std::memcpy(t, kCanaryPrefix.data(), kCanaryPrefix.size());
  for (int i = 0; i < 16; ++i) t[kCanaryPrefix.size() + i] = kHex[(v >> (4 * (15 - i))) & 15];
  t[kCanaryLength - 1] = ']';
  out.append(t, kCanaryLength);
}

bool parse_canary(std::string_view t, std::uint64_t& v) {
  if (t.size() != kCanaryLength || !t.starts_with(kCanaryPrefix) || t.back() != ']') return false;
  v = 0;
  for (std::size_t i = kCanaryPrefix.size(); i + 1 < kCanaryLength; ++i) {
    const char c = t[i];
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else
      return false;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return true;
}

std::size_t CanaryTable::index_of(std::uint64_t value) const {
  std::size_t i = home(value);
  while (slots_[i].owner.instance != kFree && slots_[i].value != value) i = (i + 1) & mask_;
  return i;
}

const CanaryOwner* CanaryTable::find(std::uint64_t value) const {
  if (size_ == 0) return nullptr;
  const Entry& e = slots_[index_of(value)];
  return e.owner.instance == kFree ? nullptr : &e.owner;
}

void CanaryTable::set(std::uint64_t value, CanaryOwner owner) {
  if (2 * (size_ + 1) > slots_.size()) grow(std::max<std::size_t>(kMinSlots, 2 * slots_.size()));
  Entry& e = slots_[index_of(value)];
  size_ += e.owner.instance == kFree;
  e.value = value;
  e.owner = owner;
}

void CanaryTable::erase_if_owned(std::uint64_t value, std::uint32_t instance) {
  if (size_ == 0) return;
  std::size_t i = index_of(value);
  if (slots_[i].owner.instance != instance) return;  // absent (kFree) or another's
  --size_;
  // Backward-shift deletion: later entries of the probe run move up, so no
  // lookup ever stops early at the hole.
  for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
    if (slots_[j].owner.instance == kFree) break;
    const std::size_t h = home(slots_[j].value);
    // Entry j may fill the hole at i unless its home lies cyclically in (i, j].
    const bool home_after_hole = i <= j ? (h > i && h <= j) : (h > i || h <= j);
    if (home_after_hole) continue;
    slots_[i] = slots_[j];
    i = j;
  }
  slots_[i] = Entry{};
}

void CanaryTable::reserve(std::size_t n) {
  std::size_t want = kMinSlots;
  while (want < 2 * n) want *= 2;
  if (want > slots_.size()) grow(want);
}

void CanaryTable::grow(std::size_t slots) {
  std::vector<Entry> old(slots);
  old.swap(slots_);
  mask_ = slots - 1;
  for (const Entry& e : old) {
    if (e.owner.instance != kFree) slots_[index_of(e.value)] = e;
  }
}

}  // namespace wrongbox
