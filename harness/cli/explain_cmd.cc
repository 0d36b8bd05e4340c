// `wrongbox explain FILE --sut SUT`: the story of the first violation.
#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "harness/cli/commands.h"
#include "harness/explain.h"

namespace wrongbox::cli {

int explain(const std::string& file, const std::string& spec, double timeout) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "wrongbox: {}: cannot read file\n", file);
    return kExitUsage;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const auto parsed = parse_scenario(ss.str(), file);
  if (!parsed.ok()) {
    fmt::print(stderr, "wrongbox: {}\n", parsed.error.to_string());
    return kExitUsage;
  }
  int rc = kExitOk;
  auto sut = open_sut_for_cli(spec, SutOptions{timeout, ""}, rc);
  if (!sut) return rc;
  RunOptions ro;
  ro.trace = true;
  ro.can_restart = sut->hello.has("restart");
  const auto r = run_scenario(*parsed.scenario, *sut->sw, ro);
  fmt::print("{} against {}\n\n{}", file, spec, explain_failure(*parsed.scenario, r));
  switch (r.outcome) {
    case Outcome::kPass:
    case Outcome::kSkipped:
      return kExitOk;
    case Outcome::kViolation:
      return kExitViolation;
    case Outcome::kSwitchFailure:
      return kExitSwitchFailed;
    case Outcome::kInputError:
      return kExitUsage;
  }
  return kExitUsage;
}

}  // namespace wrongbox::cli
