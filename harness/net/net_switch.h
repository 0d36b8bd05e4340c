// NetSwitch: a switch tested as it is deployed (`--sut net:FILE`,
// docs/network.md). The switch runs unmodified in a process of its own and
// talks HTTP: Wrongbox submits through the switch's own intake API, as the
// net: file describes it, and plays every actor around it on loopback: the
// registry (FaR isReachable v3, SOAP), one deliverSecure v3 endpoint per
// mailbox operator, and small JSON endpoints for print, hold, receipt and
// the protected-identity register. Its standard output, standard error and
// log directory are the staff log.
//
// Each request a fake receives while a command (submit, tick) runs becomes
// the matching call of that command, so the oracle judges it at the exact
// request; a request outside a command is answered 503 and fails the run
// (a switch's work belongs to the intake or tick that caused it). A request
// that breaks the contract (not XML, an element in the wrong namespace, a
// required element missing) is answered with a SOAP fault and fails the
// command as a switch failure naming the element.
//
// Example usage:
//   NetSwitch sw(load_net_spec("examples/network/mailswitch.net.toml"), {});
//   HelloInfo h = sw.hello();  // starts the switch and waits until it is ready
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/net/net_spec.h"
#include "wrongbox/switch.h"

namespace wrongbox::net {

struct NetOptions {
  std::string log_path;  // the switch's output; "" = wrongbox-logs/net-switch-<pid>.log
  // The fakes speak HTTPS with a CA made for the run and demand a client
  // certificate of it ({tls_ca}, {tls_cert}, {tls_key} for the switch).
  bool tls = false;
  // Each deliverSecure's SignedDelivery must carry an XML signature that
  // verifies with spec.signing_certificate (docs/network.md).
  bool verify_signatures = false;
};

class NetSwitch final : public Switch {
 public:
  NetSwitch(NetSpec spec, NetOptions options);
  ~NetSwitch() override;
  NetSwitch(const NetSwitch&) = delete;
  NetSwitch& operator=(const NetSwitch&) = delete;

  void use_places(const Places& p) override;
  HelloInfo hello() override;
  void reset(const std::vector<std::string>& senders) override;
  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) override;
  bool tick(std::int64_t now, Calls& calls) override;
  void restart() override;

  const std::string& log_path() const;
  // The fakes' base URL (http://127.0.0.1:PORT).
  std::string base_url() const;
  // How often the fakes used each freedom of the contract since the switch
  // was made (answers reordered, outages by form, Delivered=false, ...): the
  // coverage of the wire, in a fixed order.
  std::vector<std::pair<std::string, std::int64_t>> freedoms() const;
  // A bit per freedom (in freedoms()'s order) used since the last call: what
  // one scenario used, for the search's steering.
  std::uint32_t take_used();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wrongbox::net
