// The oracle: decides, from content, whether what a switch did was allowed.
//
// It owns every message instance the runner submitted (with its canaries) and
// sees every sink event the switch causes. Safety properties (S1-S5) are
// checked at the very call where they break; C2 and C3 at the sink call too;
// C1, C4 and L1 when the scenario ends and the switch is idle. The runner
// stops a scenario at the first safety violation.
//
// The oracle reads the model (World) for ownership and routing at each call
// but never changes it. It has no I/O and links neither SQLite nor libFuzzer.
//
// Streaming (a retention bound): a message is settled once it can no longer
// change (rejected, or handled and receipted). Settled messages stay known
// (their content is still recognised and named, a second sink or receipt is
// still a violation) until `retain` newer messages have settled; then their
// content, canaries and keys are forgotten. What the oracle keeps is then
// bounded by the messages in flight plus `retain`, not by how many were sent.
// Content of a forgotten message is reported as content no message in flight
// carries (C2). Without a bound (the default) nothing is forgotten.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory_resource>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "harness/core/canary.h"
#include "harness/core/scenario.h"
#include "models/situation.h"
#include "models/world.h"
#include "wrongbox/switch.h"

namespace wrongbox {

enum class Property { S1, S2, S3, S4, S5, C1, C2, C3, C4, L1 };
inline constexpr int kPropertyCount = 10;
const char* to_string(Property p);
std::optional<Property> property_from_string(std::string_view s);
bool is_safety(Property p);
// One plain-language sentence: what the property promises.
const char* meaning(Property p);

struct Violation {
  Property property = Property::S1;
  int step = -1;  // 0-based index into the scenario's steps; -1 at the end-of-scenario checks
  int line = 0;   // source line of that step, 0 if the scenario has none
  int call = 0;   // 1-based call number within the step, 0 when not at a call
  std::string call_text;  // the call as the switch made it, e.g. "deliver kivra/000042"
  std::string summary;    // one sentence
  std::vector<std::pair<std::string, std::string>> facts;  // labelled detail lines
};

// A few readable lines: property, where, and the facts.
std::string format_violation(const Violation& v, const std::string& source = "");

class Oracle {
 public:
  static constexpr std::size_t kRetainAll = SIZE_MAX;
  // The bound of long runs (a soak, the replay of a long file).
  static constexpr std::size_t kDefaultRetain = 65536;
  // With `trace`, note() describes every call; without, only violations.
  // `retain`: how many settled messages stay known (see above).
  Oracle(const model::World& world, std::uint64_t seed, bool trace = false,
         std::size_t retain = kRetainAll);
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;

  // Builds the canary-bearing messages for `specs`, submitted at `step`.
  // The batch lives until its messages are forgotten (with no bound, as long
  // as the oracle): submit it as it is, then pass the verdicts to on_verdicts.
  const std::vector<Message>& add_batch(const std::vector<MessageSpec>& specs, int step);
  // Messages submitted so far.
  std::uint64_t message_count() const { return next_seq_; }
  // Messages not settled yet, and settled ones still known.
  std::size_t in_flight() const { return in_flight_; }
  std::size_t retained() const { return retired_.size(); }

  // Where the switch is now; used to place violations.
  void set_step(int step, int line) {
    step_ = step;
    line_ = line;
    call_ = 0;
  }
  // Room for this many messages in this many batches (a hint).
  void reserve(std::size_t messages, std::size_t batches);
  // A call begins; its text (for reports) is the concatenation of `parts`.
  template <typename... Parts>
  void begin_call(const Parts&... parts) {
    ++call_;
    call_text_.clear();
    (call_text_.append(parts), ...);
    note_.clear();
  }

  // Sink events, each after the harness accepted it.
  void on_deliver(const std::string& mailbox, const Message& sent, const std::string& owner);
  void on_print(const std::string& person, const Message& sent);
  void on_hold(const Message& sent, const std::string& reason);
  void on_receipt(const std::string& sender, const std::string& id, ReceiptStatus status);
  void on_log(const std::string& text);
  // The verdicts of the submit of the batch added last. Throws SwitchFailure
  // when they do not name the batch's messages in order.
  void on_verdicts(const std::vector<Verdict>& verdicts);
  // End of scenario: C1 and C4 (and L1 when the drain did not reach idle).
  void at_end(bool idle, int drain_ticks);
  // After at_end, for a run that goes on (a soak's segment ends): every
  // message is settled, and the (sender, id) keys accepted so far are
  // forgotten, as the switch forgets them at its reset.
  void settle_all();

  // Refusals the harness's actors answered, and restarts: what the next
  // attempt of the messages concerned is a retry after (for situations).
  // The route of a refused delivery is the mailbox it was sent to; that of a
  // refused lookup is the rules' route at that moment.
  void on_delivery_refused(const Message& sent, const std::string& mailbox,
                           model::route::Attempt why);
  void on_registry_unavailable(const std::string& person);
  void on_restart();
  // One per decision the switch met, in order (models/situation.h).
  const std::vector<model::Situation>& situations() const { return situations_; }
  std::vector<model::Situation> take_situations() { return std::move(situations_); }
  // From now on, situations are counted into `coverage` instead of kept.
  void count_situations_into(model::SituationCoverage* coverage) { coverage_ = coverage; }

  // The first kMaxViolations violations (every safety one: the run stops at
  // the first), and how many more there were.
  const std::vector<Violation>& violations() const { return violations_; }
  std::uint64_t violations_not_kept() const { return violations_not_kept_; }
  static constexpr std::size_t kMaxViolations = 1000;
  bool safety_violated() const { return safety_violated_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // What the last call looked like to the oracle (for traces).
  const std::string& note() const { return note_; }
  // The current call as the switch made it, e.g. "deliver kivra/000042".
  const std::string& call_text() const { return call_text_; }
  // How many times each property was checked.
  const std::array<std::uint64_t, kPropertyCount>& checks() const { return checks_; }

 private:
  enum class State { kSubmitted, kAccepted, kRejected };
  struct Instance {
    Message* msg = nullptr;      // in batches_; nullptr when the slot is free
    std::uint32_t seq = 0;       // instance number: the order of submission, the canary's input
    std::uint32_t batch_no = 0;  // key in batches_
    bool settled = false;        // in retired_
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
    // For situations: the facts of its submission, and what its next attempt retries after.
    std::uint8_t batch = 0;      // model::BatchPosition
    std::uint8_t neighbour = 0;  // model::Neighbour
    bool fewer_parts = false;
    bool shared_at_submit = false;
    model::route::Attempt next_attempt = model::route::kFirst;
    model::route::Attempt handled_attempt = model::route::kFirst;
    model::Route last_route;  // the route at submission, or of the latest refused attempt
    // Back to a free slot, keeping the room of its tokens.
    void recycle();
  };
  using Hit = CanaryOwner;  // instance: slot in instances_
  struct Batch {
    std::vector<Message> messages;
    std::size_t known = 0;  // its messages not forgotten yet
  };
  struct IdInfo {
    std::string first_sender;
    bool shared = false;     // another sender used it too
    std::uint32_t keys = 0;  // entries of by_key_ with this id
  };
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

  // Writes the title and parts the instance was submitted with.
  static void write_content(const Instance& in, Message& m);
  // Releases a settled message's text (not while the switch may read it).
  void make_compact(std::uint32_t slot);
  // Fills content_ from `m`.
  void analyse(const Message& m);
  void scan(std::string_view text, Content& c) const;
  std::string describe_hit(const Hit& h) const;
  std::string describe_instance(std::uint32_t i) const;
  std::string handled_where(const Instance& in) const;
  // Where a sink call sent content: "mailbox M", "paper for P", "manual hold".
  static std::string where(model::SinkKind kind, const std::string& target);
  void check_rejected(const Content& c, model::SinkKind kind, const std::string& target);
  void handle(const Content& c, const Message& sent, model::SinkKind kind,
              const std::string& target);
  void check(Property p) { ++checks_[static_cast<int>(p)]; }
  Violation& violate(Property p, std::string summary);
  void record_submit(std::uint32_t idx, bool repeated);
  // `facts`: what the rules read at this call.
  void record_route(const Instance& in, const model::World::Facts& facts);
  void record_receipt(const Instance& in);
  void record_log();
  const std::vector<std::uint8_t>& batch_neighbours(const std::vector<MessageSpec>& specs);
  const std::vector<std::uint8_t>& batch_neighbours_pairwise(const std::vector<MessageSpec>& specs);
  void record(const model::Situation& s) {
    if (coverage_) {
      coverage_->add(s);
    } else {
      situations_.push_back(s);
    }
  }
  model::route::Address address_shape(const std::string& mailbox) const;
  // A slot for a new instance, and the forgetting of settled ones.
  std::uint32_t new_slot();
  void settle(std::uint32_t slot);
  void forget(std::uint32_t slot);
  void forget_beyond_retention();
  bool settled_state(const Instance& in) const;
  bool shared_id(const std::string& id) const {
    auto it = ids_.find(id);
    return it != ids_.end() && it->second.shared;
  }
  static constexpr std::size_t kMaxWarnings = 1000;
  bool waiting(const Instance& in) const {
    return in.msg && in.handled == 0 && in.state != State::kRejected;
  }

  const model::World& world_;
  CanaryMinter minter_;
  bool trace_;
  std::size_t retain_;
  // Without a bound, the per-run maps allocate from the arena, freed at once
  // with the oracle; with one, from a pool, as entries come and go.
  std::pmr::monotonic_buffer_resource arena_;
  std::optional<std::pmr::unsynchronized_pool_resource> pool_;  // made only with a bound
  std::pmr::memory_resource* res_;
  std::unordered_map<std::uint32_t, Batch> batches_;
  std::uint32_t next_batch_ = 0;
  std::vector<std::uint32_t> last_batch_;  // slots of the batch added last
  Message own_;                            // handle()'s rewrite of a compact message's content
  std::vector<Instance> instances_;        // by slot
  std::vector<std::uint32_t> free_slots_;
  std::size_t unhandled_accepted_ = 0;    // accepted, not handled yet
  std::vector<std::uint8_t> neighbours_;  // batch_neighbours()'s answer
  // batch_neighbours' table for a large batch: (key, first chain entry) per
  // slot, and (message, next entry) per chain entry.
  static constexpr std::size_t kKeysPerMessage = 14;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> neighbour_slots_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> neighbour_chain_;
  std::vector<std::uint32_t> waiting_;
  // The same by subject, for a lookup the registry could not answer.
  std::pmr::unordered_map<std::string, std::vector<std::uint32_t>> waiting_by_subject_{
      res_};                           // slots that may be unhandled (pruned as they are read)
  std::deque<std::uint32_t> retired_;  // settled slots, oldest first
  std::uint32_t next_seq_ = 0;
  bool in_submit_ = false;  // a batch is with the switch (add_batch to on_verdicts)
  std::size_t in_flight_ = 0;
  // Every known token's value -> whose content it is.
  CanaryTable canaries_;
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
  std::pmr::unordered_map<MessageKey, std::pmr::vector<std::uint32_t>, KeyHash, KeyEq> by_key_{
      res_};
  // The keys of forgotten messages, kept until the switch's reset: the switch
  // must still know them as duplicates. 16 bytes a key (two independent 64-bit
  // hashes; a false match is about 2^-128 likely), open addressing.
  class KeySet {
   public:
    // Whether a message with this key that was accepted is among them
    // (nullopt: no message with this key).
    std::optional<bool> find(const std::string& sender, const std::string& id) const;
    void add(const std::string& sender, const std::string& id, bool accepted);
    bool empty() const { return size_ == 0; }
    void clear();

   private:
    struct Entry {
      std::uint64_t a = 0;  // 0: free
      std::uint64_t b = 0;  // its low bit: accepted
    };
    static Entry hash(const std::string& sender, const std::string& id);
    std::size_t slot_of(const Entry& e) const;
    std::vector<Entry> slots_;
    std::size_t size_ = 0;
  };
  KeySet forgotten_keys_;
  // Whether a forgotten message with this key was accepted (nullopt: none forgotten).
  std::optional<bool> forgotten_accepted(const std::string& sender, const std::string& id) const;
  Content content_;  // of the current sink call
  Content side_;     // of a hold reason, receipt or log line
  std::pmr::unordered_map<std::string, IdInfo> ids_{res_};
  // The valid subjects of the run: whether each is a coordination number.
  std::pmr::unordered_map<std::string, bool> subjects_{res_};
  std::vector<std::string> subject_list_;  // the same, in the order they came
  struct FamilyMemo {
    std::size_t checked = 0;  // subject_list_ entries compared with this protected person
    bool found = false;
  };
  std::pmr::unordered_map<std::string, FamilyMemo> family_memo_{res_};
  struct {
    std::uint64_t protection = UINT64_MAX;
    std::size_t subjects = 0;
    bool any = false;
  } family_;  // the last answer of record_log's family question
  std::vector<model::Situation> situations_;
  model::SituationCoverage* coverage_ = nullptr;
  bool restarted_ = false;  // a restart since the last submit
  std::vector<Violation> violations_;
  std::uint64_t violations_not_kept_ = 0;
  Violation not_kept_;  // what violate() fills beyond kMaxViolations
  std::vector<std::string> warnings_;
  std::array<std::uint64_t, kPropertyCount> checks_{};
  bool safety_violated_ = false;
  int step_ = -1;
  int line_ = 0;
  int call_ = 0;
  std::string call_text_;
  std::string note_;
};

}  // namespace wrongbox
