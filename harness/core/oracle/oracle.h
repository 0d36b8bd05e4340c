// The oracle: decides, from content, whether what a switch did was allowed.
//
// It sees every sink event the switch causes and judges it: safety
// properties (S1-S5) at the very call where they break; C2 and C3 at the
// sink call too; C1, C4 and L1 when the scenario ends and the switch is
// idle. The runner stops a scenario at the first safety violation.
//
// It is the judge only. The messages it judges by, with their canaries and
// keys and what a long run forgets, are the ledger's (ledger.h); the
// situations coverage counts are the recorder's (situations.h), fed by the
// same events; the property list and how a violation is told are in
// property.h. It reads the model (World) for ownership and routing at each
// call but never changes it. It has no I/O and links neither SQLite nor
// libFuzzer.
//
// Where a rule is judged: S1 on_deliver; S2 on_print; S3 on_hold (the
// reason), on_log and on_file (the log directory); S4 on_receipt; S5 check_rejected (every sink)
// and on_verdicts; S6 on_file; C1 handle (a second sink), on_verdicts (a key accepted twice) and
// at_end; C2 and C3 handle; C4 on_receipt and at_end; L1 at_end.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/oracle/ledger.h"
#include "harness/core/oracle/place.h"
#include "harness/core/oracle/property.h"
#include "harness/core/oracle/situations.h"
#include "harness/core/scenario.h"
#include "models/situation.h"
#include "models/world.h"
#include "wrongbox/switch.h"

namespace wrongbox {

class Oracle {
 public:
  static constexpr std::size_t kRetainAll = Ledger::kRetainAll;
  // The bound of long runs (a soak, the replay of a long file).
  static constexpr std::size_t kDefaultRetain = 65536;
  // With `trace`, note() describes every call; without, only violations.
  // `retain`: how many settled messages stay known (ledger.h). Content of a
  // forgotten message is reported as content no message in flight carries (C2).
  Oracle(const model::World& world, std::uint64_t seed, bool trace = false,
         std::size_t retain = kRetainAll);
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;

  // Builds the canary-bearing messages for `specs`, submitted at `step`.
  // The batch lives until its messages are forgotten (with no bound, as long
  // as the oracle): submit it as it is, then pass the verdicts to on_verdicts.
  const std::vector<Message>& add_batch(const std::vector<MessageSpec>& specs, int step);
  // Messages submitted so far.
  std::uint64_t message_count() const { return ledger_.message_count(); }
  // Messages not settled yet, and settled ones still known.
  std::size_t in_flight() const { return ledger_.in_flight(); }
  std::size_t retained() const { return ledger_.retained(); }

  // Where the switch is now; used to place violations.
  void set_step(int step, int line) {
    step_ = step;
    line_ = line;
    call_ = 0;
  }
  // Room for this many messages in this many batches (a hint).
  void reserve(std::size_t messages, std::size_t batches) { ledger_.reserve(messages, batches); }
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
  // A file at rest in one of the switch's places after a command: S6 (S3 for
  // a file in the log directory). `shown` names it in reports; `mode` is its
  // permission bits. Content is recognised in every encoding of
  // encodings.h. A file in the private store is judged only when others
  // can read it.
  void on_file(Place place, const std::string& shown, std::string_view content, unsigned mode);
  // The verdicts of the submit of the batch added last. Throws SwitchFailure
  // when they do not name the batch's messages in order.
  void on_verdicts(const std::vector<Verdict>& verdicts);
  // End of scenario: C1 and C4 (and L1 when the drain did not reach idle).
  void at_end(bool idle, int drain_ticks);
  // What the oracle knows of the messages (for tests and benchmarks).
  const Ledger& ledger() const { return ledger_; }

  // Refusals the harness's actors answered, and restarts (for situations).
  void on_delivery_refused(const Message& sent, const std::string& mailbox,
                           model::route::Attempt why) {
    situations_.on_delivery_refused(sent, mailbox, why);
  }
  void on_registry_unavailable(const std::string& person) {
    situations_.on_registry_unavailable(person);
  }
  void on_restart() { situations_.on_restart(); }
  // One per decision the switch met, in order (models/situation.h).
  const std::vector<model::Situation>& situations() const { return situations_.situations(); }
  std::vector<model::Situation> take_situations() { return situations_.take(); }
  // From now on, situations are counted into `coverage` instead of kept.
  void count_situations_into(model::SituationCoverage* coverage) {
    situations_.count_into(coverage);
  }

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
  using Instance = Ledger::Instance;
  using State = Ledger::State;
  using Hit = Ledger::Hit;
  using Content = Ledger::Content;

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
  static constexpr std::size_t kMaxWarnings = 1000;

  const model::World& world_;
  bool trace_;
  Ledger ledger_;
  SituationRecorder situations_;
  Content content_;  // of the current sink call
  Content side_;     // of a hold reason, receipt or log line
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
