// The harness's actors: the registry, the mailbox operators, the print
// service, the manual-hold queue, the senders' receipt desk and the staff
// log (docs/exchange.md, "Actors"). They answer the switch's calls from the
// model (World), change it where the scenario armed a race (a mailbox that
// closes between lookup and delivery), and hand every sink event to the
// oracle. One Actors serves one scenario run (runner.cc).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "harness/core/oracle/oracle.h"
#include "models/world.h"
#include "wrongbox/switch.h"

namespace wrongbox {

struct RunResult;

class Actors final : public Calls {
 public:
  // With `trace`, every call and its answer is appended to result.trace.
  Actors(model::World& world, Oracle& oracle, RunResult& result, bool trace)
      : world_(world), oracle_(oracle), result_(result), trace_(trace) {}

  // Mailboxes that close at their next delivery (armed races).
  std::set<std::string> close_at_delivery;

  // Network mode (net/net_switch.h): operators know accounts by person.
  // The mailbox `person` holds at operator `op` now (the registered one
  // first, else any open one they own there), or nullopt.
  std::optional<std::string> account_at(const std::string& person, std::string_view op) const;

  // Registry.
  LookupReply lookup(const std::string& person) override;
  // Mailbox operators.
  DeliverReply deliver(const std::string& mailbox, const Message& m) override;
  // Print service.
  void print(const std::string& person, const Message& m) override;
  // Manual-handling queue.
  void hold(const Message& m, const std::string& reason) override;
  // The senders.
  void receipt(const std::string& sender, const std::string& id, ReceiptStatus status) override;
  // The staff log.
  void log(const std::string& text) override;

 private:
  template <typename... Parts>
  void begin(const Parts&... parts);
  // The answer is only described when tracing: `answer` makes the text.
  template <typename F>
  void end(F&& answer);
  void end_text(const std::string& answer);

  model::World& world_;
  Oracle& oracle_;
  RunResult& result_;
  bool trace_;
};

}  // namespace wrongbox
