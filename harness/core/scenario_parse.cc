// Scenario text format v1: the parser, from text or a file (read as it is
// played, for a streamed replay). The grammar is documented in
// docs/scenario-format.md; keep the two in step.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "harness/core/oracle/property.h"
#include "harness/core/printable.h"
#include "harness/core/scenario.h"
#include "harness/core/scenario_words.h"
#include "models/identity.h"
#include "models/world.h"

namespace wrongbox {
namespace {

using namespace scenario_text;

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
      std::optional<IdRange> range;
      if (!m[1].quoted && m[1].text.find("..") != std::string::npos) {
        range = parse_id_range(m[1].text);
        if (!range) {
          return Failure{lineno_, m[1].col,
                         "a range of ids is FIRST..LAST, whole numbers without leading zeros, "
                         "FIRST below LAST, at most " +
                             std::to_string(kMaxRangeMessages) +
                             " messages (write a literal id with '..' in double quotes)"};
        }
      }
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
      if (range) {
        if (st.messages.size() + (range->last - range->first + 1) > kMaxBatchMessages) {
          return Failure{
              lineno_, m[1].col,
              "a submit holds at most " + std::to_string(kMaxBatchMessages) + " messages"};
        }
        for (auto id = range->first; id <= range->last; ++id) {
          ms.id = std::to_string(id);
          st.messages.push_back(ms);
        }
        continue;
      }
      if (st.messages.size() >= kMaxBatchMessages) {
        return Failure{lineno_, m[0].col,
                       "a submit holds at most " + std::to_string(kMaxBatchMessages) + " messages"};
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

}  // namespace wrongbox
