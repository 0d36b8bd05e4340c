// The evidence store's reads for reports and the CLI (evidence.h, "Reads").
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/evidence/evidence.h"
#include "harness/evidence/sql.h"

namespace wrongbox::evidence {
namespace {

using Json = nlohmann::ordered_json;

// Every row of `s` as a JSON object keyed by column name, to `row`.
template <typename F>
void rows(sql::Stmt& s, F&& row) {
  while (s.step()) {
    Json j;
    for (int i = 0; i < s.columns(); ++i) {
      const std::string name = s.name(i);
      switch (s.type(i)) {
        case SQLITE_INTEGER:
          j[name] = s.integer(i);
          break;
        case SQLITE_FLOAT:
          j[name] = s.real(i);
          break;
        case SQLITE_NULL:
          j[name] = nullptr;
          break;
        default:
          j[name] = s.text(i);
      }
    }
    row(j);
  }
}

}  // namespace

Json Store::runs_json(const RunFilter& f) {
  const Snapshot one_state(*this);
  sql::Stmt runs(db_,
                 "SELECT id, uuid, command, command_line, harness_version, harness_commit, "
                 "sut_spec, sut_name, sut_version, sut_sha256, host, started_at, ended_at, status, "
                 "verdict, exit_code, scenarios, steps, messages, settings_json, coverage_json "
                 "FROM runs WHERE id > ?1 AND (?2 = 0 OR id = ?2) AND (?3 = '' OR started_at >= "
                 "?3) AND (?4 = '' OR json_extract(settings_json, '$.campaign') = ?4) ORDER BY id");
  runs.bind(1, f.after_run).bind(2, f.run).bind(3, f.since).bind(4, f.campaign);
  sql::Stmt props(db_,
                  "SELECT property, checks, violations FROM properties WHERE run_id = ?1 ORDER BY "
                  "property");
  // Child rows, in the order the report has always listed them.
  sql::Stmt counterexamples(db_,
                            "SELECT property, scenario_text, report, reproduce, file, trace FROM "
                            "counterexamples WHERE run_id = ?1 ORDER BY id");
  sql::Stmt mutants(db_,
                    "SELECT defect, defect_class, caught, corpus_caught, corpus_property, "
                    "search_property, scenarios, seconds, shrunk_steps, fuzz_ran, fuzz_property, "
                    "fuzz_inputs, fuzz_seconds, fuzz_steps FROM mutants WHERE run_id = ?1 ORDER "
                    "BY id");
  sql::Stmt scenarios(db_,
                      "SELECT source, outcome, summary, report FROM scenarios WHERE run_id = ?1 "
                      "ORDER BY id");
  Json out = Json::array();
  rows(runs, [&](Json& r) {
    const auto id = r["id"].get<std::int64_t>();
    for (const char* k : {"settings_json", "coverage_json"}) {
      if (r[k].is_string()) r[k] = Json::parse(r[k].get<std::string>(), nullptr, false);
    }
    r["settings"] = r["settings_json"];
    r["coverage"] = r["coverage_json"];
    r.erase("settings_json");
    r.erase("coverage_json");
    Json ps = Json::object();
    props.reset().bind(1, id);
    rows(props, [&](Json& p) {
      ps[p["property"].get<std::string>()] = {{"checks", p["checks"]},
                                              {"violations", p["violations"]}};
    });
    r["properties"] = ps;
    for (auto [key, stmt] :
         {std::pair{"counterexamples", &counterexamples}, std::pair{"mutants", &mutants},
          std::pair{"scenario_results", &scenarios}}) {
      Json list = Json::array();
      stmt->reset().bind(1, id);
      rows(*stmt, [&](Json& x) { list.push_back(x); });
      r[key] = list;
    }
    out.push_back(r);
  });
  return out;
}

std::vector<FoundCounterexample> Store::counterexamples_found(const std::string& sut_spec) {
  sql::Stmt s(db_,
              "SELECT c.property, c.scenario_text, r.id, r.command FROM counterexamples c JOIN "
              "runs r ON r.id = c.run_id WHERE r.sut_spec = ?1 AND r.command IN ('check', "
              "'fuzz') ORDER BY c.id");
  s.bind(1, sut_spec);
  std::vector<FoundCounterexample> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2), s.text(3)});
  return out;
}

LastReplay Store::last_replay(const std::string& sut_spec) {
  LastReplay out;
  // Oldest first, so that each file's newest outcome is the one kept.
  sql::Stmt s(db_,
              "SELECT r.id, s.source, s.outcome FROM scenarios s JOIN runs r ON r.id = s.run_id "
              "WHERE r.command = 'replay' AND r.sut_spec = ?1 AND r.ended_at IS NOT NULL "
              "ORDER BY s.id");
  s.bind(1, sut_spec);
  std::map<std::string, std::size_t> at;  // source -> index in out.scenarios
  while (s.step()) {
    out.run = std::max(out.run, s.integer(0));
    const std::string source = s.text(1);
    auto [it, fresh] = at.emplace(source, out.scenarios.size());
    if (fresh) {
      out.scenarios.push_back({source, s.text(2), "", ""});
    } else {
      out.scenarios[it->second].outcome = s.text(2);
    }
  }
  return out;
}

}  // namespace wrongbox::evidence
