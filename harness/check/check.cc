// The property search (check.h): the steered loop, and RapidCheck's checkProperty.
#include "harness/check/check.h"

#include <rapidcheck.h>
#include <sodium.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "harness/check/rapidcheck_adapter.h"
#include "harness/check/steer.h"
#include "harness/core/minimize.h"
#include "harness/core/mix.h"
#include "harness/core/shell.h"

namespace wrongbox::check {
namespace {

// Where the schedules of a search's replays start, apart from those of the
// generated scenarios (numbered from 0): measuring a failure's rate, and
// shrinking it.
constexpr std::uint64_t kRateRuns = 1ull << 40, kShrinkRuns = 2ull << 40;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kPropertyId = "wrongbox-check";
constexpr int kChunk = 50;

// When shrinking must stop: at the end of the time budget, or (without one)
// kDefaultShrinkTime after the failure was found.
template <typename Elapsed>
Clock::time_point shrink_deadline(const CheckOptions& o, Elapsed elapsed) {
  const double left = o.time_budget > 0 ? std::max(0.0, o.time_budget - elapsed())
                                        : std::chrono::duration<double>(kDefaultShrinkTime).count();
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(left));
}

// `with_situations` false: the caller counts the run's situations itself
// (the steered search's own coverage, copied into the stats at the end).
void count(CheckStats& s, const Scenario& sc, const RunResult& r, bool with_situations = true) {
  ++s.scenarios;
  s.steps += r.stats.steps;
  s.messages += r.stats.messages;
  s.calls += r.stats.calls;
  for (int p = 0; p < kPropertyCount; ++p) s.checks[p] += r.checks[p];
  for (int p = 0; p < kPlaceCount; ++p) s.files[p] += r.stats.files[p];
  if (with_situations) {
    for (const auto& x : r.situations) s.situations.add(x);
  }
  const Coverage c = coverage_of(sc);
  const bool flags[13] = {
      c.collision, c.move,         c.reopen,  c.close, c.outage,  c.protected_person, c.blocked,
      c.batch,     c.duplicate_id, c.restart, c.race,  c.invalid, c.tricky_address};
  for (int i = 0; i < 13; ++i) s.covered[i] += flags[i];
}

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    out.push_back(ok ? c : '_');
  }
  return out.substr(0, 80);
}

std::string save_failure(const std::string& dir, const std::string& spec, const CheckOptions& o,
                         CheckResult& r) {
  std::vector<std::string> how_found = {
      "Found by wrongbox check against " + spec + " (seed " + std::to_string(r.seed) +
          ") and shrunk to " + std::to_string(r.counterexample->steps.size()) + " steps.",
      "Reproduce the search: " + reproduce_command(spec, o, r)};
  if (r.rate.runs > 0) {
    how_found.push_back("Rate: " + rate_line(r) + " (replay it with --runs " +
                        std::to_string(r.rate.runs) + ")");
  }
  return save_counterexample(dir, spec, *r.counterexample, r.failure, std::move(how_found),
                             "found-by-check");
}

void note_coverage(const CheckOptions& o, const model::SituationCoverage& cov, CheckResult& res) {
  const int all = cov.feasible_pairs();
  if (!res.scenarios_to_cover_once && cov.covered_pairs(1) == all) {
    res.scenarios_to_cover_once = res.stats.scenarios;
  }
  if (!res.scenarios_to_cover_k && cov.covered_pairs(o.coverage_k) == all) {
    res.scenarios_to_cover_k = res.stats.scenarios;
  }
}

// RapidCheck over the generators, in chunks of kChunk scenarios, each chunk
// with its own seed (chunk_seed); RapidCheck shrinks the failing plan.
template <typename Elapsed>
void search_rapidcheck(Switch& sut, const RunOptions& ropt, const CheckOptions& o, CheckResult& res,
                       Elapsed elapsed) {
  const int tests = o.tests > 0 ? o.tests : std::numeric_limits<int>::max();
  std::unique_ptr<rcadapter::Property> prop;
  try {
    prop = std::make_unique<rcadapter::Property>(kPropertyId, o.reproduce);
  } catch (const std::exception& e) {
    res.error =
        std::string("--reproduce: not a reproduce string of wrongbox check (") + e.what() + ")";
    return;
  }

  bool failure_seen = false;
  RunResult target;  // the first failure: shrinking keeps failing like it
  Scenario last_failing;
  RunResult last_failing_result;
  Clock::time_point deadline{};
  int timeouts = 0;
  const GenConfig gen = o.gen;
  auto property = [&] {
    // Once shrinking has spent its time (or met two hangs), every further
    // candidate passes unplayed, so RapidCheck ends with the smallest so far.
    if (failure_seen && (Clock::now() >= deadline || timeouts >= 2)) {
      res.shrink_cut_short = true;
      return;
    }
    const Plan plan = *gen_plan(gen);
    Scenario sc = interpret(plan, gen);
    if (!failure_seen && o.on_scenario) o.on_scenario(sc);
    RunResult r = run_scenario(sc, sut, ropt);
    if (!failure_seen) {
      count(res.stats, sc, r);
      note_coverage(o, res.stats.situations, res);
    } else if (r.outcome == Outcome::kSwitchFailure &&
               r.failure_kind == SwitchFailure::Kind::kTimeout) {
      ++timeouts;
    }
    // Shrinking keeps the failure first found: same property (or a switch
    // failure of the same kind), so a misdelivery never shrinks into a lesser
    // finding and a hang never into a crash.
    if (r.failed() && (!failure_seen || fails_like(r, target))) {
      if (!failure_seen) {
        res.seconds_to_failure = elapsed();
        res.scenarios_to_failure = res.stats.scenarios;
        target = r;
        deadline = shrink_deadline(o, elapsed);
      }
      failure_seen = true;
      last_failing = std::move(sc);
      last_failing_result = r;
      RC_FAIL(summarize(r));
    }
  };

  int chunk_no = 0;
  while (res.tests_run < tests || prop->reproducing()) {
    if (o.time_budget > 0 && elapsed() >= o.time_budget) {
      res.budget_exhausted = true;
      break;
    }
    if (o.stop_when_covered &&
        res.stats.situations.covered_pairs(o.coverage_k) == res.stats.situations.feasible_pairs()) {
      res.covered = true;
      break;
    }
    const auto seed = chunk_seed(res.seed, static_cast<std::uint64_t>(chunk_no++) *
                                                   static_cast<std::uint64_t>(o.shard_count) +
                                               static_cast<std::uint64_t>(o.shard_index));
    const int chunk = std::max(1, std::min(kChunk, tests - res.tests_run));
    const auto out = prop->run(property, seed, chunk, 100);
    res.tests_run += out.successes;
    using Kind = rcadapter::Outcome::Kind;
    if (out.kind == Kind::kFailed) {
      if (!failure_seen) {
        res.error = "RapidCheck reported a failure the harness did not see: " + out.description;
        break;
      }
      res.reproduce = out.reproduce;
      res.failed = true;
      // Replay the shrunk counterexample once more: it must fail the same way.
      // (A switch failure is not replayed again: it may cost the timeout, and
      // its last run is that replay.)
      res.failure = last_failing_result.outcome == Outcome::kSwitchFailure
                        ? last_failing_result
                        : run_scenario(last_failing, sut, ropt);
      if (!res.failure.failed()) {
        res.failure = last_failing_result;  // reported as it failed, with a warning
        res.replay_passed = true;
        res.error =
            "the shrunk counterexample did not fail again on replay: the switch is "
            "not deterministic for the same scenario";
      }
      res.counterexample = std::move(last_failing);
      break;
    }
    if (out.kind == Kind::kGaveUp) {
      res.error = "RapidCheck gave up: " + out.description;
      break;
    }
    if (out.kind == Kind::kError) {
      res.error = "RapidCheck error: " + out.description;
      break;
    }
    if (o.on_progress) o.on_progress(res.tests_run, elapsed());
    if (prop->reproducing()) break;
  }
}

// The coverage-steered loop (steer.h); the first failure is shrunk by
// minimize_scenario. The loop is deterministic for a seed, so the seed and
// the number of scenarios until the failure reproduce it.
template <typename Elapsed>
void search_steered(Switch& sut, const RunOptions& ropt, const CheckOptions& o, CheckResult& res,
                    Elapsed elapsed) {
  const std::uint64_t stream =
      o.shard_count > 1
          ? chunk_seed(res.seed, 0x5a4dull + static_cast<std::uint64_t>(o.shard_index))
          : res.seed;
  const bool repeated = ropt.repeats();
  SteerConfig sc;
  sc.k = o.coverage_k;
  // WRONGBOX_WIRE_STEERING=0: the wire's freedoms counted, not steered toward
  // (bench/wire_steering.sh compares).
  if (const char* w = std::getenv("WRONGBOX_WIRE_STEERING"); w && std::string(w) == "0") {
    sc.wire = false;
  }
  Steering steer(o.gen, stream, sc);
  const auto& cov = steer.coverage();  // of every run so far; copied into the stats at the end
  const auto all_pairs = cov.feasible_pairs();
  if (o.wire_used) o.wire_used();  // what earlier runs (saved failures) used is not this loop's
  while (o.tests <= 0 || res.tests_run < o.tests) {
    if (o.time_budget > 0 && elapsed() >= o.time_budget) {
      res.budget_exhausted = true;
      break;
    }
    if (o.stop_when_covered && cov.covered_pairs(o.coverage_k) == all_pairs) {
      res.covered = true;
      break;
    }
    const Plan plan = steer.next();
    Scenario sc_ = interpret(plan, o.gen);
    if (o.on_scenario) o.on_scenario(sc_);
    const std::uint64_t runs_of_each = repeated ? static_cast<std::uint64_t>(o.schedules) : 1;
    const auto first = static_cast<std::uint64_t>(res.stats.scenarios) * runs_of_each;
    RunResult r = run_scenario(sc_, sut, ropt.under_schedule(first));
    steer.feedback(plan, r.situations, o.wire_used ? o.wire_used() : 0);
    count(res.stats, sc_, r, /*with_situations=*/false);
    note_coverage(o, cov, res);
    // A threaded switch: the same scenario again under other schedules.
    if (!r.failed() && runs_of_each > 1) {
      r = first_failure(sc_, sut, ropt, first + 1, static_cast<int>(runs_of_each - 1));
    }
    if (r.failed()) {
      res.seconds_to_failure = elapsed();
      res.scenarios_to_failure = res.stats.scenarios;
      MinimizeLimits limits;
      limits.deadline = shrink_deadline(o, elapsed);
      // A failure that depends on interleavings: its rate decides how many
      // replays a shrinking candidate gets before it counts as passing.
      FailureRate found_rate;  // of the scenario as found
      if (repeated) {
        found_rate = failure_rate(sc_, sut, ropt.under_schedule(kRateRuns), r, o.rate_runs);
        if (!found_rate.always()) {
          // About 6 failures expected per candidate at the found rate, and
          // half of them needed: a step goes while the rate stays about.
          const double p = std::max(1, found_rate.failed) / static_cast<double>(found_rate.runs);
          limits.tries = std::clamp(static_cast<int>(std::ceil(6 / p)), 4, 60);
          limits.min_failures = std::max(1, static_cast<int>(p * limits.tries / 2));
        }
      }
      auto m = minimize_scenario(sc_, sut, ropt.under_schedule(kShrinkRuns), limits);
      res.failed = true;
      res.shrink_cut_short = m.cut_short;
      FailureRate shrunk_rate;
      if (m.result.failed() && repeated) {
        shrunk_rate =
            failure_rate(m.scenario, sut, ropt.under_schedule(kRateRuns), m.result, o.rate_runs);
      }
      if (m.result.failed() && repeated && shrunk_rate.failed == 0 && found_rate.failed > 0) {
        // The shrinking kept a scenario that failed by luck: the scenario
        // as found fails more often, and is the one reported.
        res.rate = found_rate;
        res.failure = std::move(r);
        res.counterexample = std::move(sc_);
        res.unshrunk = true;
      } else if (m.result.failed()) {  // m.result is a replay of m.scenario
        if (repeated) res.rate = shrunk_rate;
        res.failure = std::move(m.result);
        res.counterexample = std::move(m.scenario);
      } else {
        // What failed is reported as it failed (a switch failure stays one),
        // with a warning that the same scenario passed on replay, and with
        // the rate measured before the shrinking.
        res.rate = found_rate;
        res.failure = std::move(r);
        res.counterexample = std::move(sc_);
        res.replay_passed = true;
        res.error = repeated ? "the counterexample did not fail again in " +
                                   std::to_string(std::max(1, limits.tries)) +
                                   " replays under other schedules"
                             : "the counterexample did not fail again on replay: the switch is "
                               "not deterministic for the same scenario";
      }
      break;
    }
    ++res.tests_run;
    if (o.on_progress && res.tests_run % kChunk == 0) o.on_progress(res.tests_run, elapsed());
  }
  res.stats.situations = cov;
  res.sources = steer.sources();
  res.kept = steer.kept();
  if (o.wire_used) res.wire_pairs = steer.wire_pairs(o.coverage_k);
}

}  // namespace

std::string save_counterexample(const std::string& dir, const std::string& spec, Scenario sc,
                                const RunResult& failure, std::vector<std::string> how_found,
                                const std::string& tag) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "";
  const auto* v = failure.headline();
  const std::string prop = v ? to_string(v->property) : "switch-failure";
  sc.header_comments = std::move(how_found);
  sc.header_comments.push_back("Replay this file:     " + shell_quote(program_name()) +
                               " replay THIS_FILE --sut " + shell_quote(spec) + " --trace");
  if (v) {
    std::stringstream rep(format_violation(*v));
    for (std::string line; std::getline(rep, line);) sc.header_comments.push_back(line);
  } else {
    std::stringstream why("switch failure: " + failure.error);  // one comment line per line
    for (std::string line; std::getline(why, line);) sc.header_comments.push_back(line);
  }
  sc.tags = {tag};
  sc.guards.clear();
  if (spec.rfind("builtin:", 0) == 0 && spec != "builtin:reference" && v) {
    sc.guards = {Guard{spec.substr(8), prop}};
  } else if (spec.rfind("builtin:", 0) != 0 && v) {
    // Any other switch: the guard names the property; `replay --check-guards
    // --sut SPEC` checks it on that switch.
    sc.guards = {Guard{"", prop}};
  }
  const std::string name = saved_failure_name(prop, sc);
  sc.name = name.substr(0, name.size() - 4);
  const auto path = (fs::path(dir) / name).string();
  std::ofstream out(path, std::ios::binary);
  out << print_scenario(sc);
  return out ? path : "";
}

const std::array<const char*, 13>& coverage_labels() {
  static const std::array<const char*, 13> kLabels = {"identity collisions",
                                                      "moves",
                                                      "reopened accounts",
                                                      "closed accounts",
                                                      "outages",
                                                      "protected persons",
                                                      "blocked senders",
                                                      "batches > 1",
                                                      "one id from two senders",
                                                      "restarts",
                                                      "close-at-delivery races",
                                                      "invalid messages",
                                                      "tricky addresses"};
  return kLabels;
}

std::uint64_t chunk_seed(std::uint64_t seed, std::uint64_t chunk) {
  return splitmix64(splitmix64(seed) ^ splitmix64(chunk ^ 0x5bd1e9955bd1e995ull));
}

std::string parse_shard(const std::string& spec, CheckOptions& o) {
  if (spec.empty()) return "";
  unsigned k = 0, n = 0;
  char tail = 0;
  if (std::sscanf(spec.c_str(), "%u/%u%c", &k, &n, &tail) != 2 || k < 1 || n < 1 || k > n ||
      n > 10000) {
    return "--shard takes K/N with 1 <= K <= N <= 10000 (e.g. 2/4), got '" + spec + "'";
  }
  o.shard_index = static_cast<int>(k - 1);
  o.shard_count = static_cast<int>(n);
  return "";
}

std::string& program_name() {
  static std::string name = "wrongbox";
  return name;
}

namespace {

// "found after 37 scenario(s) in 0.0123 s; shrunk to 3 step(s)", or how a
// saved failure came back.
std::string how_found(const CheckResult& r) {
  if (r.from_memory) return "a saved failure reproduced before any new search: " + r.memory_file;
  char found[160];
  std::snprintf(found, sizeof found,
                r.replay_passed ? "found after %d scenario(s) in %.4f s; not shrunk "
                                  "(it passed on replay), %zu step(s)"
                : r.unshrunk    ? "found after %d scenario(s) in %.4f s; not shrunk (no smaller "
                                  "scenario failed as often), %zu step(s)"
                                : "found after %d scenario(s) in %.4f s; shrunk to %zu step(s)",
                r.scenarios_to_failure, r.seconds_to_failure, r.counterexample->steps.size());
  return found;
}

}  // namespace

std::string rate_line(const CheckResult& r) {
  if (r.rate.runs == 0) return "";
  return std::string(r.flaky() ? "flaky" : "every time") + ": failed " +
         std::to_string(r.rate.failed) + " of " + std::to_string(r.rate.runs) + " replays" +
         (r.perturbed ? " under schedule perturbation" : " (the switch's own threads)");
}

std::vector<std::string> failure_next_steps(const std::string& spec, const CheckOptions& o,
                                            const CheckResult& r) {
  std::vector<std::string> out;
  // A flaky failure is replayed as often as its rate was measured.
  const std::string runs = r.flaky() ? " --runs " + std::to_string(r.rate.runs) : "";
  if (!r.from_memory) out.push_back("reproduce: " + reproduce_command(spec, o, r));
  if (!r.saved_to.empty()) {
    out.push_back("saved:     " + r.saved_to);
    out.push_back("replay:    " + replay_command(r.saved_to, spec) + runs);
  } else if (r.from_memory) {
    out.push_back("replay:    " + replay_command(r.memory_file, spec) + runs);
  }
  return out;
}

std::string failure_headline(const CheckResult& r) {
  std::string what;
  if (const auto* v = r.failure.headline()) {
    what = format_violation(*v);
    what.erase(std::min(what.find(": "), what.size()));
  } else {
    what = summarize(r.failure);
  }
  return what + "; " + how_found(r);
}

std::string failure_report(const std::string& spec, const CheckOptions& o, const CheckResult& r,
                           const std::vector<std::string>* next) {
  std::string out = "FAIL: " + how_found(r) + (r.from_memory ? "\n" : ":\n\n");
  out += print_scenario(*r.counterexample) + "\n";
  if (const auto* v = r.failure.headline()) {
    out += format_violation(*v) + "\n";
  } else {
    out += summarize(r.failure) + "\n\n";
  }
  if (r.rate.runs > 0) out += rate_line(r) + "\n";
  if (!r.error.empty()) out += "warning: " + r.error + "\n";
  if (r.shrink_cut_short) {
    out +=
        "note: shrinking stopped at its limit (the time budget, 60 s without one, or two replays "
        "that timed out); this is the smallest failing scenario found by then\n";
  }
  for (const auto& l : next ? *next : failure_next_steps(spec, o, r)) out += l + "\n";
  return out;
}

std::string replay_command(const std::string& file, const std::string& sut_spec, bool trace) {
  return shell_quote(program_name()) + " replay " + shell_quote(file) + " --sut " +
         shell_quote(sut_spec) + (trace ? " --trace" : "");
}

std::string saved_failure_name(const std::string& property, const Scenario& sc) {
  std::string steps;
  for (const auto& st : sc.steps) steps += print_step(st) + "\n";
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(steps.data()), steps.size());
  char hex[17];
  for (int i = 0; i < 8; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return property + "-" + hex + ".wbs";
}

std::string failures_dir_for(const std::string& root, const std::string& sut_spec) {
  return (fs::path(root) / slug(sut_spec)).string();
}

std::string reproduce_command(const std::string& spec, const CheckOptions& o,
                              const CheckResult& r) {
  std::string cmd = shell_quote(program_name()) + " check --sut " + shell_quote(spec) + " --seed " +
                    std::to_string(r.seed) + " --max-steps " + std::to_string(o.gen.max_steps);
  std::string weights;
  const GenConfig defaults;
  for (int k = 0; k < kActionKinds; ++k) {
    if (o.gen.weights[k] != defaults.weights[k]) {
      weights += std::string(weights.empty() ? "" : ",") + to_string(static_cast<ActionKind>(k)) +
                 "=" + std::to_string(o.gen.weights[k]);
    }
  }
  if (!weights.empty()) cmd += " --weights " + weights;
  if (o.search == Search::kRapidCheck) cmd += " --search rapidcheck";
  if (o.coverage_k != kDefaultCoverageK) cmd += " --coverage-k " + std::to_string(o.coverage_k);
  // The steered loop is deterministic for a seed: the count replays it up to the failure.
  if (o.search == Search::kSteered && r.scenarios_to_failure > 0) {
    cmd += " --tests " + std::to_string(r.scenarios_to_failure);
  }
  if (!o.gen.swarm) cmd += " --no-swarm";
  if (o.shard_count > 1) {
    cmd += " --shard " + std::to_string(o.shard_index + 1) + "/" + std::to_string(o.shard_count);
  }
  if (!r.reproduce.empty()) cmd += " --reproduce '" + r.reproduce + "'";
  // The schedules derive from --seed; whether there are any is said here.
  if (o.perturb == CheckOptions::Perturb::kOn) cmd += " --perturb on";
  if (o.perturb == CheckOptions::Perturb::kOff) cmd += " --perturb off";
  if (o.schedules != CheckOptions{}.schedules) cmd += " --schedules " + std::to_string(o.schedules);
  return cmd;
}

CheckResult run_check(Switch& sut, const HelloInfo& hello, const std::string& spec,
                      const CheckOptions& o) {
  CheckResult res;
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  res.seed = o.seed ? o.seed : std::random_device{}() * 0x100000001ull + std::random_device{}();
  const RunOptions ropt =
      RunOptions::for_switch(hello).perturbed(o.perturb, chunk_seed(res.seed, 0x5c4edull) | 1);
  res.perturbed = ropt.schedule != 0;
  const bool repeated = ropt.repeats();

  // 1. Failure memory: what failed before fails first.
  if (o.replay_failures_first && !o.failures_dir.empty() && fs::is_directory(o.failures_dir)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(o.failures_dir)) {
      if (e.path().extension() == ".wbs") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (o.time_budget > 0 && elapsed() >= o.time_budget) break;
      auto parsed = load_scenario_file(f.string());
      if (!parsed.ok()) continue;  // a hand-damaged file is not a reason to stop testing
      RunResult r = first_failure(*parsed.scenario, sut, ropt, 0, repeated ? o.schedules : 1);
      count(res.stats, *parsed.scenario, r);  // a saved failure played is a scenario run
      if (r.failed()) {
        if (repeated) {
          res.rate =
              failure_rate(*parsed.scenario, sut, ropt.under_schedule(kRateRuns), r, o.rate_runs);
        }
        res.failed = true;
        res.from_memory = true;
        res.memory_file = f.string();
        res.counterexample = std::move(*parsed.scenario);
        res.failure = std::move(r);
        res.seconds = res.seconds_to_failure = elapsed();
        return res;
      }
    }
  }

  res.stats.situations.track(o.coverage_k);
  // 2. The search.
  if (o.search == Search::kSteered) {
    search_steered(sut, ropt, o, res, elapsed);
  } else {
    search_rapidcheck(sut, ropt, o, res, elapsed);
  }
  res.seconds = elapsed();
  // A failure with no step (the switch failed at hello or reset) replays as
  // nothing: a saved file would hold a header alone, an input error.
  if (res.failed && !o.failures_dir.empty() &&
      !(res.counterexample && res.counterexample->steps.empty())) {
    res.saved_to = save_failure(o.failures_dir, spec, o, res);
  }
  return res;
}

}  // namespace wrongbox::check

namespace wrongbox::check {

std::vector<Scenario> sample_scenarios(const GenConfig& cfg, std::uint64_t seed, int count) {
  std::vector<Scenario> out;
  const auto g = gen_plan(cfg);
  for (int i = 0; i < count; ++i) {
    const rc::Random random(chunk_seed(seed, static_cast<std::uint64_t>(i)));
    out.push_back(interpret(g(random, 100).value(), cfg));
  }
  return out;
}

}  // namespace wrongbox::check
