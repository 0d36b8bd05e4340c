// `wrongbox conformance`: does the switch speak the protocol?
#include "harness/conformance.h"

#include <fmt/core.h>

#include "harness/cli/commands.h"
#include "harness/exec_switch.h"
#include "harness/sut.h"

namespace wrongbox::cli {

int conformance(const ConformanceOptions& o) {
  OpenedSut sut;
  try {
    sut = open_sut(o.sut, SutOptions{o.timeout, o.switch_log});
  } catch (const SutError& e) {
    fmt::print(stderr, "wrongbox: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print("conformance of {}\n  FAIL  start: {}\n", o.sut, e.what());
    return kExitSwitchFailed;
  }
  std::function<void()> bye;
  if (auto* ex = dynamic_cast<ExecSwitch*>(sut.sw.get())) bye = [ex] { ex->bye(); };
  const auto rep = check_conformance(*sut.sw, bye);
  fmt::print("conformance of {}\n", o.sut);
  int passed = 0;
  for (const auto& c : rep.checks) {
    passed += c.passed;
    fmt::print("  {}  {:<17} {}\n", c.passed ? "PASS" : "FAIL", c.name, c.explanation);
  }
  fmt::print("{} of {} checks passed{}\n", passed, rep.checks.size(),
             sut.log_path.empty() ? "" : "; switch log: " + sut.log_path);
  return rep.ok() ? kExitOk : kExitSwitchFailed;
}

}  // namespace wrongbox::cli
