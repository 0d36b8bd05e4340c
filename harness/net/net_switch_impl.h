// The network transport's inside (net_switch.h), shared by its three
// files: net_switch.cc (the commands: intake, ticks, the command window),
// net_fakes.cc (the fakes of the registry, the operators and the JSON
// actors) and net_process.cc (the switch's process and its output).
// Private to harness/net/.
#pragma once

#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "harness/core/actors.h"
#include "harness/core/mix.h"
#include "harness/core/printable.h"
#include "harness/core/shared_calls.h"
#include "harness/net/net_switch.h"
#include "harness/net/signature.h"
#include "harness/net/soap.h"
#include "harness/net/test_pki.h"
#include "harness/protocol/exec_switch.h"
#include "harness/protocol/process_tree.h"
#include "models/world.h"

namespace wrongbox::net {

using json = nlohmann::json;

// The contract's freedoms the fakes use, counted for coverage (freedoms()).
enum Freedom : int {
  kSeveralRecipients,  // an isReachable query with more than one recipientId
  kReordered,          // answers in another order than asked
  kOptionalAbsent,     // an answer without one of the optional elements
  kNotReachable,       // Type Not, no ServiceSupplier
  kSenderRefused,      // SenderAccepted=false
  kSeveralMessages,    // a deliverSecure with more than one Message
  kAttachments,        // a deliverSecure with attachments
  kNotDelivered,       // Delivered=false (no account at that operator)
  kOutage503,
  kOutageFault,
  kOutageDropped,
  kOutageSlow,
  kSigned,  // --verify-signatures: a SignedDelivery whose signature verified
  kFreedomCount
};
inline constexpr const char* kFreedomNames[kFreedomCount] = {"several recipients a query",
                                                             "answers reordered",
                                                             "optional elements absent",
                                                             "Type Not",
                                                             "SenderAccepted=false",
                                                             "several messages a delivery",
                                                             "attachments",
                                                             "Delivered=false",
                                                             "outage: 503",
                                                             "outage: SOAP fault",
                                                             "outage: dropped connection",
                                                             "outage: slow 503",
                                                             "signatures verified"};
// How long a slow answer waits before its 503.
inline constexpr int kSlowAnswerMs = 50;

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline int pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = -1;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  if (fd >= 0) ::close(fd);
  if (port <= 0) throw SwitchFailure("net: cannot find a free port on 127.0.0.1");
  return port;
}

inline std::string base64(const std::string& s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

inline std::uint64_t hash_text(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

struct Url {
  std::string origin;  // http://host:port
  std::string path;    // /a/b?c
};

inline Url split_url(const std::string& url, const std::string& where) {
  if (url.rfind("http://", 0) != 0) throw SwitchFailure(where + ": not an http:// URL: " + url);
  const auto slash = url.find('/', 7);
  return {url.substr(0, slash), slash == std::string::npos ? "/" : url.substr(slash)};
}

struct NetSwitch::Impl {
  NetSpec spec;
  NetOptions options;
  std::vector<std::string> place_env;  // NAME=VALUE
  Places places;
  bool have_places = false;
  std::string marker;  // in the switch's environment: how kill_tree finds what it started

  // The fakes.
  std::unique_ptr<TestPki> pki;                  // --tls: the run's certificates
  std::unique_ptr<SignatureChecker> signatures;  // --verify-signatures
  std::unique_ptr<httplib::Server> server;       // the fakes (an SSLServer with --tls)
  std::thread server_thread;
  int port = -1;

  // The command window: requests to the fakes become calls of `calls`.
  std::mutex mu;
  Calls* calls = nullptr;
  std::string command;                 // "submit", "tick"
  std::optional<std::string> failure;  // the first contract break a fake saw
  struct Job {
    std::function<void()> run;
    bool finished = false;
  };
  std::deque<Job*> jobs;  // fakes' requests waiting for the command's thread
  std::condition_variable wake, job_done;
  std::uint64_t requests = 0;  // since reset: names a SOAP fault
  std::uint64_t trans = 0;
  std::array<std::int64_t, kFreedomCount> used{};          // freedoms(), since construction
  std::array<std::int64_t, kFreedomCount> used_taken{};    // used at the last take_used()
  std::unordered_map<std::uint64_t, std::uint64_t> asked;  // choice(): requests by what they ask
  std::map<std::string, std::string> org_of, sender_of_org;
  // The name of each submitted message's first part, by (sender, id): a
  // deliverSecure Body carries no file name, so the fake restores it.
  std::map<std::pair<std::string, std::string>, std::string> body_name;
  // The mailbox the registry last named for each person, by (person,
  // operator): the account a deliverSecure reaches when the calls' actors are
  // not the harness's own (conformance records calls without a world).
  std::map<std::pair<std::string, std::string>, std::string> looked_up;
  std::vector<std::string> senders;

  // The process.
  pid_t pid = -1, pgid = -1;
  Watchdog watchdog;
  int out_fd = -1;   // its standard output and error (non-blocking)
  int wake_fd = -1;  // an eventfd: asks the reader to read all there is now (drain_output)
  std::thread reader;
  std::mutex log_mu;
  std::condition_variable drained_cv;
  std::string pending_log;  // read, not yet given to the staff log
  std::uint64_t drain_asked = 0, drained = 0;
  bool reader_done = false;
  // WRONGBOX_NET_SLOW_READER_MS: the reader pauses so long before each read,
  // as on a busy machine (net_test shows a run does not change with it).
  int slow_reader_ms = 0;
  int log_fd = -1;
  int switch_port = -1;
  int starts = 0;
  std::map<std::string, std::unique_ptr<httplib::Client>> clients;

  Impl(NetSpec s, NetOptions o);

  ~Impl();

  // Why a request over --tls does not come from the switch's certificate,
  // or "" when it does.
  static std::string tls_refusal(const httplib::Request& req);

  std::string base() const;

  // ---- the fakes ----

  // Runs `f` with the calls of the command in progress, on the command's
  // own thread (run_command): the switch's requests arrive on the server's
  // threads, but the actors see one call after another, from one thread. A
  // request outside a command is answered 503 and remembered as a failure.
  template <typename F>
  void serve(const char* what, httplib::Response& res, F&& f) {
    std::unique_lock lock(mu);
    ++requests;
    if (!calls) {
      if (!failure) {
        failure = std::string("a request to ") + what +
                  " arrived while no command ran (after its intake or tick had answered)";
      }
      res.status = 503;
      return;
    }
    Job job;
    job.run = [&] {
      try {
        f(*calls);
      } catch (const SoapError& e) {
        if (!failure) failure = std::string(what) + ": " + e.what();
        res.status = 500;
        res.set_content(
            soap_fault(1, std::string("Wrongbox: ") + e.what(), "wrongbox-contract-check-0001"),
            "text/xml; charset=utf-8");
      } catch (const json::exception& e) {
        if (!failure) {
          failure = std::string(what) + ": the JSON body breaks docs/network.md: " + e.what();
        }
        res.status = 400;
        res.set_content(R"({"ok":false})", "application/json");
      }
    };
    jobs.push_back(&job);
    wake.notify_all();
    job_done.wait(lock, [&] { return job.finished; });
  }

  // Runs `request` (the switch's intake or tick) on a thread of its own
  // while this thread serves the fakes' jobs, until it returns.
  template <typename R, typename F>
  R run_command(Calls& c, const char* what, F&& request) {
    {
      std::lock_guard lock(mu);
      calls = &c;
      command = what;
    }
    std::optional<R> result;
    std::exception_ptr error;
    bool done = false;
    std::thread t([&] {
      try {
        result = request();
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mu);
      done = true;
      wake.notify_all();
    });
    {
      std::unique_lock lock(mu);
      for (;;) {
        wake.wait(lock, [&] { return done || !jobs.empty(); });
        while (!jobs.empty()) {
          Job* j = jobs.front();
          jobs.pop_front();
          j->run();
          j->finished = true;
          job_done.notify_all();
        }
        if (done) break;
      }
    }
    t.join();
    if (error) {
      std::lock_guard lock(mu);
      calls = nullptr;
      std::rethrow_exception(error);
    }
    close_window(c);
    return std::move(*result);
  }

  // The fakes' choice for a request, from what it asks (`key`) and how often
  // the same thing was asked since reset: not from its place among all
  // requests, so a scenario shrunk around a finding meets the same answers.
  std::uint64_t choice(std::string_view key);

  // An outage, in one of the forms the contract allows.
  void outage(httplib::Response& res, const char* who, std::string_view key);

  std::string sender_name(const std::string& org_or_name) const;

  std::string org(const std::string& sender);

  std::string operator_url(std::string_view op) const;

  static Message message_from_json(const json& j,
                                   const std::function<std::string(const std::string&)>& name);

  void routes();

  // ---- placeholders ----

  Values values() const;

  // ---- the process ----

  void start();

  // The reader: what the switch prints, as it prints it, and all of it at
  // once when drain_output() asks.
  void read_output(int fd, int wakeup);

  // Everything the switch printed before now is in pending_log on return:
  // what it wrote before answering a command belongs to that command, however
  // slowly the reader thread runs on a busy machine (the staff log is judged,
  // and it feeds the search's coverage: a line late by one command would make
  // a run differ from its reproduction).
  void drain_output();

  bool exited(std::string* why);

  [[noreturn]] void fail(const std::string& what, SwitchFailure::Kind kind);

  void wait_ready();

  void stop_process();

  // ---- requests to the switch ----

  httplib::Client& client(const std::string& origin);

  httplib::Result send(const Request& r, const Values& v, const std::vector<Values>& parts);

  void check_answer(const httplib::Result& res, const Request& r, const char* what);

  Verdict submit_one(const Message& msg);

  bool tick_once(std::int64_t now);

  bool boolean_at(const json& answer, const std::string& pointer, const std::string& body,
                  const char* field);

  // Closes the command: hands the staff log on, throws what a fake saw.
  void close_window(Calls& c);
};

}  // namespace wrongbox::net
