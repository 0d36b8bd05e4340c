// The minimal switch as a protocol v1 program: `--sut exec:PATH/wrongbox-minimal-switch`.
// `--bug batch-offset` plants a defect (each message of a batch after the
// first is delivered to the previous message's mailbox), for trying a red CI job.
#include <iostream>
#include <optional>
#include <string>

#include "minimal_switch.h"
#include "wrongbox/protocol_server.h"

namespace {

// Remembers the last mailbox a lookup named and, for every lookup after the
// first in a command, answers with it: the classic off-by-one of batch code.
class BatchOffset final : public wrongbox::Calls {
 public:
  explicit BatchOffset(wrongbox::Calls& real) : real_(real) {}
  wrongbox::LookupReply lookup(const std::string& person) override {
    wrongbox::LookupReply r = real_.lookup(person);
    if (!r.unavailable) std::swap(r.mailbox, previous_);
    if (!r.mailbox) r.mailbox = previous_;
    return r;
  }
  wrongbox::DeliverReply deliver(const std::string& mb, const wrongbox::Message& m) override {
    return real_.deliver(mb, m);
  }
  void print(const std::string& p, const wrongbox::Message& m) override { real_.print(p, m); }
  void hold(const wrongbox::Message& m, const std::string& r) override { real_.hold(m, r); }
  void receipt(const std::string& s, const std::string& id, wrongbox::ReceiptStatus st) override {
    real_.receipt(s, id, st);
  }
  void log(const std::string& text) override { real_.log(text); }

 private:
  wrongbox::Calls& real_;
  std::optional<std::string> previous_;
};

class Buggy final : public minimal::MinimalSwitch {
 public:
  std::vector<wrongbox::Verdict> submit(const std::vector<wrongbox::Message>& batch,
                                        wrongbox::Calls& calls) override {
    BatchOffset wrong(calls);
    return MinimalSwitch::submit(batch, wrong);
  }
};

}  // namespace

int main(int argc, char** argv) {
  const bool bug =
      argc == 3 && std::string(argv[1]) == "--bug" && std::string(argv[2]) == "batch-offset";
  if (argc > 1 && !bug) {
    std::cerr << "usage: wrongbox-minimal-switch [--bug batch-offset]\n";
    return 2;
  }
  minimal::MinimalSwitch good;
  Buggy buggy;
  wrongbox::Switch& sw = bug ? static_cast<wrongbox::Switch&>(buggy) : good;
  return wrongbox::serve_protocol(sw, std::cin, std::cout);
}
