// The network transport (net_switch.h): the switch's process, its intake,
// and the fakes of every actor around it (net_switch_impl.h; the fakes in
// net_fakes.cc, the process in net_process.cc).
#include "harness/net/net_switch_impl.h"

namespace wrongbox::net {

NetSwitch::Impl::Impl(NetSpec s, NetOptions o) : spec(std::move(s)), options(std::move(o)) {
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
             SSL_CTX_use_PrivateKey_file(&ctx, pki->server_key().c_str(), SSL_FILETYPE_PEM) == 1 &&
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

NetSwitch::Impl::~Impl() {
  stop_process();
  server->stop();
  if (server_thread.joinable()) server_thread.join();
  if (log_fd >= 0) ::close(log_fd);
}

std::string NetSwitch::Impl::base() const {
  return (pki ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port);
}

Values NetSwitch::Impl::values() const {
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

[[noreturn]] void NetSwitch::Impl::fail(const std::string& what, SwitchFailure::Kind kind) {
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

httplib::Client& NetSwitch::Impl::client(const std::string& origin) {
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

httplib::Result NetSwitch::Impl::send(const Request& r, const Values& v,
                                      const std::vector<Values>& parts) {
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

void NetSwitch::Impl::check_answer(const httplib::Result& res, const Request& r, const char* what) {
  if (!res) {
    const auto err = res.error();
    fail("net: " + std::string(what) + " (" + r.method + " " + r.url +
             ") got no answer: " + httplib::to_string(err),
         err == httplib::Error::Read ? SwitchFailure::Kind::kTimeout
                                     : SwitchFailure::Kind::kProtocol);
  }
}

Verdict NetSwitch::Impl::submit_one(const Message& msg) {
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

bool NetSwitch::Impl::tick_once(std::int64_t now) {
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

bool NetSwitch::Impl::boolean_at(const json& answer, const std::string& pointer,
                                 const std::string& body, const char* field) {
  const json::json_pointer p(pointer);
  if (!answer.is_object() || !answer.contains(p) || !answer.at(p).is_boolean()) {
    fail("net: the switch's answer has no boolean at " + pointer + " (" + field +
             "): " + printable(body.substr(0, 300)),
         SwitchFailure::Kind::kProtocol);
  }
  return answer.at(p).get<bool>();
}

// Closes the command: hands the staff log on, throws what a fake saw.
void NetSwitch::Impl::close_window(Calls& c) {
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
