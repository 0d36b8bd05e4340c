// XML-DSig of a SignedDelivery with xmlsec1 and OpenSSL (signature.h).
#include "harness/net/signature.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <cstring>
#include <mutex>

#include "harness/core/printable.h"
#include "harness/net/soap.h"

namespace wrongbox::net {
namespace {

constexpr const char* kSignedDeliveryPath = "deliverSecure/deliverSecure/SignedDelivery";

void init_xmlsec() {
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSecErrorsDefaultCallbackEnableOutput(0);  // errors are ours to word
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(nullptr) < 0 ||
        xmlSecCryptoInit() < 0) {
      error = "--verify-signatures: xmlsec1 could not be initialised";
    }
  });
  if (!error.empty()) throw SoapError(error);
}

bool named(const xmlNode* n, const char* ns, const char* name) {
  return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns) == 0 &&
         std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

// The first element named so, depth first.
xmlNode* find(xmlNode* n, const char* ns, const char* name) {
  for (; n; n = n->next) {
    if (named(n, ns, name)) return n;
    if (xmlNode* in = find(n->children, ns, name)) return in;
  }
  return nullptr;
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct CtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};

}  // namespace

SignatureChecker::SignatureChecker(const std::string& certificate_pem) : path_(certificate_pem) {
  init_xmlsec();
  xmlSecKeyPtr key =
      xmlSecCryptoAppKeyLoad(path_.c_str(), xmlSecKeyDataFormatCertPem, nullptr, nullptr, nullptr);
  if (!key) {
    throw SoapError("cannot read a public key from the certificate " + printable(path_) + " (PEM)");
  }
  key_ =
      std::shared_ptr<void>(key, [](void* k) { xmlSecKeyDestroy(static_cast<xmlSecKeyPtr>(k)); });
}

SignatureChecker::~SignatureChecker() = default;

void SignatureChecker::verify(const std::string& body) const {
  std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(
      body.data(), static_cast<int>(body.size()), "deliverSecure.xml", nullptr, XML_PARSE_NONET));
  if (!doc) throw SoapError("the request is not well-formed XML");
  xmlNode* signed_delivery = find(xmlDocGetRootElement(doc.get()), ns::kMessage3, "SignedDelivery");
  if (!signed_delivery)
    throw SoapError(std::string("element ") + kSignedDeliveryPath + " is missing");
  // The switch signed the SignedDelivery as a document of its own.
  std::unique_ptr<xmlDoc, DocFree> own(xmlNewDoc(BAD_CAST "1.0"));
  xmlNode* copy = xmlDocCopyNode(signed_delivery, own.get(), 1);
  if (!copy) throw SoapError("cannot copy " + std::string(kSignedDeliveryPath));
  xmlDocSetRootElement(own.get(), copy);
  xmlNode* sig = nullptr;
  for (xmlNode* c = copy->children; c; c = c->next) {
    if (named(c, reinterpret_cast<const char*>(xmlSecDSigNs), "Signature")) sig = c;
  }
  if (!sig) {
    throw SoapError(std::string("element ") + kSignedDeliveryPath +
                    "/Signature is missing (--verify-signatures: one ds:Signature in namespace " +
                    reinterpret_cast<const char*>(xmlSecDSigNs) + ")");
  }
  std::unique_ptr<xmlSecDSigCtx, CtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) throw SoapError("--verify-signatures: xmlsec1 could not make a context");
  ctx->signKey = xmlSecKeyDuplicate(static_cast<xmlSecKeyPtr>(key_.get()));  // the context frees it
  if (!ctx->signKey) throw SoapError("--verify-signatures: xmlsec1 could not copy the key");
  // Only a reference to the whole SignedDelivery: a signature over part of
  // it would leave the rest, the content, unsigned.
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
  if (xmlSecDSigCtxVerify(ctx.get(), sig) < 0) {
    throw SoapError(std::string("the signature of ") + kSignedDeliveryPath +
                    " cannot be checked: it is malformed or has a Reference other than URI=\"\" "
                    "(the whole SignedDelivery)");
  }
  if (ctx->status != xmlSecDSigStatusSucceeded) {
    throw SoapError(std::string("the signature of ") + kSignedDeliveryPath +
                    " does not verify with the certificate " + printable(path_) +
                    " (the Delivery was changed after signing, or signed with another key)");
  }
}

}  // namespace wrongbox::net
