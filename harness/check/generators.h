// Scenario generators for the property-based search (RapidCheck).
//
// RapidCheck generates a Plan: pools of persons and mailboxes, a swarm
// feature mask and a list of abstract actions whose arguments are indices
// into the pools. interpret() turns any Plan into a *valid* scenario, dropping
// actions the current state makes impossible, so that shrinking (which
// deletes and simplifies actions freely) always yields a playable scenario.
//
// Pools aim at how misdelivery really happens: persons come in collision
// families (same 10 digits in two centuries, personnummer vs
// samordningsnummer, leading-zero years, one-digit neighbours); accounts are
// prefixes of each other, wildcards, case variants and spaces.
//
// Example usage:
//   GenConfig cfg;                                   // tune weights here
//   rc::Gen<Plan> g = gen_plan(cfg);
//   Scenario s = interpret(plan, cfg);
#pragma once

#include <rapidcheck.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/scenario.h"

namespace wrongbox::check {

enum class ActionKind {
  kOpen,        // open a fresh mailbox for a person (a move, when they had one)
  kClose,       // close a mailbox
  kCloseRace,   // close a mailbox at the next delivery to it
  kReopen,      // reopen a closed mailbox for another person (ticks past quarantine first)
  kUnregister,  // a person gives up their digital mailbox
  kProtect,     // toggle protected identity
  kBlock,       // toggle a sender block
  kRegistry,    // toggle a registry outage
  kOperator,    // toggle an operator outage
  kSubmit,      // a batch of messages
  kTick,        // 1-3 ticks
  kRestart,     // restart the switch
};
inline constexpr int kActionKinds = 12;
const char* to_string(ActionKind k);

// Features a scenario may have; swarm testing switches some off per scenario.
enum Feature : std::uint32_t {
  kFeatMoves = 1u << 0,
  kFeatClose = 1u << 1,
  kFeatReopen = 1u << 2,
  kFeatProtected = 1u << 3,
  kFeatBlocked = 1u << 4,
  kFeatOutages = 1u << 5,
  kFeatRestart = 1u << 6,
  kFeatSharedIds = 1u << 7,    // ids drawn from a tiny pool: same id, two senders
  kFeatInvalid = 1u << 8,      // invalid subject numbers and empty messages
  kFeatRaces = 1u << 9,        // close between lookup and delivery
  kFeatBigBatches = 1u << 10,  // batches up to GenConfig::max_batch
};

struct GenConfig {
  // Relative weight of each action kind (index = ActionKind); 0 disables it.
  std::array<int, kActionKinds> weights = {3, 2, 1, 3, 1, 2, 2, 1, 2, 8, 4, 1};
  int max_steps = 12;  // actions per scenario, before interpretation
  int max_batch = 12;  // messages per submit when kFeatBigBatches is on (else 3)
  int max_parts = 4;
  bool swarm = true;  // off: every feature is on in every scenario
};

// Parses "submit=5,reopen=0" into cfg.weights; returns "" or the problem.
std::string apply_weights(GenConfig& cfg, const std::string& spec);

struct MsgAction {
  int sender = 0;
  int id_hint = 0;
  int subject = 0;
  int parts = 1;
  bool invalid = false;
};

struct Action {
  ActionKind kind = ActionKind::kTick;
  int a = 0;  // person, mailbox or operator index (meaning by kind)
  int b = 0;  // second index (person for reopen, sender for block), tick count
  std::vector<MsgAction> msgs;
};

struct Plan {
  std::vector<std::string> persons;        // valid 12-digit numbers
  std::vector<std::string> mailboxes;      // valid addresses, distinct
  std::vector<std::pair<int, int>> setup;  // (mailbox, person) opened before the actions
  std::uint32_t features = ~0u;
  std::vector<Action> actions;
};

// Plans are printed by RapidCheck when a property fails.
void showValue(const Plan& p, std::ostream& os);

rc::Gen<std::vector<std::string>> gen_person_pool();
rc::Gen<std::vector<std::string>> gen_mailbox_pool();
rc::Gen<Plan> gen_plan(const GenConfig& cfg);

// Turns a plan into a valid scenario (validate_scenario() == "" and playable).
Scenario interpret(const Plan& plan, const GenConfig& cfg);

// What a scenario exercises, for the search's statistics.
struct Coverage {
  bool collision = false;  // two subjects of one scenario share 10 digits, a date+serial or
                           // differ in one digit
  bool move = false;       // a person's registered mailbox changes
  bool reopen = false;
  bool close = false;
  bool outage = false;
  bool protected_person = false;
  bool blocked = false;
  bool batch = false;         // a submit of more than one message
  bool duplicate_id = false;  // one id from two senders
  bool restart = false;
  bool race = false;
  bool invalid = false;         // invalid subject or message without parts
  bool tricky_address = false;  // an account that is a prefix of another, or holds + # * > % space
};
Coverage coverage_of(const Scenario& s);

}  // namespace wrongbox::check
