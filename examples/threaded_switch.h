// A switch with its own threads: a pool of workers that route messages in
// parallel and call the harness from their own threads (docs/concurrency.md).
//
// The correct one admits each batch in order on the command's thread (the
// duplicate check and the insert under one lock), then hands every message
// to the pool; each worker looks the subject up, delivers, prints or holds,
// logs and sends the receipt, all with its own copies. The command returns
// once every job of it has finished, so no call outlives its command.
//
// Each racy variant is one realistic shortcut, correct whenever the workers
// happen not to overlap at the wrong moment: it fails only under some
// interleavings. The shared state stays free of data races (atomics, locks),
// so ThreadSanitizer is silent and only the content shows the defect.
//
// Example usage:
//   auto sut = wrongbox::examples::make_threaded_switch(ThreadedDefect::kSharedCurrent);
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "wrongbox/switch.h"

namespace wrongbox::examples {

enum class ThreadedDefect {
  kNone,
  kSharedCurrent,  // 11: workers read the message from a shared "current message" index
  kDedupRace,      // 11: parallel admission checks the duplicate set, looks up, then inserts
  kStaleSlot,      // 11: a worker gives its receipt slot back before it sends the receipt
  // Written after schedule perturbation was done, to test it on a race it
  // was not built around.
  kWorkerRoutes,  // 11 (with 3): a worker reuses its own last route while the registry is down
};

struct ThreadedInfo {
  ThreadedDefect defect;
  int defect_class;  // 11 for the racy variants, 0 for the correct switch
  std::string_view name;
  std::string_view summary;
};

// The correct threaded switch first, then the racy variants.
const std::vector<ThreadedInfo>& threaded_catalog();
std::optional<ThreadedDefect> threaded_by_name(std::string_view name);

// `workers` threads (at least 2).
std::unique_ptr<Switch> make_threaded_switch(ThreadedDefect defect = ThreadedDefect::kNone,
                                             int workers = 4);

}  // namespace wrongbox::examples
