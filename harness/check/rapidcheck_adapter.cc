// RapidCheck internals, confined here (see the header).
#include "harness/check/rapidcheck_adapter.h"

#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>

#include <stdexcept>
#include <unordered_map>

namespace wrongbox::check::rcadapter {
namespace {

class QuietListener final : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

}  // namespace

struct Property::State {
  std::string id;
  std::unordered_map<std::string, rc::detail::Reproduce> reproduce;
};

Property::Property(std::string id, const std::string& reproduce) : state_(new State) {
  state_->id = std::move(id);
  if (reproduce.empty()) return;
  const auto cfg = rc::detail::configFromString("reproduce=" + reproduce);
  if (cfg.reproduce.find(state_->id) == cfg.reproduce.end()) {
    throw std::runtime_error("no " + state_->id + " entry");
  }
  state_->reproduce = cfg.reproduce;
}

Property::~Property() = default;

bool Property::reproducing() const {
  return !state_->reproduce.empty();
}

Outcome Property::run(const std::function<void()>& body, std::uint64_t seed, int max_success,
                      int max_size) {
  QuietListener listener;
  rc::detail::TestMetadata md;
  md.id = state_->id;
  md.description = state_->id;
  rc::detail::TestParams params;
  params.seed = seed;
  params.maxSuccess = max_success;
  params.maxSize = max_size;
  const auto result = rc::detail::checkTestable(body, md, params, listener, state_->reproduce);
  Outcome out;
  if (rc::detail::FailureResult fr; result.match(fr)) {
    out.kind = Outcome::Kind::kFailed;
    out.successes = fr.numSuccess;
    out.description = fr.description;
    rc::detail::Configuration c;
    c.testParams = params;
    c.reproduce[state_->id] = fr.reproduce;
    const auto s = rc::detail::configToMinimalString(c);
    if (const auto at = s.find("reproduce="); at != std::string::npos) {
      out.reproduce = s.substr(at + 10);
      out.reproduce = out.reproduce.substr(0, out.reproduce.find(' '));
    }
  } else if (rc::detail::SuccessResult sr; result.match(sr)) {
    out.successes = sr.numSuccess;
  } else if (rc::detail::GaveUpResult gu; result.match(gu)) {
    out.kind = Outcome::Kind::kGaveUp;
    out.successes = gu.numSuccess;
    out.description = gu.description;
  } else if (rc::detail::Error er; result.match(er)) {
    out.kind = Outcome::Kind::kError;
    out.description = er.description;
  }
  return out;
}

}  // namespace wrongbox::check::rcadapter
