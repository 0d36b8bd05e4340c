// ExecSwitch: a switch in another process, driven over protocol v1 on its
// standard input and output (`--sut exec:'COMMAND ARGS'`).
//
// The process is started on first use and kept across scenarios (`reset`
// between them). Anything it writes to standard error goes to a log file.
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

#include "harness/protocol.h"
#include "wrongbox/switch.h"

namespace wrongbox {

struct ExecOptions {
  double timeout_seconds = 10;  // per command, calls included
  std::string log_path;         // the switch's standard error; "" = wrongbox-logs/switch-<pid>.log
  // How long to look for the switch's output before sleeping, while its
  // recent answers came that fast (0: always sleep at once). See wait_readable.
  double spin_microseconds = 200;
};

// Splits a command line into words as a POSIX shell would (single quotes,
// double quotes with \" \\ \$ \`, backslash escapes), without running a shell
// or expanding anything. Returns false with `error` set on unbalanced quotes.
bool split_command(const std::string& text, std::vector<std::string>& words, std::string& error);

class ExecSwitch final : public Switch {
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

  // Sends bye and waits for the process to exit with status 0; throws
  // SwitchFailure naming what happened otherwise. The switch is stopped after.
  void bye();

  const std::string& log_path() const { return options_.log_path; }
  // How many times the process was started (1 + restarts after failures).
  int starts() const { return starts_; }

 private:
  void start();
  void stop(bool polite);
  // Sends {"op":OP, ...} (the fields that fields() writes into writer_),
  // serves its calls, returns its result (valid until the next line is parsed).
  template <typename Fields>
  protocol::Value command(const char* op, Calls* calls, Fields fields);
  protocol::Value command(const char* op, Calls* calls);  // no fields
  protocol::Value run_command(const char* op, const std::string& line, Calls* calls);
  // Serves one call; returns the answer line.
  std::string serve_call(protocol::Value j, const std::string& raw, Calls& calls);
  // bye, reset and restart results hold no verdicts and no idle.
  void expect_plain_result(protocol::Value r);
  bool read_line(std::string& out, double deadline);
  ssize_t read_some();  // one read() of the switch's output into buffer_
  // poll() for the switch's output, spinning first (see ExecOptions); as poll.
  int wait_readable(pollfd& p, double left);
  void write_line(const std::string& l);
  void flush_answers();
  void check_quiet_between_commands();
  [[noreturn]] void fail(const std::string& what, const std::string& offending = "");
  std::string exit_description();

  std::string command_text_;
  std::vector<std::string> argv_;
  ExecOptions options_;
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffer_;     // read from the switch, not yet taken as lines
  std::size_t taken_ = 0;  // bytes of buffer_ already taken
  std::string answers_;    // answers to calls, written before the next wait
  std::string op_;         // the command in progress
  protocol::Parser parser_;
  protocol::Writer writer_;
  double spin_seconds_ = 0;  // the next wait's spin; set from how long waits take
  HelloInfo hello_;
  bool said_hello_ = false;
  int starts_ = 0;
};

}  // namespace wrongbox
