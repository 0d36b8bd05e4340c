// The calls of one command, shared by a switch's threads.
//
// A switch may make its calls (lookup, deliver, print, hold, receipt, log)
// from several threads at once while a command runs. SharedCalls sits
// between the switch and the harness's actors: each call is judged whole,
// under one lock, so the oracle sees the calls one after another in the
// order they took the lock and still checks every safety property at the
// exact call. A call made while no command runs (a worker still busy after
// its command returned) is answered as harmlessly as possible and reported:
// the run ends as a switch failure naming the call.
//
// With a schedule (a nonzero seed), every call is preceded and followed by
// a pause the seed chooses: nothing, a yield, or a sleep of up to 200
// microseconds. Rare interleavings of a switch's threads then occur in a
// few runs instead of one in thousands; the seed is reported so that a run
// can be repeated with the same pauses (the operating system's scheduling
// still varies, so a race found this way fails at a rate, not every time).
//
// Example usage:
//   SharedCalls shared(actors, /*schedule=*/42);
//   shared.open();
//   auto verdicts = sut.submit(batch, shared);
//   shared.close();
//   if (auto late = shared.late_call()) fail(*late);
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "wrongbox/switch.h"

namespace wrongbox {

class SharedCalls final : public Calls {
 public:
  // With `pause_one_in` > 1 only one call boundary in so many (chosen by
  // the seed) may pause: a light schedule for a long run.
  explicit SharedCalls(Calls& actors, std::uint64_t schedule = 0, std::uint32_t pause_one_in = 1);

  // A command starts / has returned.
  void open();
  void close();
  // The first call made while no command ran ("deliver to kivra/a after its
  // command returned"), if any.
  std::optional<std::string> late_call() const;
  // What it passes the calls to (the Actors, in a run).
  Calls& actors() { return actors_; }
  // Calls made from more than one thread during one command, so far.
  bool saw_threads() const { return saw_threads_.load(std::memory_order_relaxed); }

  LookupReply lookup(const std::string& person) override;
  DeliverReply deliver(const std::string& mailbox, const Message& message) override;
  std::vector<LookupReply> lookup_each(const std::vector<std::string>& persons) override;
  std::vector<DeliverReply> deliver_each(const std::vector<Delivery>& deliveries) override;
  void print(const std::string& person, const Message& message) override;
  void hold(const Message& message, const std::string& reason) override;
  void receipt(const std::string& sender, const std::string& id, ReceiptStatus status) override;
  void log(const std::string& text) override;

 private:
  // Waits as the schedule says before or after the call numbered n / 2.
  void pause(std::uint64_t n) const;
  // Numbers the call (`n`), pauses, takes the lock. The lock is not held
  // (and the call is noted as "WHAT ABOUT[ SEP MORE]") when no command runs:
  // the caller then answers without asking the actors. The text is built
  // only then, not on every call.
  std::unique_lock<std::mutex> enter(std::uint64_t& n, const char* what,
                                     std::string_view about = {}, std::string_view sep = {},
                                     std::string_view more = {});
  // Releases the lock and pauses.
  void leave(std::unique_lock<std::mutex>& lock, std::uint64_t n) const;

  Calls& actors_;
  const std::uint64_t schedule_;
  const std::uint32_t pause_one_in_;
  mutable std::mutex mu_;
  bool open_ = false;
  std::optional<std::string> late_;
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::size_t> first_thread_{0};
  std::atomic<bool> saw_threads_{false};
};

}  // namespace wrongbox
