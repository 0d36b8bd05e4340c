// Soak traffic (see the header). Every random choice goes through below(),
// a plain modulo of std::mt19937_64 (whose output the standard fixes), so the
// same seed gives the same steps with every compiler and library.
#include "harness/soak/traffic.h"

#include <algorithm>
#include <array>

#include "models/identity.h"

namespace wrongbox::soak {
namespace {

const std::array<const char*, 3> kOperators = {"kivra", "minmyndighetspost", "billo"};
// Accounts that a switch built on topics, paths or patterns confuses; the
// first persons of the population own them (their other mailboxes are plain).
const std::array<const char*, 8> kTricky = {
    "kivra/a", "kivra/a/b",   "kivra/+",     "billo/a b",
    "billo/a", "billo/a%2Fb", "kivra/a/b/c", "minmyndighetspost/x.y"};
constexpr std::size_t kRecent = 32768;  // messages a duplicate may repeat
constexpr std::size_t kHot = 64;        // persons who get a third of the mail
constexpr int kMaxRaces = 1000;         // mailboxes closed at delivery, per soak

}  // namespace

const std::vector<Profile>& profiles() {
  static const std::vector<Profile> kProfiles = [] {
    Profile day;
    day.name = "steady-day";
    day.summary =
        "an ordinary day: mostly small batches, some bulk, people moving, short outages, a "
        "restart now and then";
    Profile week;
    week.name = "incident-week";
    week.summary =
        "a bad week: long registry and operator outages under full traffic, restarts, races at "
        "delivery, and bursts of accounts closed and reopened for other people";
    week.segment = 200000;
    week.w_outage = 2;
    week.w_restart = 2;
    week.w_race = 2;
    week.outage_min = 20;
    week.outage_max = 150;
    week.burst_every = 20000;
    week.burst_size = 40;
    week.bulk_percent = 5;
    return std::vector<Profile>{day, week};
  }();
  return kProfiles;
}

const Profile* profile_by_name(std::string_view name) {
  for (const auto& p : profiles()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Traffic::Traffic(const Profile& profile, std::uint64_t seed, bool can_restart)
    : profile_(profile), rng_(seed), can_restart_(can_restart) {
  // The population: families of people easy to confuse (two centuries of one
  // 10-digit form, a coordination number of the same date and serial).
  persons_.reserve(static_cast<std::size_t>(profile.persons));
  while (persons_.size() < static_cast<std::size_t>(profile.persons)) {
    const int year = 1930 + static_cast<int>(below(80));
    const int month = 1 + static_cast<int>(below(12));
    const int day = 1 + static_cast<int>(below(28));
    const int serial = static_cast<int>(below(1000));
    auto p = model::make_person_number(year, month, day, serial, false);
    if (!p) continue;
    persons_.push_back(*p);
    const auto family = below(10);
    if (family == 0) {  // born a century earlier, same 10-digit form
      if (auto q = model::make_person_number(year - 100, month, day, serial, false)) {
        persons_.push_back(*q);
      }
    } else if (family == 1) {  // a coordination number of the same date and serial
      if (auto q = model::make_person_number(year, month, day, serial, true))
        persons_.push_back(*q);
    }
  }
  persons_.resize(static_cast<std::size_t>(profile.persons));
  for (int s = 1; s <= profile.senders; ++s) senders_.push_back("s" + std::to_string(s));
  next_id_.assign(senders_.size(), 1);
  recent_.reserve(kRecent);
  next_burst_ = profile.burst_every;

  // The world at the start: most people have a mailbox, a few are protected,
  // a few block a sender. These steps come first.
  for (std::size_t i = 0; i < persons_.size(); ++i) {
    if (i < kTricky.size() || below(10) < 7) {
      Step st;
      st.kind = StepKind::kOpen;
      st.person = persons_[i];
      st.mailbox = address(i, i < kTricky.size() ? 0 : static_cast<int>(below(kOperators.size())));
      if (try_add(st)) queued_.push_back(std::move(st));
    }
    if (below(100) < 2) {
      Step st;
      st.kind = StepKind::kProtect;
      st.person = persons_[i];
      if (try_add(st)) queued_.push_back(std::move(st));
    }
    if (below(100) < 2) {
      Step st;
      st.kind = StepKind::kBlock;
      st.person = persons_[i];
      st.sender = senders_[below(senders_.size())];
      if (try_add(st)) queued_.push_back(std::move(st));
    }
  }
}

std::string Traffic::address(std::size_t i, int op) const {
  if (i < kTricky.size() && op == 0) return kTricky[i];
  std::string a = std::string(kOperators[static_cast<std::size_t>(op)]) + "/";
  const std::string n = std::to_string(100000 + i);
  return a + n;
}

bool Traffic::try_add(Step& st) {
  return play_.add(st);
}

void Traffic::after_quiet() {
  play_.world().all_up();
  outages_.clear();
  restart_at_ = 0;
  std::erase_if(queued_, [](const Step& s) {
    return s.kind == StepKind::kRegistryUp || s.kind == StepKind::kOperatorUp;
  });
  since_quiet_ = 0;
}

void Traffic::begin_segment() {
  after_quiet();
  segment_messages_ = 0;
}

void Traffic::make_submit(Step& st) {
  st.kind = StepKind::kSubmit;
  std::size_t n = 1 + below(3);
  const bool bulk = below(100) < static_cast<std::uint64_t>(profile_.bulk_percent);
  if (bulk) {
    n = 50 + below(static_cast<std::uint64_t>(std::max(1, profile_.bulk_max - 49)));
  } else if (below(4) == 0) {
    n = 4 + below(17);
  }
  const std::size_t bulk_sender = below(senders_.size());
  st.messages.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    auto& m = st.messages[k];
    if (k > 0 && chance(profile_.batch_repeat_per_mille)) {
      m = st.messages[below(k)];  // a client that puts one message twice in its batch
      continue;
    }
    if (!recent_.empty() && chance(profile_.duplicate_per_mille)) {
      m = recent_[below(recent_.size())];  // a sender submits it again
      continue;
    }
    const std::size_t s = bulk ? bulk_sender : below(senders_.size());
    m.sender = senders_[s];
    m.id = std::to_string(next_id_[s]++);
    const std::size_t who = below(3) == 0 ? below(kHot) : below(persons_.size());
    m.subject = persons_[who];
    if (chance(profile_.invalid_per_mille)) {
      m.subject[11] = static_cast<char>('0' + (m.subject[11] - '0' + 1) % 10);
    }
    const auto parts = below(8);
    m.parts = parts < 4 ? 1 : parts < 6 ? 2 : static_cast<int>(3 + below(4));
    if (chance(profile_.invalid_per_mille)) m.parts = 0;
    if (recent_.size() < kRecent) {
      recent_.push_back(m);
    } else {
      recent_[recent_at_] = m;
      recent_at_ = (recent_at_ + 1) % kRecent;
    }
  }
  messages_ += static_cast<std::int64_t>(n);
  segment_messages_ += static_cast<std::int64_t>(n);
  since_quiet_ += static_cast<std::int64_t>(n);
}

void Traffic::start_outage() {
  const auto len =
      profile_.outage_min + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(
                                std::max(1, profile_.outage_max - profile_.outage_min + 1))));
  Step down;
  Outage o;
  o.until = now_ + len;
  if (below(3) == 0) {
    down.kind = StepKind::kRegistryDown;
    o.end.kind = StepKind::kRegistryUp;
  } else {
    down.kind = StepKind::kOperatorDown;
    down.op = kOperators[below(kOperators.size())];
    o.end.kind = StepKind::kOperatorUp;
    o.end.op = down.op;
  }
  for (const auto& other : outages_) {
    if (other.end.kind == o.end.kind && other.end.op == o.end.op) return;  // already down
  }
  play_.add(down);
  queued_.push_back(std::move(down));
  // Incidents bring restarts: now and then the switch restarts in the middle of one.
  if (can_restart_ && below(10) < 3) restart_at_ = now_ + (o.until - now_) / 2;
  outages_.push_back(std::move(o));
}

void Traffic::burst() {
  // Accounts close together (an operator's clean-up) and, after their
  // quarantine, are reopened for other people.
  std::vector<std::string> closed;
  for (int k = 0;
       k < profile_.burst_size * 3 && static_cast<int>(closed.size()) < profile_.burst_size; ++k) {
    Step st;
    st.kind = StepKind::kClose;
    st.mailbox = address(below(persons_.size()), static_cast<int>(below(kOperators.size())));
    if (!try_add(st)) continue;
    closed.push_back(st.mailbox);
    queued_.push_back(std::move(st));
  }
  Step wait;
  wait.kind = StepKind::kTick;
  wait.count = static_cast<int>(model::kReopenQuarantineTicks);
  play_.add(wait);
  now_ += wait.count;
  queued_.push_back(wait);
  for (const auto& m : closed) {
    Step st;
    st.kind = StepKind::kReopen;
    st.mailbox = m;
    st.person = persons_[below(persons_.size())];
    if (play_.world().registered_mailbox(st.person)) continue;  // they have one
    if (try_add(st)) queued_.push_back(std::move(st));
  }
}

bool Traffic::make_environment(Step& st) {
  // Changes follow the mail: a third of them concern the persons who get a
  // third of it.
  const std::size_t i = below(3) == 0 ? below(kHot) : below(persons_.size());
  const int op = static_cast<int>(below(kOperators.size()));
  st.person = persons_[i];
  const auto& w = play_.world();
  const auto total = profile_.w_move + profile_.w_close + profile_.w_reopen + profile_.w_protect +
                     profile_.w_block;
  auto r = static_cast<int>(below(static_cast<std::uint64_t>(total)));
  if ((r -= profile_.w_move) < 0) {
    // A move: a new mailbox at another operator, back to an open one, or none.
    st.mailbox = address(i, op);
    if (w.open_owner(st.mailbox) == st.person) {
      st.kind = StepKind::kRegister;
    } else if (!w.has_mailbox(st.mailbox)) {
      st.kind = StepKind::kOpen;
    } else {
      st.kind = StepKind::kUnregister;
      st.mailbox.clear();
    }
  } else if ((r -= profile_.w_close) < 0) {
    st.kind = StepKind::kClose;
    st.mailbox = address(i, op);
  } else if ((r -= profile_.w_reopen) < 0) {
    // An account closed earlier is reopened, for its owner or someone else.
    st.kind = StepKind::kReopen;
    st.mailbox = address(below(persons_.size()), op);
    if (w.registered_mailbox(st.person)) return false;
  } else if ((r -= profile_.w_protect) < 0) {
    st.kind = w.is_protected(st.person) ? StepKind::kUnprotect : StepKind::kProtect;
  } else {
    st.sender = senders_[below(senders_.size())];
    st.kind = w.is_blocked(st.person, st.sender) ? StepKind::kUnblock : StepKind::kBlock;
  }
  return try_add(st);
}

const Step& Traffic::next() {
  Step& st = step_;
  if (!queued_.empty()) {
    st = std::move(queued_.front());
    queued_.pop_front();
    return st;
  }
  if (profile_.burst_every > 0 && messages_ >= next_burst_) {
    next_burst_ += profile_.burst_every;
    burst();
    if (!queued_.empty()) return next();
  }
  while (true) {
    st = Step{};
    const int total = profile_.w_submit + profile_.w_tick + profile_.w_move + profile_.w_close +
                      profile_.w_reopen + profile_.w_protect + profile_.w_block +
                      profile_.w_outage + profile_.w_restart + profile_.w_race;
    auto r = static_cast<int>(below(static_cast<std::uint64_t>(total)));
    if ((r -= profile_.w_submit) < 0) {
      make_submit(st);
      return st;
    }
    if ((r -= profile_.w_tick) < 0) {
      st.kind = StepKind::kTick;
      st.count = 1 + static_cast<int>(below(3));
      play_.add(st);
      now_ += st.count;
      if (restart_at_ > 0 && now_ >= restart_at_) {
        restart_at_ = 0;
        Step restart;
        restart.kind = StepKind::kRestart;
        queued_.push_back(std::move(restart));
      }
      // Outages that are over end after this tick.
      for (auto it = outages_.begin(); it != outages_.end();) {
        if (it->until > now_) {
          ++it;
          continue;
        }
        play_.add(it->end);
        queued_.push_back(std::move(it->end));
        it = outages_.erase(it);
      }
      return st;
    }
    if ((r -= profile_.w_move + profile_.w_close + profile_.w_reopen + profile_.w_protect +
              profile_.w_block) < 0) {
      if (make_environment(st)) return st;
      continue;
    }
    if ((r -= profile_.w_outage) < 0) {
      start_outage();
      if (!queued_.empty()) return next();
      continue;
    }
    if ((r -= profile_.w_restart) < 0) {
      if (!can_restart_) continue;
      st.kind = StepKind::kRestart;
      return st;
    }
    // A race: the mailbox closes as the next delivery to it arrives.
    if (races_ >= kMaxRaces) continue;
    st.kind = StepKind::kCloseAtDelivery;
    const auto* m = play_.world().registered_mailbox(persons_[below(kHot)]);
    if (!m) continue;
    st.mailbox = *m;
    if (!try_add(st)) continue;
    ++races_;
    return st;
  }
}

}  // namespace wrongbox::soak
