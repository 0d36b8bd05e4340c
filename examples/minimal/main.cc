// The minimal switch as a protocol v1 program: `--sut exec:PATH/wrongbox-minimal-switch`.
// Planted defects, for trying a red CI job:
// `--bug batch-offset`: each message of a batch after the first is delivered
// to the previous message's mailbox (property S1);
// `--bug print-export`: every letter sent to paper is also exported, for the
// print shop, to the shared staff directory (WRONGBOX_SHARED_DIR: S6).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <type_traits>

#include "minimal_switch.h"
#include "wrongbox/protocol_server.h"

namespace {

// The harness's calls, passed on unchanged; a planted defect overrides one.
class Forwarding : public wrongbox::Calls {
 public:
  explicit Forwarding(wrongbox::Calls& real) : real_(real) {}
  wrongbox::LookupReply lookup(const std::string& p) override { return real_.lookup(p); }
  wrongbox::DeliverReply deliver(const std::string& mb, const wrongbox::Message& m) override {
    return real_.deliver(mb, m);
  }
  void print(const std::string& p, const wrongbox::Message& m) override { real_.print(p, m); }
  void hold(const wrongbox::Message& m, const std::string& r) override { real_.hold(m, r); }
  void receipt(const std::string& s, const std::string& id, wrongbox::ReceiptStatus st) override {
    real_.receipt(s, id, st);
  }
  void log(const std::string& text) override { real_.log(text); }

 protected:
  wrongbox::Calls& real_;
};

// Remembers the last mailbox a lookup named and, for every lookup after the
// first in a command, answers with it: the classic off-by-one of batch code.
class BatchOffset final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  wrongbox::LookupReply lookup(const std::string& person) override {
    wrongbox::LookupReply r = real_.lookup(person);
    if (!r.unavailable) std::swap(r.mailbox, previous_);
    if (!r.mailbox) r.mailbox = previous_;
    return r;
  }

 private:
  std::optional<std::string> previous_;
};

// Prints as asked, and leaves a copy of each letter on the staff drive.
class PrintExport final : public Forwarding {
 public:
  using Forwarding::Forwarding;
  void print(const std::string& p, const wrongbox::Message& m) override {
    if (const char* shared = std::getenv("WRONGBOX_SHARED_DIR")) {
      std::ofstream copy(std::string(shared) + "/print-" + m.sender + "-" + m.id + ".txt");
      copy << m.title << "\n";
      for (const auto& part : m.parts) copy << part.data << "\n";
    }
    real_.print(p, m);
  }
};

// The minimal switch with one of the planted defects between it and the harness.
template <typename Wrong>
class Buggy final : public minimal::MinimalSwitch {
 public:
  std::vector<wrongbox::Verdict> submit(const std::vector<wrongbox::Message>& batch,
                                        wrongbox::Calls& calls) override {
    Wrong wrong(calls);
    return MinimalSwitch::submit(batch, wrong);
  }
  // A letter printed on a retry is exported too; the batch offset is a
  // submit's mistake only.
  bool tick(std::int64_t now, wrongbox::Calls& calls) override {
    if constexpr (std::is_same_v<Wrong, PrintExport>) {
      Wrong wrong(calls);
      return MinimalSwitch::tick(now, wrong);
    }
    return MinimalSwitch::tick(now, calls);
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::string bug = argc == 3 && std::string(argv[1]) == "--bug" ? argv[2] : "";
  if (argc > 1 && bug != "batch-offset" && bug != "print-export") {
    std::cerr << "usage: wrongbox-minimal-switch [--bug batch-offset|print-export]\n";
    return 2;
  }
  minimal::MinimalSwitch good;
  Buggy<BatchOffset> batch_offset;
  Buggy<PrintExport> print_export;
  wrongbox::Switch& sw = bug == "batch-offset"   ? static_cast<wrongbox::Switch&>(batch_offset)
                         : bug == "print-export" ? static_cast<wrongbox::Switch&>(print_export)
                                                 : good;
  return wrongbox::serve_protocol(sw, std::cin, std::cout);
}
