// Protocol v1 over a child process's stdin/stdout (POSIX): the process, its
// log and its lines (the commands: exec_commands.cc).
#include "harness/protocol/exec_switch.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "harness/protocol/process_tree.h"

namespace wrongbox {

double exec_detail::now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

namespace {

using exec_detail::now_seconds;

constexpr std::size_t kMaxLine = 64u << 20;

std::string shorten(const std::string& s, std::size_t n = 300) {
  return s.size() <= n ? s : s.substr(0, n) + "... (" + std::to_string(s.size()) + " bytes)";
}

}  // namespace

bool split_command(const std::string& text, std::vector<std::string>& words, std::string& error) {
  words.clear();
  std::string cur;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else if (c == '\'') {
      const auto end = text.find('\'', i + 1);
      if (end == std::string::npos) {
        error = "unclosed single quote in the command";
        return false;
      }
      cur.append(text, i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '"') {
      in_word = true;
      bool closed = false;
      for (++i; i < text.size(); ++i) {
        if (text[i] == '"') {
          closed = true;
          break;
        }
        if (text[i] == '\\' && i + 1 < text.size() &&
            std::strchr("\"\\$`\n", text[i + 1]) != nullptr) {
          ++i;
        }
        cur.push_back(text[i]);
      }
      if (!closed) {
        error = "unclosed double quote in the command";
        return false;
      }
    } else if (c == '\\') {
      if (i + 1 < text.size()) cur.push_back(text[++i]);
      in_word = true;
    } else {
      cur.push_back(c);
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  if (words.empty()) {
    error = "the command is empty";
    return false;
  }
  return true;
}

ExecSwitch::ExecSwitch(std::string command, ExecOptions options)
    : command_text_(std::move(command)), options_(std::move(options)) {
  std::string error;
  if (!split_command(command_text_, argv_, error)) throw SwitchFailure("exec: " + error);
  if (options_.log_path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories("wrongbox-logs", ec);
    options_.log_path = "wrongbox-logs/switch-" + std::to_string(::getpid()) + ".log";
  }
  // Non-blocking, so that a FIFO without a reader is refused, not waited for.
  log_fd_ = ::open(options_.log_path.c_str(),
                   O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0644);
  if (log_fd_ < 0) {
    throw ExecSetupError("cannot open the switch log " + options_.log_path + ": " +
                         std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(log_fd_, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
    ::close(log_fd_);
    throw ExecSetupError("the switch log " + options_.log_path +
                         " is not a regular file (or a device such as /dev/null)");
  }
  ::fcntl(log_fd_, F_SETFL, ::fcntl(log_fd_, F_GETFL) & ~O_NONBLOCK);
  ::signal(SIGPIPE, SIG_IGN);  // a dead switch shows up as EPIPE, not as our death
  // What the switch leaves behind when it dies (children it started) is
  // handed to us, not to init, so that kill_group can reap it.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

ExecSwitch::~ExecSwitch() {
  stop(true);
  flush_log_tail();
  if (log_fd_ >= 0) ::close(log_fd_);
}

void ExecSwitch::start() {
  stop(false);
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    throw SwitchFailure(std::string("exec: pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  // Its own process group; the environment ours, with the places (if any)
  // in place of our own.
  pid_t pid = -1;
  const int rc = spawn_group_leader(argv_, fa, place_env_, pid);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    throw SwitchFailure("exec: cannot start '" + argv_[0] + "': " + std::strerror(rc));
  }
  pid_ = pgid_ = pid;
  to_child_ = in[1];
  from_child_ = out[0];
  err_from_child_ = err[0];
  ::fcntl(to_child_, F_SETFL, ::fcntl(to_child_, F_GETFL) | O_NONBLOCK);
  ::fcntl(err_from_child_, F_SETFL, ::fcntl(err_from_child_, F_GETFL) | O_NONBLOCK);
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  // The watchdog: see start_watchdog.
  const std::string marker = place_env_.empty() ? "" : place_env_.front();
  const Watchdog w = start_watchdog(pid, marker);
  watchdog_fd_ = w.fd;
  watchdog_pid_ = w.pid;
  buffer_.clear();
  taken_ = 0;
  answers_.clear();
  op_.clear();
  said_hello_ = false;
  ++starts_;
}

void ExecSwitch::kill_group() {
  const std::string marker = place_env_.empty() ? "" : place_env_.front();
  Watchdog w{watchdog_fd_, watchdog_pid_};
  kill_and_reap(pid_, pgid_, marker, w);
  watchdog_fd_ = w.fd;
  watchdog_pid_ = w.pid;
}

void ExecSwitch::stop(bool polite) {
  if (pid_ < 0 && pgid_ < 0) return;
  if (polite && said_hello_ && pid_ > 0) {
    try {
      bare_command("bye", nullptr, /*seconds=*/2);
    } catch (const std::exception&) {
      // Going away anyway; fail() has already stopped the process.
    }
    if (pid_ < 0 && pgid_ < 0) return;
  }
  if (to_child_ >= 0) ::close(to_child_);
  to_child_ = -1;
  // Give it a moment to exit on end of input, then insist.
  const double until = now_seconds() + (polite ? 2.0 : 0.0);
  while (pid_ > 0 && !exited()) {
    if (now_seconds() >= until) break;
    ::usleep(2000);
  }
  drain_stderr();
  kill_group();
  for (int* fd : {&from_child_, &err_from_child_, &pidfd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  said_hello_ = false;
}

bool ExecSwitch::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == 0) return false;
  exit_status_ = status;
  pid_ = -1;
  return true;
}

void ExecSwitch::write_log(const char* data, std::size_t n) {
  if (log_fd_ < 0 || n == 0) return;
  if (log_written_ < options_.log_head_bytes) {
    const std::size_t head = std::min(n, options_.log_head_bytes - log_written_);
    for (std::size_t done = 0; done < head;) {
      const auto w = ::write(log_fd_, data + done, head - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      done += static_cast<std::size_t>(w);
    }
    log_written_ += head;
    data += head;
    n -= head;
    if (log_written_ >= options_.log_head_bytes) log_head_end_ = ::lseek(log_fd_, 0, SEEK_END);
  }
  if (n == 0) return;
  log_tail_.append(data, n);
  if (log_tail_.size() > 2 * options_.log_tail_bytes) {
    const std::size_t drop = log_tail_.size() - options_.log_tail_bytes;
    log_tail_.erase(0, drop);
    log_omitted_ += drop;
  }
}

void ExecSwitch::flush_log_tail() {
  if (log_fd_ < 0 || log_tail_.empty() || log_head_end_ < 0) return;
  std::size_t omitted = log_omitted_;
  std::string_view tail = log_tail_;
  if (tail.size() > options_.log_tail_bytes) {
    omitted += tail.size() - options_.log_tail_bytes;
    tail.remove_prefix(tail.size() - options_.log_tail_bytes);
  }
  // The head stays; what follows it is rewritten each time (O_APPEND writes at the end).
  if (::ftruncate(log_fd_, log_head_end_) != 0) return;
  std::string text = "\n[wrongbox: " + std::to_string(omitted) +
                     " bytes of the switch's standard error left out here; the log keeps the "
                     "first " +
                     std::to_string(options_.log_head_bytes) + " and the last " +
                     std::to_string(tail.size()) + "]\n";
  text += tail;
  for (std::size_t done = 0; done < text.size();) {
    const auto w = ::write(log_fd_, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    done += static_cast<std::size_t>(w);
  }
}

void ExecSwitch::drain_stderr() {
  if (err_from_child_ < 0) return;
  char chunk[65536];
  while (true) {
    const auto n = ::read(err_from_child_, chunk, sizeof chunk);
    if (n > 0) {
      write_log(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {  // every writer is gone
      ::close(err_from_child_);
      err_from_child_ = -1;
    }
    return;  // EAGAIN: nothing more for now
  }
}

std::string ExecSwitch::exit_description(SwitchFailure::Kind* kind) {
  auto set = [&](SwitchFailure::Kind k) {
    if (kind) *kind = k;
  };
  set(SwitchFailure::Kind::kProtocol);
  if (pgid_ < 0) return "the switch is not running";
  for (int i = 0; i < 500 && !exited(); ++i) ::usleep(1000);
  if (pid_ > 0) return "the switch closed its output but is still running";
  const int status = exit_status_;
  if (WIFSIGNALED(status)) {
    set(SwitchFailure::Kind::kSignal);
    const int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return "the switch was killed by signal " + std::to_string(sig) + " (SIG" +
           (name ? name : "?") + ")";
  }
  set(SwitchFailure::Kind::kExited);
  return "the switch exited with status " + std::to_string(WEXITSTATUS(status));
}

void ExecSwitch::fail(const std::string& what, const std::string& offending,
                      SwitchFailure::Kind kind) {
  std::string msg = "protocol error during '" + op_ + "': " + what;
  if (!offending.empty()) msg += "; offending line: " + shorten(offending);
  msg += "; switch log: " + options_.log_path;
  stop(false);
  flush_log_tail();
  throw SwitchFailure(msg, kind);
}

void ExecSwitch::fail_stopped(const std::string& while_doing) {
  SwitchFailure::Kind kind{};
  const std::string why = exit_description(&kind);
  fail(why + while_doing, buffer_.substr(taken_), kind);
}

void ExecSwitch::write_line(const std::string& l) {
  // The pipe to the switch is non-blocking: while it is full, keep reading
  // what the switch writes (a switch may send many calls before it reads any
  // answer), and give up when the timeout passes without the line written.
  const double deadline = now_seconds() + seconds_;
  std::size_t done = 0;
  bool output_closed = false;
  while (done < l.size()) {
    const auto n = ::write(to_child_, l.data() + done, l.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      if (errno == EPIPE && !exited()) {
        fail(
            "the switch closed its standard input (it reads no more commands) but is still "
            "running",
            "", SwitchFailure::Kind::kClosedInput);
      }
      fail_stopped(" (it could not be written to)");
    }
    const double left = deadline - now_seconds();
    if (left <= 0) {
      fail("the switch read no input for " + std::to_string(seconds_).substr(0, 5) +
               " s (it hangs, or writes without reading)",
           "", SwitchFailure::Kind::kTimeout);
    }
    const bool reading = !output_closed && buffer_.size() <= kMaxLine;
    pollfd p[3] = {{to_child_, POLLOUT, 0},
                   {reading ? from_child_ : -1, POLLIN, 0},
                   {err_from_child_, POLLIN, 0}};
    const int r = ::poll(p, 3, static_cast<int>(left * 1000) + 1);
    if (r <= 0) continue;
    if (p[2].revents != 0) drain_stderr();
    if ((p[1].revents & (POLLIN | POLLHUP)) != 0 && read_some() == 0) output_closed = true;
  }
}

bool ExecSwitch::read_line(std::string& out, double deadline) {
  while (true) {
    const auto nl = buffer_.find('\n', taken_);
    if (nl != std::string::npos) {
      out.assign(buffer_, taken_, nl - taken_);
      taken_ = nl + 1;
      if (!out.empty() && out.back() == '\r') out.pop_back();
      return true;
    }
    buffer_.erase(0, taken_);
    taken_ = 0;
    // Nothing more to read without waiting: the switch may be waiting for
    // these answers first.
    if (!answers_.empty()) {
      flush_answers();  // it reads on while the pipe is full: look again
      continue;
    }
    if (buffer_.size() > kMaxLine) fail("a line longer than 64 MiB");
    const double left = deadline - now_seconds();
    if (left <= 0) return false;
    // Its output; its standard error (copied to the log); its exit, seen
    // even while a process it started keeps the output open; and the end of
    // its input (POLLERR on our end once it closed its end). After bye a
    // switch may close its input before it answers.
    pollfd p[4] = {{from_child_, POLLIN, 0},
                   {err_from_child_, POLLIN, 0},
                   {pidfd_, POLLIN, 0},
                   {op_ == "bye" ? -1 : to_child_, 0, 0}};
    const int r = wait_readable(p, 4, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;  // re-check the deadline
    if (p[1].revents != 0) drain_stderr();
    if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const auto n = read_some();
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fail_stopped(buffer_.empty() ? "" : " after writing an unfinished line");
      }
      continue;
    }
    if ((p[2].revents & POLLIN) != 0) {
      drain_stderr();
      fail_stopped(" (a process it started still holds its standard output open)");
    }
    if ((p[3].revents & POLLERR) != 0) {
      if (!exited()) {
        fail("the switch closed its standard input while '" + op_ +
                 "' ran (it reads no more commands) but is still running",
             buffer_, SwitchFailure::Kind::kClosedInput);
      }
      fail_stopped("");
    }
  }
}

int ExecSwitch::wait_readable(pollfd* p, nfds_t n, double left) {
  // Waking a process that sleeps costs little on one CPU, but on a virtual
  // machine waking an idle CPU costs tens of microseconds, often more than
  // the switch takes to answer. So look for its output for a while before
  // sleeping (yielding, so that a switch on this CPU gets to run), as long as
  // the recent waits were that short; a slow switch soon costs no spinning.
  const double start = now_seconds();
  const double spin = std::min(spin_seconds_, left);
  int r = 0;
  if (spin > 0) {
    while ((r = ::poll(p, n, 0)) == 0 && now_seconds() - start < spin) ::sched_yield();
  }
  if (r == 0) r = ::poll(p, n, static_cast<int>(left * 1000) + 1);
  if (r > 0) {
    const double max = options_.spin_microseconds * 1e-6;
    spin_seconds_ = now_seconds() - start <= max ? max : spin_seconds_ / 2;
  }
  return r;
}

ssize_t ExecSwitch::read_some() {
  char chunk[65536];
  const auto n = ::read(from_child_, chunk, sizeof chunk);
  if (n > 0) buffer_.append(chunk, static_cast<std::size_t>(n));
  return n;
}

void ExecSwitch::check_quiet_between_commands() {
  // Output that is already here before the command is sent cannot belong to
  // it: typically debug printing to standard output instead of standard error.
  drain_stderr();
  pollfd p{from_child_, POLLIN, 0};
  if (taken_ == buffer_.size() && ::poll(&p, 1, 0) <= 0) return;
  if (taken_ == buffer_.size() && read_some() <= 0) fail_stopped(" between commands");
  std::string stray = buffer_.substr(taken_);
  if (const auto nl = stray.find('\n'); nl != std::string::npos) stray.resize(nl);
  if (op_.empty()) op_ = "start";
  fail(std::string("the switch wrote to its standard output ") +
           (op_ == "start" ? "before the first command" : "after the result") +
           " (only protocol lines may go there, and only while a command runs; diagnostics "
           "belong on standard error)",
       stray);
}

void ExecSwitch::check_quiet() {
  if (pgid_ >= 0) check_quiet_between_commands();
}

void ExecSwitch::flush_answers() {
  if (answers_.empty()) return;
  std::string a;
  a.swap(answers_);
  write_line(a);
}

}  // namespace wrongbox
