// A switch's process tree, and everything it started wherever it went.
//
// kill_tree stops and kills every process descending from a root, however
// often it changed its session or group, and every process whose
// environment carries a marker (the switch's WRONGBOX_PRIVATE_DIR=...).
// start_watchdog forks a small process that does the same when the harness
// closes its end of a pipe, or dies in any way, even of SIGKILL.
// kill_and_reap does it now and reaps what was handed to us. Used by every
// transport that starts a process (exec:, net:).
//
// Example usage:
//   Watchdog w = start_watchdog(pid, "WRONGBOX_PRIVATE_DIR=/dev/shm/x/private");
//   ...
//   kill_and_reap(pid, pgid, marker, w);   // pid and pgid become -1
#pragma once

#include <spawn.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace wrongbox {

constexpr int kMaxTree = 4096;

// Async-signal-safe (system calls and fixed buffers only). Fills `out` with
// the pids it killed (at most `cap`), returns how many. `marker` may be null.
int kill_tree(pid_t root, const char* marker, pid_t* out, int cap);

struct Watchdog {
  int fd = -1;     // closing it makes the watchdog kill the tree
  pid_t pid = -1;  // the watchdog process
};

// The watchdog for the process `pid` (the leader of its own group); a
// Watchdog with fd -1 when it could not be started.
Watchdog start_watchdog(pid_t pid, const std::string& marker);

// The environment for a process to start: ours, with each NAME=VALUE of
// `overrides` in place of our own NAME (pointers into environ and into
// `overrides`, which must outlive the result; null-terminated for exec).
std::vector<char*> environment_with(std::vector<std::string>& overrides);

// Starts `argv` (argv[0] looked up on PATH) with the file actions `fa` and
// our environment with `env_overrides` (environment_with), as the leader of
// its own process group and with SIGPIPE back to its default (we ignore it).
// Returns posix_spawnp's result (0, or an errno) and sets `pid`.
int spawn_group_leader(std::vector<std::string>& argv, const posix_spawn_file_actions_t& fa,
                       std::vector<std::string>& env_overrides, pid_t& pid);

// Kills the tree of `pid` (or of `pgid` once `pid` is reaped) and the group
// `pgid`, reaps what it can, stops the watchdog; sets pid and pgid to -1.
void kill_and_reap(pid_t& pid, pid_t& pgid, const std::string& marker, Watchdog& watchdog);

}  // namespace wrongbox
