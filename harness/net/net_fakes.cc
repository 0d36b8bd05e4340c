// The fakes around the switch (net_switch_impl.h): FaR isReachable, the
// operators' deliverSecure, and the JSON endpoints of print, hold, receipt
// and protected.
#include "harness/net/net_switch_impl.h"

namespace wrongbox::net {

// Why a request over --tls does not come from the switch's certificate,
// or "" when it does.
std::string NetSwitch::Impl::tls_refusal(const httplib::Request& req) {
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

// The fakes' choice for a request, from what it asks (`key`) and how often
// the same thing was asked since reset: not from its place among all
// requests, so a scenario shrunk around a finding meets the same answers.
std::uint64_t NetSwitch::Impl::choice(std::string_view key) {
  const std::uint64_t h = hash_text(key);
  return splitmix64(h * 0x100000001b3ULL ^ asked[h]++);
}

// An outage, in one of the forms the contract allows.
void NetSwitch::Impl::outage(httplib::Response& res, const char* who, std::string_view key) {
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
            if (offset == 0) std::this_thread::sleep_for(std::chrono::milliseconds(kSlowAnswerMs));
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
      res.set_content_provider(1 << 20, "text/xml",
                               [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
      break;
  }
}

std::string NetSwitch::Impl::sender_name(const std::string& org_or_name) const {
  auto it = sender_of_org.find(org_or_name);
  return it == sender_of_org.end() ? org_or_name : it->second;
}

std::string NetSwitch::Impl::org(const std::string& sender) {
  auto it = org_of.find(sender);
  if (it != org_of.end()) return it->second;
  char buf[16];
  std::snprintf(buf, sizeof buf, "1655%08zu", org_of.size() + 1);
  org_of[sender] = buf;
  sender_of_org[buf] = sender;
  return buf;
}

std::string NetSwitch::Impl::operator_url(std::string_view op) const {
  return base() + "/operator/" + std::string(op) + "/service/v3";
}

Message NetSwitch::Impl::message_from_json(
    const json& j, const std::function<std::string(const std::string&)>& name) {
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

void NetSwitch::Impl::routes() {
  server->Post("/registry/isReachable", [this](const httplib::Request& req,
                                               httplib::Response& res) {
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
          std::rotate(out.begin(), out.begin() + static_cast<long>(ch / 3 % out.size()), out.end());
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
      const std::string mailbox = account ? *account : op + "/(no account of " + d.recipient + ")";
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

}  // namespace wrongbox::net
