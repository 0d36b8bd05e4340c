#include "harness/core/shared_calls.h"

#include <chrono>
#include <functional>
#include <thread>

#include "harness/core/mix.h"

namespace wrongbox {

SharedCalls::SharedCalls(Calls& actors, std::uint64_t schedule, std::uint32_t pause_one_in)
    : actors_(actors), schedule_(schedule), pause_one_in_(pause_one_in == 0 ? 1 : pause_one_in) {}

void SharedCalls::open() {
  std::lock_guard lock(mu_);
  open_ = true;
  first_thread_.store(0, std::memory_order_relaxed);
}

void SharedCalls::close() {
  std::lock_guard lock(mu_);
  open_ = false;
}

std::optional<std::string> SharedCalls::late_call() const {
  std::lock_guard lock(mu_);
  return late_;
}

void SharedCalls::pause(std::uint64_t n) const {
  if (schedule_ == 0) return;
  const std::uint64_t x = splitmix64(schedule_ ^ splitmix64(n));
  if (pause_one_in_ > 1 && (x >> 40) % pause_one_in_ != 0) return;
  switch (x % 8) {
    case 0:
    case 1:
    case 2:
    case 3:
      return;
    case 4:
    case 5:
      std::this_thread::yield();
      return;
    default:
      std::this_thread::sleep_for(std::chrono::microseconds((x >> 8) % 200));
  }
}

std::unique_lock<std::mutex> SharedCalls::enter(std::uint64_t& n, const char* what,
                                                std::string_view about, std::string_view sep,
                                                std::string_view more) {
  n = calls_.fetch_add(1, std::memory_order_relaxed);
  // Which threads call: the first one of a command, then any other.
  const std::size_t me = std::hash<std::thread::id>{}(std::this_thread::get_id()) | 1;
  std::size_t first = first_thread_.load(std::memory_order_relaxed);
  if (first == 0 && first_thread_.compare_exchange_strong(first, me, std::memory_order_relaxed)) {
    first = me;
  }
  if (first != me) saw_threads_.store(true, std::memory_order_relaxed);
  pause(2 * n);
  std::unique_lock lock(mu_);
  if (!open_) {
    if (!late_) {
      std::string text(what);
      if (!about.empty()) (text += ' ') += about;
      (text += sep) += more;
      late_ = text + " after its command returned";
    }
    lock.unlock();
  }
  return lock;
}

void SharedCalls::leave(std::unique_lock<std::mutex>& lock, std::uint64_t n) const {
  if (lock.owns_lock()) lock.unlock();
  pause(2 * n + 1);
}

LookupReply SharedCalls::lookup(const std::string& person) {
  std::uint64_t n = 0;
  auto lock = enter(n, "lookup", person);
  LookupReply r;
  if (lock.owns_lock()) {
    r = actors_.lookup(person);
  } else {
    r.unavailable = true;
  }
  leave(lock, n);
  return r;
}

DeliverReply SharedCalls::deliver(const std::string& mailbox, const Message& message) {
  std::uint64_t n = 0;
  auto lock = enter(n, "deliver to", mailbox);
  const DeliverReply r =
      lock.owns_lock() ? actors_.deliver(mailbox, message) : DeliverReply::kUnavailable;
  leave(lock, n);
  return r;
}

std::vector<LookupReply> SharedCalls::lookup_each(const std::vector<std::string>& persons) {
  std::uint64_t n = 0;
  auto lock = enter(n, "lookup", persons.empty() ? std::string_view() : persons.front());
  std::vector<LookupReply> r;
  if (lock.owns_lock()) {
    r = actors_.lookup_each(persons);
  } else {
    r.resize(persons.size());
    for (auto& each : r) each.unavailable = true;
  }
  leave(lock, n);
  return r;
}

std::vector<DeliverReply> SharedCalls::deliver_each(const std::vector<Delivery>& deliveries) {
  std::uint64_t n = 0;
  auto lock = enter(n, "deliver to",
                    deliveries.empty() || !deliveries.front().mailbox
                        ? std::string_view()
                        : std::string_view(*deliveries.front().mailbox));
  std::vector<DeliverReply> r =
      lock.owns_lock() ? actors_.deliver_each(deliveries)
                       : std::vector<DeliverReply>(deliveries.size(), DeliverReply::kUnavailable);
  leave(lock, n);
  return r;
}

void SharedCalls::print(const std::string& person, const Message& message) {
  std::uint64_t n = 0;
  auto lock = enter(n, "print for", person);
  if (lock.owns_lock()) actors_.print(person, message);
  leave(lock, n);
}

void SharedCalls::hold(const Message& message, const std::string& reason) {
  std::uint64_t n = 0;
  auto lock = enter(n, "hold", message.sender, "/", message.id);
  if (lock.owns_lock()) actors_.hold(message, reason);
  leave(lock, n);
}

void SharedCalls::receipt(const std::string& sender, const std::string& id, ReceiptStatus status) {
  std::uint64_t n = 0;
  auto lock = enter(n, "receipt to", sender, " for ", id);
  if (lock.owns_lock()) actors_.receipt(sender, id, status);
  leave(lock, n);
}

void SharedCalls::log(const std::string& text) {
  std::uint64_t n = 0;
  auto lock = enter(n, "log");
  if (lock.owns_lock()) actors_.log(text);
  leave(lock, n);
}

}  // namespace wrongbox
