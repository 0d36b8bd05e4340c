#include "harness/core/shared_calls.h"

#include <chrono>
#include <functional>
#include <thread>

namespace wrongbox {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

SharedCalls::SharedCalls(Calls& actors, std::uint64_t schedule)
    : actors_(actors), schedule_(schedule) {}

void SharedCalls::open() {
  std::lock_guard lock(mu_);
  open_ = true;
  first_thread_.store(0, std::memory_order_relaxed);
}

void SharedCalls::close() {
  std::lock_guard lock(mu_);
  open_ = false;
}

void SharedCalls::set_schedule(std::uint64_t schedule) {
  schedule_.store(schedule, std::memory_order_relaxed);
}

std::optional<std::string> SharedCalls::late_call() const {
  std::lock_guard lock(mu_);
  return late_;
}

void SharedCalls::pause(std::uint64_t n) const {
  const std::uint64_t seed = schedule_.load(std::memory_order_relaxed);
  if (seed == 0) return;
  const std::uint64_t x = mix(seed ^ mix(n));
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

std::unique_lock<std::mutex> SharedCalls::enter(const char* what, const std::string& about,
                                                std::uint64_t& n) {
  n = calls_.fetch_add(1, std::memory_order_relaxed);
  // Which threads call: the first one of a command, then any other.
  const std::size_t me = std::hash<std::thread::id>{}(std::this_thread::get_id()) | 1;
  std::size_t first = 0;
  if (!first_thread_.compare_exchange_strong(first, me, std::memory_order_relaxed) && first != me) {
    saw_threads_.store(true, std::memory_order_relaxed);
  }
  pause(2 * n);
  std::unique_lock lock(mu_);
  if (!open_) {
    if (!late_)
      late_ =
          std::string(what) + (about.empty() ? "" : " " + about) + " after its command returned";
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
  auto lock = enter("lookup", person, n);
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
  auto lock = enter("deliver to", mailbox, n);
  const DeliverReply r =
      lock.owns_lock() ? actors_.deliver(mailbox, message) : DeliverReply::kUnavailable;
  leave(lock, n);
  return r;
}

std::vector<LookupReply> SharedCalls::lookup_each(const std::vector<std::string>& persons) {
  std::uint64_t n = 0;
  auto lock = enter("lookup", persons.empty() ? "" : persons.front(), n);
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
  auto lock = enter("deliver to",
                    deliveries.empty() || !deliveries.front().mailbox ? std::string()
                                                                      : *deliveries.front().mailbox,
                    n);
  std::vector<DeliverReply> r =
      lock.owns_lock() ? actors_.deliver_each(deliveries)
                       : std::vector<DeliverReply>(deliveries.size(), DeliverReply::kUnavailable);
  leave(lock, n);
  return r;
}

void SharedCalls::print(const std::string& person, const Message& message) {
  std::uint64_t n = 0;
  auto lock = enter("print for", person, n);
  if (lock.owns_lock()) actors_.print(person, message);
  leave(lock, n);
}

void SharedCalls::hold(const Message& message, const std::string& reason) {
  std::uint64_t n = 0;
  auto lock = enter("hold", message.sender + "/" + message.id, n);
  if (lock.owns_lock()) actors_.hold(message, reason);
  leave(lock, n);
}

void SharedCalls::receipt(const std::string& sender, const std::string& id, ReceiptStatus status) {
  std::uint64_t n = 0;
  auto lock = enter("receipt to", sender + " for " + id, n);
  if (lock.owns_lock()) actors_.receipt(sender, id, status);
  leave(lock, n);
}

void SharedCalls::log(const std::string& text) {
  std::uint64_t n = 0;
  auto lock = enter("log", "", n);
  if (lock.owns_lock()) actors_.log(text);
  leave(lock, n);
}

}  // namespace wrongbox
