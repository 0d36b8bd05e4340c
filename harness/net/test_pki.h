// TestPki: a certificate authority made for one run of network mode's
// `--tls` (docs/network.md), with a server certificate for the fakes
// (127.0.0.1 and localhost) and a client certificate for the switch, as PEM
// files in a directory of their own (0700) that goes when the object does.
// Keys are P-256; certificates are valid for a day. Nothing here is a secret
// worth keeping: the point is that the switch must present a certificate
// the fakes trust, as real operators demand, and trust theirs.
//
// Example usage:
//   TestPki pki;                                   // throws std::runtime_error
//   httplib::SSLServer server(pki.server_cert().c_str(), pki.server_key().c_str(),
//                             pki.ca_cert().c_str());  // mutual TLS
#pragma once

#include <string>

namespace wrongbox::net {

class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& dir() const { return dir_; }
  std::string ca_cert() const { return dir_ + "/ca.pem"; }
  std::string server_cert() const { return dir_ + "/server.pem"; }
  std::string server_key() const { return dir_ + "/server-key.pem"; }
  std::string client_cert() const { return dir_ + "/client.pem"; }
  std::string client_key() const { return dir_ + "/client-key.pem"; }

 private:
  std::string dir_;
};

}  // namespace wrongbox::net
