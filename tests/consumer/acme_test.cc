// A vendor's GoogleTest suite: the minimal switch passes Wrongbox's property-based search.
#include "minimal_switch.h"
#include "wrongbox/gtest.h"

TEST(AcmeSwitch, PassesWrongboxCheck) {
  minimal::MinimalSwitch sw;
  wrongbox::CheckSettings s;
  s.tests = 500;
  s.seed = 1;
  EXPECT_TRUE(wrongbox::PassesWrongboxCheck(sw, s, "acme"));
}

// A switch that prints every letter, mailbox or not: the assertion must fail
// and say which property.
class PaperOnly : public minimal::MinimalSwitch {
 public:
  std::vector<wrongbox::Verdict> submit(const std::vector<wrongbox::Message>& batch,
                                        wrongbox::Calls& calls) override {
    std::vector<wrongbox::Verdict> v;
    for (const auto& m : batch) {
      v.push_back({m.sender, m.id, true, ""});
      calls.print(m.subject, m);
      calls.receipt(m.sender, m.id, wrongbox::ReceiptStatus::kPrinted);
    }
    return v;
  }
};

TEST(AcmeSwitch, TheAssertionFailsOnABrokenSwitchAndSaysWhy) {
  PaperOnly sw;
  wrongbox::CheckSettings s;
  s.tests = 500;
  s.seed = 1;
  const auto r = wrongbox::PassesWrongboxCheck(sw, s, "paper-only");
  EXPECT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find(" violated at step "), std::string::npos) << r.message();
}
