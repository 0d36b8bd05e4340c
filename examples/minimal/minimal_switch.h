// A minimal correct switch: the rules of docs/exchange.md and nothing else.
// The starting point of docs/vendor-quickstart.md; the tuned reference switch
// with its defect catalog is examples/reference_switch.h.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "wrongbox/switch.h"

namespace minimal {

class MinimalSwitch : public wrongbox::Switch {
 public:
  wrongbox::HelloInfo hello() override;
  void reset(const std::vector<std::string>& senders) override;
  std::vector<wrongbox::Verdict> submit(const std::vector<wrongbox::Message>& batch,
                                        wrongbox::Calls& calls) override;
  bool tick(std::int64_t now, wrongbox::Calls& calls) override;
  // Everything this switch keeps is durable (it lives in memory only to keep
  // the example short), so a restart loses nothing.
  void restart() override {}

 private:
  // Tries to hand `m` on; false when it must wait for a later command.
  bool route(const wrongbox::Message& m, wrongbox::Calls& calls);
  void route_pending(wrongbox::Calls& calls);

  std::set<std::pair<std::string, std::string>> accepted_;  // (sender, id), ever
  std::vector<wrongbox::Message> pending_;                  // accepted, not yet handled
};

// 12 digits, a real date (or day + 60), the Luhn digit over the last 10.
bool valid_subject(const std::string& s);

}  // namespace minimal
