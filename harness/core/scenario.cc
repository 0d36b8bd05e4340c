// Scenario text format v1: tokenizer, parser, printer, validation.
// The grammar is documented in docs/scenario-format.md; keep the two in step.
#include "harness/core/scenario.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "harness/core/oracle/property.h"
#include "harness/core/printable.h"
#include "models/identity.h"
#include "models/world.h"

namespace wrongbox {
namespace {

constexpr std::string_view kMagic = "wrongbox-scenario";

struct Token {
  std::string text;
  int col = 0;  // 1-based column of its first character
  bool quoted = false;
  bool is(std::string_view kw) const { return !quoted && text == kw; }
};

struct Failure {
  int line;
  int col;
  std::string message;
};

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
std::string quote(std::string_view s, bool keyword_position = false) {
  if (!needs_quotes(s) && !(keyword_position && s == "end")) return std::string(s);
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

// Shape of a one-line step: keyword, then the words it takes.
enum class Arg { kPerson, kMailbox, kSender, kOperator, kLit };
struct Form {
  std::string_view keyword;
  StepKind kind;
  std::vector<std::pair<Arg, std::string_view>> args;  // kLit: the literal word
};

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

class Parser {
 public:
  // Lines from `text`, or (with `file`) read from `in` one at a time. With a
  // `sink`, each step goes to it instead of into the scenario.
  Parser(std::string_view text, std::string_view file) : text_(text), file_(file) {}
  Parser(std::FILE* in, std::string_view file, const StepSink* sink)
      : in_(in), file_(file), sink_(sink) {}
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  ~Parser() { std::free(buf_); }

  ParseResult run() {
    ParseResult r;
    r.error.file = std::string(file_);
    Scenario sc;
    sc.source = std::string(file_);
    if (auto f = parse(sc)) {
      r.error.line = f->line;
      r.error.col = f->col;
      r.error.message = f->message;
      return r;
    }
    r.scenario = std::move(sc);
    return r;
  }

 private:
  // False at the end of the text, and at a line that is not UTF-8 or cannot
  // be read (then failure_ says why).
  bool next_line(std::string_view& line) {
    if (failure_) return false;
    if (in_) {
      const ssize_t n = ::getline(&buf_, &cap_, in_);
      if (n < 0) {
        if (std::ferror(in_)) {
          failure_ = Failure{lineno_ + 1, 1, std::string("cannot read: ") + std::strerror(errno)};
        }
        return false;
      }
      line = std::string_view(buf_, static_cast<std::size_t>(n));
      if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    } else {
      if (pos_ >= text_.size()) return false;
      auto nl = text_.find('\n', pos_);
      if (nl == std::string_view::npos) nl = text_.size();
      line = text_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
    }
    ++lineno_;
    failure_ = find_invalid_utf8(line, lineno_);
    return !failure_;
  }

  std::optional<Failure> parse(Scenario& sc) {
    std::string_view line;
    std::vector<Token> toks;
    std::vector<std::string> comments;
    bool seen_magic = false;
    bool in_steps = false;
    // Before the first step, a blank line ends the header's comments: those
    // right above the first step are its own (print_scenario writes a blank
    // line between the two). `blank` says a blank line came since the last
    // comments were placed, before those pending now.
    bool blank = false;
    while (next_line(line)) {
      const auto first = line.find_first_not_of(" \t\r");
      if (first == std::string_view::npos) {
        if (seen_magic && !in_steps && !comments.empty()) {
          for (auto& c : comments) sc.header_comments.push_back(std::move(c));
          comments.clear();
        }
        if (comments.empty()) blank = true;
        continue;
      }
      if (line[first] == '#') {
        auto c = line.substr(first + 1);
        if (!c.empty() && c.front() == ' ') c.remove_prefix(1);
        while (!c.empty() && c.back() == '\r') c.remove_suffix(1);
        comments.emplace_back(c);
        continue;
      }
      if (auto f = tokenize(line, lineno_, toks)) return f;
      const Token& kw = toks.front();
      if (!seen_magic) {
        if (kw.text.rfind("\xEF\xBB\xBF", 0) == 0) {
          return Failure{lineno_, kw.col,
                         "the file starts with a UTF-8 byte order mark (EF BB BF); save it "
                         "without one"};
        }
        if (!kw.is(kMagic)) {
          return Failure{lineno_, kw.col, "a scenario starts with the line 'wrongbox-scenario 1'"};
        }
        if (toks.size() != 2) return Failure{lineno_, kw.col, "expected 'wrongbox-scenario 1'"};
        const auto v = parse_int(toks[1].text, 1, 1000000);
        if (!v) return Failure{lineno_, toks[1].col, "the format version is a whole number"};
        if (toks[1].text != std::to_string(*v)) {
          return Failure{lineno_, toks[1].col,
                         "the format version is written as a plain number, e.g. "
                         "'wrongbox-scenario 1' (got '" +
                             toks[1].text + "')"};
        }
        if (*v != kScenarioFormatVersion) {
          return Failure{lineno_, toks[1].col,
                         "scenario format version " + toks[1].text +
                             " is not one this wrongbox reads (it reads version 1)"};
        }
        seen_magic = true;
        sc.header_comments = std::move(comments);
        comments.clear();
        blank = false;
        continue;
      }
      if (kw.is("name") || kw.is("tag") || kw.is("guards")) {
        if (in_steps) {
          return Failure{lineno_, kw.col,
                         "'" + kw.text + "' belongs in the header, before the first step"};
        }
        for (auto& c : comments) sc.header_comments.push_back(std::move(c));
        comments.clear();
        blank = false;
        if (auto f = header(sc, toks)) return f;
        continue;
      }
      in_steps = true;
      Step st;
      st.line = lineno_;
      st.comments = std::move(comments);
      comments.clear();
      if (auto f = step(st, toks)) return f;
      if (!sink_) {
        sc.steps.push_back(std::move(st));
      } else if (!(*sink_)(sc, std::move(st))) {
        return std::nullopt;  // the sink has what it wanted
      }
    }
    if (failure_) return failure_;
    if (!seen_magic) {
      return Failure{std::max(lineno_, 1), 1,
                     "empty scenario: it starts with the line 'wrongbox-scenario 1'"};
    }
    if (!in_steps && !blank) {
      // No step, and no blank line before these: they close the header.
      for (auto& c : comments) sc.header_comments.push_back(std::move(c));
    } else {
      sc.trailing_comments = std::move(comments);
    }
    return std::nullopt;
  }

  std::optional<Failure> header(Scenario& sc, const std::vector<Token>& t) {
    const Token& kw = t.front();
    if (kw.is("name")) {
      if (t.size() != 2) return Failure{lineno_, kw.col, "expected: name NAME"};
      if (!sc.name.empty()) return Failure{lineno_, kw.col, "the scenario already has a name"};
      if (t[1].text.empty()) return Failure{lineno_, t[1].col, "the name is empty"};
      sc.name = t[1].text;
    } else if (kw.is("tag")) {
      if (t.size() < 2) return Failure{lineno_, kw.col, "expected: tag TAG..."};
      for (std::size_t i = 1; i < t.size(); ++i) {
        if (t[i].text.empty()) return Failure{lineno_, t[i].col, "a tag is empty"};
        sc.tags.push_back(t[i].text);
      }
    } else {
      // guards DEFECT PROPERTY, or guards PROPERTY (any switch: the one it is played on).
      if (t.size() != 2 && t.size() != 3) {
        return Failure{lineno_, kw.col, "expected: guards DEFECT PROPERTY, or guards PROPERTY"};
      }
      const Token& prop = t.back();
      if (!property_from_string(prop.text)) {
        return Failure{lineno_, prop.col,
                       "'" + prop.text + "' is not a property (S1-S6, C1-C4, L1)"};
      }
      sc.guards.push_back(Guard{t.size() == 3 ? t[1].text : "", prop.text, lineno_});
    }
    return std::nullopt;
  }

  std::optional<Failure> step(Step& st, const std::vector<Token>& t) {
    const Token& kw = t.front();
    if (kw.is("submit")) return submit(st, t);
    if (kw.is("tick")) {
      st.kind = StepKind::kTick;
      if (t.size() > 2) return Failure{lineno_, t[2].col, "expected: tick [COUNT]"};
      if (t.size() == 2) {
        const auto n = parse_int(t[1].text, 1, kMaxTickCount);
        if (!n) {
          return Failure{
              lineno_, t[1].col,
              "tick count must be a whole number from 1 to " + std::to_string(kMaxTickCount)};
        }
        st.count = *n;
      }
      return std::nullopt;
    }
    bool keyword_known = false;
    for (const auto& f : forms()) {
      if (kw.quoted || kw.text != f.keyword) continue;
      keyword_known = true;
      if (!matches_literals(f, t)) continue;
      st.kind = f.kind;
      for (std::size_t i = 0; i < f.args.size(); ++i) {
        const auto a = f.args[i].first;
        if (a == Arg::kLit) continue;
        if (auto e = check_arg(a, t[i + 1].text); !e.empty()) {
          return Failure{lineno_, t[i + 1].col, e};
        }
        field_of(st, a) = t[i + 1].text;
      }
      return std::nullopt;
    }
    if (!keyword_known) {
      return Failure{lineno_, kw.col,
                     "unknown step '" + kw.text +
                         "'; steps are open, close, reopen, register, unregister, protect, "
                         "unprotect, block, unblock, registry, operator, submit, tick, restart"};
    }
    // Known keyword, wrong shape: point at the first word that does not fit.
    // Missing words: point just past the last word.
    int col = t.back().col + static_cast<int>(t.back().text.size()) + 1;
    for (const auto& f : forms()) {
      if (f.keyword != kw.text) continue;
      for (std::size_t i = 0; i < f.args.size() && i + 1 < t.size(); ++i) {
        if (f.args[i].first == Arg::kLit && !t[i + 1].is(f.args[i].second)) {
          col = t[i + 1].col;
        }
      }
      if (t.size() > f.args.size() + 1) col = t[f.args.size() + 1].col;
    }
    return Failure{lineno_, col, "expected: " + usage_of(kw.text)};
  }

  static bool matches_literals(const Form& f, const std::vector<Token>& t) {
    if (t.size() != f.args.size() + 1) return false;
    for (std::size_t i = 0; i < f.args.size(); ++i) {
      if (f.args[i].first == Arg::kLit && !t[i + 1].is(f.args[i].second)) return false;
    }
    return true;
  }

  std::optional<Failure> submit(Step& st, const std::vector<Token>& t) {
    st.kind = StepKind::kSubmit;
    if (t.size() != 1) {
      return Failure{lineno_, t[1].col,
                     "'submit' stands alone on its line; messages follow, one a line, then 'end'"};
    }
    const int opened = lineno_;
    std::string_view line;
    std::vector<Token> m;
    while (next_line(line)) {
      const auto first = line.find_first_not_of(" \t\r");
      if (first == std::string_view::npos || line[first] == '#') continue;
      if (auto f = tokenize(line, lineno_, m)) return f;
      if (m.size() == 1 && m[0].is("end")) return std::nullopt;
      if (m.size() != 4 && m.size() != 6) {
        return Failure{lineno_, m.front().col,
                       "expected a message: SENDER ID to SUBJECT [parts N], or 'end'"};
      }
      if (!m[2].is("to")) return Failure{lineno_, m[2].col, "expected 'to' before the subject"};
      MessageSpec ms{m[0].text, m[1].text, m[3].text, 1};
      if (ms.sender.empty()) return Failure{lineno_, m[0].col, "a sender name is empty"};
      if (m.size() == 6) {
        if (!m[4].is("parts")) return Failure{lineno_, m[4].col, "expected 'parts N'"};
        const auto n = parse_int(m[5].text, 0, kMaxParts);
        if (!n) {
          return Failure{lineno_, m[5].col,
                         "parts must be a whole number from 0 to " + std::to_string(kMaxParts)};
        }
        ms.parts = *n;
      }
      st.messages.push_back(std::move(ms));
    }
    if (failure_) return failure_;
    return Failure{opened, t[0].col, "this submit has no 'end' line"};
  }

  std::string_view text_;
  std::FILE* in_ = nullptr;
  std::string_view file_;
  const StepSink* sink_ = nullptr;
  std::size_t pos_ = 0;
  char* buf_ = nullptr;  // getline's buffer
  std::size_t cap_ = 0;
  int lineno_ = 0;
  std::optional<Failure> failure_;
};

}  // namespace

bool is_switch_command(StepKind k) {
  return k == StepKind::kSubmit || k == StepKind::kTick || k == StepKind::kRestart;
}

bool Step::operator==(const Step& o) const {
  return kind == o.kind && person == o.person && mailbox == o.mailbox && sender == o.sender &&
         op == o.op && count == o.count && messages == o.messages && comments == o.comments;
}

bool Scenario::operator==(const Scenario& o) const {
  return name == o.name && tags == o.tags && guards == o.guards &&
         header_comments == o.header_comments && steps == o.steps &&
         trailing_comments == o.trailing_comments;
}

std::string ParseError::to_string() const {
  // The message may quote the file's words: shown escaped, and a long word cut.
  if (line == 0) return printable(file) + ": " + printable(message);  // about the file
  return printable(file) + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
         printable(message);
}

ParseResult parse_scenario(std::string_view text, std::string_view file) {
  return Parser(text, file).run();
}

namespace {

// Opens `path` for reading, or says why it is not a scenario file one can read.
std::FILE* open_scenario_file(const std::string& path, ParseError& error) {
  auto failed = [&](std::string why) {
    error = ParseError{path, 0, 0, std::move(why)};
    return nullptr;
  };
  if (auto why = path_problem(path); !why.empty()) return failed(std::move(why));
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (!in) return failed(std::string("cannot read: ") + std::strerror(errno));
  return in;
}

ParseResult parse_open_file(const std::string& path, const StepSink* sink) {
  ParseResult r;
  std::FILE* in = open_scenario_file(path, r.error);
  if (!in) return r;
  r = Parser(in, path, sink).run();
  std::fclose(in);
  return r;
}

}  // namespace

ParseResult load_scenario_file(const std::string& path) {
  return parse_open_file(path, nullptr);
}

ParseResult stream_scenario_file(const std::string& path, const StepSink& on_step) {
  return parse_open_file(path, &on_step);
}

std::string print_step(const Step& s) {
  if (s.kind == StepKind::kSubmit) {
    std::string out = "submit\n";
    for (const auto& m : s.messages) {
      out += "  " + quote(m.sender, true) + " " + quote(m.id) + " to " + quote(m.subject);
      if (m.parts != 1) out += " parts " + std::to_string(m.parts);
      out += "\n";
    }
    return out + "end";
  }
  if (s.kind == StepKind::kTick) return s.count == 1 ? "tick" : "tick " + std::to_string(s.count);
  for (const auto& f : forms()) {
    if (f.kind != s.kind) continue;
    std::string out(f.keyword);
    for (const auto& [a, lit] : f.args) {
      out += " ";
      out += a == Arg::kLit ? std::string(lit) : quote(field_of(s, a));
    }
    return out;
  }
  return "?";
}

std::string print_scenario(const Scenario& sc) {
  std::string out = std::string(kMagic) + " " + std::to_string(kScenarioFormatVersion) + "\n";
  auto comment = [&](const std::string& c) { out += c.empty() ? "#\n" : "# " + c + "\n"; };
  for (const auto& c : sc.header_comments) comment(c);
  if (!sc.name.empty()) out += "name " + quote(sc.name) + "\n";
  for (const auto& t : sc.tags) out += "tag " + quote(t) + "\n";
  for (const auto& g : sc.guards) {
    out += "guards " + (g.defect.empty() ? "" : quote(g.defect) + " ") + g.property + "\n";
  }
  if (!sc.steps.empty()) out += "\n";
  for (std::size_t i = 0; i < sc.steps.size(); ++i) {
    const auto& st = sc.steps[i];
    if (!st.comments.empty() && i > 0) out += "\n";
    for (const auto& c : st.comments) comment(c);
    out += print_step(st) + "\n";
  }
  if (!sc.trailing_comments.empty()) out += "\n";
  for (const auto& c : sc.trailing_comments) comment(c);
  return out;
}

std::string validate_scenario(const Scenario& sc) {
  for (std::size_t i = 0; i < sc.steps.size(); ++i) {
    const auto& st = sc.steps[i];
    const std::string where = "step " + std::to_string(i + 1) + ": ";
    if (st.kind == StepKind::kTick) {
      if (st.count < 1 || st.count > kMaxTickCount) return where + "tick count out of range";
      continue;
    }
    if (st.kind == StepKind::kSubmit) {
      for (const auto& m : st.messages) {
        if (m.sender.empty()) return where + "a sender name is empty";
        if (m.parts < 0 || m.parts > kMaxParts) return where + "parts out of range";
      }
      continue;
    }
    for (const auto& f : forms()) {
      if (f.kind != st.kind) continue;
      for (const auto& [a, lit] : f.args) {
        if (auto e = check_arg(a, field_of(st, a)); !e.empty()) return where + e;
      }
    }
  }
  for (const auto& g : sc.guards) {
    if (!property_from_string(g.property)) {
      return "guards: '" + g.property + "' is not a property";
    }
  }
  return "";
}

std::vector<std::string> senders_of(const Scenario& sc) {
  std::set<std::string> s;
  for (const auto& st : sc.steps) {
    for (const auto& m : st.messages) s.insert(m.sender);
  }
  return {s.begin(), s.end()};
}

}  // namespace wrongbox
