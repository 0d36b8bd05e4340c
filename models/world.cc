// Environment state and routing rules (docs/exchange.md, "Routing rules").
#include "models/world.h"

#include <algorithm>
#include <string>

#include "models/identity.h"

namespace wrongbox::model {

std::string_view to_string(SinkKind k) {
  switch (k) {
    case SinkKind::kMailbox:
      return "mailbox";
    case SinkKind::kPaper:
      return "paper";
    case SinkKind::kHold:
      return "hold";
  }
  return "?";
}

std::string describe(const Route& r) {
  if (r.kind == SinkKind::kMailbox) return "mailbox " + r.mailbox;
  return r.kind == SinkKind::kPaper ? "paper" : "manual hold";
}

std::string_view operator_of(std::string_view address) {
  return address.substr(0, address.find('/'));
}

bool has_pattern_characters(std::string_view address) {
  const auto slash = address.find('/');
  const auto account = slash == std::string_view::npos ? address : address.substr(slash + 1);
  return account.find_first_of("+#*>% ") != std::string_view::npos;
}

bool is_path_prefix(std::string_view shorter, std::string_view longer) {
  return longer.size() > shorter.size() && longer.substr(0, shorter.size()) == shorter &&
         longer[shorter.size()] == '/';
}

std::string check_mailbox_address(std::string_view a) {
  const auto slash = a.find('/');
  if (slash == std::string_view::npos) return "a mailbox address is OPERATOR/ACCOUNT";
  const auto op = a.substr(0, slash);
  if (op.empty()) return "the operator part of a mailbox address is empty";
  for (char c : op) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return "an operator name uses only a-z, 0-9, '-' and '_'";
  }
  const auto account = a.substr(slash + 1);
  std::size_t code_points = 0;
  for (unsigned char c : account) {
    if (c < 0x20 || c == 0x7f) return "an account holds only printable characters";
    if ((c & 0xC0) != 0x80) ++code_points;
  }
  if (code_points < 1 || code_points > 64) return "an account has 1 to 64 characters";
  return "";
}

std::string World::open_mailbox(const std::string& mailbox, const std::string& owner,
                                bool register_owner) {
  if (auto e = check_mailbox_address(mailbox); !e.empty()) return e;
  if (auto it = mailboxes_.find(mailbox); it != mailboxes_.end()) {
    return it->second.open ? mailbox + " is already open"
                           : mailbox + " existed before; use reopen after quarantine";
  }
  mailboxes_[mailbox] = MailboxState{owner, true, 0};
  operators_up_.try_emplace(std::string(operator_of(mailbox)), true);
  if (register_owner)
    set_registered(owner, mailbox);
  else
    person(owner);
  return "";
}

std::string World::close_mailbox(const std::string& mailbox) {
  auto it = mailboxes_.find(mailbox);
  if (it == mailboxes_.end() || !it->second.open) return mailbox + " is not open";
  it->second.open = false;
  it->second.closed_at = now_;
  for (auto& [p, st] : persons_) {
    if (st.registered == mailbox) st.registered.reset();
  }
  return "";
}

std::string World::reopen_mailbox(const std::string& mailbox, const std::string& new_owner) {
  auto it = mailboxes_.find(mailbox);
  if (it == mailboxes_.end()) return mailbox + " never existed; use open";
  if (it->second.open) return mailbox + " is open; close it first";
  if (now_ - it->second.closed_at < kReopenQuarantineTicks) {
    return mailbox + " closed at tick " + std::to_string(it->second.closed_at) +
           "; quarantine lasts until tick " +
           std::to_string(it->second.closed_at + kReopenQuarantineTicks);
  }
  const bool other = it->second.owner != new_owner;
  it->second = MailboxState{new_owner, true, 0, it->second.reopened || other};
  set_registered(new_owner, mailbox);
  return "";
}

std::string World::register_person(const std::string& p, const std::string& mailbox) {
  auto it = mailboxes_.find(mailbox);
  if (it == mailboxes_.end() || !it->second.open) return mailbox + " is not open";
  if (it->second.owner != p) return mailbox + " belongs to " + it->second.owner;
  set_registered(p, mailbox);
  return "";
}

void World::set_registered(const std::string& p, const std::string& mailbox) {
  auto& st = person(p);
  st.registered = mailbox;
  if (!st.first_registered) st.first_registered = mailbox;
}

MailboxHistory World::history_of(const std::string& p) const {
  auto it = persons_.find(p);
  return it == persons_.end() ? MailboxHistory::kNone : history_of(it->second);
}

MailboxHistory World::history_of(const PersonState& st) const {
  if (!st.registered) return MailboxHistory::kNone;
  const auto& mailbox = *st.registered;
  auto m = mailboxes_.find(mailbox);
  if (m != mailboxes_.end() && m->second.reopened) return MailboxHistory::kReopened;
  return st.first_registered == mailbox ? MailboxHistory::kOriginal : MailboxHistory::kMoved;
}

const std::string* World::registered_mailbox(const std::string& p) const {
  auto it = persons_.find(p);
  return it == persons_.end() || !it->second.registered ? nullptr : &*it->second.registered;
}

bool World::anyone_protected() const {
  return !protected_.empty();
}

bool World::has_path_relative(const std::string& mailbox) const {
  // An open mailbox whose address is `mailbox` cut at one of its '/' ...
  const std::string_view m = mailbox;
  for (auto slash = m.find('/'); slash != std::string_view::npos; slash = m.find('/', slash + 1)) {
    auto it = mailboxes_.find(m.substr(0, slash));
    if (it != mailboxes_.end() && it->second.open) return true;
  }
  // ... or one that continues `mailbox` after a '/' (they sort right after
  // "mailbox/", and before "mailbox0", '0' being the character after '/').
  for (auto it = mailboxes_.upper_bound(m); it != mailboxes_.end(); ++it) {
    const std::string_view other = it->first;
    if (!other.starts_with(m) || other.size() == m.size()) break;
    if (other[m.size()] > '/') break;
    if (other[m.size()] == '/' && it->second.open) return true;
  }
  return false;
}

void World::unregister_person(const std::string& p) {
  person(p).registered.reset();
}
void World::set_protected(const std::string& p, bool on) {
  auto& st = person(p);
  if (st.is_protected == on) return;
  st.is_protected = on;
  ++protection_version_;
  if (on) {
    protected_[p] = p.size() == 12 ? ten_digit_form(p) : p;
  } else {
    protected_.erase(p);
  }
}

void World::set_blocked(const std::string& p, const std::string& sender, bool on) {
  if (on)
    person(p).blocked.insert(sender);
  else
    person(p).blocked.erase(sender);
}

void World::set_operator_up(const std::string& op, bool up) {
  operators_up_[op] = up;
}

void World::all_up() {
  registry_up_ = true;
  for (auto& [op, up] : operators_up_) up = true;
}

bool World::operator_up(std::string_view op) const {
  auto it = operators_up_.find(op);
  return it == operators_up_.end() || it->second;
}

bool World::operator_known(std::string_view op) const {
  return operators_up_.find(op) != operators_up_.end();
}

LookupAnswer World::lookup(const std::string& p) const {
  LookupAnswer a;
  auto it = persons_.find(p);
  if (it == persons_.end()) return a;
  a.mailbox = it->second.registered;
  a.is_protected = it->second.is_protected;
  a.blocked_senders.assign(it->second.blocked.begin(), it->second.blocked.end());
  return a;
}

std::optional<std::string> World::open_owner(const std::string& mailbox) const {
  auto it = mailboxes_.find(mailbox);
  if (it == mailboxes_.end() || !it->second.open) return std::nullopt;
  return it->second.owner;
}

bool World::is_protected(const std::string& p) const {
  auto it = persons_.find(p);
  return it != persons_.end() && it->second.is_protected;
}

bool World::is_blocked(const std::string& p, const std::string& sender) const {
  auto it = persons_.find(p);
  return it != persons_.end() && it->second.blocked.count(sender) > 0;
}

std::vector<std::string> World::protected_persons() const {
  std::vector<std::string> out;
  for (const auto& [p, ten] : protected_) out.push_back(p);
  return out;
}

Route World::route(const std::string& p, const std::string& sender) const {
  auto it = persons_.find(p);
  if (it == persons_.end()) return route_of(nullptr, false);
  return route_of(&it->second, it->second.blocked.count(sender) > 0);
}

Route World::route_of(const PersonState* st, bool blocked) {
  if (st && st->registered && !blocked) return Route{SinkKind::kMailbox, *st->registered};
  if (st && st->is_protected) return Route{SinkKind::kHold, {}};
  return Route{SinkKind::kPaper, {}};
}

World::Facts World::facts(const std::string& p, const std::string& sender) const {
  Facts f;
  auto it = persons_.find(p);
  if (it == persons_.end()) {
    f.route = route_of(nullptr, false);
    return f;
  }
  const PersonState& st = it->second;
  f.blocked = st.blocked.count(sender) > 0;
  f.route = route_of(&st, f.blocked);
  f.mailbox = st.registered ? &*st.registered : nullptr;
  f.history = history_of(st);
  f.is_protected = st.is_protected;
  return f;
}

std::vector<World::MailboxInfo> World::mailboxes() const {
  std::vector<MailboxInfo> out;
  out.reserve(mailboxes_.size());
  for (const auto& [m, st] : mailboxes_) out.push_back({m, st.owner, st.open, st.closed_at});
  return out;
}

std::vector<World::PersonInfo> World::persons() const {
  std::vector<PersonInfo> out;
  out.reserve(persons_.size());
  for (const auto& [p, st] : persons_) {
    out.push_back({p, st.registered, st.is_protected, {st.blocked.begin(), st.blocked.end()}});
  }
  std::sort(out.begin(), out.end(),
            [](const PersonInfo& a, const PersonInfo& b) { return a.person < b.person; });
  return out;
}

std::vector<std::string> World::operators_down() const {
  std::vector<std::string> out;
  for (const auto& [op, up] : operators_up_) {
    if (!up) out.push_back(op);
  }
  return out;
}

}  // namespace wrongbox::model
