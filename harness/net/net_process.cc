// The switch's process (net_switch_impl.h): started with its environment,
// watched until ready, its output read into the staff log, stopped with
// everything it started.
#include "harness/net/net_switch_impl.h"

namespace wrongbox::net {

void NetSwitch::Impl::start() {
  stop_process();
  switch_port = pick_free_port();
  const Values v = values();
  if (!spec.config_path.empty()) {
    const std::string path = expand_text(spec.config_path, v, spec.path + ": config.path");
    std::ofstream out(path, std::ios::trunc);
    out << expand_text(spec.config_template, v, spec.path + ": config.template");
    if (!out) throw SwitchFailure("net: cannot write the switch's configuration " + path);
  }
  std::vector<std::string> argv;
  std::string error;
  if (!split_command(spec.command, argv, error) || argv.empty()) {
    throw SwitchFailure(spec.path + ": start.command: " + (error.empty() ? "empty" : error));
  }
  std::vector<std::string> extra = place_env;
  extra.push_back(marker);
  for (const auto& [k, t] : spec.environment) {
    extra.push_back(k + "=" + expand_text(t, v, spec.path + ": environment." + k));
  }
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw SwitchFailure("net: pipe: " + std::string(std::strerror(errno)));
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, devnull, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  posix_spawn_file_actions_addchdir_np(&fa, spec.dir.c_str());
  pid_t p = -1;
  const int rc = spawn_group_leader(argv, fa, extra, p);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  if (devnull >= 0) ::close(devnull);
  if (rc != 0) {
    ::close(out[0]);
    throw SwitchFailure(spec.path + ": start.command: cannot start '" + argv[0] + "' in " +
                        spec.dir + ": " + std::strerror(rc));
  }
  pid = pgid = p;
  out_fd = out[0];
  ::fcntl(out_fd, F_SETFL, O_NONBLOCK);
  wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  {
    std::lock_guard lock(log_mu);
    reader_done = false;
    drain_asked = drained = 0;
  }
  watchdog = start_watchdog(p, marker);
  reader = std::thread([this, fd = out_fd, w = wake_fd] { read_output(fd, w); });
  ++starts;
  wait_ready();
}

// The reader: what the switch prints, as it prints it, and all of it at
// once when drain_output() asks.
void NetSwitch::Impl::read_output(int fd, int wakeup) {
  char buf[65536];
  bool open = true;
  while (open) {
    pollfd p[2] = {{fd, POLLIN, 0}, {wakeup, POLLIN, 0}};
    if (::poll(p, wakeup >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (slow_reader_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(slow_reader_ms));
    std::uint64_t draining = 0;
    if (wakeup >= 0 && (p[1].revents & POLLIN)) {
      std::uint64_t v;
      [[maybe_unused]] auto r = ::read(wakeup, &v, sizeof v);
      std::lock_guard lock(log_mu);
      draining = drain_asked;
    }
    for (;;) {  // until the pipe is empty
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {
        open = false;
        break;
      }
      if (log_fd >= 0) {
        [[maybe_unused]] auto w = ::write(log_fd, buf, static_cast<std::size_t>(n));
      }
      std::lock_guard lock(log_mu);
      if (pending_log.size() < (64u << 20)) pending_log.append(buf, static_cast<std::size_t>(n));
    }
    if (draining > 0) {
      std::lock_guard lock(log_mu);
      drained = std::max(drained, draining);
      drained_cv.notify_all();
    }
  }
  std::lock_guard lock(log_mu);
  reader_done = true;
  drained_cv.notify_all();
}

// Everything the switch printed before now is in pending_log on return:
// what it wrote before answering a command belongs to that command, however
// slowly the reader thread runs on a busy machine (the staff log is judged,
// and it feeds the search's coverage: a line late by one command would make
// a run differ from its reproduction).
void NetSwitch::Impl::drain_output() {
  std::unique_lock lock(log_mu);
  if (wake_fd < 0 || reader_done) return;
  const std::uint64_t want = ++drain_asked;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto w = ::write(wake_fd, &one, sizeof one);
  drained_cv.wait_for(lock, std::chrono::seconds(10),
                      [&] { return drained >= want || reader_done; });
}

bool NetSwitch::Impl::exited(std::string* why) {
  if (pid <= 0) return true;
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == 0) return false;
  pid = -1;
  if (why) {
    *why = WIFSIGNALED(status)
               ? "the switch was killed by signal " + std::to_string(WTERMSIG(status))
               : "the switch exited with status " + std::to_string(WEXITSTATUS(status));
  }
  return true;
}

void NetSwitch::Impl::wait_ready() {
  const double deadline = now_seconds() + spec.ready_timeout;
  const std::string url = expand_text(spec.ready.url, values(), spec.ready.where, false);
  const Url u = split_url(url, spec.ready.where);
  for (;;) {
    std::string why;
    if (exited(&why))
      fail("net: the switch stopped before it was ready: " + why, SwitchFailure::Kind::kExited);
    httplib::Client cli(u.origin);
    cli.set_connection_timeout(0, 200000);
    cli.set_read_timeout(1, 0);
    auto r =
        spec.ready.method == "GET" ? cli.Get(u.path) : cli.Post(u.path, "", "application/json");
    if (r && r->status >= 200 && r->status < 300) return;
    if (now_seconds() > deadline) {
      fail("net: the switch was not ready within " +
               std::to_string(static_cast<int>(spec.ready_timeout)) + " s (" + spec.ready.method +
               " " + url + " " + (r ? "answered " + std::to_string(r->status) : "did not answer") +
               ")",
           SwitchFailure::Kind::kTimeout);
    }
    ::usleep(20000);
  }
}

void NetSwitch::Impl::stop_process() {
  if (pgid > 0 || pid > 0) kill_and_reap(pid, pgid, marker, watchdog);
  if (reader.joinable()) reader.join();
  if (out_fd >= 0) ::close(out_fd);
  if (wake_fd >= 0) ::close(wake_fd);
  out_fd = wake_fd = -1;
  clients.clear();
}

}  // namespace wrongbox::net
