// Text from switches and scenarios, shown on a terminal or in a report.
#include "harness/core/printable.h"

#include <gtest/gtest.h>

namespace wrongbox {
namespace {

TEST(PrintableTest, PlainTextAndUtf8PassUnchanged) {
  EXPECT_EQ(printable("kivra/000042 \xc3\x84rende"), "kivra/000042 \xc3\x84rende");
  EXPECT_EQ(printable(""), "");
}

TEST(PrintableTest, ControlCharactersAreShownEscaped) {
  EXPECT_EQ(printable("a\nPASS forged"), "a\\nPASS forged");
  EXPECT_EQ(printable("\x1b]0;title\x07"), "\\e]0;title\\x07");
  EXPECT_EQ(printable(std::string("x\0y\r\t\x7f", 6)), "x\\x00y\\r\\t\\x7f");
  EXPECT_EQ(printable("\xc2\x9b"
                      "2J"),
            "\\u009b2J");                        // C1 CSI
  EXPECT_EQ(printable("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is not a control
}

TEST(PrintableTest, ALongWordIsCutWithItsLengthSaid) {
  const std::string word(10'000'000, 'a');
  const std::string shown = printable(word);
  EXPECT_LT(shown.size(), 500u);
  EXPECT_NE(shown.find("(10000000 bytes in all)"), std::string::npos);
  EXPECT_EQ(printable("abcdef", 3), "abc... (6 bytes in all)");
}

}  // namespace
}  // namespace wrongbox
