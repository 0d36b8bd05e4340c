// wrongbox::Switch: the in-process interface a switch under test implements.
//
// It mirrors protocol v1 (docs/protocol-v1.md) one to one: each virtual
// of Switch is a command the harness sends; each virtual of Calls is a call
// the switch may make back while it handles that command, answered by the
// harness (which plays registry, mailbox operators, print service, manual
// hold queue, senders' receipt inboxes and the staff log). The subprocess
// adapter and the C ABI plugin are thin translations of this header.
//
// Contract for an implementation of Switch:
//   - hello()   : name, version and capabilities ("restart" if restart() works).
//   - reset()   : forget everything; a new scenario begins with these senders.
//   - submit()  : returns exactly one Verdict per message, in order, naming the
//                 message's (sender, id). May call `calls` any number of times.
//   - tick()    : one unit of time passed (`now` is its number); do pending
//                 work; return true when nothing is left to do (idle).
//   - restart() : drop all volatile state as after a crash; accepted, unhandled
//                 messages and the set of accepted (sender, id) must survive.
//   - use_places(): where the switch may write files (property S6); called
//                 once, before hello(), when the harness watches them. Keep
//                 content only in the private store, in files only the owner
//                 can read; a temporary file may hold content only while a
//                 command runs. The default ignores the places.
//   - Calls may be used only during the command that received them, and the
//     batch given to submit() only during that call: keep copies of what you keep.
//   - Throwing SwitchFailure (or any std::exception) reports the switch as
//     failed (exit code 3), never as a property violation.
//
// Example usage (a switch that prints everything, correct only without mailboxes):
//   class PaperOnly : public wrongbox::Switch { ... submit: calls.print(m.subject, m); ... };
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "wrongbox/message.h"

namespace wrongbox {

// Answer to `lookup`. `unavailable` means the registry is down; the other
// fields are then meaningless.
struct LookupReply {
  bool unavailable = false;
  std::optional<std::string> mailbox;
  bool is_protected = false;
  std::vector<std::string> blocked_senders;
};

enum class DeliverReply { kOk, kUnavailable, kNoSuchMailbox };
enum class ReceiptStatus { kDelivered, kPrinted, kHeld };
const char* to_string(DeliverReply r);
const char* to_string(ReceiptStatus s);

struct Verdict {
  std::string sender;
  std::string id;
  bool accepted = false;
  std::string reason;  // free text, usually set when rejected
};

struct HelloInfo {
  std::string name;
  std::string version;
  std::vector<std::string> capabilities;
  bool has(const std::string& cap) const;
};

// One `deliver` call of a run of them (see Calls::deliver_each).
struct Delivery {
  const std::string* mailbox = nullptr;
  const Message* message = nullptr;
};

// The harness side of a command: the calls of protocol v1.
//
// lookup_each and deliver_each make the same calls as a loop over lookup and
// deliver, in the same order, with the same answers. They exist for a switch
// that has several calls ready before it needs any answer: over protocol v1,
// serve_protocol then sends them all before reading the answers (one round
// trip instead of one per call). print, hold, receipt and log return nothing,
// so serve_protocol never waits for their answers either.
class Calls {
 public:
  virtual ~Calls() = default;
  virtual LookupReply lookup(const std::string& person) = 0;
  virtual DeliverReply deliver(const std::string& mailbox, const Message& message) = 0;
  virtual std::vector<LookupReply> lookup_each(const std::vector<std::string>& persons);
  virtual std::vector<DeliverReply> deliver_each(const std::vector<Delivery>& deliveries);
  virtual void print(const std::string& person, const Message& message) = 0;
  virtual void hold(const Message& message, const std::string& reason) = 0;
  virtual void receipt(const std::string& sender, const std::string& id, ReceiptStatus status) = 0;
  virtual void log(const std::string& text) = 0;
};

// The directories a switch may write files in (property S6,
// docs/exchange.md). Over protocol v1 they are the environment variables
// WRONGBOX_PRIVATE_DIR, WRONGBOX_SHARED_DIR, WRONGBOX_LOG_DIR, TMPDIR and
// HOME; a plugin reads the first three from its environment.
struct Places {
  std::string private_dir;  // the switch's private store (mode 0700): journals, queues
  std::string shared_dir;   // every staff member can read it: nothing personal rests here
  std::string log_dir;      // log files: part of the staff log
  std::string tmp_dir;      // temporary files: content only while a command runs
  std::string home_dir;     // its home directory: nothing personal rests here
};

// The system under test: the commands of protocol v1.
class Switch {
 public:
  virtual ~Switch() = default;
  virtual void use_places(const Places&) {}
  virtual HelloInfo hello() = 0;
  virtual void reset(const std::vector<std::string>& senders) = 0;
  virtual std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) = 0;
  virtual bool tick(std::int64_t now, Calls& calls) = 0;
  virtual void restart() = 0;
};

// A switch that crashed, hung or broke the protocol. Distinct from a property
// violation: the harness reports it with exit code 3. The kind tells
// failures apart when a counterexample is shrunk: a scenario that makes the
// switch hang is never shrunk into one that makes it print garbage.
class SwitchFailure : public std::runtime_error {
 public:
  enum class Kind {
    kThrew,        // an in-process switch threw (or any cause not listed)
    kProtocol,     // a line or result that breaks protocol v1
    kExited,       // the process exited while a command ran
    kSignal,       // the process was killed by a signal
    kTimeout,      // no result (or no input read) within the timeout
    kClosedInput,  // the process closed its standard input
  };
  explicit SwitchFailure(const std::string& what, Kind kind = Kind::kThrew)
      : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace wrongbox
