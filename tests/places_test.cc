// Content at rest (S6): files a switch leaves in its places are judged after
// each command; the private store holds content only in files its owner
// alone can read; content is recognised in the encodings files use.
#include "harness/core/places.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "harness/core/oracle/encodings.h"
#include "harness/core/runner.h"
#include "harness/core/scenario.h"

namespace wrongbox {
namespace {

namespace fs = std::filesystem;

// A correct switch (one message, a mailbox) that also writes a file of its
// choosing while it handles the submit.
class FileWritingSwitch : public Switch {
 public:
  using WriteFn = std::function<void(const Places&, const Message&)>;
  explicit FileWritingSwitch(WriteFn w) : write_(std::move(w)) {}
  void use_places(const Places& p) override { places_ = p; }
  HelloInfo hello() override { return {"file-writer", "0", {}}; }
  void reset(const std::vector<std::string>&) override {}
  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& c) override {
    std::vector<Verdict> out;
    for (const auto& m : batch) {
      write_(places_, m);
      const auto r = c.lookup(m.subject);
      if (r.mailbox && c.deliver(*r.mailbox, m) == DeliverReply::kOk) {
        c.receipt(m.sender, m.id, ReceiptStatus::kDelivered);
      }
      out.push_back({m.sender, m.id, true, ""});
    }
    return out;
  }
  bool tick(std::int64_t, Calls&) override { return true; }
  void restart() override {}

 private:
  WriteFn write_;
  Places places_;
};

void write(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  ASSERT_GE(fd, 0) << path;
  ::fchmod(fd, mode);
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
}

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += k[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += k[(acc << (6 - bits)) & 63];
  while (out.size() % 4) out += '=';
  return out;
}

const char* kOneLetter = R"(wrongbox-scenario 1
open kivra/a for 199001011239
submit
  s1 1 to 199001011239
end
)";

RunResult run_with_places(FileWritingSwitch::WriteFn write_fn) {
  auto watch = std::make_unique<PlaceWatch>();
  auto inner = std::make_unique<FileWritingSwitch>(std::move(write_fn));
  inner->use_places(watch->places());
  WatchedSwitch sw(std::move(watch), std::move(inner));
  const auto p = parse_scenario(kOneLetter, "t.wbs");
  EXPECT_TRUE(p.ok()) << p.error.to_string();
  return run_scenario(*p.scenario, sw, RunOptions{});
}

std::string facts(const RunResult& r) {
  return r.headline() ? format_violation(*r.headline()) : summarize(r);
}
std::string fact(const Violation& v, const std::string& key) {
  for (const auto& [k, val] : v.facts) {
    if (k == key) return val;
  }
  return "";
}

TEST(PlacesTest, APrivateFileOthersCanReadHoldingContentIsS6AndOneOnlyItsOwnerReadsIsNot) {
  auto journal = [](mode_t mode) {
    return [mode](const Places& p, const Message& m) {
      write(p.private_dir + "/journal", m.title + "\n" + m.parts[0].data, mode);
    };
  };
  const auto open = run_with_places(journal(0644));
  ASSERT_EQ(open.outcome, Outcome::kViolation) << summarize(open);
  const Violation& v = *open.headline();
  EXPECT_EQ(v.property, Property::S6) << facts(open);
  EXPECT_EQ(v.step, 1);
  EXPECT_EQ(fact(v, "file"), "private/journal") << facts(open);
  EXPECT_EQ(fact(v, "mode"), "0644") << facts(open);
  EXPECT_NE(fact(v, "content").find("title of s1/1"), std::string::npos) << facts(open);

  const auto closed = run_with_places(journal(0600));
  EXPECT_EQ(closed.outcome, Outcome::kPass) << facts(closed);
  EXPECT_GT(closed.checks[static_cast<int>(Property::S6)], 0u);  // the file was looked at
}

TEST(PlacesTest, ATemporaryFileGoneWhenTheCommandEndsIsAllowedOneLeftBehindIsNamed) {
  const auto gone = run_with_places([](const Places& p, const Message& m) {
    write(p.tmp_dir + "/spool", m.parts[0].data, 0600);
    ::unlink((p.tmp_dir + "/spool").c_str());
  });
  EXPECT_EQ(gone.outcome, Outcome::kPass) << facts(gone);

  const auto left = run_with_places([](const Places& p, const Message& m) {
    fs::create_directories(p.tmp_dir + "/jobs");
    write(p.tmp_dir + "/jobs/spool-1", "job\n" + m.parts[0].data, 0600);
  });
  ASSERT_EQ(left.outcome, Outcome::kViolation) << summarize(left);
  const Violation& v = *left.headline();
  EXPECT_EQ(v.property, Property::S6);
  EXPECT_EQ(fact(v, "file"), "tmp/jobs/spool-1") << facts(left);
  // "job\n", then the part's text up to its canary: "\xc3\x84rende 1, del 1: " (18 bytes).
  EXPECT_EQ(fact(v, "at"), "byte 22") << facts(left);
  EXPECT_NE(fact(v, "content").find("part 1 of s1/1, which belongs to 199001011239"),
            std::string::npos)
      << facts(left);
}

TEST(PlacesTest, Base64ContentInTheSharedDirectoryIsS6) {
  const auto r = run_with_places([](const Places& p, const Message& m) {
    write(p.shared_dir + "/export.json", "{\"body\":\"" + base64(m.parts[0].data) + "\"}", 0644);
  });
  ASSERT_EQ(r.outcome, Outcome::kViolation) << summarize(r);
  const Violation& v = *r.headline();
  EXPECT_EQ(v.property, Property::S6);
  EXPECT_EQ(fact(v, "file"), "shared/export.json");
  EXPECT_EQ(fact(v, "at"), "byte 9 (base64)") << facts(r);
}

TEST(PlacesTest, NothingPersonalInTheSharedDirectoryIsSilent) {
  const auto r = run_with_places([](const Places& p, const Message& m) {
    write(p.shared_dir + "/stats.csv", "sender,count\n" + m.sender + ",1\n", 0644);
  });
  EXPECT_EQ(r.outcome, Outcome::kPass) << facts(r);
}

TEST(PlacesTest, AFileInTheLogDirectoryIsPartOfTheStaffLog) {
  const auto r = run_with_places([](const Places& p, const Message& m) {
    write(p.log_dir + "/switch.log", "handled " + m.title + "\n", 0644);
  });
  ASSERT_EQ(r.outcome, Outcome::kViolation) << summarize(r);
  EXPECT_EQ(r.headline()->property, Property::S3) << facts(r);
  EXPECT_EQ(fact(*r.headline(), "file"), "log/switch.log");
}

TEST(PlacesTest, ContentIsFoundInEveryEncodingAFileUses) {
  const std::string token = "[wbx:0123456789abcdef]";
  auto found = [&](const std::string& text) {
    for (const auto& v : decoded_views(text)) {
      const auto at = v.text.find(token);
      if (at != std::string::npos)
        return std::string(v.encoding) + "@" + std::to_string(v.source_offset(at));
    }
    return std::string("none");
  };
  EXPECT_EQ(found("x " + token), "as written@2");
  EXPECT_EQ(found("b=" + base64("Beslut " + token)), "base64@2");
  EXPECT_EQ(found("q=%5Bwbx%3A0123456789abcdef%5D"), "percent-encoding@2");
  EXPECT_EQ(found(R"({"t":"\u005bwbx:0123456789abcdef\u005d"})"), "JSON escapes@6");
  EXPECT_EQ(found("<t>&#91;wbx:0123456789abcdef&#x5D;</t>"), "XML references@3");
  // Wrapped over lines, as MIME bodies are.
  std::string wrapped = base64("Title " + token + " and some more text to wrap");
  wrapped.insert(20, "\r\n");
  EXPECT_EQ(found(wrapped), "base64@0");
  EXPECT_EQ(found("nothing here: wbx 0123456789abcdef"), "none");
}

TEST(PlacesTest, ThePlacesAreMadeWatchedAndRemoved) {
  std::string root;
  {
    PlaceWatch w;
    root = w.root();
    struct stat st {};
    ASSERT_EQ(::stat(w.places().private_dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_FALSE(w.dirty());
    write(w.places().home_dir + "/a", "x", 0600);
    EXPECT_TRUE(w.dirty());  // the signal came with the write
    const auto files = w.take();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].shown, "home/a");
    EXPECT_EQ(files[0].place, Place::kHome);
    EXPECT_FALSE(w.dirty());
    EXPECT_TRUE(w.take().empty());
  }
  EXPECT_FALSE(fs::exists(root));
}

}  // namespace
}  // namespace wrongbox
