// Ed25519 keys and signatures with libsodium; the head file.
#include "harness/evidence/signing.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "harness/evidence/evidence.h"

namespace wrongbox::evidence {
namespace {

void init() {
  if (sodium_init() < 0) throw EvidenceError("libsodium failed to initialise");
}

bool from_hex(const std::string& hex, unsigned char* out, std::size_t n) {
  std::size_t len = 0;
  return hex.size() == 2 * n &&
         sodium_hex2bin(out, n, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 && len == n;
}

std::string key_id(const std::array<unsigned char, 32>& pk) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, pk.data(), pk.size());
  return to_hex(h, 8);
}

// The lines "NAME VALUE" of a key or head file after its first line, which
// must be `magic` followed by version 1.
std::vector<std::pair<std::string, std::string>> fields(const std::string& text,
                                                        const std::string& magic,
                                                        const std::string& name) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != magic + " 1") {
    throw EvidenceError(name + ":1: not a " + magic + " file (the first line must be '" + magic +
                        " 1')");
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    const auto sp = line.find(' ');
    if (sp == std::string::npos) {
      throw EvidenceError(name + ":" + std::to_string(n) + ": expected 'NAME VALUE', got '" +
                          line.substr(0, 60) + "'");
    }
    out.emplace_back(line.substr(0, sp), line.substr(sp + 1));
  }
  return out;
}

std::string field(const std::vector<std::pair<std::string, std::string>>& fs,
                  const std::string& key, const std::string& name, bool required = true) {
  for (const auto& [k, v] : fs) {
    if (k == key) return v;
  }
  if (required) throw EvidenceError(name + ": no '" + key + "' line");
  return "";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EvidenceError(path + ": cannot read: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string to_hex(const unsigned char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

PublicKey generate_key_pair(const std::string& secret_path) {
  init();
  SecretKey k;
  crypto_sign_keypair(k.pub.bytes.data(), k.bytes.data());
  k.pub.id = key_id(k.pub.bytes);
  const std::string secret = "wrongbox-evidence-secret-key 1\nkey-id " + k.pub.id +
                             "\ned25519-secret " + to_hex(k.bytes.data(), k.bytes.size()) + "\n";
  const int fd = ::open(secret_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw EvidenceError(secret_path + ": cannot create the secret key: " + std::strerror(errno) +
                        (errno == EEXIST ? " (a key is never overwritten)" : ""));
  }
  const bool ok = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size());
  ::close(fd);
  sodium_memzero(k.bytes.data(), k.bytes.size());
  if (!ok) throw EvidenceError(secret_path + ": cannot write the secret key");
  const std::string pub_path = secret_path + ".pub";
  std::ofstream pub(pub_path, std::ios::binary | std::ios::trunc);
  pub << format_public_key(k.pub);
  if (!pub) throw EvidenceError(pub_path + ": cannot write the public key");
  return k.pub;
}

SecretKey load_secret_key(const std::string& path) {
  init();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw EvidenceError(path + ": cannot read the secret key: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw EvidenceError(path + ": the secret key is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw EvidenceError(path + ": the secret key is readable or writable by others (mode " + mode +
                        "); `chmod 600 " + path + "` and keep it that way");
  }
  const auto fs = fields(read_all(path), "wrongbox-evidence-secret-key", path);
  SecretKey k;
  if (!from_hex(field(fs, "ed25519-secret", path), k.bytes.data(), k.bytes.size())) {
    throw EvidenceError(path + ": 'ed25519-secret' must be 128 hex digits");
  }
  crypto_sign_ed25519_sk_to_pk(k.pub.bytes.data(), k.bytes.data());
  k.pub.id = key_id(k.pub.bytes);
  if (const auto id = field(fs, "key-id", path, false); !id.empty() && id != k.pub.id) {
    throw EvidenceError(path + ": key-id " + id + " does not belong to this key (" + k.pub.id +
                        ")");
  }
  return k;
}

PublicKey load_public_key(const std::string& path) {
  init();
  const auto fs = fields(read_all(path), "wrongbox-evidence-public-key", path);
  auto k = public_key_from_hex(field(fs, "ed25519-public", path));
  if (!k) throw EvidenceError(path + ": 'ed25519-public' must be 64 hex digits");
  if (const auto id = field(fs, "key-id", path, false); !id.empty() && id != k->id) {
    throw EvidenceError(path + ": key-id " + id + " does not belong to this key (" + k->id + ")");
  }
  return *k;
}

std::optional<PublicKey> public_key_from_hex(const std::string& hex) {
  init();
  PublicKey k;
  if (!from_hex(hex, k.bytes.data(), k.bytes.size())) return std::nullopt;
  k.id = key_id(k.bytes);
  return k;
}

std::string sign_text(const SecretKey& k, const std::string& text) {
  init();
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), k.bytes.data());
  return to_hex(sig, sizeof sig);
}

bool verify_text(const PublicKey& k, const std::string& text, const std::string& signature_hex) {
  init();
  unsigned char sig[crypto_sign_BYTES];
  if (!from_hex(signature_hex, sig, sizeof sig)) return false;
  return crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(text.data()),
                                     text.size(), k.bytes.data()) == 0;
}

std::string run_signing_text(const std::string& uuid, const std::string& end_content_hash) {
  return "wrongbox-evidence run 1\n" + uuid + "\n" + end_content_hash + "\n";
}

std::string head_signing_text(std::int64_t seq, const std::string& hash) {
  return "wrongbox-evidence head 1\n" + std::to_string(seq) + "\n" + hash + "\n";
}

std::string format_public_key(const PublicKey& k) {
  return "wrongbox-evidence-public-key 1\nkey-id " + k.id + "\ned25519-public " +
         to_hex(k.bytes.data(), k.bytes.size()) + "\n";
}

void sign_head(Head& h, const SecretKey& k) {
  h.key_id = k.pub.id;
  h.signature = sign_text(k, head_signing_text(h.seq, h.hash));
}

std::string format_head(const Head& h) {
  std::string out = "wrongbox-evidence-head 1\nseq " + std::to_string(h.seq) + "\nhash " + h.hash +
                    "\nruns " + std::to_string(h.runs) + "\nwritten " + h.written + "\n";
  if (!h.signature.empty()) out += "key-id " + h.key_id + "\nsignature " + h.signature + "\n";
  return out;
}

Head parse_head(const std::string& text, const std::string& name) {
  const auto fs = fields(text, "wrongbox-evidence-head", name);
  Head h;
  const auto seq = field(fs, "seq", name);
  char* end = nullptr;
  h.seq = std::strtoll(seq.c_str(), &end, 10);
  if (seq.empty() || *end != '\0' || h.seq < 0)
    throw EvidenceError(name + ": 'seq' is not a number");
  h.hash = field(fs, "hash", name);
  if (h.hash.size() != 64 || h.hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw EvidenceError(name + ": 'hash' must be 64 lower-case hex digits");
  }
  h.runs = std::atoi(field(fs, "runs", name, false).c_str());
  h.written = field(fs, "written", name, false);
  h.key_id = field(fs, "key-id", name, false);
  h.signature = field(fs, "signature", name, false);
  return h;
}

}  // namespace wrongbox::evidence
