// `wrongbox explain FILE --sut SUT`: the story of the first violation.
#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "harness/cli/commands.h"
#include "harness/core/explain.h"

namespace wrongbox::cli {

CommandResult explain(const ExplainOptions& o, const Console& io) {
  CommandResult res;
  const std::string& file = o.file;
  const std::string& spec = o.sut;
  const auto parsed = load_scenario_file(file);
  if (!parsed.ok()) return fail(res, io, kExitUsage, parsed.error.to_string());
  auto sut = open_sut_for_cli(spec, o.sut_options(), io, res);
  if (!sut) return res;
  auto rec = start_recording(o.evidence, "explain", &*sut, spec, Settings::object(), io, res);
  if (!rec) return res;
  int rc = kExitOk;
  RunOptions ro = RunOptions::for_switch(sut->hello);
  ro.trace = true;
  const auto r = run_scenario(*parsed.scenario, *sut->sw, ro);
  const std::string story = explain_failure(*parsed.scenario, r);
  fmt::print(io.out, "{} against {}\n\n{}", file, spec, story);
  res.summary = summarize(r);
  switch (r.outcome) {
    case Outcome::kPass:
    case Outcome::kSkipped:
      rc = kExitOk;
      break;
    case Outcome::kViolation:
      rc = kExitViolation;
      break;
    case Outcome::kSwitchFailure:
      rc = kExitSwitchFailed;
      break;
    case Outcome::kInputError:
      rc = kExitUsage;
      break;
  }
  if (!rec->finish_one(file, r, story, rc, 1, res)) return res;
  res.exit_code = rc;
  return res;
}

}  // namespace wrongbox::cli
