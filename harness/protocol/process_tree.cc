// Killing a switch's process tree (process_tree.h).
#include "harness/protocol/process_tree.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

extern char** environ;

namespace wrongbox {
namespace {

// Everything a switch started, wherever it went: kill_tree stops (SIGSTOP)
// and then kills every process descending from `root`, however often it
// changed its session or group (setsid, setpgid), and every process whose
// environment carries `marker` (the switch's WRONGBOX_PRIVATE_DIR=...): a
// daemon whose parent has exited carries no ancestry back to the switch,
// but carries its environment. Async-signal-safe (system calls and fixed
// buffers only): the watchdog calls it in a forked child. Fills `out` with
// the pids it killed (at most `cap`), returns how many.
struct Dirent64 {
  std::uint64_t d_ino;
  std::int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[1];
};

std::size_t read_small(const char* path, char* buf, std::size_t cap) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::size_t len = 0;
  while (len < cap) {
    const ssize_t n = ::read(fd, buf + len, cap - len);
    if (n <= 0) break;
    len += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return len;
}

void proc_path(char* out, long pid, const char* leaf) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + pid % 10);
    pid /= 10;
  } while (pid > 0);
  const char* head = "/proc/";
  std::size_t k = 0;
  while (*head) out[k++] = *head++;
  while (n > 0) out[k++] = digits[--n];
  out[k++] = '/';
  while (*leaf) out[k++] = *leaf++;
  out[k] = '\0';
}

}  // namespace

int kill_tree(pid_t root, const char* marker, pid_t* out, int cap) {
  static char stat_buf[1024];
  static char env_buf[1 << 16];
  static char dents[16384];
  const std::size_t marker_len = marker ? std::strlen(marker) : 0;
  const pid_t self = ::getpid(), parent = ::getppid();
  int n = 0;
  if (root > 0 && cap > 0) {
    out[n++] = root;
    ::kill(root, SIGSTOP);
  }
  for (int pass = 0; pass < 16; ++pass) {
    bool grew = false;
    const int dir = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) break;
    for (;;) {
      const long got = ::syscall(SYS_getdents64, dir, dents, sizeof dents);
      if (got <= 0) break;
      for (long off = 0; off < got;) {
        const auto* d = reinterpret_cast<const Dirent64*>(dents + off);
        off += d->d_reclen;
        long pid = 0;
        const char* c = d->d_name;
        for (; *c >= '0' && *c <= '9'; ++c) pid = pid * 10 + (*c - '0');
        if (*c != '\0' || pid <= 0 || pid == self || pid == parent) continue;
        bool known = false;
        for (int i = 0; i < n && !known; ++i) known = out[i] == pid;
        if (known) continue;
        char path[64];
        proc_path(path, pid, "stat");
        const std::size_t len = read_small(path, stat_buf, sizeof stat_buf - 1);
        // "pid (comm) state ppid ...": the comm may hold anything, so read after the last ')'.
        std::size_t close_paren = 0;
        for (std::size_t i = 0; i < len; ++i) {
          if (stat_buf[i] == ')') close_paren = i;
        }
        long ppid = 0;
        std::size_t i = close_paren + 4;  // ") S "
        for (; i < len && stat_buf[i] >= '0' && stat_buf[i] <= '9'; ++i) {
          ppid = ppid * 10 + (stat_buf[i] - '0');
        }
        bool ours = false;
        for (int k = 0; k < n && !ours; ++k) ours = out[k] == ppid;
        if (!ours && marker_len > 0) {
          proc_path(path, pid, "environ");
          const std::size_t elen = read_small(path, env_buf, sizeof env_buf);
          for (std::size_t at = 0; at + marker_len <= elen && !ours; ++at) {
            ours = (at == 0 || env_buf[at - 1] == '\0') &&
                   std::memcmp(env_buf + at, marker, marker_len) == 0 &&
                   (at + marker_len == elen || env_buf[at + marker_len] == '\0');
          }
        }
        if (ours && n < cap) {
          out[n++] = static_cast<pid_t>(pid);
          ::kill(static_cast<pid_t>(pid), SIGSTOP);
          grew = true;
        }
      }
    }
    ::close(dir);
    if (!grew) break;
  }
  for (int i = 0; i < n; ++i) ::kill(out[i], SIGKILL);
  return n;
}

Watchdog start_watchdog(pid_t pid, const std::string& marker) {
  // A forked copy of us that waits for the end of a pipe only we hold, and
  // then kills the switch's tree and group. The end comes when we stop the
  // switch, or when we die in any way.
  Watchdog out;
  int wd[2];
  if (::pipe2(wd, O_CLOEXEC) != 0) return out;
  const pid_t w = ::fork();
  if (w == 0) {
    // Only async-signal-safe calls from here on.
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGINT, &ign, nullptr);
    ::sigaction(SIGTERM, &ign, nullptr);
    ::sigaction(SIGHUP, &ign, nullptr);
    if (wd[0] != 3) {
      ::dup2(wd[0], 3);
    }
    ::close_range(4, ~0U, 0);  // no pipe of any switch stays open here
    ::close(0);
    ::close(1);
    ::close(2);
    char c;
    while (::read(3, &c, 1) < 0 && errno == EINTR) {
    }
    static pid_t killed[kMaxTree];
    kill_tree(pid, marker.empty() ? nullptr : marker.c_str(), killed, kMaxTree);
    ::kill(-pid, SIGKILL);
    ::_exit(0);
  }
  ::close(wd[0]);
  if (w > 0) {
    out.fd = wd[1];
    out.pid = w;
  } else {
    ::close(wd[1]);
  }
  return out;
}

void kill_and_reap(pid_t& pid, pid_t& pgid, const std::string& marker, Watchdog& watchdog) {
  if (pgid > 0) {
    // What the switch started, in whatever session or group it went to,
    // first; then its group. What of it was handed to us is reaped below.
    std::vector<pid_t> tree(kMaxTree);
    tree.resize(static_cast<std::size_t>(kill_tree(
        pid > 0 ? pid : pgid, marker.empty() ? nullptr : marker.c_str(), tree.data(), kMaxTree)));
    ::kill(-pgid, SIGKILL);
    // Reap the switch and whatever of its group was handed to us; a member
    // that is not our child yet is reaped by the next kill_and_reap or by init.
    int status = 0;
    if (pid > 0) ::waitpid(pid, &status, 0);
    pid = -1;
    for (int i = 0; i < 50; ++i) {
      const pid_t r = ::waitpid(-pgid, &status, WNOHANG);
      if (r < 0) break;  // no child left in the group
      if (r == 0) ::usleep(1000);
    }
    for (const pid_t p : tree) {
      for (int i = 0; i < 50 && ::waitpid(p, &status, WNOHANG) == 0; ++i) ::usleep(1000);
    }
    pgid = -1;
  }
  if (watchdog.fd >= 0) ::close(watchdog.fd);
  watchdog.fd = -1;
  if (watchdog.pid > 0) ::waitpid(watchdog.pid, nullptr, 0);
  watchdog.pid = -1;
}

std::vector<char*> environment_with(std::vector<std::string>& overrides) {
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    bool replaced = false;
    for (const auto& p : overrides) {
      const auto eq = p.find('=');
      replaced |= entry.substr(0, eq + 1) == std::string_view(p).substr(0, eq + 1);
    }
    if (!replaced) env.push_back(*e);
  }
  for (auto& p : overrides) env.push_back(p.data());
  env.push_back(nullptr);
  return env;
}

int spawn_group_leader(std::vector<std::string>& argv, const posix_spawn_file_actions_t& fa,
                       std::vector<std::string>& env_overrides, pid_t& pid) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<char*> env = environment_with(env_overrides);
  pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), env.data());
  posix_spawnattr_destroy(&attr);
  return rc;
}

}  // namespace wrongbox
