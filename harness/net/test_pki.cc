// A per-run certificate authority for --tls (test_pki.h), with OpenSSL 3.
#include "harness/net/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace wrongbox::net {
namespace {

struct Free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(X509* c) const { X509_free(c); }
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("--tls: cannot make the run's certificates: " + what);
}

Key new_key() {
  Key k(EVP_EC_gen("P-256"));
  if (!k) fail("EC key generation failed");
  return k;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail(std::string("extension ") + value);
}

// A certificate for `name` with `key`, signed by `issuer_key` (self-signed
// when `issuer` is null).
Cert make_cert(const char* name, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, long serial,
               bool ca, const char* san) {
  Cert c(X509_new());
  if (!c) fail("X509_new");
  X509_set_version(c.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), 24L * 3600);
  X509_set_pubkey(c.get(), key);
  X509_NAME* n = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(
      n, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Wrongbox test run"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name),
                             -1, -1, 0);
  X509_set_issuer_name(c.get(), issuer ? X509_get_subject_name(issuer) : n);
  X509* iss = issuer ? issuer : c.get();
  if (ca) {
    add_ext(c.get(), iss, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_ext(c.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(c.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(c.get(), iss, NID_key_usage, "critical,digitalSignature");
    add_ext(c.get(), iss, NID_ext_key_usage, san ? "serverAuth" : "clientAuth");
    if (san) add_ext(c.get(), iss, NID_subject_alt_name, san);
  }
  add_ext(c.get(), iss, NID_subject_key_identifier, "hash");
  if (X509_sign(c.get(), issuer_key, EVP_sha256()) <= 0) fail(std::string("signing ") + name);
  return c;
}

void write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) fail("cannot write " + path);
  const bool ok = cert ? PEM_write_X509(f, cert) == 1
                       : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (std::fclose(f) != 0 || !ok) fail("cannot write " + path);
}

}  // namespace

TestPki::TestPki() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/wrongbox-tls-XXXXXX";
  if (!::mkdtemp(templ.data())) fail("cannot make a directory under " + templ);
  dir_ = templ;
  try {
    const Key ca_key = new_key(), srv_key = new_key(), cli_key = new_key();
    const Cert ca =
        make_cert("Wrongbox run CA", ca_key.get(), nullptr, ca_key.get(), 1, true, nullptr);
    const Cert server = make_cert("127.0.0.1", srv_key.get(), ca.get(), ca_key.get(), 2, false,
                                  "IP:127.0.0.1,DNS:localhost");
    const Cert client =
        make_cert("switch under test", cli_key.get(), ca.get(), ca_key.get(), 3, false, nullptr);
    write_pem(ca_cert(), ca.get(), nullptr);
    write_pem(server_cert(), server.get(), nullptr);
    write_pem(server_key(), nullptr, srv_key.get());
    write_pem(client_cert(), client.get(), nullptr);
    write_pem(client_key(), nullptr, cli_key.get());
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

TestPki::~TestPki() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace wrongbox::net
