// Locating the tool's own files.
#include "harness/cli/locate.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace wrongbox::cli {

namespace fs = std::filesystem;

std::string self_path() {
  std::error_code ec;
  const auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "" : p.string();
}

std::string installed_file(const std::string& relative) {
  const fs::path self = self_path();
  if (self.empty()) return "";
  const auto p = (self.parent_path().parent_path() / relative).lexically_normal();
  std::error_code ec;
  return fs::exists(p, ec) ? p.string() : "";
}

std::string builtin_corpus_dir() {
  std::error_code ec;
  if (const char* e = std::getenv("WRONGBOX_CORPUS"); e && *e) {
    return fs::is_directory(e, ec) ? e : "";
  }
  if (auto installed = installed_file("share/wrongbox/corpus/regressions");
      !installed.empty() && fs::is_directory(installed, ec)) {
    return installed;
  }
#ifdef WRONGBOX_SOURCE_DIR
  const auto source = fs::path(WRONGBOX_SOURCE_DIR) / "corpus/regressions";
  if (fs::is_directory(source, ec)) return source.string();
#endif
  return "";
}

std::string program_for_commands() {
  const std::string self = self_path();
  if (self.empty()) return "wrongbox";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::error_code ec;
  for (std::string d; std::getline(dirs, d, ':');) {
    if (d.empty()) continue;
    const auto candidate = fs::path(d) / "wrongbox";
    if (fs::exists(candidate, ec)) {
      return fs::equivalent(candidate, self, ec) ? "wrongbox" : self;
    }
  }
  return self;
}

}  // namespace wrongbox::cli
