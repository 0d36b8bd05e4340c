// Ed25519 keys for the evidence store (libsodium), and the head file.
//
// Key files are text, one field per line, so that a person can tell them
// apart and a diff shows a change:
//
//   wrongbox-evidence-secret-key 1        (mode 0600; never copied anywhere)
//   key-id 3f9c0a1b2d4e5f60
//   ed25519-secret <128 hex digits: libsodium's 64-byte secret key>
//
//   wrongbox-evidence-public-key 1
//   key-id 3f9c0a1b2d4e5f60
//   ed25519-public <64 hex digits>
//
// The key id is the first 16 hex digits of SHA-256 of the public key. What
// is signed (docs/evidence.md):
//   a run:  "wrongbox-evidence run 1\n" UUID "\n" END-CONTENT-HASH "\n"
//           (the run's content, wherever its records sit in a chain: it
//           survives `merge`)
//   a head: "wrongbox-evidence head 1\n" SEQ "\n" HASH "\n"
//           (every record up to SEQ: deleting later records is seen by whoever
//           kept the head)
//
// The head file tells an auditor where the chain ended when they were shown
// it:
//   wrongbox-evidence-head 1
//   seq 42
//   hash <64 hex digits>
//   runs 7
//   written 2026-12-01T14:05:00Z
//   [key-id ..., signature <128 hex digits> (over the head, as above)]
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace wrongbox::evidence {

struct PublicKey {
  std::array<unsigned char, 32> bytes{};
  std::string id;  // 16 hex digits
};

struct SecretKey {
  std::array<unsigned char, 64> bytes{};
  PublicKey pub;
};

// Writes a new key pair: SECRET (mode 0600, refused if it exists) and
// SECRET.pub. Throws EvidenceError.
PublicKey generate_key_pair(const std::string& secret_path);
// Loads a secret key; refuses a file that others can read or write (its mode
// must give group and others nothing), naming the mode. Throws EvidenceError.
SecretKey load_secret_key(const std::string& path);
PublicKey load_public_key(const std::string& path);

std::string sign_text(const SecretKey& k, const std::string& text);  // 128 hex digits
bool verify_text(const PublicKey& k, const std::string& text, const std::string& signature_hex);
// Parses 64 hex digits into a public key (the form stored beside signatures).
std::optional<PublicKey> public_key_from_hex(const std::string& hex);
std::string to_hex(const unsigned char* p, std::size_t n);

// The public key file's text (the format above).
std::string format_public_key(const PublicKey& k);

std::string run_signing_text(const std::string& uuid, const std::string& end_content_hash);
std::string head_signing_text(std::int64_t seq, const std::string& hash);

struct Head {
  std::int64_t seq = 0;
  std::string hash;
  int runs = 0;
  std::string written;
  std::string key_id;     // "" when unsigned
  std::string signature;  // over head_signing_text(seq, hash)
};
// Signs `h` (its seq and hash) with `k`: sets key_id and signature.
void sign_head(Head& h, const SecretKey& k);
std::string format_head(const Head& h);
// Parses a head file's text; throws EvidenceError naming `name` and the line.
Head parse_head(const std::string& text, const std::string& name);

}  // namespace wrongbox::evidence
