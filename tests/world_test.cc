// The model of the environment: ownership, quarantine and the routing rules.
#include "models/world.h"

#include <gtest/gtest.h>

namespace wrongbox::model {
namespace {

const std::string kA = "199001011239";
const std::string kB = "198503142344";

TEST(WorldTest, OpenRegistersTheOwnerAndRoutesToTheMailbox) {
  World w;
  ASSERT_EQ(w.open_mailbox("kivra/a", kA, true), "");
  EXPECT_EQ(w.route(kA, "s1"), (Route{SinkKind::kMailbox, "kivra/a"}));
  EXPECT_EQ(w.open_owner("kivra/a"), kA);
}

TEST(WorldTest, NoMailboxMeansPaperAndProtectedMeansHold) {
  World w;
  EXPECT_EQ(w.route(kA, "s1").kind, SinkKind::kPaper);
  w.set_protected(kA, true);
  EXPECT_EQ(w.route(kA, "s1").kind, SinkKind::kHold);
}

TEST(WorldTest, ABlockedSenderGetsPaperOrHoldNeverTheMailbox) {
  World w;
  w.open_mailbox("kivra/a", kA, true);
  w.set_blocked(kA, "s1", true);
  EXPECT_EQ(w.route(kA, "s1").kind, SinkKind::kPaper);
  EXPECT_EQ(w.route(kA, "s2").kind, SinkKind::kMailbox);
  w.set_protected(kA, true);
  EXPECT_EQ(w.route(kA, "s1").kind, SinkKind::kHold);
}

TEST(WorldTest, ReopeningForAnotherPersonWaitsOutTheQuarantine) {
  World w;
  w.open_mailbox("kivra/a", kA, true);
  w.advance_to(3);
  ASSERT_EQ(w.close_mailbox("kivra/a"), "");
  EXPECT_EQ(w.route(kA, "s1").kind, SinkKind::kPaper);  // closing unregisters
  w.advance_to(4);
  EXPECT_NE(w.reopen_mailbox("kivra/a", kB), "");
  EXPECT_EQ(w.open_owner("kivra/a"), std::nullopt);
  w.advance_to(5);
  EXPECT_EQ(w.reopen_mailbox("kivra/a", kB), "");
  EXPECT_EQ(w.open_owner("kivra/a"), kB);
  EXPECT_EQ(w.route(kB, "s1").mailbox, "kivra/a");
  EXPECT_EQ(w.route(kA, "s1").kind, SinkKind::kPaper);
}

TEST(WorldTest, AClosedMailboxIsStillKnownAndCannotBeOpenedAgain) {
  World w;
  EXPECT_FALSE(w.has_mailbox("kivra/a"));
  w.open_mailbox("kivra/a", kA, true);
  EXPECT_TRUE(w.has_mailbox("kivra/a"));
  EXPECT_FALSE(w.has_mailbox("kivra/a/b"));  // addresses are compared whole
  ASSERT_EQ(w.close_mailbox("kivra/a"), "");
  EXPECT_TRUE(w.has_mailbox("kivra/a"));
  EXPECT_EQ(w.open_owner("kivra/a"), std::nullopt);
  EXPECT_NE(w.open_mailbox("kivra/a", kB, true), "");  // reopen, after the quarantine
}

TEST(WorldTest, RegisteringNeedsAnOpenMailboxOfYourOwn) {
  World w;
  w.open_mailbox("kivra/a", kA, true);
  w.open_mailbox("kivra/b", kB, false);
  EXPECT_NE(w.register_person(kA, "kivra/b"), "");
  EXPECT_NE(w.register_person(kA, "kivra/none"), "");
  EXPECT_EQ(w.route(kB, "s1").kind, SinkKind::kPaper);
  EXPECT_EQ(w.register_person(kB, "kivra/b"), "");
  EXPECT_EQ(w.route(kB, "s1").mailbox, "kivra/b");
}

TEST(WorldTest, AddressesAreOpaqueAndValidated) {
  EXPECT_EQ(check_mailbox_address("kivra/a b+#%*>."), "");
  EXPECT_EQ(check_mailbox_address("kivra/a/b"), "");
  EXPECT_EQ(check_mailbox_address("kivra/" + std::string(64, 'x')), "");
  EXPECT_NE(check_mailbox_address("kivra/" + std::string(65, 'x')), "");
  std::string sixty_four_a_rings;
  for (int i = 0; i < 64; ++i) sixty_four_a_rings += "\xc3\xa5";  // "å": 2 bytes, 1 character
  EXPECT_EQ(check_mailbox_address("kivra/" + sixty_four_a_rings), "");
  EXPECT_NE(check_mailbox_address("kivra/" + sixty_four_a_rings + "x"), "");
  EXPECT_NE(check_mailbox_address("kivra/"), "");
  EXPECT_NE(check_mailbox_address("kivra"), "");
  EXPECT_NE(check_mailbox_address("Kivra/a"), "");
  EXPECT_NE(check_mailbox_address("kivra/a\tb"), "");
  EXPECT_EQ(operator_of("kivra/a/b"), "kivra");
}

TEST(WorldTest, OutagesAreOwnedByTheWorldAndEndTogether) {
  World w;
  w.open_mailbox("kivra/a", kA, true);
  w.set_registry_up(false);
  w.set_operator_up("kivra", false);
  EXPECT_FALSE(w.registry_up());
  EXPECT_FALSE(w.operator_up("kivra"));
  w.all_up();
  EXPECT_TRUE(w.registry_up());
  EXPECT_TRUE(w.operator_up("kivra"));
}

}  // namespace
}  // namespace wrongbox::model
