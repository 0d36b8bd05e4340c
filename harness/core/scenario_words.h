// Scenario text format v1, the words of a line: the tokenizer, quoting,
// the shapes of one-line steps and the checks of their arguments. Shared by
// the parser (scenario_parse.cc), the printer and the validation
// (scenario.cc); internal to the harness.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/core/scenario.h"

namespace wrongbox::scenario_text {

// The first word of a scenario file.
inline constexpr std::string_view kMagic = "wrongbox-scenario";

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
std::optional<Failure> tokenize(std::string_view line, int lineno, std::vector<Token>& out);

bool needs_quotes(std::string_view s);
// Quotes a value when a bare token would not read back as the same value.
// Keywords in a value position are quoted too, so "end" stays a sender.
std::string quote(std::string_view s, bool keyword_position = false);

// Always quoted, escaped as quote() does.
std::string quoted(std::string_view s);

// A range of message ids, `FIRST..LAST` (both whole decimal numbers written
// without leading zeros, FIRST below LAST, at most kMaxRangeMessages).
struct IdRange {
  std::uint64_t first = 0, last = 0;
};
std::optional<IdRange> parse_id_range(std::string_view word);
// The id as a whole decimal number written without leading zeros (the ids
// a range stands for), or nullopt.
std::optional<std::uint64_t> id_number(std::string_view id);

std::string check_person(const std::string& p);
std::string check_operator(const std::string& op);
std::optional<int> parse_int(const std::string& s, int lo, int hi);

// Shape of a one-line step: keyword, then the words it takes.
enum class Arg { kPerson, kMailbox, kSender, kOperator, kLit };
struct Form {
  std::string_view keyword;
  StepKind kind;
  std::vector<std::pair<Arg, std::string_view>> args;  // kLit: the literal word
};

const std::vector<Form>& forms();
std::string usage_of(std::string_view keyword);
std::string check_arg(Arg a, const std::string& v);
// Fills the step field an argument kind stands for.
std::string& field_of(Step& s, Arg a);
const std::string& field_of(const Step& s, Arg a);

// The first byte sequence of `line` (line number `lineno`) that is not
// UTF-8 (overlong forms, surrogates and code points above U+10FFFF
// included), with its column in characters and a description.
std::optional<Failure> find_invalid_utf8(std::string_view line, int lineno);

}  // namespace wrongbox::scenario_text
