// Scenario text format v1: the words of a line (see the header).
#include "harness/core/scenario_words.h"

#include <algorithm>
#include <charconv>

#include "harness/core/decimal.h"
#include "models/identity.h"
#include "models/world.h"

namespace wrongbox::scenario_text {

// Splits one line into tokens. Bare tokens run to the next blank; quoted
// tokens use JSON-like escapes (\" \\ \n \t \r \xHH).
std::optional<Failure> tokenize(std::string_view line, int lineno, std::vector<Token>& out) {
  out.clear();
  std::size_t i = 0;
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  while (i < line.size()) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.col = static_cast<int>(i) + 1;
    if (c == '"') {
      t.quoted = true;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const unsigned char d = static_cast<unsigned char>(line[i]);
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d < 0x20 || d == 0x7f) {
          return Failure{lineno, static_cast<int>(i) + 1,
                         "control character in a quoted string; write it as \\xHH"};
        }
        if (d == '\\') {
          if (i + 1 >= line.size()) break;
          const char e = line[i + 1];
          switch (e) {
            case '"':
              t.text.push_back('"');
              i += 2;
              continue;
            case '\\':
              t.text.push_back('\\');
              i += 2;
              continue;
            case 'n':
              t.text.push_back('\n');
              i += 2;
              continue;
            case 't':
              t.text.push_back('\t');
              i += 2;
              continue;
            case 'r':
              t.text.push_back('\r');
              i += 2;
              continue;
            case 'x': {
              const int h = i + 3 < line.size() ? hexval(line[i + 2]) : -1;
              const int l = i + 3 < line.size() ? hexval(line[i + 3]) : -1;
              if (h < 0 || l < 0) {
                return Failure{lineno, static_cast<int>(i) + 1, "\\x needs two hex digits"};
              }
              t.text.push_back(static_cast<char>(h * 16 + l));
              i += 4;
              continue;
            }
            default:
              return Failure{
                  lineno, static_cast<int>(i) + 1,
                  std::string("unknown escape \\") + e + " (use \\\" \\\\ \\n \\t \\r or \\xHH)"};
          }
        }
        t.text.push_back(static_cast<char>(d));
        ++i;
      }
      if (!closed) return Failure{lineno, t.col, "string is not closed with \""};
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
        const unsigned char d = static_cast<unsigned char>(line[i]);
        if (d < 0x20 || d == 0x7f) {
          return Failure{lineno, static_cast<int>(i) + 1,
                         "control character in the text; quote the value and write \\xHH"};
        }
        t.text.push_back(static_cast<char>(d));
        ++i;
      }
    }
    out.push_back(std::move(t));
  }
  return std::nullopt;
}

bool needs_quotes(std::string_view s) {
  if (s.empty() || s.front() == '#' || s.front() == '"') return true;
  return std::any_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c <= 0x20 || c == 0x7f || c == '\\' || c == '"';
  });
}

// Quotes a value when a bare token would not read back as the same value.
// Keywords in a value position are quoted too, so "end" stays a sender.
std::string quote(std::string_view s, bool keyword_position) {
  if (!needs_quotes(s) && !(keyword_position && s == "end")) return std::string(s);
  return quoted(s);
}

std::string quoted(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::optional<std::uint64_t> id_number(std::string_view id) {
  // At most 15 digits: a range's bounds and length stay far from overflow.
  return plain_decimal(id, 15);
}

std::optional<IdRange> parse_id_range(std::string_view word) {
  const auto dots = word.find("..");
  if (dots == std::string_view::npos) return std::nullopt;
  const auto first = id_number(word.substr(0, dots));
  const auto last = id_number(word.substr(dots + 2));
  if (!first || !last || *first >= *last || *last - *first >= kMaxRangeMessages) {
    return std::nullopt;
  }
  return IdRange{*first, *last};
}

std::string check_person(const std::string& p) {
  const auto c = model::check_person_number(p);
  if (c.ok()) return "";
  return "'" + p + "' is not a valid person number: " + model::describe(c);
}

std::string check_operator(const std::string& op) {
  if (op.empty()) return "an operator name is empty";
  for (char c : op) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return "an operator name uses only a-z, 0-9, '-' and '_'";
  }
  return "";
}

std::optional<int> parse_int(const std::string& s, int lo, int hi) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

const std::vector<Form>& forms() {
  static const std::vector<Form> kForms = {
      {"open", StepKind::kOpen, {{Arg::kMailbox, ""}, {Arg::kLit, "for"}, {Arg::kPerson, ""}}},
      {"open",
       StepKind::kOpenUnregistered,
       {{Arg::kMailbox, ""}, {Arg::kLit, "owned-by"}, {Arg::kPerson, ""}}},
      {"close", StepKind::kClose, {{Arg::kMailbox, ""}}},
      {"close", StepKind::kCloseAtDelivery, {{Arg::kMailbox, ""}, {Arg::kLit, "at-delivery"}}},
      {"reopen", StepKind::kReopen, {{Arg::kMailbox, ""}, {Arg::kLit, "for"}, {Arg::kPerson, ""}}},
      {"register",
       StepKind::kRegister,
       {{Arg::kPerson, ""}, {Arg::kLit, "at"}, {Arg::kMailbox, ""}}},
      {"unregister", StepKind::kUnregister, {{Arg::kPerson, ""}}},
      {"protect", StepKind::kProtect, {{Arg::kPerson, ""}}},
      {"unprotect", StepKind::kUnprotect, {{Arg::kPerson, ""}}},
      {"block", StepKind::kBlock, {{Arg::kPerson, ""}, {Arg::kSender, ""}}},
      {"unblock", StepKind::kUnblock, {{Arg::kPerson, ""}, {Arg::kSender, ""}}},
      {"registry", StepKind::kRegistryDown, {{Arg::kLit, "down"}}},
      {"registry", StepKind::kRegistryUp, {{Arg::kLit, "up"}}},
      {"operator", StepKind::kOperatorDown, {{Arg::kOperator, ""}, {Arg::kLit, "down"}}},
      {"operator", StepKind::kOperatorUp, {{Arg::kOperator, ""}, {Arg::kLit, "up"}}},
      {"restart", StepKind::kRestart, {}},
  };
  return kForms;
}

std::string usage_of(std::string_view keyword) {
  std::string out;
  for (const auto& f : forms()) {
    if (f.keyword != keyword) continue;
    if (!out.empty()) out += " | ";
    out += std::string(f.keyword);
    for (const auto& [a, lit] : f.args) {
      switch (a) {
        case Arg::kPerson:
          out += " PERSON";
          break;
        case Arg::kMailbox:
          out += " MAILBOX";
          break;
        case Arg::kSender:
          out += " SENDER";
          break;
        case Arg::kOperator:
          out += " OPERATOR";
          break;
        case Arg::kLit:
          out += " " + std::string(lit);
          break;
      }
    }
  }
  return out;
}

std::string check_arg(Arg a, const std::string& v) {
  switch (a) {
    case Arg::kPerson:
      return check_person(v);
    case Arg::kMailbox: {
      auto e = model::check_mailbox_address(v);
      return e.empty() ? "" : "'" + v + "' is not a mailbox address: " + e;
    }
    case Arg::kSender:
      return v.empty() ? "a sender name is empty" : "";
    case Arg::kOperator:
      return check_operator(v);
    case Arg::kLit:
      return "";
  }
  return "";
}

// Fills the step field an argument kind stands for.
std::string& field_of(Step& s, Arg a) {
  switch (a) {
    case Arg::kPerson:
      return s.person;
    case Arg::kMailbox:
      return s.mailbox;
    case Arg::kSender:
      return s.sender;
    default:
      return s.op;
  }
}
const std::string& field_of(const Step& s, Arg a) {
  return field_of(const_cast<Step&>(s), a);
}

// The first byte sequence of `line` (line number `lineno`) that is not
// UTF-8 (overlong forms, surrogates and code points above U+10FFFF
// included), with its column in characters and a description.
std::optional<Failure> find_invalid_utf8(std::string_view line, int lineno) {
  int col = 1;
  for (std::size_t i = 0; i < line.size(); ++col) {
    const auto b = static_cast<unsigned char>(line[i]);
    std::size_t len = 0;
    std::uint32_t min = 0, cp = 0;
    if (b < 0x80) {
      len = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      len = 2, min = 0x80, cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3, min = 0x800, cp = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4, min = 0x10000, cp = b & 0x07u;
    }
    bool ok = len > 0 && i + len <= line.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(line[i + k]);
      ok = (c & 0xC0u) == 0x80u;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (ok && len > 1) ok = cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!ok) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", b);
      return Failure{lineno, col,
                     std::string("invalid UTF-8 (byte ") + hex +
                         (len == 0 ? " cannot start a character" : " starts a malformed sequence") +
                         "); scenario files are UTF-8"};
    }
    i += len;
  }
  return std::nullopt;
}

}  // namespace wrongbox::scenario_text
