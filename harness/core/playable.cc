// One rule for which steps are playable (see the header).
#include "harness/core/playable.h"

namespace wrongbox {

void PlayableBuilder::advance(std::int64_t ticks) {
  now_ += ticks;
  world_.advance_to(now_);
}

bool PlayableBuilder::add(const Step& st, std::string* why) {
  auto& w = world_;
  if (policy_ == Policy::kNoRacedReuse && !st.mailbox.empty() && raced(st.mailbox)) {
    if (why) *why = st.mailbox + " closes at its next delivery; its state is the switch's timing";
    return false;
  }
  std::string e;
  switch (st.kind) {
    case StepKind::kOpen:
    case StepKind::kOpenUnregistered:
      if (!why && w.has_mailbox(st.mailbox)) return false;
      e = w.open_mailbox(st.mailbox, st.person, st.kind == StepKind::kOpen);
      break;
    case StepKind::kClose:
      if (!why && !w.open_owner(st.mailbox)) return false;
      e = w.close_mailbox(st.mailbox);
      break;
    case StepKind::kCloseAtDelivery:
      if (!w.open_owner(st.mailbox)) {
        e = st.mailbox + " is not open";
      } else {
        raced_.insert(st.mailbox);
      }
      break;
    case StepKind::kReopen:
      e = w.reopen_mailbox(st.mailbox, st.person);
      break;
    case StepKind::kRegister:
      if (!why && w.open_owner(st.mailbox) != st.person) return false;
      e = w.register_person(st.person, st.mailbox);
      break;
    case StepKind::kUnregister:
      w.unregister_person(st.person);
      break;
    case StepKind::kProtect:
    case StepKind::kUnprotect:
      w.set_protected(st.person, st.kind == StepKind::kProtect);
      break;
    case StepKind::kBlock:
    case StepKind::kUnblock:
      w.set_blocked(st.person, st.sender, st.kind == StepKind::kBlock);
      break;
    case StepKind::kRegistryDown:
    case StepKind::kRegistryUp:
      w.set_registry_up(st.kind == StepKind::kRegistryUp);
      break;
    case StepKind::kOperatorDown:
    case StepKind::kOperatorUp:
      w.set_operator_up(st.op, st.kind == StepKind::kOperatorUp);
      break;
    case StepKind::kTick:
      advance(st.count);
      break;
    case StepKind::kSubmit:
    case StepKind::kRestart:
      break;
  }
  if (e.empty()) return true;
  if (why) *why = std::move(e);
  return false;
}

std::vector<Step> steps_to_rebuild(const model::World& world) {
  std::vector<Step> out;
  auto step = [&](StepKind k) -> Step& {
    out.emplace_back().kind = k;
    return out.back();
  };
  const auto mailboxes = world.mailboxes();
  bool any_closed = false;
  for (const auto& m : mailboxes) {
    Step& s = step(StepKind::kOpenUnregistered);
    s.mailbox = m.address;
    s.person = m.owner;
  }
  for (const auto& m : mailboxes) {
    if (m.open) continue;
    step(StepKind::kClose).mailbox = m.address;
    any_closed = true;
  }
  if (any_closed) step(StepKind::kTick).count = static_cast<int>(model::kReopenQuarantineTicks);
  for (const auto& p : world.persons()) {
    if (p.registered) {
      Step& s = step(StepKind::kRegister);
      s.person = p.person;
      s.mailbox = *p.registered;
    }
    if (p.is_protected) step(StepKind::kProtect).person = p.person;
    for (const auto& b : p.blocked) {
      Step& s = step(StepKind::kBlock);
      s.person = p.person;
      s.sender = b;
    }
  }
  if (!world.registry_up()) step(StepKind::kRegistryDown);
  for (const auto& op : world.operators_down()) step(StepKind::kOperatorDown).op = op;
  return out;
}

}  // namespace wrongbox
