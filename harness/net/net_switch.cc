// The network transport (net_switch.h): the switch's process, its intake,
// and the fakes of every actor around it.
#include "harness/net/net_switch.h"

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
#include "harness/core/printable.h"
#include "harness/core/shared_calls.h"
#include "harness/net/signature.h"
#include "harness/net/soap.h"
#include "harness/net/test_pki.h"
#include "harness/protocol/exec_switch.h"
#include "harness/protocol/process_tree.h"
#include "models/world.h"

extern char** environ;

namespace wrongbox::net {
namespace {

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
constexpr const char* kFreedomNames[kFreedomCount] = {"several recipients a query",
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
constexpr int kSlowAnswerMs = 50;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int pick_free_port() {
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

std::string base64(const std::string& s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t hash_text(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

struct Url {
  std::string origin;  // http://host:port
  std::string path;    // /a/b?c
};

Url split_url(const std::string& url, const std::string& where) {
  if (url.rfind("http://", 0) != 0) throw SwitchFailure(where + ": not an http:// URL: " + url);
  const auto slash = url.find('/', 7);
  return {url.substr(0, slash), slash == std::string::npos ? "/" : url.substr(slash)};
}

}  // namespace

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

  Impl(NetSpec s, NetOptions o) : spec(std::move(s)), options(std::move(o)) {
    static std::atomic<int> runs{0};
    if (const char* slow = std::getenv("WRONGBOX_NET_SLOW_READER_MS"); slow && *slow) {
      slow_reader_ms = std::clamp(std::atoi(slow), 0, 1000);
    }
    marker = "WRONGBOX_NET_RUN=" + std::to_string(::getpid()) + "-" + std::to_string(++runs);
    if (options.log_path.empty()) {
      std::error_code ec;
      std::filesystem::create_directories("wrongbox-logs", ec);
      options.log_path = "wrongbox-logs/net-switch-" + std::to_string(::getpid()) + ".log";
    }
    log_fd = ::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      throw ExecSetupError("cannot open the switch log " + options.log_path + ": " +
                           std::strerror(errno));
    }
    ::signal(SIGPIPE, SIG_IGN);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (options.verify_signatures) {
      try {
        signatures = std::make_unique<SignatureChecker>(spec.signing_certificate);
      } catch (const SoapError& e) {
        throw NetSpecError(spec.path + ": signatures.certificate: " + e.what());
      }
    }
    if (options.tls) {
      try {
        pki = std::make_unique<TestPki>();
      } catch (const std::runtime_error& e) {
        throw SwitchFailure(e.what());
      }
      // Mutual TLS: the switch must present a certificate of the run's CA.
      // The handshake asks for one but lets a request without it through,
      // so that its absence is named (tls_refusal) instead of a silent reset.
      auto ssl = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) {
        STACK_OF(X509_NAME)* cas = SSL_load_client_CA_file(pki->ca_cert().c_str());
        if (!cas) return false;
        SSL_CTX_set_client_CA_list(&ctx, cas);
        SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
        return SSL_CTX_use_certificate_chain_file(&ctx, pki->server_cert().c_str()) == 1 &&
               SSL_CTX_use_PrivateKey_file(&ctx, pki->server_key().c_str(), SSL_FILETYPE_PEM) ==
                   1 &&
               SSL_CTX_load_verify_locations(&ctx, pki->ca_cert().c_str(), nullptr) == 1;
      });
      if (!ssl->is_valid()) throw SwitchFailure("--tls: the fakes' TLS context is not valid");
      server = std::move(ssl);
      server->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        const std::string why = tls_refusal(req);
        if (why.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::lock_guard lock(mu);
        if (!failure) failure = "a request to " + req.path + " " + why;
        res.status = 403;
        return httplib::Server::HandlerResponse::Handled;
      });
    } else {
      server = std::make_unique<httplib::Server>();
    }
    routes();
    // Before the socket exists: accepted connections inherit TCP_NODELAY.
    server->set_tcp_nodelay(true);
    server->set_keep_alive_max_count(1000000);
    port = server->bind_to_any_port("127.0.0.1");
    if (port <= 0) throw SwitchFailure("net: the fakes cannot listen on 127.0.0.1");
    server_thread = std::thread([this] { server->listen_after_bind(); });
  }

  ~Impl() {
    stop_process();
    server->stop();
    if (server_thread.joinable()) server_thread.join();
    if (log_fd >= 0) ::close(log_fd);
  }

  // Why a request over --tls does not come from the switch's certificate,
  // or "" when it does.
  static std::string tls_refusal(const httplib::Request& req) {
    if (!req.ssl) return "came over plain HTTP";
    X509* peer = SSL_get0_peer_certificate(req.ssl);
    if (!peer) return "came without a client certificate (--tls: mutual TLS, {tls_cert})";
    const long v = SSL_get_verify_result(req.ssl);
    if (v != X509_V_OK) {
      return std::string("came with a client certificate the run's CA did not issue (") +
             X509_verify_cert_error_string(v) + ")";
    }
    return "";
  }

  std::string base() const {
    return (pki ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port);
  }

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
  std::uint64_t choice(std::string_view key) {
    const std::uint64_t h = hash_text(key);
    return mix(h * 0x100000001b3ULL ^ asked[h]++);
  }

  // An outage, in one of the forms the contract allows.
  void outage(httplib::Response& res, const char* who, std::string_view key) {
    // Of sixteen: 503 seven times, a fault or a dropped connection four, slow once.
    constexpr int kForm[16] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3};
    const int form = kForm[choice(std::string("outage|") + std::string(key)) % 16];
    ++used[form == 0   ? kOutage503
           : form == 1 ? kOutageFault
           : form == 2 ? kOutageDropped
                       : kOutageSlow];
    switch (form) {
      case 0:
        res.status = 503;
        res.set_content(std::string(who) + " unavailable", "text/plain");
        break;
      case 3: {  // a slow answer: 503 after kSlowAnswerMs, sent by the server's thread
        res.status = 503;
        std::string text = std::string(who) + " unavailable (slow)";
        res.set_content_provider(
            text.size(), "text/plain",
            [text](std::size_t offset, std::size_t, httplib::DataSink& sink) {
              if (offset == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(kSlowAnswerMs));
              sink.write(text.data() + offset, text.size() - offset);
              return true;
            });
        break;
      }
      case 1:
        res.status = 500;
        res.set_content(soap_fault(5000, std::string(who) + " is unavailable, try again later",
                                   "wrongbox-outage-" + std::to_string(requests) + "-0000000"),
                        "text/xml; charset=utf-8");
        break;
      default:  // the connection drops without an answer
        res.set_content_provider(
            1 << 20, "text/xml",
            [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
        break;
    }
  }

  std::string sender_name(const std::string& org_or_name) const {
    auto it = sender_of_org.find(org_or_name);
    return it == sender_of_org.end() ? org_or_name : it->second;
  }

  std::string org(const std::string& sender) {
    auto it = org_of.find(sender);
    if (it != org_of.end()) return it->second;
    char buf[16];
    std::snprintf(buf, sizeof buf, "1655%08zu", org_of.size() + 1);
    org_of[sender] = buf;
    sender_of_org[buf] = sender;
    return buf;
  }

  std::string operator_url(std::string_view op) const {
    return base() + "/operator/" + std::string(op) + "/service/v3";
  }

  static Message message_from_json(const json& j,
                                   const std::function<std::string(const std::string&)>& name) {
    Message m;
    m.sender = name(j.at("sender").get<std::string>());
    m.id = j.at("id").get<std::string>();
    m.subject = j.at("subject").get<std::string>();
    m.title = j.value("title", "");
    for (const auto& p : j.value("parts", json::array())) {
      m.parts.push_back({p.value("name", ""), p.value("data", "")});
    }
    return m;
  }

  void routes() {
    server->Post(
        "/registry/isReachable", [this](const httplib::Request& req, httplib::Response& res) {
          serve("the registry (isReachable)", res, [&](Calls& c) {
            const IsReachable q = parse_is_reachable(req.body);
            const std::string sender = sender_name(q.sender_org);
            std::string key = "reach|" + sender;
            for (const auto& r : q.recipients) (key += '|') += r;
            auto replies = c.lookup_each(q.recipients);
            for (const auto& r : replies) {
              if (r.unavailable) return outage(res, "the registry", key);
            }
            std::vector<ReachabilityStatus> out;
            for (std::size_t i = 0; i < replies.size(); ++i) {
              ReachabilityStatus s;
              s.recipient = q.recipients[i];
              if (replies[i].mailbox) {
                const auto op = model::operator_of(*replies[i].mailbox);
                looked_up[{q.recipients[i], std::string(op)}] = *replies[i].mailbox;
                s.type = "Secure";
                s.has_supplier = true;
                s.supplier_id = "16" + std::to_string(5500000000ULL + (hash_text(op) % 99999999));
                s.supplier_name = std::string(op);
                s.service_address = operator_url(op);
              }
              for (const auto& b : replies[i].blocked_senders) s.sender_accepted &= b != sender;
              used[kNotReachable] += !replies[i].mailbox;
              used[kSenderRefused] += !s.sender_accepted;
              out.push_back(std::move(s));
            }
            used[kSeveralRecipients] += out.size() > 1;
            // The contract promises no order: answer in another one, sometimes.
            const auto ch = choice(key);
            if (out.size() > 1) {
              if (ch % 3 == 1) std::reverse(out.begin(), out.end());
              if (ch % 3 == 2)
                std::rotate(out.begin(), out.begin() + static_cast<long>(ch / 3 % out.size()),
                            out.end());
            }
            Optionals opt;
            opt.ui_address = (ch >> 8) & 1;
            opt.last_registration = (ch >> 9) & 1;
            opt.last_sender_accept_change = (ch >> 10) & 1;
            used[kReordered] += out.size() > 1 && ch % 3 != 0;
            used[kOptionalAbsent] += !out.empty() && (ch >> 8 & 7) != 7;
            res.set_content(is_reachable_response(out, opt), "text/xml; charset=utf-8");
          });
        });
    server->Post(R"(/operator/([^/]+)/service/v3)", [this](const httplib::Request& req,
                                                           httplib::Response& res) {
      const std::string op = req.matches[1];
      serve("a mailbox operator (deliverSecure)", res, [&](Calls& c) {
        const SecureDelivery d = parse_deliver_secure(req.body);
        if (signatures) {
          signatures->verify(req.body);
          ++used[kSigned];
        }
        std::optional<std::string> account;
        if (auto* shared = dynamic_cast<SharedCalls*>(&c)) {
          if (auto* actors = dynamic_cast<Actors*>(&shared->actors()))
            account = actors->account_at(d.recipient, op);
        } else if (auto it = looked_up.find({d.recipient, op}); it != looked_up.end()) {
          account = it->second;
        }
        // No account of the recipient at this operator: an address no one holds.
        const std::string mailbox =
            account ? *account : op + "/(no account of " + d.recipient + ")";
        std::vector<Message> messages;
        for (const auto& sm : d.messages) {
          Message m;
          m.sender = sender_name(d.sender_id);
          m.id = sm.id;
          m.subject = d.recipient;
          m.title = sm.subject;
          auto bn = body_name.find({m.sender, m.id});
          m.parts.push_back({bn == body_name.end() ? "body" : bn->second, sm.body});
          for (const auto& a : sm.attachments) m.parts.push_back({a.filename, a.data});
          messages.push_back(std::move(m));
        }
        used[kSeveralMessages] += messages.size() > 1;
        for (const auto& m : messages) used[kAttachments] += m.parts.size() > 1;
        std::string key = "deliver|" + op + '|' + d.recipient;
        for (const auto& m : messages) (key += '|') += m.id;
        std::vector<Delivery> each;
        for (const auto& m : messages) each.push_back({&mailbox, &m});
        const auto replies = c.deliver_each(each);
        bool delivered = true;
        for (const auto r : replies) {
          if (r == DeliverReply::kUnavailable) return outage(res, "the mailbox operator", key);
          delivered &= r == DeliverReply::kOk;
        }
        used[kNotDelivered] += !delivered;
        res.set_content(
            deliver_secure_response("wb-" + std::to_string(++trans), d.recipient, delivered),
            "text/xml; charset=utf-8");
      });
    });
    auto ok = [](httplib::Response& res) { res.set_content(R"({"ok":true})", "application/json"); };
    auto name = [this](const std::string& s) { return sender_name(s); };
    server->Post("/print", [this, ok, name](const httplib::Request& req, httplib::Response& res) {
      serve("print", res, [&](Calls& c) {
        const json j = json::parse(req.body);
        c.print(j.at("person").get<std::string>(), message_from_json(j.at("message"), name));
        ok(res);
      });
    });
    server->Post("/hold", [this, ok, name](const httplib::Request& req, httplib::Response& res) {
      serve("hold", res, [&](Calls& c) {
        const json j = json::parse(req.body);
        c.hold(message_from_json(j.at("message"), name), j.value("reason", ""));
        ok(res);
      });
    });
    server->Post("/receipt", [this, ok](const httplib::Request& req, httplib::Response& res) {
      serve("receipt", res, [&](Calls& c) {
        const json j = json::parse(req.body);
        const std::string st = j.at("status").get<std::string>();
        ReceiptStatus s = ReceiptStatus::kDelivered;
        if (st == "printed") {
          s = ReceiptStatus::kPrinted;
        } else if (st == "held") {
          s = ReceiptStatus::kHeld;
        } else if (st != "delivered") {
          throw SoapError("receipt: status must be delivered, printed or held, got '" + st + "'");
        }
        c.receipt(sender_name(j.at("sender").get<std::string>()), j.at("id").get<std::string>(), s);
        ok(res);
      });
    });
    server->Post("/protected", [this](const httplib::Request& req, httplib::Response& res) {
      serve("protected", res, [&](Calls& c) {
        const json j = json::parse(req.body);
        const auto r = c.lookup(j.at("person").get<std::string>());
        if (r.unavailable) {
          res.status = 503;
          return;
        }
        res.set_content(json{{"protected", r.is_protected}}.dump(), "application/json");
      });
    });
  }

  // ---- placeholders ----

  Values values() const {
    Values v;
    v.text["wrongbox"] = base();
    v.text["registry"] = base() + "/registry/isReachable";
    v.text["print"] = base() + "/print";
    v.text["hold"] = base() + "/hold";
    v.text["receipt"] = base() + "/receipt";
    v.text["protected"] = base() + "/protected";
    v.text["switch_port"] = std::to_string(switch_port);
    v.text["switch"] = "http://127.0.0.1:" + std::to_string(switch_port);
    v.text["private_dir"] = places.private_dir;
    v.text["shared_dir"] = places.shared_dir;
    v.text["log_dir"] = places.log_dir;
    v.text["tmp_dir"] = places.tmp_dir;
    v.text["home_dir"] = places.home_dir;
    v.text["spec_dir"] = spec.dir;
    // --tls: the run's CA, and the switch's client certificate and key.
    v.text["tls_ca"] = pki ? pki->ca_cert() : "";
    v.text["tls_cert"] = pki ? pki->client_cert() : "";
    v.text["tls_key"] = pki ? pki->client_key() : "";
    return v;
  }

  // ---- the process ----

  void start() {
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
    std::vector<char*> env;
    for (char** e = environ; *e; ++e) {
      const std::string_view entry(*e);
      bool replaced = false;
      for (const auto& p : extra) {
        const auto eq = p.find('=');
        replaced |= entry.substr(0, eq + 1) == std::string_view(p).substr(0, eq + 1);
      }
      if (!replaced) env.push_back(*e);
    }
    for (auto& p : extra) env.push_back(p.data());
    env.push_back(nullptr);
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
    pid_t p = -1;
    const int rc = ::posix_spawnp(&p, args[0], &fa, &attr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
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
  void read_output(int fd, int wakeup) {
    char buf[65536];
    bool open = true;
    while (open) {
      pollfd p[2] = {{fd, POLLIN, 0}, {wakeup, POLLIN, 0}};
      if (::poll(p, wakeup >= 0 ? 2 : 1, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (slow_reader_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(slow_reader_ms));
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
  void drain_output() {
    std::unique_lock lock(log_mu);
    if (wake_fd < 0 || reader_done) return;
    const std::uint64_t want = ++drain_asked;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto w = ::write(wake_fd, &one, sizeof one);
    drained_cv.wait_for(lock, std::chrono::seconds(10),
                        [&] { return drained >= want || reader_done; });
  }

  bool exited(std::string* why) {
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

  [[noreturn]] void fail(const std::string& what, SwitchFailure::Kind kind) {
    std::string why;
    if (exited(&why)) {
      kind = SwitchFailure::Kind::kExited;
      if (why.find("signal") != std::string::npos) kind = SwitchFailure::Kind::kSignal;
    }
    stop_process();
    std::string msg = what;
    if (!why.empty()) msg += " (" + why + ")";
    msg += "; switch log: " + options.log_path;
    throw SwitchFailure(msg, kind);
  }

  void wait_ready() {
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
                 " " + url + " " +
                 (r ? "answered " + std::to_string(r->status) : "did not answer") + ")",
             SwitchFailure::Kind::kTimeout);
      }
      ::usleep(20000);
    }
  }

  void stop_process() {
    if (pgid > 0 || pid > 0) kill_and_reap(pid, pgid, marker, watchdog);
    if (reader.joinable()) reader.join();
    if (out_fd >= 0) ::close(out_fd);
    if (wake_fd >= 0) ::close(wake_fd);
    out_fd = wake_fd = -1;
    clients.clear();
  }

  // ---- requests to the switch ----

  httplib::Client& client(const std::string& origin) {
    auto& c = clients[origin];
    if (!c) {
      c = std::make_unique<httplib::Client>(origin);
      c->set_keep_alive(true);
      c->set_tcp_nodelay(true);
      const auto secs = static_cast<time_t>(spec.timeout);
      c->set_read_timeout(secs,
                          static_cast<time_t>((spec.timeout - static_cast<double>(secs)) * 1e6));
      c->set_write_timeout(secs, 0);
      c->set_connection_timeout(2, 0);
    }
    return *c;
  }

  httplib::Result send(const Request& r, const Values& v, const std::vector<Values>& parts) {
    const std::string url = expand_text(r.url, v, r.where, true);
    const Url u = split_url(url, r.where);
    std::string body;
    if (r.body)
      body = expand_body(*r.body, v, parts, r.where)
                 .dump(-1, ' ', false, json::error_handler_t::replace);
    auto& c = client(u.origin);
    if (r.method == "GET") return c.Get(u.path);
    if (r.method == "PUT") return c.Put(u.path, body, "application/json");
    return c.Post(u.path, body, "application/json");
  }

  void check_answer(const httplib::Result& res, const Request& r, const char* what) {
    if (!res) {
      const auto err = res.error();
      fail("net: " + std::string(what) + " (" + r.method + " " + r.url +
               ") got no answer: " + httplib::to_string(err),
           err == httplib::Error::Read ? SwitchFailure::Kind::kTimeout
                                       : SwitchFailure::Kind::kProtocol);
    }
  }

  Verdict submit_one(const Message& msg) {
    Values v = values();
    v.text["sender"] = msg.sender;
    {
      std::lock_guard lock(mu);
      v.text["sender_org"] = org(msg.sender);
      if (!msg.parts.empty()) body_name[{msg.sender, msg.id}] = msg.parts.front().name;
    }
    v.text["id"] = msg.id;
    v.text["subject"] = msg.subject;
    v.text["title"] = msg.title;
    v.json["part_count"] = msg.parts.size();
    std::vector<Values> parts;
    for (const auto& p : msg.parts) {
      Values pv;
      pv.text["part.name"] = p.name;
      pv.text["part.data"] = p.data;
      pv.text["part.data_base64"] = base64(p.data);
      parts.push_back(std::move(pv));
    }
    const auto res = send(spec.intake, v, parts);
    check_answer(res, spec.intake, "the intake");
    Verdict verdict{msg.sender, msg.id, false, ""};
    const auto& st = spec.accepted_status;
    verdict.accepted = std::find(st.begin(), st.end(), res->status) != st.end();
    json answer = json::parse(res->body, nullptr, false);
    if (verdict.accepted && !spec.accepted_pointer.empty()) {
      verdict.accepted = boolean_at(answer, spec.accepted_pointer, res->body, "intake.accepted");
    }
    if (!verdict.accepted) {
      verdict.reason = "HTTP " + std::to_string(res->status);
      if (!spec.reason_pointer.empty() && answer.is_object()) {
        const json::json_pointer p(spec.reason_pointer);
        if (answer.contains(p)) {
          verdict.reason =
              answer.at(p).is_string() ? answer.at(p).get<std::string>() : answer.at(p).dump();
        }
      }
    }
    return verdict;
  }

  bool tick_once(std::int64_t now) {
    Values v = values();
    v.json["now"] = now;
    const auto res = send(*spec.tick, v, {});
    check_answer(res, *spec.tick, "the tick hook");
    if (res->status < 200 || res->status >= 300) {
      fail("net: the tick hook answered " + std::to_string(res->status) + ": " +
               printable(res->body.substr(0, 300)),
           SwitchFailure::Kind::kProtocol);
    }
    if (spec.idle_pointer.empty()) return true;
    return boolean_at(json::parse(res->body, nullptr, false), spec.idle_pointer, res->body,
                      "time.idle");
  }

  bool boolean_at(const json& answer, const std::string& pointer, const std::string& body,
                  const char* field) {
    const json::json_pointer p(pointer);
    if (!answer.is_object() || !answer.contains(p) || !answer.at(p).is_boolean()) {
      fail("net: the switch's answer has no boolean at " + pointer + " (" + field +
               "): " + printable(body.substr(0, 300)),
           SwitchFailure::Kind::kProtocol);
    }
    return answer.at(p).get<bool>();
  }

  // Closes the command: hands the staff log on, throws what a fake saw.
  void close_window(Calls& c) {
    drain_output();
    std::string text;
    {
      std::lock_guard lock(log_mu);
      const auto nl = pending_log.rfind('\n');
      if (nl != std::string::npos) {
        text = pending_log.substr(0, nl + 1);
        pending_log.erase(0, nl + 1);
      }
    }
    std::unique_lock lock(mu);
    for (std::size_t at = 0; at < text.size();) {
      const auto nl = text.find('\n', at);
      c.log(text.substr(at, nl - at));
      at = nl + 1;
    }
    calls = nullptr;
    if (failure) {
      std::string f = *failure;
      failure.reset();
      lock.unlock();
      fail("net: during '" + command + "': " + printable(f), SwitchFailure::Kind::kProtocol);
    }
  }
};

NetSwitch::NetSwitch(NetSpec spec, NetOptions options)
    : impl_(std::make_unique<Impl>(std::move(spec), std::move(options))) {}
NetSwitch::~NetSwitch() = default;

const std::string& NetSwitch::log_path() const {
  return impl_->options.log_path;
}
std::string NetSwitch::base_url() const {
  return impl_->base();
}

void NetSwitch::use_places(const Places& p) {
  impl_->places = p;
  impl_->have_places = true;
  impl_->place_env = {"WRONGBOX_PRIVATE_DIR=" + p.private_dir,
                      "WRONGBOX_SHARED_DIR=" + p.shared_dir, "WRONGBOX_LOG_DIR=" + p.log_dir,
                      "TMPDIR=" + p.tmp_dir, "HOME=" + p.home_dir};
}

HelloInfo NetSwitch::hello() {
  if (impl_->pid <= 0) impl_->start();
  HelloInfo h;
  h.name = impl_->spec.name;
  h.version = impl_->spec.version;
  h.capabilities = {"restart"};
  return h;
}

void NetSwitch::reset(const std::vector<std::string>& senders) {
  auto& m = *impl_;
  {
    std::lock_guard lock(m.mu);
    m.requests = 0;
    m.trans = 0;
    m.asked.clear();
    m.failure.reset();
    m.org_of.clear();
    m.sender_of_org.clear();
    m.body_name.clear();
    m.looked_up.clear();
    m.senders = senders;
    for (const auto& s : senders) m.org(s);
  }
  m.drain_output();
  {
    std::lock_guard lock(m.log_mu);
    m.pending_log.clear();  // what the last scenario left unsaid is not this one's
  }
  if (m.pid <= 0 || (m.spec.restart_each_scenario && m.starts > 0 && !m.spec.reset)) m.start();
  if (!m.spec.reset) return;
  Values v = m.values();
  v.json["senders"] = senders;
  json orgs = json::array();
  for (const auto& s : senders) orgs.push_back(m.org(s));
  v.json["sender_orgs"] = orgs;
  const auto res = m.send(*m.spec.reset, v, {});
  m.check_answer(res, *m.spec.reset, "the reset hook");
  if (res->status < 200 || res->status >= 300) {
    m.fail("net: the reset hook answered " + std::to_string(res->status) + ": " +
               printable(res->body.substr(0, 300)),
           SwitchFailure::Kind::kProtocol);
  }
}

std::vector<Verdict> NetSwitch::submit(const std::vector<Message>& batch, Calls& calls) {
  auto& m = *impl_;
  if (m.pid <= 0) m.start();
  return m.run_command<std::vector<Verdict>>(calls, "submit", [&] {
    std::vector<Verdict> out;
    for (const auto& msg : batch) out.push_back(m.submit_one(msg));
    return out;
  });
}

bool NetSwitch::tick(std::int64_t now, Calls& calls) {
  auto& m = *impl_;
  if (m.pid <= 0) m.start();
  if (!m.spec.tick) return m.run_command<bool>(calls, "tick", [] { return true; });
  return m.run_command<bool>(calls, "tick", [&] { return m.tick_once(now); });
}

std::vector<std::pair<std::string, std::int64_t>> NetSwitch::freedoms() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (int f = 0; f < kFreedomCount; ++f) {
    if (f == kSigned && !impl_->signatures) continue;
    out.emplace_back(kFreedomNames[f], impl_->used[f]);
  }
  return out;
}

std::uint32_t NetSwitch::take_used() {
  std::lock_guard lock(impl_->mu);
  std::uint32_t mask = 0;
  for (int f = 0; f < kFreedomCount; ++f) {
    if (impl_->used[f] != impl_->used_taken[f]) mask |= 1u << f;
    impl_->used_taken[f] = impl_->used[f];
  }
  return mask;
}

void NetSwitch::restart() {
  impl_->start();
}

}  // namespace wrongbox::net
