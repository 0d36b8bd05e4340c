// The switch's places and their watch (places.h).
#include "harness/core/places.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace wrongbox {
namespace {

namespace fs = std::filesystem;

// The signal inotify sends when an event arrives (F_SETSIG), and the flag
// per descriptor its handler raises. The handler also disarms the
// descriptor (O_ASYNC off), so a switch that writes a file in many pieces
// costs one signal until the harness has read the events.
const int kSignal = SIGRTMIN + 7;
constexpr int kMaxFd = 4096;
std::array<std::atomic<bool>, kMaxFd> g_dirty{};
std::array<std::atomic<int>, kMaxFd> g_flags{};  // each descriptor's flags without O_ASYNC

void on_signal(int, siginfo_t* info, void*) {
  const int fd = info->si_fd;
  if (fd >= 0 && fd < kMaxFd) {
    g_dirty[static_cast<std::size_t>(fd)].store(true, std::memory_order_relaxed);
    const int saved = errno;
    ::fcntl(fd, F_SETFL, g_flags[static_cast<std::size_t>(fd)].load(std::memory_order_relaxed));
    errno = saved;
  }
}

void install_handler() {
  static const bool done = [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    ::sigaction(kSignal, &sa, nullptr);
    return true;
  }();
  (void)done;
}

constexpr std::uint32_t kMask =
    IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR;

// Where the places go: WRONGBOX_PLACES_DIR if set; else /dev/shm, a
// memory file system, when it is there (a switch that writes a file at every
// command then costs microseconds, not a disk's milliseconds); else TMPDIR,
// else /tmp.
std::string places_parent() {
  if (const char* d = std::getenv("WRONGBOX_PLACES_DIR"); d && *d) return d;
  if (::access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  if (const char* t = std::getenv("TMPDIR"); t && *t) return t;
  return "/tmp";
}

}  // namespace

PlaceWatch::PlaceWatch() {
  const std::string base = places_parent();
  std::string tmpl = base + "/wrongbox-places-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    throw std::runtime_error("cannot make the switch's places under " + base + ": " +
                             std::strerror(errno));
  }
  root_ = tmpl;
  places_.private_dir = root_ + "/private";
  places_.shared_dir = root_ + "/shared";
  places_.log_dir = root_ + "/log";
  places_.tmp_dir = root_ + "/tmp";
  places_.home_dir = root_ + "/home";
  const std::pair<const std::string*, Place> made[] = {{&places_.private_dir, Place::kPrivate},
                                                       {&places_.shared_dir, Place::kShared},
                                                       {&places_.log_dir, Place::kLog},
                                                       {&places_.tmp_dir, Place::kTemp},
                                                       {&places_.home_dir, Place::kHome}};
  for (const auto& [dir, place] : made) {
    if (::mkdir(dir->c_str(), place == Place::kPrivate ? 0700 : 0755) != 0) {
      throw std::runtime_error("cannot make " + *dir + ": " + std::strerror(errno));
    }
    ::chmod(dir->c_str(), place == Place::kPrivate ? 0700 : 0755);  // whatever the umask
  }
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0 || fd_ >= kMaxFd) {
    throw std::runtime_error(std::string("cannot watch the switch's places (inotify): ") +
                             std::strerror(errno));
  }
  for (const auto& [dir, place] : made) watch_dir(*dir, place, nullptr);
  install_handler();
  g_flags[static_cast<std::size_t>(fd_)].store(::fcntl(fd_, F_GETFL) & ~O_ASYNC);
  ::fcntl(fd_, F_SETSIG, kSignal);
  ::fcntl(fd_, F_SETOWN, ::getpid());
  arm();
}

PlaceWatch::~PlaceWatch() {
  if (fd_ >= 0) {
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_ASYNC);
    ::close(fd_);
    g_dirty[static_cast<std::size_t>(fd_)].store(false);
  }
  std::error_code ec;
  // A switch may have left directories without write permission: give it back first.
  for (auto it = fs::recursive_directory_iterator(root_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) ::chmod(it->path().c_str(), 0700);
  }
  fs::remove_all(root_, ec);
}

void PlaceWatch::arm() {
  ::fcntl(fd_, F_SETFL, g_flags[static_cast<std::size_t>(fd_)].load() | O_ASYNC);
}

bool PlaceWatch::dirty() const {
  return g_dirty[static_cast<std::size_t>(fd_)].load(std::memory_order_relaxed);
}

void PlaceWatch::watch_dir(const std::string& dir, Place place, std::vector<ChangedFile>* found) {
  const int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask);
  if (wd < 0) return;
  dirs_[wd] = {dir, place};
  if (!found) return;
  // What the directory held before the watch began.
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec)) {
      watch_dir(it->path().string(), place, found);
    } else if (it->is_regular_file(ec)) {
      found->push_back({place, it->path().string(), ""});
    }
  }
}

std::vector<ChangedFile> PlaceWatch::take() {
  std::vector<ChangedFile> out;
  std::set<std::string> seen;
  alignas(inotify_event) char buf[16384];
  // Armed before reading, so that no event goes unsignalled: one that comes
  // while the queue is read raises the flag again, at worst for nothing.
  g_dirty[static_cast<std::size_t>(fd_)].store(false, std::memory_order_relaxed);
  arm();
  {
    for (;;) {
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t i = 0; i < n;) {
        const auto* e = reinterpret_cast<const inotify_event*>(buf + i);
        i += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
        auto d = dirs_.find(e->wd);
        if (d == dirs_.end() || e->len == 0) continue;
        const std::string path = d->second.first + "/" + e->name;
        if (e->mask & IN_ISDIR) {
          if (e->mask & (IN_CREATE | IN_MOVED_TO)) watch_dir(path, d->second.second, &out);
          continue;
        }
        out.push_back({d->second.second, path, ""});
      }
    }
  }
  std::vector<ChangedFile> files;
  for (auto& f : out) {
    if (!seen.insert(f.path).second) continue;
    struct stat st {};
    if (::lstat(f.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    f.shown = f.path.size() > root_.size() + 1 ? f.path.substr(root_.size() + 1) : f.path;
    files.push_back(std::move(f));
  }
  return files;
}

}  // namespace wrongbox
