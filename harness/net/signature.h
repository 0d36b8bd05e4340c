// XML-DSig of a deliverSecure's SignedDelivery, checked with xmlsec1
// (network mode's --verify-signatures, docs/network.md). The switch signs
// the SignedDelivery as a document of its own: one ds:Signature child of
// SignedDelivery, one Reference with URI="" and the enveloped-signature
// transform (so the whole Delivery is covered), exclusive canonicalisation
// advised. The signature must verify with the public key of the
// certificate the net: file names.
//
// Example usage:
//   SignatureChecker check("switch-cert.pem");    // throws SoapError when unreadable
//   check.verify(request_body);                   // throws SoapError naming what failed
#pragma once

#include <memory>
#include <string>

namespace wrongbox::net {

class SignatureChecker {
 public:
  explicit SignatureChecker(const std::string& certificate_pem);
  ~SignatureChecker();
  SignatureChecker(const SignatureChecker&) = delete;
  SignatureChecker& operator=(const SignatureChecker&) = delete;

  // Throws SoapError when the body's SignedDelivery carries no signature, a
  // signature over less than all of it, or one that does not verify.
  void verify(const std::string& deliver_secure_body) const;

 private:
  std::string path_;
  std::shared_ptr<void> key_;  // the certificate's public key (an xmlSecKey)
};

}  // namespace wrongbox::net
