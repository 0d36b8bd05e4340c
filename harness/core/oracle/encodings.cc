// Decoders for content at rest (encodings.h).
#include "harness/core/oracle/encodings.h"

#include <cstdint>

namespace wrongbox {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Appends UTF-8 for code point `cp`, each byte from source offset `at`.
void put_utf8(DecodedView& v, std::uint32_t cp, std::size_t at) {
  auto put = [&](unsigned b) {
    v.text.push_back(static_cast<char>(b));
    v.origin.push_back(at);
  };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xc0 | (cp >> 6));
    put(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    put(0xe0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3f));
    put(0x80 | (cp & 0x3f));
  } else {
    put(0xf0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3f));
    put(0x80 | ((cp >> 6) & 0x3f));
    put(0x80 | (cp & 0x3f));
  }
}

void keep(DecodedView& v, std::string_view t, std::size_t i) {
  v.text.push_back(t[i]);
  v.origin.push_back(i);
}

bool percent(std::string_view t, DecodedView& v) {
  bool any = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '%' && i + 2 < t.size() && hex_digit(t[i + 1]) >= 0 && hex_digit(t[i + 2]) >= 0) {
      v.text.push_back(static_cast<char>(hex_digit(t[i + 1]) * 16 + hex_digit(t[i + 2])));
      v.origin.push_back(i);
      i += 2;
      any = true;
    } else {
      keep(v, t, i);
    }
  }
  return any;
}

bool json(std::string_view t, DecodedView& v) {
  bool any = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '\\' || i + 1 >= t.size()) {
      keep(v, t, i);
      continue;
    }
    const char c = t[i + 1];
    if (c == 'u' && i + 5 < t.size()) {
      std::uint32_t cp = 0;
      bool ok = true;
      for (std::size_t k = 2; k < 6; ++k) {
        const int d = hex_digit(t[i + k]);
        ok &= d >= 0;
        cp = cp * 16 + static_cast<std::uint32_t>(d < 0 ? 0 : d);
      }
      if (ok) {
        put_utf8(v, cp, i);
        i += 5;
        any = true;
        continue;
      }
    }
    const char* from = "\"\\/bfnrt";
    const char* to = "\"\\/\b\f\n\r\t";
    bool simple = false;
    for (int k = 0; from[k]; ++k) {
      if (c == from[k]) {
        v.text.push_back(to[k]);
        v.origin.push_back(i);
        ++i;
        simple = any = true;
        break;
      }
    }
    if (!simple) keep(v, t, i);
  }
  return any;
}

bool xml(std::string_view t, DecodedView& v) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  bool any = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '&') {
      keep(v, t, i);
      continue;
    }
    bool done = false;
    for (const auto& [name, c] : kNamed) {
      if (t.substr(i, name.size()) == name) {
        v.text.push_back(c);
        v.origin.push_back(i);
        i += name.size() - 1;
        done = any = true;
        break;
      }
    }
    if (!done && i + 3 < t.size() && t[i + 1] == '#') {
      const bool hex = t[i + 2] == 'x' || t[i + 2] == 'X';
      std::size_t k = i + (hex ? 3 : 2);
      std::uint32_t cp = 0;
      const std::size_t digits_from = k;
      while (k < t.size() && k - digits_from < 8) {
        const int d = hex ? hex_digit(t[k]) : (t[k] >= '0' && t[k] <= '9' ? t[k] - '0' : -1);
        if (d < 0) break;
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        ++k;
      }
      if (k > digits_from && k < t.size() && t[k] == ';' && cp <= 0x10ffff) {
        put_utf8(v, cp, i);
        i = k;
        done = any = true;
      }
    }
    if (!done) keep(v, t, i);
  }
  return any;
}

// Every run of base64 characters (line breaks inside a run allowed) of at
// least 16 characters, decoded from its start.
bool base64(std::string_view t, DecodedView& v) {
  bool any = false;
  std::size_t i = 0;
  while (i < t.size()) {
    if (base64_value(t[i]) < 0) {
      ++i;
      continue;
    }
    std::size_t end = i, count = 0;
    while (end < t.size()) {
      if (base64_value(t[end]) >= 0) {
        ++count;
      } else if (t[end] != '\r' && t[end] != '\n') {
        break;
      }
      ++end;
    }
    if (count >= 16) {
      std::uint32_t acc = 0;
      int bits = 0;
      for (std::size_t k = i; k < end; ++k) {
        const int d = base64_value(t[k]);
        if (d < 0) continue;
        acc = (acc << 6) | static_cast<std::uint32_t>(d);
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          v.text.push_back(static_cast<char>((acc >> bits) & 0xff));
          v.origin.push_back(i);
        }
      }
      v.text.push_back('\n');  // runs do not join into one token
      v.origin.push_back(end);
      any = true;
    }
    i = end;
  }
  return any;
}

}  // namespace

std::vector<DecodedView> decoded_views(std::string_view text) {
  std::vector<DecodedView> out;
  out.push_back({"as written", std::string(text), {}});
  auto add = [&](const char* name, bool (*decode)(std::string_view, DecodedView&), bool worth) {
    if (!worth) return;
    DecodedView v{name, {}, {}};
    v.text.reserve(text.size());
    v.origin.reserve(text.size());
    if (decode(text, v)) out.push_back(std::move(v));
  };
  add("base64", base64, true);
  add("percent-encoding", percent, text.find('%') != std::string_view::npos);
  add("JSON escapes", json, text.find('\\') != std::string_view::npos);
  add("XML references", xml, text.find('&') != std::string_view::npos);
  return out;
}

}  // namespace wrongbox
