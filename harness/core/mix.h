// splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", 2014): its finaliser, a good hash of a 64-bit integer, and
// one step of its generator. The seeds of chunks and schedules, the fakes'
// choices and the oracle's integer-keyed tables all use these two.
#pragma once

#include <cstdint>

namespace wrongbox {

// The finaliser: every bit of x affects every bit of the result.
inline std::uint64_t mix64(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The generator's output for state x: the golden-ratio step, then the finaliser.
inline std::uint64_t splitmix64(std::uint64_t x) {
  return mix64(x + 0x9e3779b97f4a7c15ULL);
}

}  // namespace wrongbox
