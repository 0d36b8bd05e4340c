// Reading and writing the SOAP messages of network mode with libxml2 (soap.h).
#include "harness/net/soap.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sodium.h>

#include <memory>

namespace wrongbox::net {
namespace {

using Doc = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

std::string text_of(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  return s;
}

bool is(const xmlNode* n, const char* ns_uri, const char* name) {
  return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name) && n->ns &&
         xmlStrEqual(n->ns->href, BAD_CAST ns_uri);
}

std::string ns_of(const xmlNode* n) {
  return n->ns ? reinterpret_cast<const char*>(n->ns->href) : "(no namespace)";
}

// The children of `parent` named `name`, checked: an element of that name in
// another namespace is an error naming both.
std::vector<const xmlNode*> children(const xmlNode* parent, const std::string& path,
                                     const char* ns_uri, const char* name) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = parent->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST name)) continue;
    if (!is(c, ns_uri, name)) {
      throw SoapError("element " + path + "/" + name + " (line " + std::to_string(c->line) +
                      ") is in namespace " + ns_of(c) + ", expected " + ns_uri);
    }
    out.push_back(c);
  }
  return out;
}

const xmlNode* one(const xmlNode* parent, const std::string& path, const char* ns_uri,
                   const char* name) {
  auto v = children(parent, path, ns_uri, name);
  if (v.empty()) {
    throw SoapError("element " + path + "/" + name + " is missing (required, namespace " + ns_uri +
                    ")");
  }
  if (v.size() > 1) {
    throw SoapError("element " + path + "/" + name + " appears " + std::to_string(v.size()) +
                    " times (line " + std::to_string(v[1]->line) + "), the contract allows one");
  }
  return v.front();
}

std::string base64_decode(const std::string& in, const std::string& path) {
  std::string out(in.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), " \t\r\n", &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      (end && end != in.data() + in.size())) {
    throw SoapError("element " + path + " is not base64 (xs:base64Binary)");
  }
  out.resize(len);
  return out;
}

// The document element's payload: Envelope/Body's first element.
std::pair<Doc, const xmlNode*> open_envelope(const std::string& body) {
  Doc doc(xmlReadMemory(body.data(), static_cast<int>(body.size()), "request.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
          &xmlFreeDoc);
  if (!doc) {
    const xmlError* e = xmlGetLastError();
    std::string why = e && e->message ? e->message : "unknown error";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw SoapError("the request is not well-formed XML (line " + std::to_string(e ? e->line : 0) +
                    "): " + why);
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!is(root, ns::kSoap, "Envelope")) {
    throw SoapError("the document element must be a SOAP 1.1 Envelope (" + std::string(ns::kSoap) +
                    "), got " + (root ? reinterpret_cast<const char*>(root->name) : "nothing") +
                    " in " + (root ? ns_of(root) : ""));
  }
  const xmlNode* b = one(root, "Envelope", ns::kSoap, "Body");
  const xmlNode* payload = nullptr;
  for (const xmlNode* c = b->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      payload = c;
      break;
    }
  }
  if (!payload) throw SoapError("element Envelope/Body is empty");
  return {std::move(doc), payload};
}

struct Writer {
  Doc doc{xmlNewDoc(BAD_CAST "1.0"), &xmlFreeDoc};
  xmlNode* body = nullptr;
  Writer() {
    xmlNode* env = xmlNewNode(nullptr, BAD_CAST "Envelope");
    xmlNs* s = xmlNewNs(env, BAD_CAST ns::kSoap, BAD_CAST "S");
    xmlSetNs(env, s);
    xmlDocSetRootElement(doc.get(), env);
    body = xmlNewChild(env, s, BAD_CAST "Body", nullptr);
  }
  static xmlNode* add(xmlNode* parent, xmlNs* n, const char* name, const std::string& text) {
    return xmlNewTextChild(parent, n, BAD_CAST name, BAD_CAST text.c_str());
  }
  std::string dump() {
    xmlChar* mem = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc.get(), &mem, &size, "UTF-8");
    std::string s(reinterpret_cast<const char*>(mem), static_cast<std::size_t>(size));
    xmlFree(mem);
    return s;
  }
};

}  // namespace

IsReachable parse_is_reachable(const std::string& body) {
  auto [doc, q] = open_envelope(body);
  if (!is(q, ns::kRecipient3, "isReachable")) {
    throw SoapError("expected {" + std::string(ns::kRecipient3) +
                    "}isReachable in the SOAP Body, got " + reinterpret_cast<const char*>(q->name) +
                    " in " + ns_of(q));
  }
  IsReachable r;
  r.sender_org = text_of(one(q, "isReachable", ns::kRecipient3, "senderOrgNr"));
  for (const xmlNode* c : children(q, "isReachable", ns::kRecipient3, "recipientId")) {
    r.recipients.push_back(text_of(c));
  }
  if (r.recipients.size() > 1000) {
    throw SoapError("isReachable asks for " + std::to_string(r.recipients.size()) +
                    " recipientId, the contract allows at most 1000");
  }
  return r;
}

std::string is_reachable_response(const std::vector<ReachabilityStatus>& statuses,
                                  const Optionals& optionals) {
  Writer w;
  xmlNode* resp = xmlNewChild(w.body, nullptr, BAD_CAST "isReachableResponse", nullptr);
  xmlNs* r3 = xmlNewNs(resp, BAD_CAST ns::kRecipient3, BAD_CAST "ns1");
  xmlNs* r = xmlNewNs(resp, BAD_CAST ns::kRecipient, BAD_CAST "ns2");
  xmlSetNs(resp, r3);
  for (const auto& s : statuses) {
    xmlNode* ret = xmlNewChild(resp, r3, BAD_CAST "return", nullptr);
    xmlNode* acc = xmlNewChild(ret, r, BAD_CAST "AccountStatus", nullptr);
    Writer::add(acc, r, "RecipientId", s.recipient);
    Writer::add(acc, r, "Type", s.type);
    Writer::add(acc, r, "Pending", s.pending ? "true" : "false");
    if (s.has_supplier) {
      xmlNode* sup = xmlNewChild(acc, r, BAD_CAST "ServiceSupplier", nullptr);
      Writer::add(sup, r, "Id", s.supplier_id);
      Writer::add(sup, r, "Name", s.supplier_name);
      Writer::add(sup, r, "ServiceAdress", s.service_address);
      if (optionals.ui_address) Writer::add(sup, r, "UIAdress", "https://example.invalid/");
      Writer::add(sup, r, "InternalServiceAdress", "");
    }
    if (optionals.last_registration)
      Writer::add(acc, r, "LastRegistration", "2016-10-30T15:38:49.517+01:00");
    Writer::add(ret, r, "SenderAccepted", s.sender_accepted ? "true" : "false");
    if (optionals.last_sender_accept_change) {
      Writer::add(ret, r, "LastSenderAcceptChange", "2019-01-01T00:00:00+01:00");
    }
  }
  return w.dump();
}

SecureDelivery parse_deliver_secure(const std::string& body) {
  auto [doc, outer] = open_envelope(body);
  if (!is(outer, ns::kService3, "deliverSecure")) {
    throw SoapError("expected {" + std::string(ns::kService3) +
                    "}deliverSecure in the SOAP Body, got " +
                    reinterpret_cast<const char*>(outer->name) + " in " + ns_of(outer));
  }
  std::string p = "deliverSecure";
  const xmlNode* sealed = one(outer, p, ns::kService3, "deliverSecure");
  p += "/deliverSecure";
  const xmlNode* signed_delivery = one(sealed, p, ns::kMessage3, "SignedDelivery");
  one(sealed, p, ns::kMessage3, "Seal");
  const std::string sd = p + "/SignedDelivery";
  const xmlNode* delivery = one(signed_delivery, sd, ns::kMessage3, "Delivery");
  const std::string dp = sd + "/Delivery";
  const xmlNode* header = one(delivery, dp, ns::kMessage3, "Header");
  const std::string hp = dp + "/Header";
  const xmlNode* sender = one(header, hp, ns::kMessage2, "Sender");
  SecureDelivery d;
  d.sender_id = text_of(one(sender, hp + "/Sender", ns::kSender, "Id"));
  d.sender_name = text_of(one(sender, hp + "/Sender", ns::kSender, "Name"));
  d.recipient = text_of(one(header, hp, ns::kMessage2, "Recipient"));
  const auto messages = children(delivery, dp, ns::kMessage3, "Message");
  if (messages.empty()) {
    throw SoapError("element " + dp + "/Message is missing (one or more required, namespace " +
                    ns::kMessage3 + ")");
  }
  int k = 0;
  for (const xmlNode* m : messages) {
    const std::string mp = dp + "/Message[" + std::to_string(++k) + "]";
    SecureMessage sm;
    const xmlNode* mh = one(m, mp, ns::kMessage3, "Header");
    sm.id = text_of(one(mh, mp + "/Header", ns::kMessage3, "Id"));
    sm.subject = text_of(one(mh, mp + "/Header", ns::kMessage3, "Subject"));
    one(mh, mp + "/Header", ns::kMessage3, "Supportinfo");
    one(mh, mp + "/Header", ns::kMessage3, "Language");
    const xmlNode* b = one(m, mp, ns::kMessage3, "Body");
    sm.content_type = text_of(one(b, mp + "/Body", ns::kMessage, "ContentType"));
    sm.body = base64_decode(text_of(one(b, mp + "/Body", ns::kMessage, "Body")), mp + "/Body/Body");
    int a = 0;
    for (const xmlNode* at : children(m, mp, ns::kMessage3, "Attachment")) {
      const std::string ap = mp + "/Attachment[" + std::to_string(++a) + "]";
      Attachment x;
      x.content_type = text_of(one(at, ap, ns::kMessage, "ContentType"));
      x.data = base64_decode(text_of(one(at, ap, ns::kMessage, "Body")), ap + "/Body");
      x.checksum = text_of(one(at, ap, ns::kMessage, "Checksum"));
      x.filename = text_of(one(at, ap, ns::kMessage, "Filename"));
      sm.attachments.push_back(std::move(x));
    }
    d.messages.push_back(std::move(sm));
  }
  return d;
}

std::string deliver_secure_response(const std::string& trans_id, const std::string& recipient,
                                    bool delivered) {
  Writer w;
  xmlNode* resp = xmlNewChild(w.body, nullptr, BAD_CAST "deliverSecureResponse", nullptr);
  xmlNs* s3 = xmlNewNs(resp, BAD_CAST ns::kService3, BAD_CAST "ns8");
  xmlNs* s = xmlNewNs(resp, BAD_CAST ns::kService, BAD_CAST "ns10");
  xmlSetNs(resp, s3);
  xmlNode* ret = xmlNewChild(resp, s3, BAD_CAST "return", nullptr);
  Writer::add(ret, s, "TransId", trans_id);
  xmlNode* st = xmlNewChild(ret, s, BAD_CAST "Status", nullptr);
  Writer::add(st, s, "RecipientId", recipient);
  Writer::add(st, s, "Delivered", delivered ? "true" : "false");
  return w.dump();
}

std::string soap_fault(int error_code, const std::string& description, const std::string& call_id) {
  Writer w;
  xmlNs* soap = w.body->ns;
  xmlNode* f = xmlNewChild(w.body, soap, BAD_CAST "Fault", nullptr);
  Writer::add(f, nullptr, "faultcode", "S:Server");
  Writer::add(f, nullptr, "faultstring", description);
  xmlNode* detail = xmlNewChild(f, nullptr, BAD_CAST "detail", nullptr);
  xmlNode* af = xmlNewChild(detail, nullptr, BAD_CAST "applicationFault", nullptr);
  xmlNs* c3 = xmlNewNs(af, BAD_CAST ns::kCommon3, BAD_CAST "ns11");
  xmlSetNs(af, c3);
  Writer::add(af, c3, "ErrorCode", std::to_string(error_code));
  Writer::add(af, c3, "Description", description);
  Writer::add(af, c3, "CallId", call_id);
  return w.dump();
}

}  // namespace wrongbox::net
