// The evidence store keeps what was recorded, refuses what it cannot trust,
// and says which run was tampered with.
#include "harness/evidence/evidence.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/evidence/report.h"

namespace wrongbox::evidence {
namespace {

namespace fs = std::filesystem;

class EvidenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("wb-evidence-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::int64_t record(Store& s, const std::string& sut, int scenarios, bool finish = true,
                             bool chain_rows = true) {
    const auto run =
        s.begin_run({"replay", "wrongbox replay x", sut, "n", "1", "abc", "{}"}, chain_rows);
    for (int i = 0; i < scenarios; ++i) {
      s.add_scenario(run, {"s" + std::to_string(i) + ".wbs", "pass", "PASS", ""});
    }
    s.add_counterexample(run,
                         {"S1", "wrongbox-scenario 1\n", "S1 violated", "wrongbox replay", "", ""});
    if (finish) {
      RunTotals t;
      t.verdict = "violation";
      t.exit_code = 1;
      t.scenarios = scenarios;
      t.checks[0] = 7;
      t.violations[0] = 1;
      s.finish_run(run, t);
    }
    return run;
  }
  static void sql(const std::string& file, const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  static std::string bytes(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  fs::path dir_;
};

TEST_F(EvidenceTest, RunsAreRecordedChainedAndVerified) {
  {
    auto s = Store::open(path("e.db"));
    record(s, "builtin:a", 3);
  }
  auto s = Store::open(path("e.db"));
  record(s, "builtin:b", 2);
  const auto v = s.verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.runs, 2);
  EXPECT_EQ(v.complete, 2);
  EXPECT_TRUE(v.incomplete.empty());
}

TEST_F(EvidenceTest, AChangedRowIsFoundAndTheRunNamed) {
  auto s = Store::open(path("e.db"));
  record(s, "builtin:a", 3);
  record(s, "builtin:b", 3);
  sql(path("e.db"), "UPDATE scenarios SET outcome = 'pass' WHERE run_id = 2 AND id = 5");
  sql(path("e.db"), "UPDATE counterexamples SET report = 'nothing to see' WHERE run_id = 2");
  const auto v = s.verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("run #2"), std::string::npos) << v.problem;
  EXPECT_NE(v.problem.find("was changed after it was recorded"), std::string::npos) << v.problem;
}

TEST_F(EvidenceTest, AChangedVerdictIsFound) {
  auto s = Store::open(path("e.db"));
  record(s, "builtin:a", 1);
  sql(path("e.db"), "UPDATE runs SET verdict = 'pass', exit_code = 0");
  EXPECT_NE(s.verify().problem.find("run #1"), std::string::npos);
}

TEST_F(EvidenceTest, ADeletedRunIsFound) {
  auto s = Store::open(path("e.db"));
  record(s, "builtin:a", 1);
  record(s, "builtin:b", 1);
  record(s, "builtin:c", 1);
  // Remove run 2 with everything that points at it, chain records included.
  sql(path("e.db"),
      "DELETE FROM chain WHERE run_uuid = (SELECT uuid FROM runs WHERE id = 2);"
      "DELETE FROM scenarios WHERE run_id = 2; DELETE FROM counterexamples WHERE run_id = 2;"
      "DELETE FROM properties WHERE run_id = 2; DELETE FROM runs WHERE id = 2;");
  const auto v = s.verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("records were removed before run #3"), std::string::npos) << v.problem;
  // Removing only the row is found too.
  auto t = Store::open(path("f.db"));
  record(t, "builtin:a", 1);
  sql(path("f.db"),
      "DELETE FROM scenarios; DELETE FROM counterexamples; DELETE FROM properties;"
      "DELETE FROM runs;");
  EXPECT_NE(t.verify().problem.find("was removed"), std::string::npos) << t.verify().problem;
}

TEST_F(EvidenceTest, AReorderedChainIsFound) {
  auto s = Store::open(path("e.db"));
  record(s, "builtin:a", 1);
  record(s, "builtin:b", 1);
  sql(path("e.db"),
      "UPDATE chain SET seq = seq + 100 WHERE seq IN (1, 2);"
      "UPDATE chain SET seq = seq - 2 WHERE seq IN (3, 4);"
      "UPDATE chain SET seq = seq - 98 WHERE seq IN (101, 102);");
  const auto v = s.verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("does not follow"), std::string::npos) << v.problem;
}

TEST_F(EvidenceTest, AFileThatIsNotAStoreIsRefusedAndLeftAlone) {
  std::ofstream(path("notes.db")) << "these are my notes, not a database\n";
  const auto before = bytes(path("notes.db"));
  try {
    Store::open(path("notes.db"));
    FAIL() << "opened";
  } catch (const EvidenceError& e) {
    EXPECT_NE(std::string(e.what()).find("is not an evidence database"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(bytes(path("notes.db")), before);

  sql(path("other.db"), "CREATE TABLE accounts(id INTEGER)");
  const auto other = bytes(path("other.db"));
  try {
    Store::open(path("other.db"));
    FAIL() << "opened";
  } catch (const EvidenceError& e) {
    EXPECT_NE(std::string(e.what()).find("another application"), std::string::npos) << e.what();
  }
  EXPECT_EQ(bytes(path("other.db")), other);
}

TEST_F(EvidenceTest, ANewerSchemaIsRefused) {
  { auto s = Store::open(path("e.db")); }
  sql(path("e.db"), "PRAGMA user_version = 6");
  try {
    Store::open(path("e.db"));
    FAIL() << "opened";
  } catch (const EvidenceError& e) {
    EXPECT_NE(std::string(e.what()).find("newer wrongbox (evidence schema 6; this build reads up "
                                         "to 5)"),
              std::string::npos)
        << e.what();
  }
}

// A mutants run: the matrix rows, with or without the fuzzing columns.
std::int64_t record_mutants(Store& s, bool fuzzed, bool chain_rows = true) {
  const auto run =
      s.begin_run({"mutants", "wrongbox mutants", "builtin:*", "n", "1", "abc", "{}"}, chain_rows);
  MutantRecord m;
  m.defect = "stale-route";
  m.defect_class = 3;
  m.caught = true;
  m.corpus_caught = 2;
  m.corpus_property = m.search_property = "C3";
  m.scenarios = 40;
  m.seconds = 0.002;
  m.shrunk_steps = 3;
  if (fuzzed) {
    m.fuzz_ran = true;
    m.fuzz_property = "C3";
    m.fuzz_inputs = 1234;
    m.fuzz_seconds = 0.8;
    m.fuzz_steps = 4;
  }
  s.add_mutant(run, m);
  RunTotals t;
  t.verdict = "pass";
  s.finish_run(run, t);
  return run;
}

TEST_F(EvidenceTest, ASchema1StoreIsMigratedAndStillVerifies) {
  {
    auto s = Store::open(path("e.db"));
    record(s, "builtin:a", 2, /*finish=*/true, /*chain_rows=*/false);
    record_mutants(s, /*fuzzed=*/false, /*chain_rows=*/false);
  }
  // Back to schema 1 as an older wrongbox wrote it: no fuzzing columns, no
  // chained rows, no signatures.
  sql(path("e.db"),
      "ALTER TABLE runs DROP COLUMN rows_chained; DROP TABLE signatures;"
      "ALTER TABLE mutants DROP COLUMN fuzz_ran; ALTER TABLE mutants DROP COLUMN fuzz_property;"
      "ALTER TABLE mutants DROP COLUMN fuzz_inputs; ALTER TABLE mutants DROP COLUMN fuzz_seconds;"
      "ALTER TABLE mutants DROP COLUMN fuzz_steps; ALTER TABLE counterexamples DROP COLUMN file;"
      "ALTER TABLE counterexamples DROP COLUMN trace; PRAGMA user_version = 1");
  auto s = Store::open(path("e.db"));
  auto v = s.verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.complete, 2);
  record_mutants(s, /*fuzzed=*/true);
  v = s.verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.complete, 3);
}

TEST_F(EvidenceTest, ACounterexamplesSavedFileIsChainedAndSurvivesMerge) {
  {
    auto s = Store::open(path("e.db"));
    const auto run = s.begin_run({"check", "wrongbox check", "builtin:a", "n", "1", "abc", "{}"});
    s.add_counterexample(run, {"S1", "wrongbox-scenario 1\n", "S1 violated", "wrongbox check",
                               "failures/S1-1.wbs", ""});
    RunTotals t;
    t.verdict = "violation";
    s.finish_run(run, t);
  }
  merge(path("m.db"), {path("e.db")});
  auto m = Store::open(path("m.db"));
  EXPECT_TRUE(m.verify().ok) << m.verify().problem;
  sql(path("m.db"), "UPDATE counterexamples SET file = 'elsewhere.wbs'");
  auto changed = Store::open(path("m.db"));
  const auto v = changed.verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("run #1"), std::string::npos) << v.problem;
}

// Schema 5: a counterexample's trace (the report's story) is chained in its
// row and in its run's end, survives merge, and a store of schema 4 keeps
// its hashes when migrated.
TEST_F(EvidenceTest, ACounterexamplesTraceIsChainedSurvivesMergeAndOlderRunsKeepTheirHashes) {
  {
    auto s = Store::open(path("e.db"));
    record(s, "builtin:a", 1);  // a counterexample without trace
    // Back to schema 4, as the build before wrote it.
  }
  sql(path("e.db"), "ALTER TABLE counterexamples DROP COLUMN trace; PRAGMA user_version = 4");
  {
    auto s = Store::open(path("e.db"));
    const auto v = s.verify();
    EXPECT_TRUE(v.ok) << "a schema 4 store verifies once migrated: " << v.problem;
    const auto run = s.begin_run({"check", "wrongbox check", "builtin:a", "n", "1", "abc", "{}"});
    s.add_counterexample(run, {"S1", "wrongbox-scenario 1\n", "S1 violated", "wrongbox check", "",
                               "step 1 (line 2): tick\n    tick now=1 -> idle\n"});
    RunTotals t;
    t.verdict = "violation";
    s.finish_run(run, t);
    EXPECT_TRUE(s.verify().ok) << s.verify().problem;
  }
  merge(path("m.db"), {path("e.db")});
  {
    auto m = Store::open(path("m.db"));
    EXPECT_TRUE(m.verify().ok) << m.verify().problem;
    const auto runs = m.runs_json({});
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[1]["counterexamples"][0]["trace"],
              "step 1 (line 2): tick\n    tick now=1 -> idle\n");
  }
  for (const char* db : {"e.db", "m.db"}) {
    sql(path(db),
        "UPDATE counterexamples SET trace = 'step 1: nothing happened' WHERE trace != ''");
    auto changed = Store::open(path(db));
    const auto v = changed.verify();
    EXPECT_FALSE(v.ok) << db;
    EXPECT_NE(v.problem.find("run #2"), std::string::npos) << db << ": " << v.problem;
  }
}

TEST_F(EvidenceTest, AChangedFuzzingFigureIsFound) {
  {
    auto s = Store::open(path("e.db"));
    record_mutants(s, /*fuzzed=*/true);
  }
  sql(path("e.db"), "UPDATE mutants SET fuzz_seconds = 0.1");
  auto s = Store::open(path("e.db"));
  const auto v = s.verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("run #1"), std::string::npos) << v.problem;
}

TEST_F(EvidenceTest, HidingThatFuzzingRanIsFound) {
  {
    auto s = Store::open(path("e.db"));
    record_mutants(s, /*fuzzed=*/true);
  }
  sql(path("e.db"), "UPDATE mutants SET fuzz_ran = 0");
  auto s = Store::open(path("e.db"));
  EXPECT_FALSE(s.verify().ok);
}

TEST_F(EvidenceTest, ACorruptFileIsRefusedAndLeftAlone) {
  {
    auto s = Store::open(path("e.db"));
    for (int i = 0; i < 20; ++i) record(s, "builtin:a", 20);
  }
  sql(path("e.db"), "PRAGMA wal_checkpoint(TRUNCATE)");
  std::string b = bytes(path("e.db"));
  ASSERT_GT(b.size(), 20000u);
  for (std::size_t i = 8192; i < 16384; ++i) b[i] = static_cast<char>(0xA5);
  std::ofstream(path("e.db"), std::ios::binary | std::ios::trunc) << b;
  try {
    auto s = Store::open(path("e.db"));
    const auto v = s.verify();
    FAIL() << "opened; verify says " << v.problem;
  } catch (const EvidenceError& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
  }
  EXPECT_EQ(bytes(path("e.db")), b);
}

TEST_F(EvidenceTest, AKilledWriterLeavesAConsistentStoreWithAnIncompleteRun) {
  {
    auto s = Store::open(path("e.db"));
    record(s, "builtin:before", 2);
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto s = Store::open(path("e.db"));
    const auto run = s.begin_run({"check", "wrongbox check", "builtin:x", "x", "1", "", "{}"});
    for (int i = 0; i < 50; ++i) s.add_scenario(run, {"s.wbs", "pass", "PASS", ""});
    ::raise(SIGKILL);  // killed mid-run, with no chance to finish
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto s = Store::open(path("e.db"));
  const auto v = s.verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.runs, 2);
  EXPECT_EQ(v.complete, 1);
  ASSERT_EQ(v.incomplete.size(), 1u);
  EXPECT_NE(v.incomplete[0].find("check against builtin:x"), std::string::npos);
  // What the killed run had recorded is still there, and the next run chains on.
  record(s, "builtin:after", 1);
  EXPECT_TRUE(s.verify().ok);
  const auto md = render_report(s, ReportFormat::kMarkdown);
  EXPECT_NE(md.find("| incomplete |"), std::string::npos) << md;
}

TEST_F(EvidenceTest, TwoWritersAtOnceBothLand) {
  { auto s = Store::open(path("e.db")); }
  std::vector<pid_t> kids;
  for (int k = 0; k < 2; ++k) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        auto s = Store::open(path("e.db"));
        for (int i = 0; i < 25; ++i) record(s, "builtin:writer" + std::to_string(k), 3);
        ::_exit(0);
      } catch (...) {
        ::_exit(1);
      }
    }
    kids.push_back(child);
  }
  for (auto k : kids) {
    int status = 0;
    ::waitpid(k, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto s = Store::open(path("e.db"));
  const auto v = s.verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.runs, 50);
  EXPECT_EQ(v.complete, 50);
}

// An auditor's verify, or a report, while a shard still records: every read
// sees one committed state, so a run being written is incomplete, never
// "tampered" (without the read snapshot, about one verify in ten said so).
TEST_F(EvidenceTest, VerifyAndReportWhileAnotherProcessRecordsNeverSeeTampering) {
  {
    auto s = Store::open(path("e.db"));
    record(s, "builtin:first", 1);  // a store with no run at all is "not intact"
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      auto s = Store::open(path("e.db"));
      for (int i = 0; i < 60; ++i) record(s, "builtin:writer", 4);
      ::_exit(0);
    } catch (...) {
      ::_exit(1);
    }
  }
  int verifies = 0, reports = 0;
  std::vector<std::string> problems;
  for (int status = 0; ::waitpid(child, &status, WNOHANG) == 0;) {
    auto s = Store::open_existing(path("e.db"));
    const auto v = s.verify();
    ++verifies;
    if (!v.ok) problems.push_back("verify: " + v.problem);
    const auto json = render_report(s, ReportFormat::kJson);
    ++reports;
    if (json.find("\"ok\": false") != std::string::npos) problems.push_back("report: not ok");
  }
  EXPECT_TRUE(problems.empty()) << problems.size() << " of " << verifies << " verifies and "
                                << reports << " reports; first: " << problems.front();
  EXPECT_GT(verifies, 3);
  auto s = Store::open(path("e.db"));
  EXPECT_TRUE(s.verify().ok);
}

// Renumbering runs (ids swapped, their rows following) keeps every hash, but
// the runs' start records then come out of the order of their numbers.
TEST_F(EvidenceTest, RenumberedRunsAreFound) {
  const auto file = path("r.db");
  {
    auto s = Store::open(file);
    for (int i = 0; i < 3; ++i) record(s, "builtin:x" + std::to_string(i), 1);
    EXPECT_TRUE(s.verify().ok);
  }
  sql(file,
      "UPDATE runs SET id = 100 WHERE id = 2; UPDATE runs SET id = 2 WHERE id = 3; "
      "UPDATE runs SET id = 3 WHERE id = 100; "
      "UPDATE scenarios SET run_id = CASE run_id WHEN 2 THEN 3 WHEN 3 THEN 2 ELSE run_id END; "
      "UPDATE counterexamples SET run_id = CASE run_id WHEN 2 THEN 3 WHEN 3 THEN 2 ELSE run_id "
      "END; "
      "UPDATE properties SET run_id = 100 WHERE run_id = 2; "
      "UPDATE properties SET run_id = 2 WHERE run_id = 3; "
      "UPDATE properties SET run_id = 3 WHERE run_id = 100;");
  auto s = Store::open_existing(file);
  const auto v = s.verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("renumbered"), std::string::npos) << v.problem;
}

// A store with every row deleted is not intact, for verify and every report alike.
TEST_F(EvidenceTest, AStoreEmptiedOfEveryRowIsNotIntactForReportsToo) {
  const auto file = path("x.db");
  {
    auto s = Store::open(file);
    record(s, "builtin:x", 1);
  }
  sql(file,
      "DELETE FROM scenarios; DELETE FROM counterexamples; DELETE FROM mutants; "
      "DELETE FROM properties; DELETE FROM signatures; DELETE FROM chain; DELETE FROM runs;");
  auto s = Store::open_existing(file);
  const auto v = s.verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("no run recorded"), std::string::npos) << v.problem;
  const auto json = render_report(s, ReportFormat::kJson);
  EXPECT_NE(json.find("\"ok\": false"), std::string::npos);
}

TEST_F(EvidenceTest, ThreeStoresMergeIntoOneThatVerifies) {
  int expected = 0;
  for (int k = 0; k < 3; ++k) {
    auto s = Store::open(path("shard" + std::to_string(k) + ".db"));
    for (int i = 0; i <= k; ++i, ++expected) record(s, "builtin:shard" + std::to_string(k), 2);
  }
  // One shard also holds an unfinished run; it is merged as unfinished.
  {
    auto s = Store::open(path("shard2.db"));
    record(s, "builtin:killed", 1, false);
    ++expected;
  }
  const std::vector<std::string> in = {path("shard0.db"), path("shard1.db"), path("shard2.db")};
  EXPECT_EQ(merge(path("all.db"), in), expected);
  auto all = Store::open(path("all.db"));
  auto v = all.verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.runs, expected);
  EXPECT_EQ(v.incomplete.size(), 1u);
  // Merging again adds nothing; the content is the shards' content.
  EXPECT_EQ(merge(path("all.db"), in), 0);
  const auto json = render_report(all, ReportFormat::kJson);
  EXPECT_NE(json.find("builtin:shard2"), std::string::npos);
  // A tampered input is refused.
  sql(path("shard1.db"), "UPDATE runs SET sut_spec = 'builtin:other' WHERE id = 1");
  try {
    merge(path("all2.db"), in);
    FAIL() << "merged a tampered store";
  } catch (const EvidenceError& e) {
    EXPECT_NE(std::string(e.what()).find("shard1.db does not verify"), std::string::npos)
        << e.what();
  }
}

TEST_F(EvidenceTest, ReportsStateTamperingAndCarryTheCounterexamples) {
  auto s = Store::open(path("e.db"));
  record(s, "builtin:a", 2);
  const auto junit = render_report(s, ReportFormat::kJunit);
  EXPECT_NE(junit.find("<testsuites name=\"wrongbox\" tests=\"2\" failures=\"0\""),
            std::string::npos)
      << junit;
  const auto sarif = render_report(s, ReportFormat::kSarif);
  EXPECT_NE(sarif.find("\"version\": \"2.1.0\""), std::string::npos);
  EXPECT_NE(sarif.find("\"ruleId\": \"S1\""), std::string::npos) << sarif;
  sql(path("e.db"), "UPDATE runs SET host = 'elsewhere'");
  const auto md = render_report(s, ReportFormat::kMarkdown);
  EXPECT_NE(md.find("**TAMPERED**"), std::string::npos) << md;
}

// What a killed run recorded is chained as it was written: changing its
// outcomes, or adding a counterexample to it, is seen.
TEST_F(EvidenceTest, AKilledRunsRowsCannotBeChangedOrAddedTo) {
  {
    auto s = Store::open(path("e.db"));
    record(s, "builtin:a", 3, /*finish=*/false);  // killed after three scenarios
    EXPECT_TRUE(s.verify().ok) << s.verify().problem;
    EXPECT_EQ(s.verify().incomplete.size(), 1u);
  }
  auto copy = [&](const std::string& name) {
    fs::copy_file(path("e.db"), path(name));
    return path(name);
  };
  const auto changed = copy("changed.db");
  sql(changed, "UPDATE scenarios SET outcome = 'skipped', summary = 'edited' WHERE id = 2");
  auto v = Store::open(changed).verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("scenarios row 2 was changed"), std::string::npos) << v.problem;

  const auto added = copy("added.db");
  sql(added,
      "INSERT INTO counterexamples(run_id, property, scenario_text, report, reproduce) "
      "VALUES (1, 'S1', 'x', 'made up', '')");
  v = Store::open(added).verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("counterexamples rows it never recorded"), std::string::npos)
      << v.problem;

  const auto removed = copy("removed.db");
  sql(removed, "DELETE FROM counterexamples");
  v = Store::open(removed).verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("rows were removed"), std::string::npos) << v.problem;
}

// A finished run turned back into an incomplete one (its end record removed)
// is seen when a later run follows it, and when its status still says so.
TEST_F(EvidenceTest, AFinishedRunMadeIncompleteIsSeen) {
  {
    auto s = Store::open(path("e.db"));
    record(s, "builtin:a", 2);  // found a violation
    record(s, "builtin:b", 1);
  }
  fs::copy_file(path("e.db"), path("middle.db"));
  sql(path("middle.db"),
      "DELETE FROM chain WHERE run_uuid = (SELECT uuid FROM runs WHERE id = 1) AND kind = 'end';"
      "UPDATE runs SET status = 'running', verdict = NULL WHERE id = 1");
  EXPECT_FALSE(Store::open(path("middle.db")).verify().ok);

  // The newest run: only its status gives it away, or a head kept elsewhere.
  Head kept;
  {
    auto s = Store::open(path("e.db"));
    kept = s.head();
  }
  sql(path("e.db"),
      "DELETE FROM chain WHERE seq = (SELECT max(seq) FROM chain);"
      "DELETE FROM properties WHERE run_id = 2");
  auto v = Store::open(path("e.db")).verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("is marked complete but its end record is missing"), std::string::npos)
      << v.problem;
  sql(path("e.db"), "UPDATE runs SET status = 'running', verdict = NULL WHERE id = 2");
  EXPECT_TRUE(Store::open(path("e.db")).verify().ok);  // a killed run, to all appearances
  VerifyOptions o;
  o.expect = kept;
  v = Store::open(path("e.db")).verify(o);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("the newest records were removed"), std::string::npos) << v.problem;
}

// The store's reads are the only SQL the report and the CLI use: the
// filters select what they say, and a found counterexample names its run.
TEST_F(EvidenceTest, QueriesSelectRunsByFilterAndFindTheSearchesCounterexamples) {
  auto s = Store::open(path("q.db"));
  const auto a = s.begin_run(
      {"check", "wrongbox check", "builtin:x", "n", "1", "abc", R"({"campaign":"c-1","seed":1})"});
  s.add_counterexample(a, {"S1", "wrongbox-scenario 1\ntick\n", "S1 violated", "r", "f.wbs", ""});
  s.finish_run(a, {});
  const auto b = s.begin_run(
      {"replay", "wrongbox replay", "builtin:x", "n", "1", "abc", R"({"campaign":"c-2"})"});
  s.add_counterexample(b, {"C1", "wrongbox-scenario 1\n", "C1 violated", "r", "", ""});
  s.add_scenario(b, {"a.wbs", "pass", "PASS", ""});
  const auto c = s.begin_run({"fuzz", "wrongbox fuzz", "builtin:y", "n", "1", "abc", "{}"});
  s.add_counterexample(c, {"S2", "wrongbox-scenario 1\n", "S2 violated", "r", "", ""});

  const auto all = s.runs_json({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["id"], a);
  EXPECT_EQ(all[0]["settings"]["seed"], 1);
  EXPECT_EQ(all[0]["counterexamples"][0]["file"], "f.wbs");
  EXPECT_EQ(all[1]["scenario_results"].size(), 1u);
  EXPECT_TRUE(all[1]["ended_at"].is_null());  // still running
  RunFilter f;
  f.campaign = "c-2";
  const auto one = s.runs_json(f);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]["id"], b);
  f = {};
  f.run = c;
  EXPECT_EQ(s.runs_json(f).size(), 1u);
  f = {};
  f.after_run = a;
  EXPECT_EQ(s.runs_json(f).size(), 2u);
  f = {};
  f.since = "2999-01-01";
  EXPECT_EQ(s.runs_json(f).size(), 0u);

  const auto found = s.counterexamples_found("builtin:x");
  ASSERT_EQ(found.size(), 1u);  // the replay's is not a search's
  EXPECT_EQ(found[0].property, "S1");
  EXPECT_EQ(found[0].run, a);
  EXPECT_EQ(found[0].command, "check");
  EXPECT_EQ(s.counterexamples_found("builtin:y").size(), 1u);
}

// A store missing a table is refused with SQLite's words, not read as empty.
TEST_F(EvidenceTest, AReadOfAStoreMissingATableNamesIt) {
  const auto file = path("m.db");
  {
    auto s = Store::open(file);
    record(s, "builtin:x", 1);
  }
  sql(file, "DROP TABLE mutants");
  try {
    Store::open_existing(file);
    FAIL() << "opened a store without its mutants table";
  } catch (const EvidenceTampered& e) {
    EXPECT_NE(std::string(e.what()).find("table mutants is missing"), std::string::npos)
        << e.what();
  }
}

// A schema version rewritten by hand is tampering, named, and the store is
// never written to (lowered to 3, the migration used to fail on a duplicate
// column; 0 and -1 verified).
TEST_F(EvidenceTest, AHandEditedSchemaVersionIsTamperingAndTheStoreIsNotTouched) {
  for (const char* v : {"4", "0", "-1", "6"}) {
    const auto file = path(std::string("v") + v + ".db");
    {
      auto s = Store::open(file);
      record(s, "builtin:x", 1);
    }
    sql(file, std::string("PRAGMA user_version = ") + v);
    const auto before = sha256_file(file);
    try {
      Store::open(file);
      FAIL() << "opened a store whose user_version says " << v;
    } catch (const EvidenceError& e) {
      const std::string what = e.what();
      if (std::string(v) == "6") {
        EXPECT_NE(what.find("newer wrongbox"), std::string::npos) << what;
      } else {
        EXPECT_NE(dynamic_cast<const EvidenceTampered*>(&e), nullptr) << what;
        EXPECT_NE(what.find("changed by hand"), std::string::npos) << what;
      }
    }
    EXPECT_EQ(sha256_file(file), before) << v;
  }
}

TEST_F(EvidenceTest, SignedRunsAndHeadsVerifyAndSurviveMerge) {
  const auto key_path = path("k");
  const auto pub = generate_key_pair(key_path);
  const auto key = load_secret_key(key_path);
  EXPECT_EQ(pub.id, key.pub.id);
  EXPECT_EQ(load_public_key(key_path + ".pub").id, pub.id);
  Head head;
  {
    auto s = Store::open(path("e.db"));
    s.sign_run_and_head(record(s, "builtin:a", 2), key);
    head = s.sign_run_and_head(record(s, "builtin:b", 1), key);
  }
  VerifyOptions o;
  o.key = pub;
  auto v = Store::open(path("e.db")).verify(o);
  ASSERT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.signatures, 4);
  EXPECT_EQ(v.signed_through, v.head_seq);
  EXPECT_EQ(head.seq, v.head_seq);
  // The secret key is nowhere in the store.
  const auto secret = to_hex(key.bytes.data(), 32);
  EXPECT_EQ(bytes(path("e.db")).find(secret), std::string::npos);

  // Merged with another store: the runs' signatures still verify; the new
  // head is signed by the merging key.
  {
    auto t = Store::open(path("f.db"));
    t.sign_run_and_head(record(t, "builtin:c", 1), key);
  }
  merge(path("m.db"), {path("e.db"), path("f.db")}, &key);
  v = Store::open(path("m.db")).verify(o);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.signed_through, v.head_seq);

  // A foreign key's signature, and an unsigned newest run, are seen.
  const auto other_pub = generate_key_pair(path("other"));
  VerifyOptions foreign;
  foreign.key = other_pub;
  v = Store::open(path("e.db")).verify(foreign);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("a foreign key signed this store"), std::string::npos) << v.problem;
  {
    auto s = Store::open(path("e.db"));
    record(s, "builtin:d", 1);
  }
  v = Store::open(path("e.db")).verify(o);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("are not covered by a signature"), std::string::npos) << v.problem;

  // An edited signature, or a signed run changed afterwards, does not verify.
  fs::copy_file(path("m.db"), path("sig.db"));
  sql(path("sig.db"),
      "UPDATE signatures SET signature = replace(signature, 'a', 'b') WHERE id = 1");
  v = Store::open(path("sig.db")).verify(o);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("does not verify"), std::string::npos) << v.problem;
}

TEST_F(EvidenceTest, ASecretKeyOthersCanReadIsRefused) {
  generate_key_pair(path("k"));
  EXPECT_EQ(fs::status(path("k")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(path("k"), fs::perms::group_read, fs::perm_options::add);
  try {
    load_secret_key(path("k"));
    FAIL() << "loaded";
  } catch (const EvidenceError& e) {
    EXPECT_NE(std::string(e.what()).find("mode 0640"), std::string::npos) << e.what();
  }
  EXPECT_THROW(generate_key_pair(path("k")), EvidenceError);  // never overwritten
}

TEST_F(EvidenceTest, AHeadFileRoundTrips) {
  Head h{42,
         std::string(64, 'a'),
         7,
         "2026-12-01T14:05:00Z",
         "0123456789abcdef",
         std::string(128, 'b')};
  const auto back = parse_head(format_head(h), "h");
  EXPECT_EQ(back.seq, 42);
  EXPECT_EQ(back.hash, h.hash);
  EXPECT_EQ(back.signature, h.signature);
  EXPECT_THROW(parse_head("wrongbox-evidence-head 1\nseq x\nhash y\n", "h"), EvidenceError);
}

}  // namespace
}  // namespace wrongbox::evidence
