// Generators and the plan interpreter for the property-based search.
#include "harness/check/generators.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "harness/core/playable.h"
#include "models/identity.h"
#include "models/world.h"

namespace wrongbox::check {
namespace {

namespace gen = rc::gen;

const std::array<const char*, kActionKinds> kKindNames = {
    "open",  "close",    "close-race", "reopen", "unregister", "protect",
    "block", "registry", "operator",   "submit", "tick",       "restart"};

// Which feature gates an action kind (0: always available).
std::uint32_t feature_of(ActionKind k) {
  switch (k) {
    case ActionKind::kClose:
      return kFeatClose;
    case ActionKind::kCloseRace:
      return kFeatRaces;
    case ActionKind::kReopen:
      return kFeatReopen;
    case ActionKind::kUnregister:
      return kFeatMoves;
    case ActionKind::kProtect:
      return kFeatProtected;
    case ActionKind::kBlock:
      return kFeatBlocked;
    case ActionKind::kRegistry:
    case ActionKind::kOperator:
      return kFeatOutages;
    case ActionKind::kRestart:
      return kFeatRestart;
    default:
      return 0;
  }
}

// Accounts that break switches built on topics, paths, patterns or case folding.
const std::vector<std::string> kAccounts = {"000042", "000043", "a",   "a/b", "a/b/c",
                                            "+",      "#",      "A",   "a b", "a%2Fb",
                                            "*",      ">",      "x.y", "0",   "\xc3\x85s\xc3\xa4",
                                            "a+",     "42"};
const std::vector<std::string> kOperators = {"kivra", "minmyndighetspost", "billo"};

// A categorical choice, uniform whatever RapidCheck's current size (inRange
// scales its range with size; choices of kind, index or family must not).
template <typename T>
rc::Gen<T> uniform(T lo, T hi) {
  return gen::resize(rc::kNominalSize, gen::inRange<T>(lo, hi));
}

template <typename T>
T pick_of(const std::vector<T>& v) {
  return v[static_cast<std::size_t>(*uniform<int>(0, static_cast<int>(v.size())))];
}

std::string mutate_digit(const std::string& p) {
  // An invalid number one check digit away from a real person.
  std::string s = p;
  s[11] = static_cast<char>('0' + (s[11] - '0' + 1) % 10);
  return s;
}

}  // namespace

const char* to_string(ActionKind k) {
  return kKindNames[static_cast<int>(k)];
}

std::string apply_weights(GenConfig& cfg, const std::string& spec) {
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string::npos) return "expected KIND=WEIGHT, got '" + item + "'";
    const auto name = item.substr(0, eq);
    int w = 0;
    try {
      std::size_t used = 0;
      w = std::stoi(item.substr(eq + 1), &used);
      if (used != item.size() - eq - 1 || w < 0 || w > 1000) throw std::out_of_range("");
    } catch (const std::exception&) {
      return "weight of '" + name + "' must be a whole number from 0 to 1000";
    }
    bool found = false;
    for (int k = 0; k < kActionKinds; ++k) {
      if (name == kKindNames[k]) {
        cfg.weights[k] = w;
        found = true;
      }
    }
    if (!found) {
      std::string all;
      for (auto n : kKindNames) all += std::string(all.empty() ? "" : ", ") + n;
      return "unknown action kind '" + name + "' (kinds: " + all + ")";
    }
  }
  if (cfg.weights[static_cast<int>(ActionKind::kSubmit)] == 0) {
    return "the weight of submit must be above 0";
  }
  return "";
}

void showValue(const Plan& p, std::ostream& os) {
  os << "plan: " << p.persons.size() << " persons, " << p.mailboxes.size() << " mailboxes, "
     << p.actions.size() << " actions, features 0x" << std::hex << p.features << std::dec;
}

rc::Gen<std::vector<std::string>> gen_person_pool() {
  return gen::exec([] {
    const int n = *uniform<int>(2, 7);
    const int year = pick_of<int>({1912, 1950, 1985, 1990, 2005, 2012, 1805, 2099});
    const int month = *uniform<int>(1, 13);
    const int day = *uniform<int>(1, 29);
    const int serial = *uniform<int>(0, 1000);
    std::vector<std::string> pool;
    auto add = [&](std::optional<std::string> p) {
      if (p && std::find(pool.begin(), pool.end(), *p) == pool.end()) pool.push_back(*p);
    };
    add(model::make_person_number(year, month, day, serial, false));
    // Bounded: shrinking drives every pick to its minimum, which repeats a family member.
    for (int tries = 0; static_cast<int>(pool.size()) < n && tries < 4 * n; ++tries) {
      switch (*uniform<int>(0, 6)) {
        case 0:  // same 10 digits, other century
          add(model::make_person_number(year >= 2000 ? year - 100 : year + 100, month, day, serial,
                                        false));
          break;
        case 1:  // samordningsnummer of the same date and serial
          add(model::make_person_number(year, month, day, serial, true));
          break;
        case 2:  // one-digit neighbour in the serial
          add(model::make_person_number(year, month, day,
                                        (serial + pick_of<int>({1, 10, 100})) % 1000, false));
          break;
        case 3:  // born 2000-2009: a leading zero in the 10-digit form
          add(model::make_person_number(2000 + *uniform<int>(0, 10), month, day, serial, false));
          break;
        case 4:  // neighbouring date
          add(model::make_person_number(year, month, day % 28 + 1, serial, false));
          break;
        default:  // unrelated
          add(model::make_person_number(*uniform<int>(1900, 2025), *uniform<int>(1, 13),
                                        *uniform<int>(1, 29), *uniform<int>(0, 1000), false));
      }
    }
    return pool;
  });
}

rc::Gen<std::vector<std::string>> gen_mailbox_pool() {
  return gen::exec([] {
    const int n = *uniform<int>(3, 8);
    std::vector<std::string> pool;
    for (int guard = 0; static_cast<int>(pool.size()) < n && guard < 50; ++guard) {
      const int op_roll = *uniform<int>(0, 9);
      const auto& op = kOperators[op_roll < 6 ? 0 : op_roll < 8 ? 1 : 2];
      std::string account =
          *uniform<int>(0, 4) < 3 ? pick_of(kAccounts) : std::to_string(*uniform<int>(0, 1000000));
      std::string address = op + "/" + account;
      if (std::find(pool.begin(), pool.end(), address) == pool.end()) pool.push_back(address);
    }
    return pool;
  });
}

rc::Gen<Plan> gen_plan(const GenConfig& cfg) {
  return gen::exec([cfg] {
    Plan p;
    p.persons = *gen_person_pool();
    p.mailboxes = *gen_mailbox_pool();
    p.features = cfg.swarm ? *uniform<std::uint32_t>(0, 1u << 11) : ~0u;
    const int np = static_cast<int>(p.persons.size());
    const int nm = static_cast<int>(p.mailboxes.size());
    p.setup = *gen::resize(np, gen::container<std::vector<std::pair<int, int>>>(
                                   gen::pair(uniform<int>(0, nm), uniform<int>(0, np))));
    const std::uint32_t f = p.features;
    const int batch_max = (f & kFeatBigBatches) ? cfg.max_batch : 3;
    const int max_parts = cfg.max_parts;
    auto gen_msg = [max_parts, f] {
      return gen::exec([max_parts, f] {
        MsgAction m;
        m.sender = *uniform<int>(0, 3);
        m.id_hint = *uniform<int>(0, 1000);
        m.subject = *uniform<int>(0, 64);
        m.parts = *uniform<int>(1, max_parts + 1);
        m.invalid = (f & kFeatInvalid) && *uniform<int>(0, 9) == 0;
        return m;
      });
    };
    // Enabled kinds with their weights; a pick is a point on the cumulative line.
    std::vector<std::pair<int, ActionKind>> enabled;
    int total = 0;
    for (int k = 0; k < kActionKinds; ++k) {
      const auto kind = static_cast<ActionKind>(k);
      const auto feat = feature_of(kind);
      if (cfg.weights[k] <= 0 || (feat != 0 && !(f & feat))) continue;
      total += cfg.weights[k];
      enabled.emplace_back(total, kind);
    }
    auto gen_action = gen::exec([enabled, total, batch_max, gen_msg] {
      const int point = *uniform<int>(0, total);
      Action a;
      for (const auto& [upto, kind] : enabled) {
        if (point < upto) {
          a.kind = kind;
          break;
        }
      }
      a.a = *uniform<int>(0, 64);
      a.b = *uniform<int>(0, 64);
      if (a.kind == ActionKind::kSubmit) {
        // A container (not a fixed count) so that shrinking can drop any message.
        a.msgs = *gen::resize(batch_max, gen::container<std::vector<MsgAction>>(
                                             gen::resize(rc::kNominalSize, gen_msg())));
        if (a.msgs.empty()) a.msgs.push_back(*gen::resize(rc::kNominalSize, gen_msg()));
      }
      return a;
    });
    // The number of actions grows with RapidCheck's size up to max_steps.
    const int max_steps = cfg.max_steps;
    p.actions = *gen::withSize([gen_action, max_steps](int size) {
      const int most = std::max(1, max_steps * std::min(size, 100) / 100);
      return gen::resize(
          most, gen::container<std::vector<Action>>(gen::resize(rc::kNominalSize, gen_action)));
    });
    return p;
  });
}

Scenario interpret(const Plan& plan, const GenConfig&) {
  Scenario sc;
  // The model as the emitted steps change it: every step goes through the
  // one rule of what is playable (harness/core/playable.h).
  PlayableBuilder play(PlayableBuilder::Policy::kNoRacedReuse);
  const model::World& w = play.world();
  int counter = 0;
  std::set<std::string> used;
  std::map<std::string, std::string> owner;  // last owner of each used mailbox
  std::map<std::string, std::int64_t> closed_at;
  const int np = static_cast<int>(plan.persons.size());
  const int nm = static_cast<int>(plan.mailboxes.size());
  if (np == 0 || nm == 0) return sc;
  auto person = [&](int i) { return plan.persons[static_cast<std::size_t>(i % np)]; };
  // Plans choose only playable steps; one the model refused would be a bug
  // of the interpretation, and is left out rather than played.
  auto emit = [&](Step st) {
    if (play.add(st)) sc.steps.push_back(std::move(st));
  };
  auto open_for = [&](const std::string& mb, const std::string& p) {
    used.insert(mb);
    owner[mb] = p;
    Step st;
    st.kind = StepKind::kOpen;
    st.mailbox = mb;
    st.person = p;
    emit(std::move(st));
  };
  auto tick = [&](int n) {
    Step st;
    st.kind = StepKind::kTick;
    st.count = n;
    emit(std::move(st));
  };
  // Mailboxes in a given state, in pool order; raced ones are left alone.
  auto pick = [&](bool open, int index) -> std::optional<std::string> {
    std::vector<std::string> c;
    for (const auto& mb : plan.mailboxes) {
      if (used.count(mb) && !play.raced(mb) && w.open_owner(mb).has_value() == open) {
        c.push_back(mb);
      }
    }
    if (c.empty()) return std::nullopt;
    return c[static_cast<std::size_t>(index) % c.size()];
  };

  for (const auto& [mi, pi] : plan.setup) {
    const auto& mb = plan.mailboxes[static_cast<std::size_t>(mi % nm)];
    if (!used.count(mb)) open_for(mb, person(pi));
  }
  for (const auto& a : plan.actions) {
    Step st;
    switch (a.kind) {
      case ActionKind::kOpen:
        for (int k = 0; k < nm; ++k) {
          const auto& mb = plan.mailboxes[static_cast<std::size_t>((a.b + k) % nm)];
          if (!used.count(mb)) {
            open_for(mb, person(a.a));
            break;
          }
        }
        break;
      case ActionKind::kClose:
      case ActionKind::kCloseRace:
        if (auto mb = pick(true, a.a)) {
          st.kind = a.kind == ActionKind::kClose ? StepKind::kClose : StepKind::kCloseAtDelivery;
          st.mailbox = *mb;
          if (a.kind == ActionKind::kClose) closed_at[*mb] = play.now();
          emit(std::move(st));  // a race: its state is the switch's timing from here on
        }
        break;
      case ActionKind::kReopen: {
        // Recycling an account: with none closed, close an open one first.
        auto mb = pick(false, a.a);
        if (!mb) {
          if (auto open = pick(true, a.a)) {
            closed_at[*open] = play.now();
            Step close;
            close.kind = StepKind::kClose;
            close.mailbox = *open;
            emit(std::move(close));
            mb = open;
          }
        }
        if (mb) {
          std::string p = person(a.b);
          if (p == owner[*mb] && np > 1) p = person(a.b + 1);
          const auto wait = closed_at[*mb] + model::kReopenQuarantineTicks - play.now();
          if (wait > 0) tick(static_cast<int>(wait));
          owner[*mb] = p;
          st.kind = StepKind::kReopen;
          st.mailbox = *mb;
          st.person = p;
          emit(std::move(st));
        }
        break;
      }
      case ActionKind::kUnregister:
        if (w.lookup(person(a.a)).mailbox) {
          st.kind = StepKind::kUnregister;
          st.person = person(a.a);
          emit(std::move(st));
        }
        break;
      case ActionKind::kProtect: {
        const auto p = person(a.a);
        const bool on = !w.is_protected(p);
        st.kind = on ? StepKind::kProtect : StepKind::kUnprotect;
        st.person = p;
        emit(std::move(st));
        break;
      }
      case ActionKind::kBlock: {
        const auto p = person(a.a);
        const std::string s = "s" + std::to_string(a.b % 3 + 1);
        const bool on = !w.is_blocked(p, s);
        st.kind = on ? StepKind::kBlock : StepKind::kUnblock;
        st.person = p;
        st.sender = s;
        emit(std::move(st));
        break;
      }
      case ActionKind::kRegistry:
        st.kind = w.registry_up() ? StepKind::kRegistryDown : StepKind::kRegistryUp;
        emit(std::move(st));
        break;
      case ActionKind::kOperator: {
        const std::string op(
            model::operator_of(plan.mailboxes[static_cast<std::size_t>(a.a % nm)]));
        const bool up = w.operator_up(op);
        st.kind = up ? StepKind::kOperatorDown : StepKind::kOperatorUp;
        st.op = op;
        emit(std::move(st));
        break;
      }
      case ActionKind::kSubmit:
        st.kind = StepKind::kSubmit;
        for (const auto& m : a.msgs) {
          MessageSpec ms;
          ms.sender = "s" + std::to_string(m.sender + 1);
          ms.id = (plan.features & kFeatSharedIds) ? std::to_string(m.id_hint % 3 + 1)
                                                   : std::to_string(++counter);
          ms.subject = person(m.subject);
          ms.parts = m.parts;
          if (m.invalid) {  // an invalid subject, no parts, or both
            if (m.id_hint % 3 != 0) ms.subject = mutate_digit(ms.subject);
            if (m.id_hint % 3 != 1) ms.parts = 0;
          }
          st.messages.push_back(std::move(ms));
        }
        emit(std::move(st));
        break;
      case ActionKind::kTick:
        tick(1 + a.b % 3);
        break;
      case ActionKind::kRestart:
        st.kind = StepKind::kRestart;
        emit(std::move(st));
        break;
    }
  }
  return sc;
}

Coverage coverage_of(const Scenario& s) {
  Coverage c;
  std::set<std::string> subjects;
  std::map<std::string, std::set<std::string>> senders_of_id;
  std::set<std::string> registered, addresses;
  for (const auto& st : s.steps) {
    switch (st.kind) {
      case StepKind::kOpen:
        if (registered.count(st.person)) c.move = true;
        registered.insert(st.person);
        addresses.insert(st.mailbox);
        break;
      case StepKind::kOpenUnregistered:
        addresses.insert(st.mailbox);
        break;
      case StepKind::kRegister:
      case StepKind::kUnregister:
        c.move = true;
        break;
      case StepKind::kClose:
        c.close = true;
        break;
      case StepKind::kCloseAtDelivery:
        c.race = true;
        break;
      case StepKind::kReopen:
        c.reopen = true;
        break;
      case StepKind::kProtect:
        c.protected_person = true;
        break;
      case StepKind::kBlock:
        c.blocked = true;
        break;
      case StepKind::kRegistryDown:
      case StepKind::kOperatorDown:
        c.outage = true;
        break;
      case StepKind::kRestart:
        c.restart = true;
        break;
      case StepKind::kSubmit:
        if (st.messages.size() > 1) c.batch = true;
        for (const auto& m : st.messages) {
          if (m.parts == 0 || !model::is_valid_person_number(m.subject)) {
            c.invalid = true;
          } else {
            subjects.insert(m.subject);
          }
          senders_of_id[m.id].insert(m.sender);
        }
        break;
      default:
        break;
    }
  }
  for (const auto& [id, ss] : senders_of_id) c.duplicate_id |= ss.size() > 1;
  const std::vector<std::string> subj(subjects.begin(), subjects.end());
  for (std::size_t i = 0; i < subj.size() && !c.collision; ++i) {
    for (std::size_t j = i + 1; j < subj.size(); ++j) {
      if (model::in_collision_family(subj[i], subj[j])) {
        c.collision = true;
        break;
      }
    }
  }
  for (const auto& a : addresses) {
    if (model::has_pattern_characters(a)) c.tricky_address = true;
    for (const auto& b : addresses) {
      if (model::is_path_prefix(a, b)) c.tricky_address = true;
    }
  }
  return c;
}

}  // namespace wrongbox::check
