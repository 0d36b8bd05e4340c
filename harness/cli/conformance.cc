// `wrongbox conformance`: does the switch speak the protocol?
#include "harness/core/conformance.h"

#include <fmt/core.h>

#include <optional>

#include "harness/cli/commands.h"
#include "harness/cli/record.h"
#include "harness/cli/sut.h"
#include "harness/core/places.h"
#include "harness/protocol/exec_switch.h"

namespace wrongbox::cli {

ConformanceResult conformance(const ConformanceOptions& o, const Console& io) {
  ConformanceResult res;
  OpenedSut sut;
  try {
    sut = open_sut(o.sut, o.sut_options());
  } catch (const SutError& e) {
    return fail(res, io, kExitUsage, e.what());
  } catch (const std::exception& e) {
    fmt::print(io.out, "conformance of {}\n  FAIL  start: {}\n", o.sut, e.what());
    res.exit_code = kExitSwitchFailed;
    res.summary = one_line(std::string("the switch did not start: ") + e.what());
    return res;
  }
  std::function<void()> bye;
  Switch* raw = sut.sw.get();
  if (auto* w = dynamic_cast<WatchedSwitch*>(raw)) raw = &w->inner();
  if (auto* ex = dynamic_cast<ExecSwitch*>(raw)) bye = [ex] { ex->bye(); };
  auto rec = start_recording(o.evidence, "conformance", &sut, o.sut, Settings::object(), io, res);
  if (!rec) return res;
  const auto rep = check_conformance(*sut.sw, bye);
  fmt::print(io.out, "conformance of {}\n", o.sut);
  for (const auto& c : rep.checks) {
    res.passed += c.passed;
    fmt::print(io.out, "  {}  {:<17} {}\n", c.passed ? "PASS" : "FAIL", c.name, c.explanation);
  }
  res.checks = static_cast<int>(rep.checks.size());
  res.summary = fmt::format("{} of {} checks passed{}", res.passed, res.checks,
                            sut.log_path.empty() ? "" : "; switch log: " + sut.log_path);
  fmt::print(io.out, "{}\n", res.summary);
  res.exit_code = rep.ok() ? kExitOk : kExitSwitchFailed;
  rec->write([&](evidence::Store& store, std::int64_t id) {
    for (const auto& c : rep.checks) {
      store.add_scenario(id, {c.name, c.passed ? "pass" : "fail", c.explanation, ""});
    }
  });
  const auto t = run_totals(res.exit_code, res.checks);
  if (!rec->finish(t, res)) return res;
  return res;
}

}  // namespace wrongbox::cli
