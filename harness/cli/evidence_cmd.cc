// `wrongbox evidence verify|merge` and `wrongbox report`.
#include <fmt/core.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "harness/cli/commands.h"
#include "harness/evidence/evidence.h"
#include "harness/evidence/report.h"
#include "harness/evidence/signing.h"

namespace wrongbox::cli {

namespace {

namespace fs = std::filesystem;

// The files of a bundle directory.
constexpr const char* kBundleStore = "evidence.db";
constexpr const char* kBundleHead = "evidence.head";
constexpr const char* kBundleKey = "public-key.pub";
constexpr const char* kBundleReport = "report.html";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw evidence::EvidenceError(path + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw evidence::EvidenceError(path.string() + ": cannot write");
}

// A POSIX ustar archive of regular files, all under `prefix/`.
void write_tar(const fs::path& tar, const std::string& prefix,
               const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [name, data] : files) {
    char h[512] = {};
    const std::string full = prefix + "/" + name;
    std::snprintf(h, 100, "%s", full.c_str());
    std::snprintf(h + 100, 8, "%07o", 0644);
    std::snprintf(h + 108, 8, "%07o", 0);
    std::snprintf(h + 116, 8, "%07o", 0);
    std::snprintf(h + 124, 12, "%011llo", static_cast<unsigned long long>(data.size()));
    std::snprintf(h + 136, 12, "%011llo", static_cast<unsigned long long>(std::time(nullptr)));
    std::memset(h + 148, ' ', 8);
    h[156] = '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    out.append(h, 512);
    out += data;
    out.append((512 - data.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  write_file(tar, out);
}

// The regular files of a ustar archive into `dir` (names without their
// directory; anything else in the archive is refused).
void extract_tar(const std::string& tar, const fs::path& dir) {
  const std::string t = read_file(tar);
  for (std::size_t at = 0; at + 512 <= t.size();) {
    const char* h = t.data() + at;
    if (h[0] == '\0') break;  // the end blocks
    if (std::memcmp(h + 257, "ustar", 5) != 0) {
      throw evidence::EvidenceError(tar + ": not a ustar archive (at byte " + std::to_string(at) +
                                    ")");
    }
    const std::string name(h, strnlen(h, 100));
    const auto size = std::strtoull(std::string(h + 124, 12).c_str(), nullptr, 8);
    if (h[156] != '0' && h[156] != '\0') {
      throw evidence::EvidenceError(tar + ": " + name + " is not a regular file");
    }
    if (at + 512 + size > t.size()) throw evidence::EvidenceError(tar + ": truncated at " + name);
    const std::string base = fs::path(name).filename().string();
    if (base.empty() || base == "." || base == "..") {
      throw evidence::EvidenceError(tar + ": a member without a file name: " + name);
    }
    write_file(dir / base, t.substr(at + 512, size));
    at += 512 + (size + 511) / 512 * 512;
  }
}

// --expect-head: a head file, or the 64 hex digits of a record's hash.
evidence::Head expected_head(const std::string& given) {
  std::error_code ec;
  if (fs::is_regular_file(given, ec)) return evidence::parse_head(read_file(given), given);
  evidence::Head h;
  h.hash = given;
  if (h.hash.size() != 64 || h.hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw evidence::EvidenceError("--expect-head " + given +
                                  ": neither a head file nor a record's hash (64 hex digits)");
  }
  return h;
}

// Runs an evidence command: an unusable store, key or file is exit 2 with
// the reason.
template <typename F>
CommandResult guarded(const Console& io, F&& f) {
  CommandResult res;
  try {
    return f();
  } catch (const evidence::EvidenceError& e) {
    fail(res, io, kExitUsage, std::string("evidence: ") + e.what());
  } catch (const fs::filesystem_error& e) {
    fail(res, io, kExitUsage, std::string("evidence: ") + e.what());
  }
  return res;
}

// Prints `line` on io.out; a result with that summary and exit code.
CommandResult said(const Console& io, int exit_code, const std::string& line) {
  fmt::print(io.out, "{}\n", line);
  CommandResult r;
  r.exit_code = exit_code;
  r.summary = line;
  return r;
}

}  // namespace

CommandResult evidence_verify(const EvidenceToolOptions& given, const Console& io) {
  EvidenceToolOptions o = given;
  return guarded(io, [&] {
    // A bundle (export): its store, and its key and head unless others are given.
    std::optional<fs::path> unpacked;
    std::error_code ec;
    if (o.store.ends_with(".tar") && fs::is_regular_file(o.store, ec)) {
      unpacked = fs::temp_directory_path() / ("wrongbox-bundle-" + std::to_string(::getpid()));
      fs::remove_all(*unpacked, ec);
      fs::create_directories(*unpacked);
      extract_tar(o.store, *unpacked);
      o.store = unpacked->string();
    }
    struct Cleanup {
      std::optional<fs::path>& dir;
      ~Cleanup() {
        std::error_code e;
        if (dir) fs::remove_all(*dir, e);
      }
    } cleanup{unpacked};
    if (fs::is_directory(o.store, ec)) {
      const fs::path dir = o.store;
      if (!fs::exists(dir / kBundleStore, ec)) {
        throw evidence::EvidenceError(o.store + ": a directory without " + kBundleStore +
                                      " (not an evidence bundle)");
      }
      o.store = (dir / kBundleStore).string();
      if (o.public_key.empty() && fs::exists(dir / kBundleKey, ec)) {
        o.public_key = (dir / kBundleKey).string();
      }
      if (o.expect_head.empty() && fs::exists(dir / kBundleHead, ec)) {
        o.expect_head = (dir / kBundleHead).string();
      }
    }
    const std::string& path = given.store;
    evidence::VerifyOptions vo;
    if (!o.public_key.empty()) vo.key = evidence::load_public_key(o.public_key);
    if (!o.expect_head.empty()) vo.expect = expected_head(o.expect_head);
    std::optional<evidence::Store> opened;
    try {
      opened.emplace(evidence::Store::open_existing(o.store));
    } catch (const evidence::EvidenceTampered& e) {
      return said(io, kExitViolation, fmt::format("TAMPERED: {}", e.what()));
    }
    auto& store = *opened;
    const auto v = store.verify(vo);
    if (!v.ok) {
      return said(
          io, kExitViolation,
          fmt::format("{}: {}: {}", evidence::failed_integrity_word(v.runs), path, v.problem));
    }
    const auto res = said(io, kExitOk,
                          fmt::format("verified: {}: {} run(s), {} complete, hash chain intact",
                                      path, v.runs, v.complete));
    for (const auto& i : v.incomplete)
      fmt::print(io.out, "  incomplete (killed or still running): {}\n", i);
    if (v.signatures > 0 || vo.key) {
      fmt::print(
          io.out, "  signatures: {} valid{}\n", v.signatures,
          v.signed_through > 0
              ? fmt::format("; records 1 to {} signed by key {}{}", v.signed_through, v.signed_by,
                            v.signed_through < v.head_seq
                                ? fmt::format(" (records {} to {} are not)", v.signed_through + 1,
                                              v.head_seq)
                                : "")
              : "; no head is signed");
    }
    if (vo.expect) {
      fmt::print(io.out, "  expected head: record {} is there, unchanged{}\n", v.expected_seq,
                 v.head_seq > v.expected_seq ? fmt::format("; {} record(s) were added after it",
                                                           v.head_seq - v.expected_seq)
                                             : "; it is still the last");
    }
    fmt::print(io.out, "  head: record {}, {}\n", v.head_seq, v.head_hash);
    return res;
  });
}

CommandResult evidence_merge(const EvidenceToolOptions& o, const Console& io) {
  return guarded(io, [&] {
    std::optional<evidence::SecretKey> key;
    if (!o.sign_key.empty()) key = evidence::load_secret_key(o.sign_key);
    const int n = evidence::merge(o.out, o.inputs, key ? &*key : nullptr);
    auto store = evidence::Store::open(o.out);
    const auto v = store.verify();
    return said(
        io, v.ok ? kExitOk : kExitViolation,
        fmt::format("merged {} run(s) from {} store(s) into {}: {} run(s), chain {}{}", n,
                    o.inputs.size(), o.out, v.runs, v.ok ? "intact" : "BROKEN: " + v.problem,
                    key ? ", head signed by key " + key->pub.id : ""));
  });
}

CommandResult evidence_keygen(const EvidenceToolOptions& o, const Console& io) {
  return guarded(io, [&] {
    const auto pub = evidence::generate_key_pair(o.out);
    return said(io, kExitOk,
                fmt::format("key {}:\n  secret: {} (mode 0600; give it to the recording job "
                            "only, never publish it)\n  public: {}.pub (give it to whoever "
                            "verifies)",
                            pub.id, o.out, o.out));
  });
}

CommandResult evidence_sign(const EvidenceToolOptions& o, const Console& io) {
  return guarded(io, [&] {
    const auto key = evidence::load_secret_key(o.sign_key);
    auto store = evidence::Store::open_existing(o.store);
    const auto v = store.verify();
    if (!v.ok) {
      return said(io, kExitViolation,
                  fmt::format("TAMPERED: {}: {}; nothing was signed", o.store, v.problem));
    }
    int runs = 0;
    const auto h = store.sign_all(key, &runs);
    return said(io, kExitOk,
                fmt::format("signed {} run(s) and the head (record {}, {}) of {} with key {}", runs,
                            h.seq, h.hash, o.store, key.pub.id));
  });
}

CommandResult evidence_head(const EvidenceToolOptions& o, const Console& io) {
  return guarded(io, [&] {
    CommandResult res;
    auto store = evidence::Store::open_existing(o.store);
    const auto v = store.verify();
    if (!v.ok) {
      return fail(res, io, kExitViolation,
                  fmt::format("{}: TAMPERED: {}; no head written", o.store, v.problem));
    }
    evidence::Head h = store.head();
    if (!o.sign_key.empty()) {
      evidence::sign_head(h, evidence::load_secret_key(o.sign_key));
    }
    const auto text = evidence::format_head(h);
    if (o.out.empty() || o.out == "-") {
      fmt::print(io.out, "{}", text);
      res.summary = fmt::format("head: record {} of {}", h.seq, o.store);
      return res;
    }
    write_file(o.out, text);
    return said(io, kExitOk,
                fmt::format("head: record {} of {} written to {}", h.seq, o.store, o.out));
  });
}

namespace {

// The bundle's VERIFY.md: what each file is, and how to check it with only
// `wrongbox` and the bundle. `signer`: the key the head is signed with.
std::string verify_text(const std::string& name, const evidence::Head& h,
                        const evidence::PublicKey* signer, bool pub) {
  const bool key = signer != nullptr;
  return "# Verifying this evidence bundle\n\n"
         "Files: `" +
         std::string(kBundleStore) + "` (the evidence store, SQLite), `" + kBundleHead +
         "` (where its hash chain ended when the bundle was made" + (key ? ", signed" : "") +
         "), " +
         (pub ? "`" + std::string(kBundleKey) + "` (the public key the runs are signed with), "
              : std::string()) +
         "`" + kBundleReport +
         "` (the report rendered from the store).\n\n"
         "With only `wrongbox` and this bundle:\n\n```sh\n"
         "wrongbox evidence verify " +
         name +
         "\n```\n\n"
         "checks the whole chain, " +
         (pub ? "every signature against the bundle's public key, " : std::string()) +
         "and that the head recorded in `" + kBundleHead +
         "` is still in it. Spelled out, with a key you obtained yourself (trust the key you got "
         "from the signer, not the one in the bundle):\n\n```sh\n"
         "wrongbox evidence verify " +
         kBundleStore + (pub ? " --public-key THEIR-KEY.pub" : "") + " --expect-head " +
         kBundleHead + "\nwrongbox report --evidence " + kBundleStore +
         " --format html --out report.html\n```\n\n"
         "Head: record " +
         std::to_string(h.seq) + ", `" + h.hash + "`" +
         (key ? ", signed by key `" + signer->id + "`" : ", unsigned") + ". " +
         std::to_string(h.runs) + " run(s).\n";
}

}  // namespace

CommandResult evidence_export(const EvidenceToolOptions& o, const Console& io) {
  return guarded(io, [&] {
    std::optional<evidence::SecretKey> key;
    if (!o.sign_key.empty()) key = evidence::load_secret_key(o.sign_key);
    std::optional<evidence::PublicKey> pub;
    if (!o.public_key.empty()) pub = evidence::load_public_key(o.public_key);
    if (key && pub && key->pub.id != pub->id) {
      throw evidence::EvidenceError("--public-key " + o.public_key +
                                    " is not the public half of --sign-key " + o.sign_key);
    }
    if (key) pub = key->pub;
    auto store = evidence::Store::open_existing(o.store);
    evidence::VerifyOptions vo;
    const auto v = store.verify(vo);
    if (!v.ok) {
      return said(io, kExitViolation,
                  fmt::format("TAMPERED: {}: {}; no bundle written", o.store, v.problem));
    }
    const bool tar = o.out.ends_with(".tar");
    std::error_code ec;
    const fs::path dir = tar ? fs::path(o.out + ".d") : fs::path(o.out);
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
      throw evidence::EvidenceError(dir.string() +
                                    " exists and is not empty; a bundle is "
                                    "written into a new directory");
    }
    fs::create_directories(dir, ec);
    if (ec) throw evidence::EvidenceError(dir.string() + ": " + ec.message());
    if (key) store.sign_all(*key);  // the head of the copy is then signed
    store.copy_to((dir / kBundleStore).string());
    auto copy = evidence::Store::open_existing((dir / kBundleStore).string());
    evidence::Head h = copy.head();
    if (key) evidence::sign_head(h, *key);
    write_file(dir / kBundleHead, evidence::format_head(h));
    if (pub) {
      write_file(dir / kBundleKey, evidence::format_public_key(*pub));
    }
    write_file(dir / kBundleReport, evidence::render_report(copy, evidence::ReportFormat::kHtml));
    const std::string name = tar ? fs::path(o.out).filename().string() : dir.filename().string();
    write_file(dir / "VERIFY.md", verify_text(name, h, key ? &key->pub : nullptr, pub.has_value()));
    if (tar) {
      std::vector<std::pair<std::string, std::string>> files;
      for (const char* f : {"VERIFY.md", kBundleStore, kBundleHead, kBundleKey, kBundleReport}) {
        if (fs::exists(dir / f, ec)) files.emplace_back(f, read_file((dir / f).string()));
      }
      write_tar(o.out, fs::path(o.out).stem().string(), files);
      fs::remove_all(dir, ec);
    }
    return said(
        io, kExitOk,
        fmt::format(
            "bundle: {} ({} run(s), head record {}{}); verify with: wrongbox evidence verify {}",
            o.out, h.runs, h.seq, key ? ", signed by key " + key->pub.id : ", unsigned", o.out));
  });
}

CommandResult report(const ReportOptions& o, const Console& io) {
  CommandResult res;
  const std::string& path = o.store;
  const std::string& out = o.out;
  evidence::ReportScope scope = o.scope;
  evidence::ReportFormat f{};
  if (!evidence::parse_format(o.format, f)) {
    return fail(res, io, kExitUsage, "--format is html, md, json, junit or sarif");
  }
  return guarded(io, [&] {
    auto store = evidence::Store::open_existing(path);
    const auto v = store.verify();
    std::error_code ec;
    const auto text = [&] {
      scope.relative_to = std::filesystem::current_path(ec).string();
      return evidence::render_report(store, f, scope);
    }();
    if (out.empty() || out == "-") {
      fmt::print(io.out, "{}", text);
      res.summary = "report on standard output";
    } else {
      std::ofstream file(out, std::ios::binary);
      file << text;
      if (!file) return fail(res, io, kExitUsage, "cannot write " + out);
      res = said(io, kExitOk, "report: " + out);
    }
    // The report is written either way (it says so in every format); the
    // exit code says it too, so a pipeline cannot publish it as green.
    if (!v.ok) {
      return fail(res, io, kExitViolation,
                  path + ": " + evidence::failed_integrity_word(v.runs) + ": " + v.problem);
    }
    return res;
  });
}

}  // namespace wrongbox::cli
