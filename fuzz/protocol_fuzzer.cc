// protocol_fuzzer: protocol v1 JSON-lines decoding never crashes. The input
// is a stream of lines fed to the switch side (serve_protocol) as the
// harness's commands and answers, and each line to every decoder.
#include <sstream>

#include "examples/reference_switch.h"
#include "harness/protocol.h"
#include "harness/protocol_server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wrongbox;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream lines(input);
  for (std::string l; std::getline(lines, l);) {
    const auto j = protocol::Json::parse(l, nullptr, false);
    if (j.is_discarded()) continue;
    std::string error;
    Message m;
    LookupReply lr;
    DeliverReply dr{};
    Verdict v;
    ReceiptStatus rs{};
    protocol::decode(j, m, error);
    protocol::decode(j, lr, error);
    protocol::decode(j, dr, error);
    protocol::decode(j, v, error);
    protocol::decode(j, rs, error);
    (void)protocol::line(j);
  }
  auto sw = examples::make_reference_switch();
  std::istringstream in(input);
  std::ostringstream out;
  serve_protocol(*sw, in, out);
  return 0;
}
