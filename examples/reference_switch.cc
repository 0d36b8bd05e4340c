// Reference switch. Places marked "DEFECT <class>" are where a variant of the
// catalog differs; everything else is shared, so each variant is one small,
// realistic change to a correct switch.
#include "examples/reference_switch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "examples/subject_number.h"

namespace wrongbox::examples {
namespace {

using Key = std::pair<std::string, std::string>;  // (sender, id)

// The (sender, id) keys the switch accepted: it must know every one for as
// long as it runs, however many. Senders number their messages, so an id
// that is a plain decimal number is kept in its sender's spans of
// consecutive numbers (each span under its last number); other ids are kept
// as they are. A long run of 1, 2, 3, ... then costs a few spans.
class AcceptedKeys {
 public:
  // False when the key is known already.
  bool insert(const Key& k) {
    const auto n = plain_number(k.second);
    if (!n) return others_.insert(k).second;
    auto& spans = spans_[k.first];
    auto at = spans.lower_bound(*n);  // the first span ending at n or later
    if (at != spans.end() && at->second <= *n) return false;
    const bool joins_next = at != spans.end() && at->second == *n + 1;
    auto before = at == spans.begin() ? spans.end() : std::prev(at);
    const bool joins_before = before != spans.end() && before->first + 1 == *n;
    std::uint64_t first = *n;
    if (joins_before) {
      first = before->second;
      spans.erase(before);
    }
    if (joins_next) {
      at->second = first;
    } else {
      spans.emplace(*n, first);
    }
    return true;
  }
  void erase(const Key& k) {
    const auto n = plain_number(k.second);
    if (!n) {
      others_.erase(k);
      return;
    }
    auto s = spans_.find(k.first);
    if (s == spans_.end()) return;
    auto at = s->second.lower_bound(*n);
    if (at == s->second.end() || at->second > *n) return;
    const std::uint64_t first = at->second, last = at->first;
    s->second.erase(at);
    if (first < *n) s->second.emplace(*n - 1, first);
    if (*n < last) s->second.emplace(last, *n + 1);
  }

 private:
  static std::optional<std::uint64_t> plain_number(const std::string& id) {
    if (id.empty() || id.size() > 18 || (id[0] == '0' && id.size() > 1)) return std::nullopt;
    std::uint64_t v = 0;
    for (const char c : id) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
  }
  std::map<std::string, std::map<std::uint64_t, std::uint64_t>> spans_;  // last -> first
  std::set<Key> others_;
};

// MQTT-style topic match: '+' one level, '#' the rest, and a filter that ends
// at a level boundary of the topic matches it as a path prefix.
bool topic_matches(std::string_view filter, std::string_view topic) {
  while (true) {
    const auto fs = filter.find('/');
    const auto ts = topic.find('/');
    const auto f = filter.substr(0, fs);
    const auto t = topic.substr(0, ts);
    if (f == "#") return true;
    if (f != "+" && f != t) return false;
    if (fs == std::string_view::npos) return true;  // filter used up: prefix of topic
    if (ts == std::string_view::npos) return false;
    filter.remove_prefix(fs + 1);
    topic.remove_prefix(ts + 1);
  }
}

class ReferenceSwitch final : public Switch {
 public:
  explicit ReferenceSwitch(Defect d) : defect_(d) {}

  HelloInfo hello() override {
    std::string name = "reference";
    for (const auto& i : catalog()) {
      if (i.defect == defect_) name = std::string(i.name);
    }
    return HelloInfo{name, "1.0", {"restart"}};
  }

  void reset(const std::vector<std::string>&) override {
    journal_ = Journal{};
    accepted_order_.clear();
    accepted_seq_ = 0;
    last_route_.reset();
    restart();
  }

  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) override {
    std::vector<Verdict> verdicts;
    verdicts.reserve(batch.size());
    for (const auto& m : batch) {
      Verdict v{m.sender, m.id, false, ""};
      if (!valid_subject_number(m.subject)) {
        v.reason = "invalid subject number";
      } else if (m.parts.empty()) {
        v.reason = "no parts";
      } else if (!journal_.accepted.insert(dedup_key(m))) {
        v.reason = "duplicate (sender, id)";
      } else {
        v.accepted = true;
        remember_accepted(m);
        journal_.inbox.push_back(Entry{m, false, 0, accepted_seq_});
        if (defect_ == Defect::kSlotWrap) slots_[accepted_seq_ % kSlots] = m;
        ++accepted_seq_;
        // DEFECT 7 (backlog overflow): the queue of waiting work holds 256
        // entries and drops the oldest to make room.
        if (defect_ == Defect::kBacklogOverflow && journal_.pending.size() >= kBacklogCap) {
          journal_.inbox[journal_.pending.front()].done = true;
          journal_.pending.erase(journal_.pending.begin());
        }
        journal_.pending.push_back(journal_.inbox.size() - 1);
        if (receipts_by_id()) receipt_to_[m.id] = m.sender;
      }
      verdicts.push_back(std::move(v));
    }
    work(calls);
    next_attempt_ = 0;  // new work: the next tick tries again, whatever happened before
    backoff_ = 1;
    return verdicts;
  }

  bool tick(std::int64_t now, Calls& calls) override {
    // While nothing gets through (registry or operator down), retries back
    // off: the next attempt comes 1, 2, 4, 8, then every 16 ticks after a
    // fruitless one, well inside L1's 100 ticks once everything is up.
    if (now >= next_attempt_) {
      const std::size_t before = journal_.pending.size();
      work(calls);
      const bool progress = journal_.pending.size() < before;
      backoff_ = progress ? 1 : std::min<std::int64_t>(2 * backoff_, kMaxBackoffTicks);
      next_attempt_ = now + backoff_;
    }
    compact();
    return journal_.pending.empty();
  }

  void use_places(const Places& places) override { places_ = places; }

  void restart() override {
    // Volatile state goes; the journal stays. With places, the messages
    // waiting go through a queue file in the private store, and come back
    // from it: the in-process restart stands for a crash, and the file for
    // what a deployed switch keeps on disk all along. (The set of accepted
    // keys stays in memory: writing it at every restart would make a long
    // soak quadratic.)
    if (places_ && !journal_.pending.empty()) {
      load_queue(journal_,
                 write_and_read_back(places_->private_dir + "/queue", save_queue(journal_)));
    }
    cache_.clear();
    channels_.clear();
    workers_ = {};
    receipt_to_.clear();
    logged_backlog_ = 0;
    next_attempt_ = 0;
    backoff_ = 1;
    if (receipts_by_id()) {
      for (const auto& e : journal_.inbox) receipt_to_[e.msg.id] = e.msg.sender;
    }
    journal_.pending.clear();
    // DEFECT 12 (restart drops newest): the recovery loop stops one entry short.
    const std::size_t recover =
        journal_.inbox.size() - (defect_ == Defect::kRestartDropsNewest && !journal_.inbox.empty());
    for (std::size_t i = 0; i < recover; ++i) {
      // DEFECT 12 (restart): recovery requeues every journal entry, handled or not.
      if (!journal_.inbox[i].done || defect_ == Defect::kRestartReplay) {
        journal_.pending.push_back(i);
      }
    }
  }

 private:
  struct Entry {
    Message msg;
    bool done = false;
    int retries = 0;        // attempts that left it pending
    std::uint64_t seq = 0;  // order of acceptance
  };
  struct Journal {  // durable: survives restart()
    std::vector<Entry> inbox;
    std::vector<std::size_t> pending;  // indices into inbox, oldest first
    AcceptedKeys accepted;
  };
  enum class Outcome { kDone, kRetry };
  static constexpr std::int64_t kMaxBackoffTicks = 16;

  // A dispatch worker: builds the outgoing message in its own buffer.
  struct Worker {
    std::size_t entry = 0;
    LookupReply route;
    std::string mailbox;  // target for this job, "" when none
    Message out;          // reused outgoing buffer
  };

  // DEFECT 5 (dedup window): the set of accepted keys keeps the latest 4096.
  void remember_accepted(const Message& m) {
    if (defect_ != Defect::kDedupWindow) return;
    accepted_order_.push_back(dedup_key(m));
    if (accepted_order_.size() > kDedupWindowSize) {
      journal_.accepted.erase(accepted_order_.front());
      accepted_order_.pop_front();
    }
  }

  // DEFECTS 5 and 10 find a receipt's sender by id alone (receipt_to_).
  bool receipts_by_id() const {
    return defect_ == Defect::kMessageKeyCollision || defect_ == Defect::kPaperReceiptById;
  }

  Key dedup_key(const Message& m) const {
    // DEFECT 5 (message-key collision) does not touch dedup: see receipt_to_.
    return {m.sender, m.id};
  }

  std::string cache_key(const std::string& subject) const {
    // DEFECT 4 (identity normalisation): the cache is keyed on the 10-digit form.
    return defect_ == Defect::kIdentityNormalisation ? subject.substr(2) : subject;
  }

  LookupReply lookup(const std::string& subject, Calls& calls) {
    auto key = cache_key(subject);
    if (const LookupReply* r = cache_.find(key)) return *r;
    return cache_.put(std::move(key), calls.lookup(subject));
  }
  // The same as lookup() for each subject in turn, into `out`, with the
  // registry's calls made in one run (one round trip over protocol v1).
  void lookup_all(const std::vector<std::string>& subjects, Calls& calls,
                  std::vector<LookupReply>& out) {
    auto& [ask, ask_keys] = lookup_scratch_;
    ask.clear();
    ask_keys.clear();
    asked_.clear();
    for (const auto& s : subjects) {
      auto key = cache_key(s);
      if (cache_.find(key) || !asked_.insert(key).second) continue;
      ask.push_back(s);
      ask_keys.push_back(std::move(key));
    }
    if (!ask.empty()) {
      auto replies = calls.lookup_each(ask);
      for (std::size_t i = 0; i < ask.size(); ++i) cache_.put(ask_keys[i], std::move(replies[i]));
    }
    out.resize(subjects.size());
    for (std::size_t i = 0; i < subjects.size(); ++i) out[i] = *cache_.find(cache_key(subjects[i]));
  }
  void forget(const std::string& subject) { cache_.erase(cache_key(subject)); }

  static bool blocks(const LookupReply& r, const std::string& sender) {
    return std::find(r.blocked_senders.begin(), r.blocked_senders.end(), sender) !=
           r.blocked_senders.end();
  }

  const std::string& channel_for(const std::string& mailbox) {
    // DEFECT 13 (address as pattern): the pool is searched with the address as
    // a topic filter, so "kivra/a" finds "kivra/a/b" and "kivra/+" finds anyone.
    if (defect_ == Defect::kAddressAsPattern) {
      for (const auto& c : channels_) {
        if (topic_matches(mailbox, c)) return c;
      }
    }
    return *channels_.insert(mailbox).first;
  }

  void work(Calls& calls) {
    // DEFECT 3 (stale route): the lookup cache outlives the command.
    if (defect_ != Defect::kStaleRoute) cache_.clear();
    auto& j = journal_;
    if (j.pending.empty()) return;

    // Prefetch: one lookup per distinct subject; reuse within this command only.
    // (The vectors are members so that a busy switch does not allocate them
    // on every command.)
    auto& [distinct, answers, routes, outcome, status, deliveries, delivering, still, receipts] =
        scratch_;
    distinct.clear();
    distinct_at_.clear();
    routes.clear();  // index into answers, per pending message
    for (auto i : j.pending) {
      const auto& s = j.inbox[i].msg.subject;
      auto [it, fresh] = distinct_at_.try_emplace(s, distinct.size());
      if (fresh) distinct.push_back(s);
      routes.push_back(it->second);
    }
    lookup_all(distinct, calls, answers);
    for (std::size_t k = 0; k < j.pending.size(); ++k) {
      auto at = routes[k];
      // DEFECT 1 (batch offset): answers are zipped with messages by position,
      // as if every message had a distinct subject.
      if (defect_ == Defect::kBatchOffset) at = std::min(k, answers.size() - 1);
      routes[k] = at;
    }

    // Prepare in pairs on two workers; each job keeps a copy of its worker.
    const std::size_t n_jobs = j.pending.size();
    if (jobs_.size() < n_jobs) jobs_.resize(n_jobs);  // never shrinks: slots keep their buffers
    for (std::size_t k = 0; k < n_jobs; k += 2) {
      const std::size_t n = std::min<std::size_t>(2, n_jobs - k);
      for (std::size_t w = 0; w < n; ++w) {
        prepare(workers_[w], j.pending[k + w], answers[routes[k + w]]);
      }
      for (std::size_t w = 0; w < n; ++w) {
        Worker& wk = workers_[w];
        // DEFECT 11 (concurrency): workers send the shared "current message".
        const std::size_t entry = defect_ == Defect::kConcurrency ? current_ : wk.entry;
        if (entry != wk.entry) build(wk, j.inbox[entry].msg);
        jobs_[k + w] = wk;
      }
    }

    // First attempt: print and hold at once, deliveries in one run of calls.
    outcome.assign(n_jobs, Outcome::kRetry);
    status.assign(n_jobs, ReceiptStatus::kDelivered);
    deliveries.clear();
    delivering.clear();
    for (std::size_t k = 0; k < n_jobs; ++k) {
      Worker& jb = jobs_[k];
      if (jb.route.unavailable) continue;
      if (deliverable(jb)) {
        deliveries.push_back({&channel_for(jb.mailbox), &jb.out});
        delivering.push_back(k);
      } else {
        status[k] = print_or_hold(jb, calls);
        outcome[k] = Outcome::kDone;
      }
    }
    if (!deliveries.empty()) {
      const auto replies = calls.deliver_each(deliveries);
      for (std::size_t d = 0; d < delivering.size(); ++d) {
        const std::size_t k = delivering[d];
        outcome[k] = after_delivery(jobs_[k], replies[d], calls, status[k], 0);
      }
    }

    still.clear();
    receipts.clear();
    for (std::size_t k = 0; k < n_jobs; ++k) {
      const std::size_t entry = jobs_[k].entry;
      if (outcome[k] == Outcome::kDone) {
        j.inbox[entry].done = true;
        receipts.emplace_back(entry, status[k]);
      } else {
        ++j.inbox[entry].retries;
        still.push_back(entry);
      }
    }
    j.pending.swap(still);

    // DEFECT 9 (batch log names held): a command that handles several
    // messages logs the subjects of those it held.
    if (defect_ == Defect::kBatchLogNamesHeld && receipts.size() > 1) {
      std::string held;
      for (const auto& [entry, how] : receipts) {
        if (how == ReceiptStatus::kHeld) held += " " + j.inbox[entry].msg.subject;
      }
      if (!held.empty()) calls.log("held in this batch:" + held);
    }
    for (const auto& [entry, how] : receipts) {
      const Message& m = j.inbox[entry].msg;
      std::string to = m.sender;
      // DEFECT 5 (message-key collision): the receipt address is found by id alone.
      if (defect_ == Defect::kMessageKeyCollision) to = receipt_to_[m.id];
      // DEFECT 10 (receipt mix-up): receipts go out under the batch's first sender.
      if (defect_ == Defect::kReceiptMixup) to = j.inbox[receipts.front().first].msg.sender;
      // DEFECT 10 (paper receipt by id): letters are confirmed by the print
      // service's job id, which carries the message id alone.
      if (defect_ == Defect::kPaperReceiptById && how == ReceiptStatus::kPrinted) {
        to = receipt_to_[m.id];
      }
      calls.receipt(to, m.id, how);
    }
    // The backlog is logged when it changes, not on every attempt.
    if (!j.pending.empty() && j.pending.size() != logged_backlog_) {
      calls.log(std::to_string(j.pending.size()) + " message(s) wait for a later attempt");
    }
    logged_backlog_ = j.pending.size();
  }

  void prepare(Worker& w, std::size_t entry, const LookupReply& answer) {
    w.entry = entry;
    current_ = entry;
    const LookupReply& route = from_route_table(entry, answer);
    w.route = route;
    // DEFECT 6 (fallback leak): the worker keeps its last mailbox when the
    // registry names none.
    if (route.mailbox)
      w.mailbox = *route.mailbox;
    else if (defect_ != Defect::kFallbackLeak)
      w.mailbox.clear();
    trim_for_retry(w);
    // Nothing goes out while the registry is down: no need to copy the message.
    if (!route.unavailable) build(w, journal_.inbox[entry].msg);
  }

  // DEFECT 3 (route table full): routes are kept in a table of 65,536
  // entries, one per message accepted since start, never freed (a reset
  // empties it, a restart does not). Once it is full, a message takes the
  // route kept in its last entry: another person's, from an earlier command.
  const LookupReply& from_route_table(std::size_t entry, const LookupReply& answer) {
    if (defect_ != Defect::kRouteTableFull || answer.unavailable) return answer;
    const auto seq = journal_.inbox[entry].seq;
    if (seq + 1 < kRouteSlots) return answer;
    if (seq + 1 == kRouteSlots) last_route_ = answer;
    return last_route_ ? *last_route_ : answer;
  }

  void build(Worker& w, const Message& own) {
    // DEFECT 2 (slot wrap): content is copied from a ring of 256 slots
    // indexed by acceptance order, which a newer message reuses.
    const Message& m =
        defect_ == Defect::kSlotWrap ? slots_[journal_.inbox[w.entry].seq % kSlots] : own;
    w.out.sender = own.sender;
    w.out.id = own.id;
    w.out.subject = own.subject;
    w.out.title = m.title;
    // Parts beyond the message's count are parked with their buffers and
    // taken back by a longer message, so a busy worker does not allocate.
    auto& parts = w.out.parts;
    // DEFECT 2 (part mix-up): the reused buffer grows but never shrinks.
    const bool shrink = defect_ != Defect::kPartMixup;
    for (; shrink && parts.size() > m.parts.size(); parts.pop_back()) {
      spare_parts_.push_back(std::move(parts.back()));
    }
    for (; parts.size() < m.parts.size(); spare_parts_.pop_back()) {
      if (spare_parts_.empty()) spare_parts_.emplace_back();
      parts.push_back(std::move(spare_parts_.back()));
    }
    std::copy(m.parts.begin(), m.parts.end(), parts.begin());
    // DEFECT 7 (retry drops last part): a retry rebuilds the message from the
    // retry queue, which keeps one part too few.
    if (defect_ == Defect::kRetryDropsLastPart && parts.size() > 1 &&
        journal_.inbox[w.entry].retries > 0) {
      spare_parts_.push_back(std::move(parts.back()));
      parts.pop_back();
    }
  }

  bool deliverable(const Worker& w) const {
    // DEFECT 8 (blocked sender): the registry's blocked list is not consulted.
    // DEFECT 8 (retry forgets block): the retry queue keeps the route
    // without the blocked list.
    const bool forgets =
        defect_ == Defect::kRetryForgetsBlock && journal_.inbox[w.entry].retries > 0;
    const bool blocked = defect_ != Defect::kBlockedSenderIgnored && !forgets &&
                         blocks(w.route, journal_.inbox[w.entry].msg.sender);
    return !w.mailbox.empty() && !blocked;
  }

  static std::string key_of(const Message& m) { return m.sender + "/" + m.id; }

  void delivered(const Worker& w, Calls& calls) {
    calls.log("delivered " + key_of(journal_.inbox[w.entry].msg) + " to " + w.mailbox);
  }

  // The mailbox is gone: forget the route and ask the registry again.
  void reroute(Worker& w, Calls& calls) {
    const std::string& subject = journal_.inbox[w.entry].msg.subject;
    forget(subject);
    channels_.erase(w.mailbox);
    w.route = lookup(subject, calls);
    w.mailbox = w.route.mailbox.value_or("");
    trim_for_retry(w);
  }

  void trim_for_retry(Worker& w) const {
    // DEFECT 13 (retry trims account): the retry queue stores addresses as
    // tokens, cut at the first space, '+' or '%'.
    if (defect_ != Defect::kRetryTrimsAccount || journal_.inbox[w.entry].retries == 0) return;
    const auto slash = w.mailbox.find('/');
    if (slash == std::string::npos) return;
    const auto cut = w.mailbox.find_first_of(" +%", slash + 1);
    if (cut != std::string::npos && cut > slash + 1) w.mailbox.resize(cut);
  }

  ReceiptStatus print_or_hold(const Worker& w, Calls& calls) {
    const Message& m = journal_.inbox[w.entry].msg;
    // DEFECT 6 (blocked protected printed): a blocked sender's letter goes
    // to paper before protection is looked at.
    const bool to_paper = defect_ == Defect::kBlockedProtectedPrinted && blocks(w.route, m.sender);
    if (w.route.is_protected && !to_paper) {
      // DEFECT 9 (hold copy readable): case handlers get a copy in the
      // private store, written readable by everyone.
      if (defect_ == Defect::kHoldCopyReadable && places_) {
        ::mkdir((places_->private_dir + "/hold").c_str(), 0700);
        write_file(places_->private_dir + "/hold/" + file_name(w.out) + ".txt", letter_text(w.out),
                   0644);
      }
      calls.hold(w.out, "protected identity: manual handling required");
      // DEFECT 9 (log leak): the subject's number goes into the staff log.
      calls.log(defect_ == Defect::kLogLeak ? "held " + key_of(m) + " for " + m.subject
                                            : "held " + key_of(m) + " for manual handling");
      return ReceiptStatus::kHeld;
    }
    // DEFECT 9 (print spool left): letters are spooled to TMPDIR for the
    // print service; the clean-up skips those printed because of a block.
    std::string spool;
    if (defect_ == Defect::kPrintSpoolLeft && places_) {
      spool = places_->tmp_dir + "/print-" + file_name(w.out) + ".spool";
      write_file(spool, letter_text(w.out), 0600);
    }
    calls.print(m.subject, w.out);
    if (!spool.empty() && !blocks(w.route, m.sender)) ::unlink(spool.c_str());
    calls.log("printed " + key_of(m));
    return ReceiptStatus::kPrinted;
  }

  // What the answer to attempt number `attempt` of a delivery means: a gone
  // mailbox sends the job back to the registry for the next attempt.
  Outcome after_delivery(Worker& w, DeliverReply reply, Calls& calls, ReceiptStatus& status,
                         int attempt) {
    switch (reply) {
      case DeliverReply::kOk:
        delivered(w, calls);
        status = ReceiptStatus::kDelivered;
        return Outcome::kDone;
      case DeliverReply::kUnavailable:
        // DEFECT 9 (dead letter shared): what the operator could not take is
        // exported for staff, to a folder every staff member can read.
        if (defect_ == Defect::kDeadLetterShared && places_) {
          ::mkdir((places_->shared_dir + "/dead-letter").c_str(), 0755);
          write_file(places_->shared_dir + "/dead-letter/" + file_name(w.out) + ".txt",
                     letter_text(w.out), 0644);
        }
        return Outcome::kRetry;
      case DeliverReply::kNoSuchMailbox:
        reroute(w, calls);
        return dispatch(w, calls, status, attempt + 1);
    }
    return Outcome::kRetry;
  }

  // Attempt number `attempt` (of 3) and those after it, one call at a time.
  Outcome dispatch(Worker& w, Calls& calls, ReceiptStatus& status, int attempt) {
    if (attempt >= 3 || w.route.unavailable) return Outcome::kRetry;
    if (!deliverable(w)) {
      status = print_or_hold(w, calls);
      return Outcome::kDone;
    }
    return after_delivery(w, calls.deliver(channel_for(w.mailbox), w.out), calls, status, attempt);
  }

  // Periodic maintenance: drop handled entries from the journal.
  void compact() {
    auto& j = journal_;
    if (std::none_of(j.inbox.begin(), j.inbox.end(), [](const Entry& e) { return e.done; })) {
      std::erase_if(j.pending, [&](std::size_t p) { return p >= j.inbox.size(); });
      return;
    }
    std::vector<std::size_t> remap(j.inbox.size(), SIZE_MAX);
    std::vector<Entry> kept;
    for (std::size_t i = 0; i < j.inbox.size(); ++i) {
      if (j.inbox[i].done) continue;
      remap[i] = kept.size();
      kept.push_back(std::move(j.inbox[i]));
    }
    j.inbox = std::move(kept);
    // DEFECT 7 (fault path): pending indices are not remapped after compaction,
    // so retries pick another message, or none.
    if (defect_ != Defect::kFaultPath) {
      for (auto& p : j.pending) p = remap[p];
    }
    std::erase_if(j.pending, [&](std::size_t p) { return p >= j.inbox.size(); });
  }

  // Files (the places, S6). A name from a message's key, safe in a path.
  static std::string file_name(const Message& m) {
    std::string out = m.sender + "_" + m.id;
    for (char& c : out) {
      if (c == '/' || c == '\0' || c == '.') c = '_';
    }
    return out;
  }
  static std::string letter_text(const Message& m) {
    std::string out = m.title + "\n";
    for (const auto& p : m.parts) out += p.name + "\n" + p.data + "\n";
    return out;
  }
  static void write_file(const std::string& path, const std::string& text, mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw SwitchFailure("cannot write " + path + ": " + std::strerror(errno));
    ::fchmod(fd, mode);  // whatever the umask
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) throw SwitchFailure("cannot write " + path);
  }
  // Writes `text` to a file only the owner can read, and returns what the
  // file holds then (what a recovery would find).
  static std::string write_and_read_back(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw SwitchFailure("cannot write " + path + ": " + std::strerror(errno));
    std::string back(text.size(), '\0');
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::pread(fd, back.data(), back.size(), 0) == static_cast<ssize_t>(back.size());
    ::close(fd);
    if (!ok) throw SwitchFailure("cannot write and read back " + path);
    return back;
  }
  // The queue as text: the messages waiting, length-prefixed fields, one a line.
  static void put(std::string& out, const std::string& s) {
    out += std::to_string(s.size()) + ":" + s;
  }
  static std::string save_queue(const Journal& j) {
    std::string out = "wrongbox-reference-queue 1\n" + std::to_string(j.pending.size()) + "\n";
    for (const auto p : j.pending) {
      const Message& m = j.inbox[p].msg;
      out += std::to_string(p) + " " + std::to_string(m.parts.size()) + " ";
      for (const auto* f : {&m.sender, &m.id, &m.subject, &m.title}) put(out, *f);
      for (const auto& part : m.parts) {
        put(out, part.name);
        put(out, part.data);
      }
      out += "\n";
    }
    return out;
  }
  // The waiting messages as the file holds them replace those in memory.
  static void load_queue(Journal& j, const std::string& text) {
    std::size_t at = text.find('\n') + 1;
    auto skip = [&] {
      while (at < text.size() && (text[at] == ' ' || text[at] == '\n')) ++at;
    };
    auto number = [&] {
      skip();
      std::size_t n = 0;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9')
        n = n * 10 + (text[at++] - '0');
      return n;
    };
    auto field = [&] {
      const std::size_t n = number();
      ++at;  // ':'
      std::string f = text.substr(at, n);
      at += n;
      return f;
    };
    for (std::size_t k = number(); k > 0; --k) {
      const std::size_t p = number();
      if (p >= j.inbox.size())
        throw SwitchFailure("the queue file names an entry the journal lacks");
      Message& m = j.inbox[p].msg;
      m.parts.resize(number());
      for (auto* f : {&m.sender, &m.id, &m.subject, &m.title}) *f = field();
      for (auto& part : m.parts) {
        part.name = field();
        part.data = field();
      }
    }
  }

  const Defect defect_;
  std::optional<Places> places_;  // where files may go (S6), when the harness gives them
  Journal journal_;
  static constexpr std::size_t kDedupWindowSize = 4096;  // DEFECT 5 (dedup window)
  static constexpr std::size_t kSlots = 256;             // DEFECT 2 (slot wrap)
  static constexpr std::uint64_t kRouteSlots = 65536;    // DEFECT 3 (route table full)
  std::optional<LookupReply> last_route_;                // its last entry, once used
  static constexpr std::size_t kBacklogCap = 256;        // DEFECT 7 (backlog overflow)
  std::deque<Key> accepted_order_;
  std::vector<Message> slots_ = std::vector<Message>(defect_ == Defect::kSlotWrap ? kSlots : 0);
  std::uint64_t accepted_seq_ = 0;
  // Registry answers by cache_key(), for the current command (and, with
  // DEFECT 3, older ones).
  struct LookupCache {
    std::unordered_map<std::string, LookupReply> entries;
    const LookupReply* find(const std::string& key) const {
      auto it = entries.find(key);
      return it == entries.end() ? nullptr : &it->second;
    }
    const LookupReply& put(std::string key, LookupReply r) {
      return entries.insert_or_assign(std::move(key), std::move(r)).first->second;
    }
    void erase(const std::string& key) { entries.erase(key); }
    void clear() { entries.clear(); }
  } cache_;
  std::unordered_map<std::string, std::size_t> distinct_at_;  // work(): subject -> distinct index
  std::unordered_set<std::string> asked_;                     // lookup_all(): keys asked
  std::set<std::string> channels_;
  std::array<Worker, 2> workers_{};
  std::vector<Worker> jobs_;  // one per pending message of a command, reused
  struct Scratch {            // work()'s vectors, reused
    std::vector<std::string> distinct;
    std::vector<LookupReply> answers;
    std::vector<std::size_t> routes;
    std::vector<Outcome> outcome;
    std::vector<ReceiptStatus> status;
    std::vector<Delivery> deliveries;
    std::vector<std::size_t> delivering;
    std::vector<std::size_t> still;
    std::vector<std::pair<std::size_t, ReceiptStatus>> receipts;
  } scratch_;
  struct LookupScratch {  // lookup_all()'s
    std::vector<std::string> ask, ask_keys;
  } lookup_scratch_;
  std::size_t current_ = 0;
  std::size_t logged_backlog_ = 0;                 // pending messages at the last log line
  std::int64_t next_attempt_ = 0;                  // tick of the next retry (see tick())
  std::int64_t backoff_ = 1;                       // ticks between fruitless retries
  std::vector<Part> spare_parts_;                  // see build()
  std::map<std::string, std::string> receipt_to_;  // id -> sender, for DEFECT 5
};

}  // namespace

const std::vector<DefectInfo>& catalog() {
  static const std::vector<DefectInfo> kCatalog = {
      {Defect::kNone, 0, "reference", "the correct reference switch"},
      {Defect::kBatchOffset, 1, "batch-offset",
       "registry answers are zipped with messages by position, shifting routes after a repeated "
       "subject"},
      {Defect::kPartMixup, 2, "part-mixup",
       "a reused outgoing buffer keeps the previous message's extra attachments"},
      {Defect::kStaleRoute, 3, "stale-route", "the lookup cache is kept across commands"},
      {Defect::kIdentityNormalisation, 4, "identity-normalisation",
       "the lookup cache is keyed on the 10-digit form, so centuries collide"},
      {Defect::kMessageKeyCollision, 5, "message-key-collision",
       "the receipt address is looked up by message id alone"},
      {Defect::kFallbackLeak, 6, "fallback-leak",
       "a worker keeps its last mailbox when the registry names none"},
      {Defect::kFaultPath, 7, "fault-path",
       "retry indices are not remapped after journal compaction"},
      {Defect::kBlockedSenderIgnored, 8, "blocked-sender-ignored",
       "the registry's blocked-sender list is not consulted"},
      {Defect::kLogLeak, 9, "log-leak", "holds are logged with the protected subject's number"},
      {Defect::kReceiptMixup, 10, "receipt-mixup",
       "receipts of a command go to the first handled message's sender"},
      {Defect::kConcurrency, 11, "concurrency",
       "dispatch workers send a shared 'current message' instead of their own"},
      {Defect::kRestartReplay, 12, "restart-replay",
       "recovery requeues handled journal entries, so they are sent twice"},
      {Defect::kAddressAsPattern, 13, "address-as-pattern",
       "the connection pool matches mailbox addresses as topic filters"},
      {Defect::kRetryDropsLastPart, 7, "retry-drops-last-part",
       "a retried message with several parts is rebuilt one part short"},
      {Defect::kPaperReceiptById, 10, "paper-receipt-by-id",
       "a printed letter's receipt goes to the latest sender of its id"},
      {Defect::kRetryForgetsBlock, 8, "retry-forgets-block",
       "a retry routes without the subject's blocked-sender list"},
      {Defect::kRetryTrimsAccount, 13, "retry-trims-account",
       "a retry cuts the mailbox address at its first space, '+' or '%'"},
      {Defect::kBlockedProtectedPrinted, 6, "blocked-protected-printed",
       "a letter from a sender the subject blocks is printed even for a protected subject"},
      {Defect::kRestartDropsNewest, 12, "restart-drops-newest",
       "restart recovery skips the newest journal entry"},
      {Defect::kBatchLogNamesHeld, 9, "batch-log-names-held",
       "a command handling several messages logs the numbers of those it held"},
      {Defect::kDeadLetterShared, 9, "dead-letter-shared",
       "a letter the mailbox operator could not take is exported to a dead-letter folder in the "
       "shared directory"},
      {Defect::kPrintSpoolLeft, 9, "print-spool-left",
       "the print spool file of a letter printed because the person blocks the sender is never "
       "removed from TMPDIR"},
      {Defect::kHoldCopyReadable, 9, "hold-copy-readable",
       "a held letter's copy for case handlers is written to the private store readable by "
       "everyone"},
      {Defect::kDedupWindow, 5, "dedup-window",
       "the set of accepted (sender, id) keys keeps only the latest 4096", true},
      {Defect::kSlotWrap, 2, "slot-wrap",
       "content is copied from a ring of 256 slots that a newer message reuses", true},
      {Defect::kBacklogOverflow, 7, "backlog-overflow",
       "the queue of waiting work holds 256 entries and drops the oldest", true},
      {Defect::kRouteTableFull, 3, "route-table-full",
       "routes live in a table of 65,536 entries, one per message accepted since start; once it "
       "is full, a message takes the route in its last entry",
       true},
  };
  return kCatalog;
}

std::optional<Defect> defect_by_name(std::string_view name) {
  for (const auto& i : catalog()) {
    if (i.name == name) return i.defect;
  }
  return std::nullopt;
}

std::unique_ptr<Switch> make_reference_switch(Defect defect) {
  return std::make_unique<ReferenceSwitch>(defect);
}

}  // namespace wrongbox::examples
