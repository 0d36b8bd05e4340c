// The ledger: every message instance a run submitted, with its canaries and
// (sender, id) keys, and what a long run forgets when. The oracle judges
// with it; the situation recorder reads it. It judges nothing itself.
//
// Streaming (a retention bound): a message is settled once it can no longer
// change (rejected, or handled and receipted). Settled messages stay known
// (their content is still recognised and named, a second sink or receipt is
// still a violation) until `retain` newer messages have settled; then their
// content, canaries and keys are forgotten. What the ledger keeps is then
// bounded by the messages in flight plus `retain`, not by how many were sent.
// Without a bound (kRetainAll) nothing is forgotten.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "harness/core/canary.h"
#include "harness/core/mix.h"
#include "harness/core/scenario.h"
#include "models/situation.h"
#include "models/world.h"
#include "wrongbox/message.h"

namespace wrongbox {

class Ledger {
 public:
  static constexpr std::size_t kRetainAll = SIZE_MAX;

  enum class State { kSubmitted, kAccepted, kRejected };
  // One submitted message, by slot. A slot is reused once its message is forgotten.
  struct Instance {
    Message* msg = nullptr;      // in its batch; nullptr when the slot is free
    std::uint32_t seq = 0;       // instance number: the order of submission, the canary's input
    std::uint32_t batch_no = 0;  // its batch
    bool settled = false;        // in the retirement queue
    // Once settled, its message keeps only sender, id and subject (compact);
    // the tokens are what its text follows from (write_content).
    bool compact = false;
    std::vector<std::uint64_t> tokens;  // canary values: the title's, then each part's
    int step = 0;
    bool valid_subject = false;
    bool coordination = false;  // the subject is a coordination number
    State state = State::kSubmitted;
    int handled = 0;
    model::SinkKind handled_kind = model::SinkKind::kPaper;
    std::string handled_target;  // mailbox or person of the first sink
    int handled_step = 0;
    int receipts = 0;
    // Written by the situation recorder: the facts of its submission, and
    // what its next attempt retries after.
    std::uint8_t batch = 0;      // model::BatchPosition
    std::uint8_t neighbour = 0;  // model::Neighbour
    bool fewer_parts = false;
    bool shared_at_submit = false;  // another sender had used its id (the ledger writes this)
    model::route::Attempt next_attempt = model::route::kFirst;
    model::route::Attempt handled_attempt = model::route::kFirst;
    model::Route last_route;  // the route at submission, or of the latest refused attempt
    // Waiting for a sink: accepted or not answered yet, and not handled.
    bool waiting() const { return msg && handled == 0 && state != State::kRejected; }
    // Can no longer change: rejected, or handled and receipted.
    bool settled_state() const {
      return state == State::kRejected ||
             (state == State::kAccepted && handled > 0 && receipts > 0);
    }
    // Back to a free slot, keeping the room of its tokens.
    void recycle();
  };
  using Hit = CanaryOwner;  // instance: slot
  // The canaries found in one piece of content.
  struct Content {
    std::vector<Hit> hits;                 // every known token, in order of appearance
    int unknown = 0;                       // tokens no message of this run carries
    std::optional<std::uint32_t> primary;  // owner of the title's token, else of the first
    void clear() {
      hits.clear();
      unknown = 0;
      primary.reset();
    }
  };
  using MessageKey = std::pair<std::string, std::string>;  // (sender, id)
  using KeyView = std::pair<std::string_view, std::string_view>;
  // Looked up by KeyView without building a key's strings.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(const KeyView& k) const {
      return std::hash<std::string_view>{}(k.first) * 31 + std::hash<std::string_view>{}(k.second);
    }
    std::size_t operator()(const MessageKey& k) const { return (*this)(KeyView(k)); }
  };
  struct KeyEq {
    using is_transparent = void;
    bool operator()(const KeyView& a, const KeyView& b) const { return a == b; }
  };
  using KeyMap =
      std::pmr::unordered_map<MessageKey, std::pmr::vector<std::uint32_t>, KeyHash, KeyEq>;

  Ledger(std::uint64_t seed, std::size_t retain);
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  bool bounded() const { return retain_ != kRetainAll; }
  std::size_t retain() const { return retain_; }

  // Builds the canary-bearing messages for `specs`, submitted at `step`.
  // The batch lives until its messages are forgotten (with no bound, as long
  // as the ledger): it is with the switch until end_submit().
  std::vector<Message>& add_batch(const std::vector<MessageSpec>& specs, int step);
  // The slots of the batch added last, in order.
  const std::vector<std::uint32_t>& last_batch() const { return last_batch_; }
  // The batch's verdicts are in: what of it settled meanwhile is compacted,
  // and what is beyond the retention bound forgotten.
  void end_submit();
  // Room for this many messages in this many batches (a hint).
  void reserve(std::size_t messages, std::size_t batches);

  Instance& at(std::uint32_t slot) { return instances_[slot]; }
  const Instance& at(std::uint32_t slot) const { return instances_[slot]; }
  std::uint32_t slots() const { return static_cast<std::uint32_t>(instances_.size()); }
  // The title and parts the instance was submitted with (written again when compact).
  const Message& content_of(std::uint32_t slot);

  // The canaries in `m` (title, part names and data, sender, id, subject), or in `text`.
  void analyse(const Message& m, Content& c) const;
  void scan(std::string_view text, Content& c) const;

  // The instances with this (sender, id) still known, or nullptr.
  const std::pmr::vector<std::uint32_t>* with_key(std::string_view sender,
                                                  std::string_view id) const;
  const KeyMap& keys() const { return by_key_; }
  // Whether a forgotten message with this key was accepted.
  bool forgotten_accepted(const std::string& sender, const std::string& id) const;
  // What the keys of forgotten accepted messages take: runs of consecutive
  // numeric ids, and entries of the table (for tests and benchmarks).
  std::size_t forgotten_runs() const { return forgotten_keys_.runs(); }
  std::size_t forgotten_in_table() const { return forgotten_keys_.in_table(); }
  // Another sender used this id too.
  bool shared_id(const std::string& id) const {
    auto it = ids_.find(id);
    return it != ids_.end() && it->second.shared;
  }

  // State changes the oracle decides.
  void accept(std::uint32_t slot) {
    Instance& in = instances_[slot];
    in.state = State::kAccepted;
    unhandled_accepted_ += in.handled == 0;
  }
  void reject(std::uint32_t slot) { instances_[slot].state = State::kRejected; }
  // The first sink of a message.
  void handled_first(Instance& in) { unhandled_accepted_ -= in.state == State::kAccepted; }
  // Settles the message if it can no longer change.
  void settle_if_done(std::uint32_t slot) {
    if (instances_[slot].settled_state()) settle(slot);
  }

  // Accepted messages not handled yet.
  std::size_t unhandled_accepted() const { return unhandled_accepted_; }
  // Messages that may be waiting (pruned of those that are not).
  std::vector<std::uint32_t>& waiting();
  // The same for one subject, or nullptr.
  std::vector<std::uint32_t>* waiting_about(const std::string& person);
  // The valid subjects of the run, in the order they came.
  const std::vector<std::string>& subjects() const { return subject_list_; }

  std::uint64_t message_count() const { return next_seq_; }
  std::size_t in_flight() const { return in_flight_; }
  std::size_t retained() const { return retired_.size(); }

 private:
  struct Batch {
    std::vector<Message> messages;
    std::size_t known = 0;  // its messages not forgotten yet
  };
  struct IdInfo {
    std::string first_sender;
    bool shared = false;     // another sender used it too
    std::uint32_t keys = 0;  // entries of by_key_ with this id
  };
  // The keys of forgotten accepted messages, kept until the switch's reset:
  // the switch must still know them as duplicates. An id that is a whole
  // number (decimal, no leading zero) next to another of its sender's is kept
  // in that sender's runs of consecutive ids, so a sender numbering its
  // messages 1, 2, 3, ... costs a few runs however long the run is (a
  // rejected id splits a run). Other ids, and numbers with no neighbour,
  // take 16 bytes each in a table (two independent 64-bit hashes; a false
  // match is about 2^-128 likely), open addressing, at most half full.
  class KeySet {
   public:
    bool contains(const std::string& sender, const std::string& id) const;
    void add(const std::string& sender, const std::string& id);
    bool empty() const { return size_ == 0 && runs_.empty(); }
    void clear();
    std::size_t runs() const;
    std::size_t in_table() const { return size_; }

   private:
    struct Entry {
      std::uint64_t a = 0;  // 0: free
      std::uint64_t b = 0;
    };
    static Entry hash(const std::string& sender, const std::string& id);
    std::size_t slot_of(const Entry& e) const;
    bool in_table(const std::string& sender, const std::string& id) const;
    void add_to_table(const std::string& sender, const std::string& id);
    // Per sender: first id of a run -> its last, and the largest number
    // added (a new message's id is usually beyond it: no lookup needed).
    struct Numbers {
      std::map<std::uint64_t, std::uint64_t> runs;
      std::uint64_t max = 0;
    };
    std::unordered_map<std::string, Numbers> runs_;
    std::vector<Entry> slots_;
    std::size_t size_ = 0;
  };

  // Writes the title and parts the instance was submitted with.
  static void write_content(const Instance& in, Message& m);
  // Releases a settled message's text (not while the switch may read it).
  void make_compact(std::uint32_t slot);
  std::uint32_t new_slot();
  void settle(std::uint32_t slot);
  void forget(std::uint32_t slot);
  void forget_beyond_retention();

  CanaryMinter minter_;
  std::size_t retain_;
  // Without a bound, the per-run maps allocate from the arena, freed at once
  // with the ledger; with one, from a pool, as entries come and go.
  std::pmr::monotonic_buffer_resource arena_;
  std::optional<std::pmr::unsynchronized_pool_resource> pool_;  // made only with a bound
  std::pmr::memory_resource* res_;
  std::unordered_map<std::uint32_t, Batch> batches_;
  std::uint32_t next_batch_ = 0;
  std::vector<std::uint32_t> last_batch_;  // slots of the batch added last
  Message own_;                            // content_of()'s rewrite of a compact message
  std::vector<Instance> instances_;        // by slot
  std::vector<std::uint32_t> free_slots_;
  std::size_t unhandled_accepted_ = 0;  // accepted, not handled yet
  std::vector<std::uint32_t> waiting_;
  // The same by subject, for a lookup the registry could not answer.
  struct Waiting {
    std::vector<std::uint32_t> slots;  // that may be unhandled (pruned as they are read)
    std::size_t prune_at = 8;          // add_batch prunes when it has this many
  };
  std::pmr::unordered_map<std::string, Waiting> waiting_by_subject_{res_};
  std::deque<std::uint32_t> retired_;  // settled slots, oldest first
  std::uint32_t next_seq_ = 0;
  bool in_submit_ = false;  // a batch is with the switch (add_batch to end_submit)
  std::size_t in_flight_ = 0;
  // Every known token's value -> whose content it is.
  CanaryTable canaries_;
  KeyMap by_key_{res_};
  KeySet forgotten_keys_;
  std::pmr::unordered_map<std::string, IdInfo> ids_{res_};
  // The valid subjects of the run: whether each is a coordination number.
  std::pmr::unordered_map<std::string, bool> subjects_{res_};
  std::vector<std::string> subject_list_;  // the same, in the order they came
};

}  // namespace wrongbox
