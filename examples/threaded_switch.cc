// The threaded switch. Places marked "RACE" are where a racy variant takes
// its shortcut; everything else is shared.
#include "examples/threaded_switch.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "examples/subject_number.h"

namespace wrongbox::examples {
namespace {

using Key = std::pair<std::string, std::string>;  // (sender, id)

struct Entry {
  Message msg;
  std::uint64_t seq = 0;  // order of acceptance
};
using EntryPtr = std::shared_ptr<const Entry>;

class ThreadedSwitch final : public Switch {
 public:
  ThreadedSwitch(ThreadedDefect d, int workers) : defect_(d) {
    const int n = std::max(2, workers);
    slots_.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) free_slots_.push_back(static_cast<std::size_t>(i));
    worker_routes_.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this, i] {
        t_worker = static_cast<std::size_t>(i);
        serve();
      });
    }
  }
  ~ThreadedSwitch() override {
    {
      std::lock_guard lock(pool_mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ThreadedSwitch(const ThreadedSwitch&) = delete;
  ThreadedSwitch& operator=(const ThreadedSwitch&) = delete;

  HelloInfo hello() override {
    std::string name = "threaded";
    for (const auto& i : threaded_catalog()) {
      if (i.defect == defect_) name = std::string(i.name);
    }
    return HelloInfo{name, "1.0", {"restart", "threads"}};
  }

  void reset(const std::vector<std::string>&) override {
    std::lock_guard lock(state_mu_);
    accepted_.clear();
    pending_.clear();
    seq_ = 0;
    for (auto& w : worker_routes_) w.clear();
  }

  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) override {
    std::vector<Verdict> verdicts(batch.size());
    if (defect_ == ThreadedDefect::kDedupRace) {
      // RACE (dedup): admission runs on the pool to keep up with large
      // batches; each job checks the duplicate set, looks the subject up
      // (the route is needed anyway) and only then records the key, so two
      // copies of one (sender, id) admitted at once are both accepted.
      run_jobs(batch.size(), [&](std::size_t k) {
        const Message& m = batch[k];
        Verdict& v = verdicts[k];
        v = Verdict{m.sender, m.id, false, ""};
        if (const char* why = invalid(m)) {
          v.reason = why;
          return;
        }
        bool seen;
        {
          std::lock_guard lock(state_mu_);
          seen = accepted_.count({m.sender, m.id}) > 0;
        }
        if (seen) {
          v.reason = "duplicate (sender, id)";
          return;
        }
        const LookupReply route = calls.lookup(m.subject);
        EntryPtr e;
        {
          std::lock_guard lock(state_mu_);
          accepted_.insert({m.sender, m.id});
          e = std::make_shared<Entry>(Entry{m, seq_++});
        }
        v.accepted = true;
        handle(e, calls, &route, nullptr);
      });
    } else {
      // Admission in order on this thread: check and record under one lock.
      {
        std::lock_guard lock(state_mu_);
        for (std::size_t k = 0; k < batch.size(); ++k) {
          const Message& m = batch[k];
          Verdict& v = verdicts[k];
          v = Verdict{m.sender, m.id, false, ""};
          if (const char* why = invalid(m)) {
            v.reason = why;
          } else if (!accepted_.insert({m.sender, m.id}).second) {
            v.reason = "duplicate (sender, id)";
          } else {
            v.accepted = true;
            pending_.push_back(std::make_shared<Entry>(Entry{m, seq_++}));
          }
        }
      }
    }
    round(calls);
    return verdicts;
  }

  bool tick(std::int64_t, Calls& calls) override {
    round(calls);
    std::lock_guard lock(state_mu_);
    return pending_.empty();
  }

  void restart() override {
    // The accepted keys and the pending messages are the durable journal;
    // the receipt slots are volatile.
    std::lock_guard lock(state_mu_);
    free_slots_.clear();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      slots_[i] = Slot{};
      free_slots_.push_back(i);
    }
    for (auto& w : worker_routes_) w.clear();
  }

 private:
  struct Slot {  // what a receipt needs, kept while a worker handles a message
    std::string sender, id;
  };

  static const char* invalid(const Message& m) {
    if (!valid_subject_number(m.subject)) return "invalid subject number";
    if (m.parts.empty()) return "no parts";
    return nullptr;
  }

  // Every pending message once, on the pool; what cannot be settled now
  // waits for the next command.
  void round(Calls& calls) {
    std::vector<EntryPtr> jobs;
    {
      std::lock_guard lock(state_mu_);
      jobs.swap(pending_);
    }
    if (jobs.empty()) return;
    round_jobs_ = &jobs;
    run_jobs(jobs.size(), [&](std::size_t k) { handle(jobs[k], calls, nullptr, &k); });
    round_jobs_ = nullptr;
    std::lock_guard lock(state_mu_);
    std::sort(pending_.begin(), pending_.end(),
              [](const EntryPtr& a, const EntryPtr& b) { return a->seq < b->seq; });
  }

  // Routes one message; `route` is a lookup this command already made for
  // it, `job` its number in the round (for the shared-current variant).
  void handle(const EntryPtr& e, Calls& calls, const LookupReply* route, const std::size_t* job) {
    const Message& m = e->msg;
    const std::size_t slot = take_slot(m);
    LookupReply r;
    const Message* content = &m;
    if (route) {
      r = *route;
    } else if (defect_ == ThreadedDefect::kSharedCurrent && job) {
      // RACE (shared current): the pool keeps one "current message" for
      // the worker that looks up; after the registry answers, the worker
      // builds the outgoing message from whatever is current by then.
      current_.store(*job, std::memory_order_relaxed);
      r = calls.lookup(m.subject);
      content = &(*round_jobs_)[current_.load(std::memory_order_relaxed)]->msg;
    } else {
      r = calls.lookup(m.subject);
    }
    if (defect_ == ThreadedDefect::kWorkerRoutes) {
      // RACE (worker routes): each worker remembers the routes it was given
      // and, to keep delivering through a registry outage, uses its own
      // last answer for the subject instead of waiting; which worker gets
      // which message is the scheduler's choice.
      auto& mine = worker_routes_[t_worker];
      if (!r.unavailable) {
        mine[m.subject] = r;
      } else if (auto it = mine.find(m.subject); it != mine.end()) {
        r = it->second;
      }
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (r.unavailable) break;
      const bool blocked = std::find(r.blocked_senders.begin(), r.blocked_senders.end(),
                                     m.sender) != r.blocked_senders.end();
      if (!r.mailbox || blocked) {
        if (r.is_protected) {
          calls.hold(*content, "protected identity: manual handling required");
          settle(slot, ReceiptStatus::kHeld, "held " + key_of(m) + " for manual handling", calls);
        } else {
          calls.print(m.subject, *content);
          settle(slot, ReceiptStatus::kPrinted, "printed " + key_of(m), calls);
        }
        return;
      }
      const std::string mailbox = *r.mailbox;
      const DeliverReply reply = calls.deliver(mailbox, *content);
      if (reply == DeliverReply::kOk) {
        settle(slot, ReceiptStatus::kDelivered, "delivered " + key_of(m) + " to " + mailbox, calls);
        return;
      }
      if (reply == DeliverReply::kUnavailable) break;
      r = calls.lookup(m.subject);  // no such mailbox: ask again
    }
    give_back(slot);
    std::lock_guard lock(state_mu_);
    pending_.push_back(e);
  }

  static std::string key_of(const Message& m) { return m.sender + "/" + m.id; }

  std::size_t take_slot(const Message& m) {
    std::lock_guard lock(state_mu_);
    // Slots are handed out in the order they were given back (a queue).
    const std::size_t s = free_slots_.front();
    free_slots_.pop_front();
    slots_[s] = Slot{m.sender, m.id};
    return s;
  }
  void give_back(std::size_t s) {
    std::lock_guard lock(state_mu_);
    free_slots_.push_back(s);
  }
  Slot slot(std::size_t s) {
    std::lock_guard lock(state_mu_);
    return slots_[s];
  }

  // The message is delivered, printed or held: log it, send its receipt.
  void settle(std::size_t s, ReceiptStatus how, const std::string& line, Calls& calls) {
    if (defect_ == ThreadedDefect::kStaleSlot) {
      // RACE (stale slot): the slot is given back as soon as the message is
      // out, and the receipt is sent from it after the log line, by which
      // time another worker may have taken it for its own message.
      give_back(s);
      calls.log(line);
      const Slot now = slot(s);
      calls.receipt(now.sender, now.id, how);
      return;
    }
    const Slot mine = slot(s);
    give_back(s);
    calls.log(line);
    calls.receipt(mine.sender, mine.id, how);
  }

  // Runs job(0) .. job(n - 1) on the pool (the jobs make their calls from
  // the workers' threads) and returns when all have ended. The first exception a
  // job threw is thrown here, after the others ended.
  void run_jobs(std::size_t n, const std::function<void(std::size_t)>& job) {
    if (n == 0) return;
    std::unique_lock lock(pool_mu_);
    job_ = &job;
    next_ = 0;
    total_ = n;
    finished_ = 0;
    error_ = nullptr;
    work_cv_.notify_all();
    done_cv_.wait(lock, [&] { return finished_ == total_; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

  void serve() {
    std::unique_lock lock(pool_mu_);
    while (true) {
      work_cv_.wait(lock, [&] { return stop_ || (job_ && next_ < total_); });
      if (stop_) return;
      const std::size_t k = next_++;
      const auto* job = job_;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*job)(k);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      if (error && !error_) error_ = error;
      if (++finished_ == total_) done_cv_.notify_all();
    }
  }

  const ThreadedDefect defect_;
  // Durable: survives restart().
  std::set<Key> accepted_;
  std::vector<EntryPtr> pending_;
  std::uint64_t seq_ = 0;
  // Volatile.
  std::vector<Slot> slots_;
  std::deque<std::size_t> free_slots_;
  std::mutex state_mu_;  // accepted_, pending_, seq_, slots_, free_slots_
  const std::vector<EntryPtr>* round_jobs_ = nullptr;
  std::atomic<std::size_t> current_{0};  // RACE (shared current)
  // RACE (worker routes): per worker, touched only by that worker's thread
  // (and by reset/restart, when no worker runs).
  std::vector<std::unordered_map<std::string, LookupReply>> worker_routes_;
  static thread_local std::size_t t_worker;  // this thread's worker number
  // The pool.
  std::vector<std::thread> threads_;
  std::mutex pool_mu_;
  std::condition_variable work_cv_, done_cv_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t next_ = 0, total_ = 0, finished_ = 0;
  std::exception_ptr error_;
  bool stop_ = false;
};

thread_local std::size_t ThreadedSwitch::t_worker = 0;

}  // namespace

const std::vector<ThreadedInfo>& threaded_catalog() {
  static const std::vector<ThreadedInfo> c = {
      {ThreadedDefect::kNone, 0, "threaded",
       "a correct switch whose worker pool routes messages in parallel"},
      {ThreadedDefect::kSharedCurrent, 11, "threaded-shared-current",
       "workers build the outgoing message from a shared 'current message' index"},
      {ThreadedDefect::kDedupRace, 11, "threaded-dedup-race",
       "parallel admission checks the duplicate set, looks up, and only then records the key"},
      {ThreadedDefect::kStaleSlot, 11, "threaded-stale-slot",
       "a worker gives its receipt slot back before it sends the receipt from it"},
      {ThreadedDefect::kWorkerRoutes, 11, "threaded-worker-routes",
       "a worker reuses its own last route for a subject while the registry is down"},
  };
  return c;
}

std::optional<ThreadedDefect> threaded_by_name(std::string_view name) {
  for (const auto& i : threaded_catalog()) {
    if (i.name == name) return i.defect;
  }
  return std::nullopt;
}

std::unique_ptr<Switch> make_threaded_switch(ThreadedDefect defect, int workers) {
  return std::make_unique<ThreadedSwitch>(defect, workers);
}

}  // namespace wrongbox::examples
