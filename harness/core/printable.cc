// Escaping for terminals and reports (printable.h).
#include "harness/core/printable.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace wrongbox {

std::string printable(std::string_view s, std::size_t max) {
  std::string out;
  const std::size_t shown = s.size() > max ? max : s.size();
  out.reserve(shown + 16);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    // C1 controls are U+0080-U+009F: 0xC2 then 0x80-0x9F in UTF-8.
    const bool c1 =
        c == 0xc2 && i + 1 < shown && (static_cast<unsigned char>(s[i + 1]) & 0xe0) == 0x80;
    if (c >= 0x20 && c != 0x7f && !c1) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case 0x1b:
        out += "\\e";
        break;
      default: {
        char hex[8];
        if (c1) {
          std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned char>(s[++i]));
        } else {
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
        }
        out += hex;
      }
    }
  }
  if (shown < s.size()) out += "... (" + std::to_string(s.size()) + " bytes in all)";
  return out;
}

std::string path_problem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int e = errno;
    struct stat l {};
    if (e == ENOENT && ::lstat(path.c_str(), &l) == 0) return "a link to nothing";
    if (e == ENOENT) return "no such file or directory";
    if (e == ELOOP) return "a loop of symbolic links";
    return std::string("cannot read: ") + std::strerror(e);
  }
  if (S_ISDIR(st.st_mode)) return "a directory";
  if (S_ISFIFO(st.st_mode)) return "a FIFO, not a regular file (refused: reading it could wait forever)";
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  return "";
}

}  // namespace wrongbox
