// The reference switch and its defect catalog.
//
// ReferenceSwitch is a correct switch written the way a production one is:
// batched submit with a journal of accepted work, a per-command lookup cache,
// two dispatch workers, a connection pool keyed by mailbox address, a
// pending queue retried on ticks, receipts, and a restart that keeps
// accepted work. Each Defect flips one marked place in that code to the
// realistic mistake of one defect class of docs/exchange.md, so the harness can
// show that it catches each class (the mutation matrix).
//
// Example usage:
//   auto sut = wrongbox::examples::make_reference_switch(Defect::kStaleRoute);
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wrongbox/switch.h"

namespace wrongbox::examples {

enum class Defect {
  kNone,
  kBatchOffset,            // 1
  kPartMixup,              // 2
  kStaleRoute,             // 3
  kIdentityNormalisation,  // 4
  kMessageKeyCollision,    // 5
  kFallbackLeak,           // 6
  kFaultPath,              // 7
  kBlockedSenderIgnored,   // 8
  kLogLeak,                // 9
  kReceiptMixup,           // 10
  kConcurrency,            // 11
  kRestartReplay,          // 12
  kAddressAsPattern,       // 13
  // Variants written after the steered search, each firing only where two
  // ordinary conditions meet in one routing decision.
  kRetryDropsLastPart,       // 7: a retried message with several parts
  kPaperReceiptById,         // 10: a printed message whose id another sender used
  kRetryForgetsBlock,        // 8: a retried message whose subject blocks the sender
  kRetryTrimsAccount,        // 13: a retried message to an account with pattern characters
  kBlockedProtectedPrinted,  // 6: a protected subject who blocks the sender
  // Written after the search's last change.
  kRestartDropsNewest,  // 12: a restart while the newest accepted message still waits
  kBatchLogNamesHeld,   // 9: a held message in a command that handles several
  // Content at rest (S6), written after the places were watched, one for
  // each place and each on its own path of the routing rules.
  kDeadLetterShared,  // 9: a delivery the operator refused is exported to the shared directory
  kPrintSpoolLeft,    // 9: the print spool of a letter to a person who blocks the sender stays in
                      // TMPDIR
  kHoldCopyReadable,  // 9: a held letter's copy in the private store is readable by others
  // Volume-only variants: each fires only after thousands of messages, out
  // of reach of a scenario of a few dozen steps (`wrongbox soak` reaches them).
  kDedupWindow,      // 5: a duplicate of a message accepted 4096 or more messages earlier
  kSlotWrap,         // 2: a message that waits while 256 newer ones are accepted
  kBacklogOverflow,  // 7: more than 256 messages waiting at once
  // Written after the soak stopped resetting the switch between segments:
  // it needs more messages since start than a steady-day segment holds.
  kRouteTableFull,  // 3: a message accepted after the first 65,536 since start
};

struct DefectInfo {
  Defect defect;
  int defect_class;          // number in docs/exchange.md, 0 for the reference
  std::string_view name;     // builtin:<name>
  std::string_view summary;  // the mistake, in one sentence
  // Fires only after thousands of messages (or hundreds at once): guarded by
  // corpus/volume/ rather than corpus/regressions/, found by `wrongbox soak`.
  bool volume_only = false;
};

// The reference first, then one entry per defect class, in class order.
const std::vector<DefectInfo>& catalog();
std::optional<Defect> defect_by_name(std::string_view name);

std::unique_ptr<Switch> make_reference_switch(Defect defect = Defect::kNone);

}  // namespace wrongbox::examples
