// ExecSwitch: a switch in another process, driven over protocol v1 on its
// standard input and output (`--sut exec:'COMMAND ARGS'`).
//
// The process is started on first use and kept across scenarios (`reset`
// between them), in a process group of its own: whatever it starts is
// killed and reaped with it, when it fails, when the harness stops it, and
// (by a small watchdog process) when the harness itself dies, even of
// SIGKILL. What it writes to standard error goes to a log file, capped: the
// first `log_head_bytes` and the last `log_tail_bytes`, with a line saying
// how much was left out between them.
// Every departure from the protocol (a line that is not JSON, an unknown
// call, a missing field, a result for the wrong command, an exit or a crash,
// no result within the timeout) throws SwitchFailure naming the command, the
// offending line or signal, and the log file; the process is then killed and
// started afresh at the next reset, so one bad scenario costs only itself.
//
// Example usage:
//   ExecSwitch sw("python3 examples/python/reference_switch.py", {.timeout_seconds = 5});
//   HelloInfo h = sw.hello();
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "harness/core/runner.h"
#include "harness/protocol/protocol.h"
#include "wrongbox/switch.h"

namespace wrongbox {

// `hello`, the first answer of a process, includes its start-up: it may
// take this long whatever the timeout of the other commands.
inline constexpr double kStartupSeconds = 10;

namespace exec_detail {
// Seconds on the steady clock: the deadlines of reads and commands.
double now_seconds();
}  // namespace exec_detail

struct ExecOptions {
  double timeout_seconds = 10;  // per command, calls included (hello: kStartupSeconds at least)
  std::string log_path;         // the switch's standard error; "" = wrongbox-logs/switch-<pid>.log
  // How long to look for the switch's output before sleeping, while its
  // recent answers came that fast (0: always sleep at once). See wait_readable.
  double spin_microseconds = 200;
  std::size_t log_head_bytes = 4u << 20;  // the log keeps the first ...
  std::size_t log_tail_bytes = 1u << 20;  // ... and the last bytes of standard error
};

// Thrown by the constructor when the log file cannot be opened: the
// harness's configuration, not the switch, is at fault (exit code 2).
class ExecSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Splits a command line into words as a POSIX shell would (single quotes,
// double quotes with \" \\ \$ \`, backslash escapes), without running a shell
// or expanding anything. Returns false with `error` set on unbalanced quotes.
bool split_command(const std::string& text, std::vector<std::string>& words, std::string& error);

class ExecSwitch final : public Switch, public QuietAfterCommands {
 public:
  ExecSwitch(std::string command, ExecOptions options);
  ~ExecSwitch() override;
  ExecSwitch(const ExecSwitch&) = delete;
  ExecSwitch& operator=(const ExecSwitch&) = delete;

  HelloInfo hello() override;
  void reset(const std::vector<std::string>& senders) override;
  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) override;
  bool tick(std::int64_t now, Calls& calls) override;
  void restart() override;
  // The process (started, and started again after a failure) gets the places
  // as WRONGBOX_PRIVATE_DIR, WRONGBOX_SHARED_DIR, WRONGBOX_LOG_DIR, TMPDIR and
  // HOME; takes effect at the next start.
  void use_places(const Places& p) override;
  // Throws SwitchFailure when the switch wrote to its standard output after
  // its last result (asked at the end of each drain).
  void check_quiet() override;

  // Sends bye and waits for the process to exit with status 0; throws
  // SwitchFailure naming what happened otherwise. The switch is stopped after.
  void bye();

  const std::string& log_path() const { return options_.log_path; }
  // How many times the process was started (1 + restarts after failures).
  int starts() const { return starts_; }

 private:
  void start();
  void stop(bool polite);
  std::vector<std::string> place_env_;  // NAME=VALUE, over the harness's environment
  // Sends {"op":OP, ...} (the fields that fields() writes into writer_),
  // serves its calls, returns its result (valid until the next line is
  // parsed). The command may take `seconds` (its writes, calls and result);
  // without them, ExecOptions::timeout_seconds.
  template <typename Fields>
  protocol::Value command(const char* op, Calls* calls, Fields fields, double seconds);
  template <typename Fields>
  protocol::Value command(const char* op, Calls* calls, Fields fields) {
    return command(op, calls, fields, options_.timeout_seconds);
  }
  protocol::Value bare_command(const char* op, Calls* calls, double seconds);  // no fields
  protocol::Value command(const char* op, Calls* calls) {
    return bare_command(op, calls, options_.timeout_seconds);
  }
  protocol::Value run_command(const char* op, const std::string& line, Calls* calls,
                              double seconds);
  // Serves one call; returns the answer line.
  std::string serve_call(protocol::Value j, const std::string& raw, Calls& calls);
  // bye, reset and restart results hold no verdicts and no idle.
  void expect_plain_result(protocol::Value r);
  bool read_line(std::string& out, double deadline);
  ssize_t read_some();  // one read() of the switch's output into buffer_
  // poll() for the switch's output, spinning first (see ExecOptions); as poll.
  int wait_readable(pollfd* p, nfds_t n, double left);
  [[noreturn]] void fail_stopped(const std::string& while_doing);  // exit_description + fail
  void write_line(const std::string& l);
  void flush_answers();
  void check_quiet_between_commands();
  [[noreturn]] void fail(const std::string& what, const std::string& offending = "",
                         SwitchFailure::Kind kind = SwitchFailure::Kind::kProtocol);
  // Why the process stopped talking (exit status, signal, or still running),
  // and the kind of failure that is.
  std::string exit_description(SwitchFailure::Kind* kind = nullptr);
  bool exited();  // the process has ended (it is reaped then)
  // Copies what the switch wrote to standard error into the log (head and tail).
  void drain_stderr();
  void write_log(const char* data, std::size_t n);
  void flush_log_tail();
  void kill_group();

  std::string command_text_;
  std::vector<std::string> argv_;
  ExecOptions options_;
  pid_t pid_ = -1;   // the switch, until reaped
  pid_t pgid_ = -1;  // its process group, until killed
  int to_child_ = -1;
  int from_child_ = -1;
  int err_from_child_ = -1;  // its standard error
  int pidfd_ = -1;           // readable once the switch has exited (-1: not available)
  int watchdog_fd_ = -1;     // closing it (or our death) makes the watchdog kill the group
  pid_t watchdog_pid_ = -1;
  int log_fd_ = -1;
  std::size_t log_written_ = 0;  // bytes of standard error written to the log's head
  std::string log_tail_;         // beyond the head: the latest bytes
  std::size_t log_omitted_ = 0;  // bytes dropped between head and tail
  off_t log_head_end_ = -1;      // where the head ends in the file
  std::string buffer_;           // read from the switch, not yet taken as lines
  std::size_t taken_ = 0;        // bytes of buffer_ already taken
  std::string answers_;          // answers to calls, written before the next wait
  std::string op_;               // the command in progress
  double seconds_ = 0;           // what it may take (its writes, calls and result)
  protocol::Parser parser_;
  protocol::Writer writer_;
  double spin_seconds_ = 0;  // the next wait's spin; set from how long waits take
  HelloInfo hello_;
  bool said_hello_ = false;
  int starts_ = 0;
  int exit_status_ = -1;  // waitpid status once reaped by exited(); -1 unknown
};

}  // namespace wrongbox
