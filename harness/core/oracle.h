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
#pragma once

#include <array>
#include <cstdint>
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
  // With `trace`, note() describes every call; without, only violations.
  Oracle(const model::World& world, std::uint64_t seed, bool trace = false);
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;

  // Builds the canary-bearing messages for `specs`, submitted at `step`, as
  // instances [message_count() before the call, message_count() after). The
  // batch lives as long as the oracle: submit it as it is.
  const std::vector<Message>& add_batch(const std::vector<MessageSpec>& specs, int step);
  const Message& message(std::uint32_t instance) const { return *instances_[instance].msg; }
  std::size_t message_count() const { return instances_.size(); }

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
  // The verdicts of a submit whose messages are instances [first, first + n).
  // Throws SwitchFailure when they do not name the batch's messages in order.
  void on_verdicts(std::uint32_t first, std::size_t n, const std::vector<Verdict>& verdicts);
  // End of scenario: C1 and C4 (and L1 when the drain did not reach idle).
  void at_end(bool idle, int drain_ticks);

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

  const std::vector<Violation>& violations() const { return violations_; }
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
    const Message* msg = nullptr;  // in batches_
    int step = 0;
    bool valid_subject = false;
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
  };
  struct Hit {
    std::uint32_t instance;
    int part;
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
  void record_route(const Instance& in);
  void record_receipt(const Instance& in);
  void record_log();
  model::route::Address address_shape(const std::string& mailbox) const;

  const model::World& world_;
  CanaryMinter minter_;
  bool trace_;
  // The per-run maps allocate from here, freed at once with the oracle.
  std::pmr::monotonic_buffer_resource arena_;
  std::vector<std::vector<Message>> batches_;
  std::vector<Instance> instances_;
  std::pmr::unordered_map<std::uint64_t, Hit> canaries_{&arena_};
  std::pmr::map<std::pair<std::string, std::string>, std::pmr::vector<std::uint32_t>> by_key_{
      &arena_};
  Content content_;  // of the current sink call
  Content side_;     // of a hold reason, receipt or log line
  std::pmr::unordered_map<std::string, std::string> first_sender_of_id_{&arena_};
  std::pmr::unordered_map<std::string, bool> id_shared_{&arena_};
  std::pmr::set<std::string> subjects_{&arena_};  // valid subjects of the run
  std::vector<model::Situation> situations_;
  bool restarted_ = false;  // a restart since the last submit
  std::vector<Violation> violations_;
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
