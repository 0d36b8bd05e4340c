// The regression corpus against every built-in switch: each scenario passes
// on the reference switch, and each "guards DEFECT PROPERTY" line holds: the
// scenario fails on builtin:DEFECT, naming PROPERTY first.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "examples/reference_switch.h"
#include "harness/cli/sut.h"
#include "harness/core/runner.h"

namespace wrongbox {
namespace {

std::vector<Scenario> load_corpus(const char* dir = "corpus/regressions") {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".wbs") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Scenario> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = parse_scenario(ss.str(), f);
    EXPECT_TRUE(r.ok()) << r.error.to_string();
    if (r.ok()) out.push_back(std::move(*r.scenario));
  }
  return out;
}

TEST(CorpusTest, TheReferenceSwitchPassesEveryRegressionScenario) {
  const auto corpus = load_corpus();
  ASSERT_GE(corpus.size(), 13u);
  auto sut = open_sut("builtin:reference");
  for (const auto& sc : corpus) {
    const auto r = run_scenario(sc, *sut.sw);
    EXPECT_EQ(r.outcome, Outcome::kPass) << sc.source << ": " << summarize(r);
    EXPECT_TRUE(r.warnings.empty()) << sc.source << ": " << r.warnings.front();
  }
}

TEST(CorpusTest, EveryGuardFailsOnItsDefectNamingItsProperty) {
  const auto corpus = load_corpus();
  int guards = 0;
  for (const auto& sc : corpus) {
    for (const auto& g : sc.guards) {
      ++guards;
      auto sut = open_sut("builtin:" + g.defect);
      const auto r = run_scenario(sc, *sut.sw);
      ASSERT_EQ(r.outcome, Outcome::kViolation)
          << sc.source << " on " << g.defect << ": " << summarize(r);
      EXPECT_EQ(to_string(r.headline()->property), g.property)
          << sc.source << " on " << g.defect << ": " << summarize(r);
    }
  }
  EXPECT_GE(guards, 13);
}

TEST(CorpusTest, AFilePlayedAsItIsReadIsJudgedAsTheLoadedScenario) {
  // Every corpus file, on the reference and on each variant it guards:
  // run_scenario_file (two reads, a bounded oracle) agrees with run_scenario.
  int runs = 0;
  for (const auto& sc : load_corpus("corpus")) {
    std::vector<std::string> suts = {"builtin:reference"};
    for (const auto& g : sc.guards) suts.push_back("builtin:" + g.defect);
    for (const auto& spec : suts) {
      auto a = open_sut(spec);
      auto b = open_sut(spec);
      const auto whole = run_scenario(sc, *a.sw);
      const auto file = run_scenario_file(sc.source, *b.sw, {}, 1024);
      ASSERT_TRUE(file.parsed.ok()) << file.parsed.error.to_string();
      EXPECT_EQ(file.result.outcome, whole.outcome) << sc.source << " on " << spec;
      EXPECT_EQ(file.result.stats.steps, whole.stats.steps) << sc.source << " on " << spec;
      EXPECT_EQ(file.result.stats.calls, whole.stats.calls) << sc.source << " on " << spec;
      ASSERT_EQ(file.result.violations.size(), whole.violations.size()) << sc.source;
      // The same violations, at the same calls; only an earlier message
      // forgotten by the bounded oracle is described without its content.
      for (std::size_t i = 0; i < whole.violations.size(); ++i) {
        const auto& f = file.result.violations[i];
        const auto& w = whole.violations[i];
        EXPECT_EQ(f.property, w.property) << sc.source << " on " << spec;
        EXPECT_EQ(f.step, w.step) << sc.source << " on " << spec;
        EXPECT_EQ(f.line, w.line) << sc.source << " on " << spec;
        EXPECT_EQ(f.call_text, w.call_text) << sc.source << " on " << spec;
        EXPECT_EQ(f.summary, w.summary) << sc.source << " on " << spec;
      }
      EXPECT_EQ(file.result.warnings, whole.warnings) << sc.source << " on " << spec;
      // The same decisions met: replay's coverage is the search's.
      model::SituationCoverage counted;
      for (const auto& s : whole.situations) counted.add(s);
      EXPECT_EQ(file.coverage.to_json(3), counted.to_json(3)) << sc.source << " on " << spec;
      ++runs;
    }
  }
  EXPECT_GE(runs, 40);
}

// A file cut after its header plays nothing: an input error, never a pass.
TEST(CorpusTest, AFileWithAHeaderAndNoStepsIsAnInputError) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("wrongbox-corpus-empty-" + std::to_string(::getpid()) + ".wbs");
  std::ofstream(path, std::ios::binary) << "wrongbox-scenario 1\nname cut-short\ntag x\n";
  auto sut = open_sut("builtin:reference");
  const auto r = run_scenario_file(path.string(), *sut.sw);
  EXPECT_EQ(r.result.outcome, Outcome::kInputError);
  EXPECT_NE(r.result.error.find("no steps"), std::string::npos) << r.result.error;
  std::filesystem::remove(path);
}

TEST(CorpusTest, ABadFileIsAnInputErrorNamingItsLine) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("wrongbox-corpus-bad-" + std::to_string(::getpid()) + ".wbs");
  std::ofstream(path, std::ios::binary) << "wrongbox-scenario 1\ntick\nfly\n";
  auto sut = open_sut("builtin:reference");
  const auto r = run_scenario_file(path.string(), *sut.sw);
  EXPECT_FALSE(r.parsed.ok());
  EXPECT_EQ(r.result.outcome, Outcome::kInputError);
  EXPECT_NE(r.result.error.find(":3:1: unknown step 'fly'"), std::string::npos) << r.result.error;
  EXPECT_EQ(r.result.stats.steps, 0);  // nothing was played
  std::filesystem::remove(path);
}

TEST(CorpusTest, EveryDefectClassOfTheCatalogIsGuardedByTheCorpus) {
  std::set<std::string> guarded, volume;
  for (const auto& sc : load_corpus()) {
    for (const auto& g : sc.guards) guarded.insert(g.defect);
  }
  for (const auto& sc : load_corpus("corpus/volume")) {
    for (const auto& g : sc.guards) volume.insert(g.defect);
  }
  for (const auto& d : examples::catalog()) {
    if (d.defect_class == 0) continue;
    EXPECT_TRUE((d.volume_only ? volume : guarded).count(std::string(d.name)))
        << "defect class " << d.defect_class << " (" << d.name << ") has no regression scenario in "
        << (d.volume_only ? "corpus/volume" : "corpus/regressions");
  }
  // The reference, one variant per class, seven that need two conditions to
  // meet, three that leave content at rest (S6) and four that need volume.
  EXPECT_EQ(examples::catalog().size(), 28u);
}

TEST(CorpusTest, EveryVolumeScenarioFailsOnlyOnTheVariantItGuards) {
  const auto corpus = load_corpus("corpus/volume");
  ASSERT_EQ(corpus.size(), 4u);
  auto ref = open_sut("builtin:reference");
  for (const auto& sc : corpus) {
    EXPECT_EQ(run_scenario(sc, *ref.sw).outcome, Outcome::kPass) << sc.source;
    for (const auto& g : sc.guards) {
      auto sut = open_sut("builtin:" + g.defect);
      const auto r = run_scenario(sc, *sut.sw);
      ASSERT_EQ(r.outcome, Outcome::kViolation) << sc.source << ": " << summarize(r);
      EXPECT_EQ(to_string(r.headline()->property), g.property) << sc.source;
    }
  }
}

TEST(CorpusTest, TheSwitchIsReusedAcrossScenariosThroughReset) {
  // One switch instance replays the corpus twice; reset() must make runs independent.
  const auto corpus = load_corpus();
  auto sut = open_sut("builtin:reference");
  for (int round = 0; round < 2; ++round) {
    for (const auto& sc : corpus) {
      EXPECT_EQ(run_scenario(sc, *sut.sw).outcome, Outcome::kPass) << sc.source;
    }
  }
}

TEST(CorpusTest, TheReferenceSwitchBacksOffThroughAnOutageAndDeliversSoonAfterIt) {
  // 200 ticks with the operator down: a retry on every tick would be 201
  // deliveries; backing off (1, 2, 4, 8, then every 16 ticks) is 16. Once the
  // operator is up the message goes out within 16 ticks, before the drain.
  const auto parsed = parse_scenario(
      "wrongbox-scenario 1\nopen kivra/a for 199001011239\noperator kivra down\n"
      "submit\n  s1 1 to 199001011239\nend\ntick 200\noperator kivra up\ntick 20\n",
      "backoff.wbs");
  ASSERT_TRUE(parsed.ok()) << parsed.error.to_string();
  auto sut = open_sut("builtin:reference");
  const auto r = run_scenario(*parsed.scenario, *sut.sw, {.trace = true});
  EXPECT_EQ(r.outcome, Outcome::kPass) << summarize(r);
  int unavailable = 0, delivered_at = -1, drain_at = -1;
  for (int i = 0; i < static_cast<int>(r.trace.size()); ++i) {
    const auto& line = r.trace[static_cast<std::size_t>(i)];
    if (line.find("call: deliver kivra/a -> unavailable") != std::string::npos) ++unavailable;
    if (line.find("call: deliver kivra/a -> ok") != std::string::npos) delivered_at = i;
    if (line.rfind("drain:", 0) == 0 && drain_at < 0) drain_at = i;
  }
  EXPECT_EQ(unavailable, 16);
  ASSERT_GE(delivered_at, 0) << "never delivered";
  EXPECT_LT(delivered_at, drain_at) << "delivered only in the drain";
}

TEST(CorpusTest, UnknownSwitchNamesAreRefusedClearly) {
  try {
    open_sut("builtin:nope");
    FAIL() << "no error";
  } catch (const SutError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown built-in switch 'nope'"), std::string::npos);
  }
  EXPECT_THROW(open_sut("reference"), SutError);
}

}  // namespace
}  // namespace wrongbox
