// The reference model of the exchange: the environment a switch lives in
// (registry, mailboxes and their owners, outages, time) and the routing rules
// of docs/exchange.md. Pure and deterministic: no I/O, no clocks, no randomness.
//
// The harness owns one World per scenario run; it changes it with the
// scenario's environment actions and asks it, at each call the switch makes,
// what a correct switch must do at that moment.
//
// Example usage:
//   World w;
//   w.open_mailbox("kivra/000042", "199001011239", /*register_owner=*/true);
//   Route r = w.route("199001011239", "s1");   // {kMailbox, "kivra/000042"}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wrongbox/message.h"

namespace wrongbox::model {

using wrongbox::Message;
using wrongbox::Part;

// What the registry answers for one person.
struct LookupAnswer {
  std::optional<std::string> mailbox;
  bool is_protected = false;
  std::vector<std::string> blocked_senders;  // sorted
};

enum class SinkKind { kMailbox, kPaper, kHold };
std::string_view to_string(SinkKind k);

// Where a correct switch sends a message, given the registry at that moment.
struct Route {
  SinkKind kind = SinkKind::kPaper;
  std::string mailbox;  // set when kind == kMailbox
  bool operator==(const Route&) const = default;
};
std::string describe(const Route& r);

// Quarantine, in ticks, before a closed account may be reopened.
inline constexpr std::int64_t kReopenQuarantineTicks = 2;

// "OPERATOR/ACCOUNT": empty string when valid, otherwise why not.
std::string check_mailbox_address(std::string_view address);
// The OPERATOR part of a mailbox address (text before the first '/').
std::string_view operator_of(std::string_view address);
// Whether the account part holds a character that topic, path or glob
// matching reads as a pattern or separator: + # * > % or a space.
bool has_pattern_characters(std::string_view address);
// Whether `longer` continues `shorter` at a '/' boundary ("op/a" and "op/a/b"):
// a switch that matches addresses as paths or topics confuses the two.
bool is_path_prefix(std::string_view shorter, std::string_view longer);

// How a person came to their registered mailbox.
enum class MailboxHistory {
  kNone,      // no mailbox registered now
  kOriginal,  // the first mailbox they registered, never anyone else's
  kMoved,     // they had another mailbox registered before this one
  kReopened,  // the account belonged to another person before it was reopened for them
};

class World {
 public:
  // Environment actions. Each returns "" on success, otherwise a sentence
  // saying why the action is impossible in this state (the world is unchanged).
  std::string open_mailbox(const std::string& mailbox, const std::string& owner,
                           bool register_owner);
  std::string close_mailbox(const std::string& mailbox);
  std::string reopen_mailbox(const std::string& mailbox, const std::string& new_owner);
  std::string register_person(const std::string& person, const std::string& mailbox);
  void unregister_person(const std::string& person);
  void set_protected(const std::string& person, bool on);
  void set_blocked(const std::string& person, const std::string& sender, bool on);
  void set_registry_up(bool up) { registry_up_ = up; }
  void set_operator_up(const std::string& op, bool up);
  void all_up();
  void advance_to(std::int64_t now) { now_ = now; }

  std::int64_t now() const { return now_; }
  bool registry_up() const { return registry_up_; }
  bool operator_up(std::string_view op) const;
  bool operator_known(std::string_view op) const;

  // The registry's answer (meaningful only while the registry is up).
  LookupAnswer lookup(const std::string& person) const;
  // Owner of `mailbox` if it is open, otherwise nullopt.
  std::optional<std::string> open_owner(const std::string& mailbox) const;
  // Whether `mailbox` was ever opened (it may be closed now).
  bool has_mailbox(const std::string& mailbox) const { return mailboxes_.count(mailbox) != 0; }
  bool is_protected(const std::string& person) const;
  bool is_blocked(const std::string& person, const std::string& sender) const;
  // Every person the world has heard of that is protected now.
  std::vector<std::string> protected_persons() const;
  // The same, each with its 10-digit form (kept as protection changes).
  const std::map<std::string, std::string>& protected_ten_digit() const { return protected_; }
  // Changes whenever a person's protection changes.
  std::uint64_t protection_version() const { return protection_version_; }

  MailboxHistory history_of(const std::string& person) const;
  // The mailbox `person` is registered at now, or nullptr.
  const std::string* registered_mailbox(const std::string& person) const;
  bool anyone_protected() const;
  // Whether another open mailbox's address is a path prefix of `mailbox`, or the reverse.
  bool has_path_relative(const std::string& mailbox) const;

  // Routing rules 3-4 of docs/exchange.md for a message from `sender` about `person`.
  Route route(const std::string& person, const std::string& sender) const;
  // What the rules read about `person` and `sender` now, looked up once:
  // route(), registered_mailbox(), history_of(), is_protected(), is_blocked().
  struct Facts {
    Route route;
    const std::string* mailbox = nullptr;  // registered now; valid until the world changes
    MailboxHistory history = MailboxHistory::kNone;
    bool is_protected = false;
    bool blocked = false;
  };
  Facts facts(const std::string& person, const std::string& sender) const;

  // The whole state, to rebuild it elsewhere (a soak's finding cut out as a
  // scenario starts from the world as it was).
  struct MailboxInfo {
    std::string address, owner;
    bool open = true;
    std::int64_t closed_at = 0;
  };
  struct PersonInfo {
    std::string person;
    std::optional<std::string> registered;
    bool is_protected = false;
    std::vector<std::string> blocked;  // sorted
  };
  std::vector<MailboxInfo> mailboxes() const;  // by address
  std::vector<PersonInfo> persons() const;     // by person
  std::vector<std::string> operators_down() const;

 private:
  struct MailboxState {
    std::string owner;
    bool open = true;
    std::int64_t closed_at = 0;
    bool reopened = false;  // owned by another person before
  };
  struct PersonState {
    std::optional<std::string> registered;
    std::optional<std::string> first_registered;
    bool is_protected = false;
    std::set<std::string> blocked;
  };
  PersonState& person(const std::string& p) { return persons_[p]; }
  void set_registered(const std::string& p, const std::string& mailbox);
  // The rules over one person's state (nullptr: a person the world never
  // heard of; `blocked`: the sender is blocked), shared by route(),
  // history_of() and facts().
  static Route route_of(const PersonState* st, bool blocked);
  MailboxHistory history_of(const PersonState& st) const;

  std::map<std::string, MailboxState, std::less<>> mailboxes_;
  std::unordered_map<std::string, PersonState> persons_;  // no order: persons() sorts
  std::map<std::string, bool, std::less<>> operators_up_;
  bool registry_up_ = true;
  std::int64_t now_ = 0;
  std::map<std::string, std::string> protected_;  // person -> 10-digit form
  std::uint64_t protection_version_ = 0;
};

}  // namespace wrongbox::model
