// Plays a scenario: the harness's actors answer the switch from the model.
#include "harness/core/runner.h"

#include <set>

#include "harness/core/playable.h"
#include "models/world.h"

namespace wrongbox {
namespace {

std::string show_message(const Message& m) {
  return m.sender + "/" + m.id + " about " + m.subject + ", " + std::to_string(m.parts.size()) +
         " part(s)";
}

// The harness side of protocol v1 for one scenario run.
class Actors final : public Calls {
 public:
  Actors(model::World& world, Oracle& oracle, RunResult& result, bool trace)
      : world_(world), oracle_(oracle), result_(result), trace_(trace) {}

  std::set<std::string> close_at_delivery;  // armed races

  LookupReply lookup(const std::string& person) override {
    begin("lookup ", person);
    LookupReply r;
    if (!world_.registry_up()) {
      r.unavailable = true;
      oracle_.on_registry_unavailable(person);
      end([&] { return std::string("unavailable (registry down)"); });
      return r;
    }
    auto a = world_.lookup(person);
    r.mailbox = std::move(a.mailbox);
    r.is_protected = a.is_protected;
    r.blocked_senders = std::move(a.blocked_senders);
    if (trace_) {
      std::string s = r.mailbox ? *r.mailbox : "no mailbox";
      if (r.is_protected) s += ", protected";
      for (const auto& b : r.blocked_senders) s += ", blocks " + b;
      end_text(s);
    }
    return r;
  }

  DeliverReply deliver(const std::string& mailbox, const Message& m) override {
    begin("deliver ", mailbox);
    const auto op = model::operator_of(mailbox);
    if (!world_.operator_up(op)) {
      oracle_.on_delivery_refused(m, mailbox, model::route::kAfterOperatorDown);
      end([&] {
        return "unavailable (operator " + std::string(op) + " down) [" + show_message(m) + "]";
      });
      return DeliverReply::kUnavailable;
    }
    if (close_at_delivery.erase(mailbox) > 0) {
      oracle_.on_delivery_refused(m, mailbox, model::route::kAfterNoSuchMailbox);
      world_.close_mailbox(mailbox);
      end([&] {
        return std::string("no_such_mailbox (closed just now, between lookup and delivery)");
      });
      return DeliverReply::kNoSuchMailbox;
    }
    const auto owner = world_.open_owner(mailbox);
    if (!owner) {
      oracle_.on_delivery_refused(m, mailbox, model::route::kAfterNoSuchMailbox);
      end([&] { return "no_such_mailbox [" + show_message(m) + "]"; });
      return DeliverReply::kNoSuchMailbox;
    }
    oracle_.on_deliver(mailbox, m, *owner);
    end([&] { return "ok, owner " + *owner + " [" + show_message(m) + "]"; });
    return DeliverReply::kOk;
  }

  void print(const std::string& person, const Message& m) override {
    begin("print for ", person);
    oracle_.on_print(person, m);
    end([&] { return "ok [" + show_message(m) + "]"; });
  }

  void hold(const Message& m, const std::string& reason) override {
    begin("hold");
    oracle_.on_hold(m, reason);
    end([&] { return "ok [" + show_message(m) + "] reason: " + reason; });
  }

  void receipt(const std::string& sender, const std::string& id, ReceiptStatus status) override {
    begin("receipt to ", sender, " for ", id, " (", to_string(status), ")");
    oracle_.on_receipt(sender, id, status);
    end([&] { return std::string("ok"); });
  }

  void log(const std::string& text) override {
    begin("log");
    oracle_.on_log(text);
    end([&] { return "\"" + text.substr(0, 100) + "\""; });
  }

 private:
  template <typename... Parts>
  void begin(const Parts&... parts) {
    ++result_.stats.calls;
    oracle_.begin_call(parts...);
  }
  // The answer is only described when tracing: `answer` makes the text.
  template <typename F>
  void end(F&& answer) {
    if (!trace_) return;
    end_text(answer());
  }
  void end_text(const std::string& answer) {
    std::string line = "    call: " + oracle_.call_text() + " -> " + answer;
    if (!oracle_.note().empty()) line += "\n      oracle: " + oracle_.note();
    result_.trace.push_back(std::move(line));
  }

  model::World& world_;
  Oracle& oracle_;
  RunResult& result_;
  bool trace_;
};

}  // namespace

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kViolation:
      return "violation";
    case Outcome::kSwitchFailure:
      return "switch-failure";
    case Outcome::kInputError:
      return "input-error";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "?";
}

const Violation* RunResult::headline() const {
  for (const auto& v : violations) {
    if (is_safety(v.property)) return &v;
  }
  return violations.empty() ? nullptr : &violations.front();
}

RunResult run_scenario(const Scenario& sc, Switch& sut, const RunOptions& opt) {
  RunResult result;
  PlayableBuilder play;  // the model, as the scenario's environment steps change it
  model::World& world = play.world();
  Oracle oracle(world, opt.seed, opt.trace);
  {
    std::size_t messages = 0, batches = 0;
    for (const auto& st : sc.steps) {
      messages += st.messages.size();
      batches += st.kind == StepKind::kSubmit;
    }
    oracle.reserve(messages, batches);
  }
  Actors actors(world, oracle, result, opt.trace);
  std::int64_t now = 0;

  auto fail = [&](Outcome o, std::string msg, int step, int line) {
    result.outcome = o;
    result.error = std::move(msg);
    result.error_step = step;
    result.error_line = line;
  };
  // A switch failure caught as `e`: its message, where, and its kind.
  auto switch_failed = [&](const std::exception& e, std::string msg, int step, int line) {
    fail(Outcome::kSwitchFailure, std::move(msg), step, line);
    result.failure_kind = failure_kind_of(e);
  };
  auto finish = [&]() -> RunResult& {
    result.violations = oracle.violations();
    result.warnings = oracle.warnings();
    result.checks = oracle.checks();
    result.situations = oracle.take_situations();
    if (result.outcome == Outcome::kPass && !result.violations.empty()) {
      result.outcome = Outcome::kViolation;
    }
    return result;
  };
  auto do_tick = [&]() {
    ++now;
    ++result.stats.ticks;
    play.advance(1);
    return sut.tick(now, actors);
  };

  for (const auto& st : sc.steps) {
    if (st.kind == StepKind::kRestart && !opt.can_restart) {
      fail(Outcome::kSkipped, "the scenario restarts the switch, which has no 'restart' capability",
           -1, 0);
      return finish();
    }
  }
  try {
    sut.reset(senders_of(sc));
  } catch (const std::exception& e) {
    switch_failed(e, std::string("reset failed: ") + e.what(), -1, 0);
    return finish();
  }

  for (std::size_t i = 0; i < sc.steps.size(); ++i) {
    const Step& st = sc.steps[i];
    const int si = static_cast<int>(i);
    oracle.set_step(si, st.line);
    ++result.stats.steps;
    if (opt.trace) {
      std::string text = print_step(st);
      for (std::size_t p; (p = text.find('\n')) != std::string::npos;) text.replace(p, 1, " | ");
      result.trace.push_back("step " + std::to_string(i + 1) +
                             (st.line ? " (line " + std::to_string(st.line) + ")" : "") + ": " +
                             text);
    }
    if (!is_switch_command(st.kind)) {
      if (std::string why; !play.add(st, &why)) {
        fail(Outcome::kInputError, print_step(st) + ": " + why, si, st.line);
        return finish();
      }
      if (st.kind == StepKind::kCloseAtDelivery) actors.close_at_delivery.insert(st.mailbox);
      continue;
    }
    try {
      if (st.kind == StepKind::kSubmit) {
        const auto first = static_cast<std::uint32_t>(oracle.message_count());
        const std::vector<Message>& batch = oracle.add_batch(st.messages, si);
        result.stats.messages += static_cast<int>(batch.size());
        const auto verdicts = sut.submit(batch, actors);
        oracle.on_verdicts(first, batch.size(), verdicts);
        if (opt.trace) {
          std::string v = "    verdicts:";
          for (const auto& x : verdicts) {
            v += " " + x.sender + "/" + x.id + "=" + (x.accepted ? "accepted" : "rejected");
            if (!x.accepted && !x.reason.empty()) v += " (" + x.reason + ")";
          }
          result.trace.push_back(v);
        }
      } else if (st.kind == StepKind::kTick) {
        for (int k = 0; k < st.count && !oracle.safety_violated(); ++k) {
          const bool idle = do_tick();
          if (opt.trace) {
            result.trace.push_back("    tick now=" + std::to_string(now) +
                                   (idle ? " -> idle" : " -> busy"));
          }
        }
      } else {
        sut.restart();
        oracle.on_restart();
      }
    } catch (const std::exception& e) {
      switch_failed(e, e.what(), si, st.line);
      return finish();
    }
    if (oracle.safety_violated()) return finish();
  }

  // Drain: outages end, races disarm, and the switch gets time to settle.
  world.all_up();
  actors.close_at_delivery.clear();
  oracle.set_step(static_cast<int>(sc.steps.size()), 0);
  if (opt.trace) result.trace.push_back("drain: registry and operators up; ticking until idle");
  bool idle = false;
  try {
    for (int k = 0; k < opt.drain_ticks && !idle && !oracle.safety_violated(); ++k) {
      idle = do_tick();
    }
  } catch (const std::exception& e) {
    switch_failed(e, std::string("during the drain: ") + e.what(),
                  static_cast<int>(sc.steps.size()), 0);
    return finish();
  }
  if (opt.trace) {
    result.trace.push_back(std::string("drain: ") + (idle ? "idle" : "still busy") + " after " +
                           std::to_string(result.stats.ticks) + " ticks in all");
  }
  if (!oracle.safety_violated()) oracle.at_end(idle, opt.drain_ticks);
  return finish();
}

SwitchFailure::Kind failure_kind_of(const std::exception& e) {
  const auto* f = dynamic_cast<const SwitchFailure*>(&e);
  return f ? f->kind() : SwitchFailure::Kind::kThrew;
}

const char* to_string(SwitchFailure::Kind k) {
  switch (k) {
    case SwitchFailure::Kind::kThrew:
      return "threw";
    case SwitchFailure::Kind::kProtocol:
      return "protocol";
    case SwitchFailure::Kind::kExited:
      return "exited";
    case SwitchFailure::Kind::kSignal:
      return "signal";
    case SwitchFailure::Kind::kTimeout:
      return "timeout";
    case SwitchFailure::Kind::kClosedInput:
      return "closed-input";
  }
  return "threw";
}

std::string summarize(const RunResult& r) {
  switch (r.outcome) {
    case Outcome::kPass:
      return "PASS";
    case Outcome::kViolation: {
      const auto* v = r.headline();
      std::string s = std::string("FAIL ") + to_string(v->property);
      if (v->step >= 0) {
        s += " at step " + std::to_string(v->step + 1);
        if (v->line > 0) s += " (line " + std::to_string(v->line) + ")";
      } else {
        s += " at the end";
      }
      return s + ": " + v->summary;
    }
    case Outcome::kSwitchFailure:
    case Outcome::kInputError:
    case Outcome::kSkipped: {
      std::string s = r.outcome == Outcome::kSwitchFailure ? "SWITCH FAILED"
                      : r.outcome == Outcome::kInputError  ? "INPUT ERROR"
                                                           : "SKIP";
      if (r.error_step >= 0) {
        s += " at step " + std::to_string(r.error_step + 1);
        if (r.error_line > 0) s += " (line " + std::to_string(r.error_line) + ")";
      }
      return s + ": " + r.error;
    }
  }
  return "?";
}

}  // namespace wrongbox
