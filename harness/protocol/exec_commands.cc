// Protocol v1 over a child process's stdin/stdout: the commands, their
// answers and the calls the switch makes while one runs (the process and its
// lines: exec_switch.cc).
#include <algorithm>

#include "harness/protocol/exec_switch.h"

namespace wrongbox {

using exec_detail::now_seconds;

template <typename Fields>
protocol::Value ExecSwitch::command(const char* op, Calls* calls, Fields fields, double seconds) {
  writer_.start_object();
  writer_.field("op", op);
  fields();
  writer_.end_object();
  return run_command(op, writer_.line(), calls, seconds);
}

protocol::Value ExecSwitch::bare_command(const char* op, Calls* calls, double seconds) {
  return command(
      op, calls, [] {}, seconds);
}

protocol::Value ExecSwitch::run_command(const char* op, const std::string& line, Calls* calls,
                                        double seconds) {
  if (pgid_ >= 0) check_quiet_between_commands();  // reported against the previous command
  op_ = op;
  seconds_ = seconds;
  if (pgid_ < 0) fail("the switch is not running");
  write_line(line);
  const double deadline = now_seconds() + seconds_;
  std::string raw, error;
  while (true) {
    if (!read_line(raw, deadline)) {
      fail("no result within " + std::to_string(seconds_).substr(0, 5) +
               " s (the switch hangs, or waits for input)",
           "", SwitchFailure::Kind::kTimeout);
    }
    protocol::Value j;
    if (!parser_.parse(raw, j, error)) {
      fail(raw.starts_with("{") ? "a line that is not valid JSON"
                                : "a line that is not valid JSON (only protocol lines may go to "
                                  "standard output; diagnostics belong on standard error)",
           raw);
    }
    if (!j.is_object()) fail("a line that is not a JSON object", raw);
    if (const auto r = protocol::field(j, "result")) {
      flush_answers();
      if (!r->is_object()) fail("'result' must be an object", raw);
      if (const auto e = protocol::field(*r, "error")) {
        fail("the switch answered with an error: " + protocol::to_json(*e), raw);
      }
      return *r;
    }
    if (protocol::field(j, "call")) {
      if (calls == nullptr) fail("a call during '" + op_ + "', which takes none", raw);
      answers_ += serve_call(j, raw, *calls);
      continue;
    }
    fail("a line with neither \"call\" nor \"result\"", raw);
  }
}

std::string ExecSwitch::serve_call(protocol::Value j, const std::string& raw, Calls& calls) {
  static const std::string ok = [] {  // most answers
    protocol::Writer w;
    protocol::encode(w, DeliverReply::kOk);
    return w.line();
  }();
  std::string name, error;
  if (!protocol::get_string(j, "call", name, error)) fail(error, raw);
  auto need = [&](const char* field) {
    std::string v;
    if (!protocol::get_string(j, field, v, error)) fail(name + " call: " + error, raw);
    return v;
  };
  auto message = [&]() {
    Message m;
    const auto f = protocol::field(j, "message");
    if (!f) fail(name + " call: missing field 'message'", raw);
    if (!protocol::decode(*f, m, error)) fail(name + " call: " + error, raw);
    return m;
  };
  if (name == "lookup") {
    protocol::encode(writer_, calls.lookup(need("person")));
    return writer_.line();
  }
  if (name == "deliver") {
    const auto mailbox = need("mailbox");
    protocol::encode(writer_, calls.deliver(mailbox, message()));
    return writer_.line();
  }
  if (name == "print") {
    const auto person = need("person");
    calls.print(person, message());
    return ok;
  }
  if (name == "hold") {
    const auto m = message();
    calls.hold(m, need("reason"));
    return ok;
  }
  if (name == "receipt") {
    ReceiptStatus s{};
    const auto sender = need("sender");
    const auto id = need("id");
    if (!protocol::decode(j, s, error)) fail(error, raw);
    calls.receipt(sender, id, s);
    return ok;
  }
  if (name == "log") {
    calls.log(need("text"));
    return ok;
  }
  fail("unknown call '" + name + "'", raw);
}

void ExecSwitch::expect_plain_result(protocol::Value r) {
  if (protocol::field(r, "verdicts") || protocol::field(r, "idle"))
    fail("a result for another command", protocol::to_json(r));
}

void ExecSwitch::bye() {
  if (pgid_ < 0) hello();
  expect_plain_result(command("bye", nullptr));
  ::close(to_child_);
  to_child_ = -1;
  bool gone = false;
  for (int i = 0; i < 2000 && !(gone = exited()); ++i) ::usleep(1000);
  if (!gone)
    fail("the switch did not exit within 2 s after bye", "", SwitchFailure::Kind::kTimeout);
  const int status = exit_status_;
  stop(false);  // what is left of its group, and the pipes
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw SwitchFailure(
        "after bye the switch " +
            std::string(WIFEXITED(status)
                            ? "exited with status " + std::to_string(WEXITSTATUS(status))
                            : "was killed by a signal") +
            "; it must exit 0",
        WIFEXITED(status) ? SwitchFailure::Kind::kExited : SwitchFailure::Kind::kSignal);
  }
}

void ExecSwitch::use_places(const Places& p) {
  place_env_ = {"WRONGBOX_PRIVATE_DIR=" + p.private_dir, "WRONGBOX_SHARED_DIR=" + p.shared_dir,
                "WRONGBOX_LOG_DIR=" + p.log_dir, "TMPDIR=" + p.tmp_dir, "HOME=" + p.home_dir};
}

HelloInfo ExecSwitch::hello() {
  if (pgid_ < 0) start();
  if (said_hello_) return hello_;
  // The first answer includes the switch's start-up (an interpreter or a
  // virtual machine loading, on a machine that may be busy): it gets at
  // least kStartupSeconds, whatever --timeout says of the commands after it.
  const auto r = command(
      "hello", nullptr,
      [&] {
        writer_.key("protocol");
        writer_.integer(protocol::kVersion);
      },
      std::max(options_.timeout_seconds, kStartupSeconds));
  HelloInfo h;
  std::string error;
  if (!protocol::get_string(r, "name", h.name, error)) {
    fail("hello result: " + error, protocol::to_json(r));
  }
  if (const auto v = protocol::field_as<std::string_view>(r, "version")) h.version = *v;
  if (protocol::field(r, "capabilities")) {
    const auto caps = protocol::field_as<simdjson::dom::array>(r, "capabilities");
    if (!caps) fail("hello result: 'capabilities' must be an array", protocol::to_json(r));
    std::string_view text;
    for (protocol::Value x : *caps) {
      if (x.get_string().get(text) == simdjson::SUCCESS) h.capabilities.emplace_back(text);
    }
  }
  hello_ = h;
  said_hello_ = true;
  return h;
}

void ExecSwitch::reset(const std::vector<std::string>& senders) {
  if (pgid_ < 0 || !said_hello_) hello();  // a fresh process after a failure
  expect_plain_result(command("reset", nullptr, [&] {
    writer_.key("senders");
    writer_.strings(senders);
  }));
}

std::vector<Verdict> ExecSwitch::submit(const std::vector<Message>& batch, Calls& calls) {
  const auto r = command("submit", &calls, [&] {
    writer_.key("messages");
    writer_.start_array();
    for (const auto& m : batch) protocol::encode(writer_, m);
    writer_.end_array();
  });
  const auto verdicts = protocol::field_as<simdjson::dom::array>(r, "verdicts");
  if (!verdicts) {
    fail("submit result without a 'verdicts' array (a result for another command?)",
         protocol::to_json(r));
  }
  std::vector<Verdict> out;
  out.reserve(verdicts->size());
  std::string error;
  for (protocol::Value v : *verdicts) {
    if (!protocol::decode(v, out.emplace_back(), error)) fail(error, protocol::to_json(r));
  }
  // One verdict per message, in their order, is the protocol's shape: a
  // result of another shape is a departure, and the process is stopped here
  // (fail) so that the next scenario meets a fresh one, not this one's state.
  // The oracle judges the same (on_verdicts) for switches without a process.
  if (out.size() != batch.size()) {
    fail(std::to_string(out.size()) + " verdict(s) for " + std::to_string(batch.size()) +
             " message(s)",
         protocol::to_json(r));
  }
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k].sender != batch[k].sender || out[k].id != batch[k].id) {
      fail("verdict " + std::to_string(k + 1) + " is for another message than message " +
               std::to_string(k + 1),
           protocol::to_json(r));
    }
  }
  return out;
}

bool ExecSwitch::tick(std::int64_t now, Calls& calls) {
  const auto r = command("tick", &calls, [&] {
    writer_.key("now");
    writer_.integer(now);
  });
  const auto idle = protocol::field_as<bool>(r, "idle");
  if (!idle) {
    fail("tick result without a boolean 'idle' (a result for another command?)",
         protocol::to_json(r));
  }
  return *idle;
}

void ExecSwitch::restart() {
  expect_plain_result(command("restart", nullptr));
}

}  // namespace wrongbox
