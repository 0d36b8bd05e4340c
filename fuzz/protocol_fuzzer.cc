// protocol_fuzzer: protocol v1 JSON-lines decoding never crashes. The input
// is a stream of lines fed to the switch side (serve_protocol) as the
// harness's commands and answers, and each line to every decoder; a message
// that decodes must come back the same after encode, parse and decode.
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "examples/reference_switch.h"
#include "harness/protocol/protocol.h"
#include "wrongbox/protocol_server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wrongbox;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream lines(input);
  protocol::Parser parser;
  for (std::string l; std::getline(lines, l);) {
    protocol::Value j;
    std::string error;
    if (!parser.parse(l, j, error)) continue;
    Message m;
    LookupReply lr;
    DeliverReply dr{};
    Verdict v;
    ReceiptStatus rs{};
    if (protocol::decode(j, m, error)) {
      // What the harness reads back from what it wrote is the same message.
      Message again;
      protocol::Value k;
      protocol::Writer w;
      protocol::encode(w, m);
      const std::string written = w.line();
      if (!parser.parse(written, k, error) || !protocol::decode(k, again, error) || again != m) {
        std::fprintf(stderr, "message did not survive encode/parse/decode: %s", written.c_str());
        std::abort();
      }
    }
    protocol::decode(j, lr, error);
    protocol::decode(j, dr, error);
    protocol::decode(j, v, error);
    protocol::decode(j, rs, error);
    (void)protocol::to_json(j);
  }
  auto sw = examples::make_reference_switch();
  std::istringstream in(input);
  std::ostringstream out;
  serve_protocol(*sw, in, out);
  return 0;
}
