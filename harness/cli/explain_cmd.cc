// `wrongbox explain FILE --sut SUT`: the story of the first violation.
#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "harness/cli/commands.h"
#include "harness/core/explain.h"

namespace wrongbox::cli {

int explain(const ExplainOptions& o) {
  const std::string& file = o.file;
  const std::string& spec = o.sut;
  const auto parsed = load_scenario_file(file);
  if (!parsed.ok()) {
    fmt::print(stderr, "wrongbox: {}\n", parsed.error.to_string());
    return kExitUsage;
  }
  int rc = kExitOk;
  auto sut = open_sut_for_cli(spec, o.sut_options(), rc);
  if (!sut) return rc;
  auto rec = start_recording(o.evidence, "explain", &*sut, spec, "{}");
  if (!rec) return kExitUsage;
  RunOptions ro = RunOptions::for_switch(sut->hello);
  ro.trace = true;
  const auto r = run_scenario(*parsed.scenario, *sut->sw, ro);
  const std::string story = explain_failure(*parsed.scenario, r);
  fmt::print("{} against {}\n\n{}", file, spec, story);
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
  try {
    if (rec->on()) {
      rec->store()->add_scenario(rec->run(), {file, to_string(r.outcome), summarize(r), story});
      evidence::RunTotals t;
      t.exit_code = rc;
      t.verdict = verdict_word(rc);
      t.scenarios = 1;
      t.steps = r.stats.steps;
      t.messages = r.stats.messages;
      t.checks = r.checks;
      if (const auto* v = r.headline()) ++t.violations[static_cast<int>(v->property)];
      if (!rec->finish(t, /*quiet=*/true)) return kExitUsage;
    }
  } catch (const evidence::EvidenceError& e) {
    fmt::print(stderr, "wrongbox: evidence: {}\n", e.what());
    return kExitUsage;
  }
  return rc;
}

}  // namespace wrongbox::cli
