// Scenarios: what the harness does to a switch and its environment, step by
// step, and their text format (version 1, documented in docs/scenario-format.md).
//
// A scenario is data: generators (RapidCheck, libFuzzer decoding) produce it,
// the runner plays it, the corpus stores it as text. print_scenario and
// parse_scenario round-trip exactly: parse(print(s)) == s for every scenario
// that passes validate_scenario, and print(parse(t)) == t for canonical text.
//
// Example usage:
//   ParseResult r = parse_scenario(text, "corpus/regressions/x.wbs");
//   if (!r.ok()) std::cerr << r.error.to_string() << "\n";   // file:line:col: reason
//   std::string again = print_scenario(*r.scenario);
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wrongbox {

enum class StepKind {
  // Environment actions (the harness's own actors change state).
  kOpen,              // open MAILBOX for PERSON        (opens and registers PERSON there)
  kOpenUnregistered,  // open MAILBOX owned-by PERSON   (opens; registration unchanged)
  kClose,             // close MAILBOX
  kCloseAtDelivery,   // close MAILBOX at-delivery      (race: closes as the next deliver to it
                      // arrives)
  kReopen,            // reopen MAILBOX for PERSON      (after >= 2 ticks of quarantine)
  kRegister,          // register PERSON at MAILBOX     (a move to another of PERSON's mailboxes)
  kUnregister,        // unregister PERSON              (no digital mailbox any more)
  kProtect,           // protect PERSON
  kUnprotect,         // unprotect PERSON
  kBlock,             // block PERSON SENDER            (PERSON refuses digital mail from SENDER)
  kUnblock,           // unblock PERSON SENDER
  kRegistryDown,      // registry down
  kRegistryUp,        // registry up
  kOperatorDown,      // operator OP down
  kOperatorUp,        // operator OP up
  // Switch commands.
  kSubmit,   // submit / one message a line / end
  kTick,     // tick [N]
  kRestart,  // restart
};

bool is_switch_command(StepKind k);

// A message as the scenario names it. The runner writes its title and parts
// (canary-bearing content); the scenario only says how many parts.
struct MessageSpec {
  std::string sender;
  std::string id;
  std::string subject;  // may be deliberately invalid (tests rejection, S5)
  int parts = 1;        // 0-64
  bool operator==(const MessageSpec&) const = default;
};

struct Step {
  StepKind kind = StepKind::kTick;
  std::string person;
  std::string mailbox;
  std::string sender;
  std::string op;                     // operator name
  int count = 1;                      // ticks, for kTick
  std::vector<MessageSpec> messages;  // for kSubmit
  std::vector<std::string> comments;  // comment lines just before this step, without "# "
  int line = 0;                       // source line; not part of equality
  bool operator==(const Step& o) const;
};

// "guards DEFECT PROPERTY": this scenario must fail on builtin:DEFECT naming PROPERTY.
// `guards DEFECT PROPERTY`: the scenario fails on builtin:DEFECT naming
// PROPERTY first; `guards PROPERTY` (defect empty): it fails so on the switch
// it is played on (a saved failure of any switch).
struct Guard {
  std::string defect;
  std::string property;
  int line = 0;  // source line; not part of equality
  bool operator==(const Guard& o) const { return defect == o.defect && property == o.property; }
};

struct Scenario {
  std::string name;
  std::vector<std::string> tags;
  std::vector<Guard> guards;
  std::vector<std::string> header_comments;
  std::vector<Step> steps;
  std::vector<std::string> trailing_comments;
  std::string source;  // file it came from, if any; not part of equality
  bool operator==(const Scenario& o) const;
};

inline constexpr int kScenarioFormatVersion = 1;
inline constexpr int kMaxParts = 64;
inline constexpr int kMaxTickCount = 1000;
// A submit line `SENDER FIRST..LAST to SUBJECT` stands for one message per
// id from FIRST to LAST: at most this many. A submit holds at most
// kMaxBatchMessages messages, however written.
inline constexpr std::uint64_t kMaxRangeMessages = 1000000;
inline constexpr std::size_t kMaxBatchMessages = 1000000;

struct ParseError {
  std::string file;
  int line = 0;
  int col = 0;
  std::string message;
  std::string to_string() const;  // "file:line:col: message"
};

struct ParseResult {
  std::optional<Scenario> scenario;
  ParseError error;
  bool ok() const { return scenario.has_value(); }
};

// Parses scenario text (UTF-8; an invalid byte is an error with its line
// and column).
ParseResult parse_scenario(std::string_view text, std::string_view file = "<input>");
// Reads and parses the file at `path`; refuses what is not a regular file
// (a FIFO, a directory, a dangling link) with an error naming it.
ParseResult load_scenario_file(const std::string& path);
// Reads the file at `path` one line at a time and hands each step to
// `on_step` as it is parsed, with the header (name, tags, guards, its
// comments) complete; the steps are not kept. `on_step` returns false to stop
// reading. The result has the scenario without its steps, or the first error
// (a step before it has been handed on). Memory does not grow with the file.
using StepSink = std::function<bool(const Scenario& header, Step&& step)>;
ParseResult stream_scenario_file(const std::string& path, const StepSink& on_step);
std::string print_scenario(const Scenario& s);
// One step as its text line(s), without comments (used by traces and reports).
std::string print_step(const Step& s);

// Checks the fields a parser would check (person numbers in environment
// actions, mailbox addresses, counts). Returns "" or the first problem.
std::string validate_scenario(const Scenario& s);

// Every sender named by a message, sorted and unique (what `reset` announces).
std::vector<std::string> senders_of(const Scenario& s);

}  // namespace wrongbox
