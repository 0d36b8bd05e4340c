// `wrongbox conformance`: does the switch speak the protocol?
#include "harness/core/conformance.h"

#include <fmt/core.h>

#include <optional>

#include "harness/cli/commands.h"
#include "harness/cli/record.h"
#include "harness/cli/sut.h"
#include "harness/protocol/exec_switch.h"

namespace wrongbox::cli {

int conformance(const ConformanceOptions& o) {
  OpenedSut sut;
  try {
    sut = open_sut(o.sut, o.sut_options());
  } catch (const SutError& e) {
    fmt::print(stderr, "wrongbox: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print("conformance of {}\n  FAIL  start: {}\n", o.sut, e.what());
    return kExitSwitchFailed;
  }
  std::function<void()> bye;
  if (auto* ex = dynamic_cast<ExecSwitch*>(sut.sw.get())) bye = [ex] { ex->bye(); };
  auto rec = start_recording(o.evidence, "conformance", &sut, o.sut, "{}");
  if (!rec) return kExitUsage;
  const auto rep = check_conformance(*sut.sw, bye);
  fmt::print("conformance of {}\n", o.sut);
  int passed = 0;
  for (const auto& c : rep.checks) {
    passed += c.passed;
    fmt::print("  {}  {:<17} {}\n", c.passed ? "PASS" : "FAIL", c.name, c.explanation);
  }
  fmt::print("{} of {} checks passed{}\n", passed, rep.checks.size(),
             sut.log_path.empty() ? "" : "; switch log: " + sut.log_path);
  const int rc = rep.ok() ? kExitOk : kExitSwitchFailed;
  try {
    if (rec->on()) {
      for (const auto& c : rep.checks) {
        rec->store()->add_scenario(rec->run(),
                                   {c.name, c.passed ? "pass" : "fail", c.explanation, ""});
      }
      evidence::RunTotals t;
      t.exit_code = rc;
      t.verdict = verdict_word(rc);
      t.scenarios = static_cast<long>(rep.checks.size());
      if (!rec->finish(t)) return kExitUsage;
    }
  } catch (const evidence::EvidenceError& e) {
    fmt::print(stderr, "wrongbox: evidence: {}\n", e.what());
    return kExitUsage;
  }
  return rc;
}

}  // namespace wrongbox::cli
