// Structure-aware byte encoding of scenarios.
#include "fuzz/scenario_codec.h"

#include <algorithm>
#include <array>
#include <set>

#include "harness/core/playable.h"
#include "models/identity.h"
#include "models/world.h"

namespace wrongbox::fuzz {
namespace {

constexpr std::array<const char*, 3> kOperators = {"kivra", "minmyndighetspost", "billo"};
constexpr int kStepKinds = 18;
constexpr std::size_t kMaxPersons = 8, kMaxMailboxes = 8, kMaxSenders = 4, kMaxBatch = 16;
// A count byte at or above this asks for a large count (batch, parts, ticks).
constexpr int kLarge = 0xf0;

struct Reader {
  const std::uint8_t* p;
  std::size_t n;
  std::size_t i = 0;
  std::uint8_t u8() { return i < n ? p[i++] : 0; }
  std::uint16_t u16() {
    const auto lo = u8();
    return static_cast<std::uint16_t>(lo | (u8() << 8));
  }
  bool done() const { return i >= n; }
  // Appends a string of printable ASCII (0x20-0x7e), length lo..hi.
  std::string& append_text(std::string& out, int lo, int hi) {
    const auto at = out.size();
    out.resize(at + static_cast<std::size_t>(lo + u8() % (hi - lo + 1)));
    for (auto k = at; k < out.size(); ++k) out[k] = static_cast<char>(0x20 + u8() % 95);
    return out;
  }
};

// A decoded table (persons, mailboxes, senders): at most N strings, in place
// (an added string never moves the others).
template <std::size_t N>
struct Table {
  std::array<std::string, N> items;
  std::size_t n = 0;
  std::string& add() { return items[n++]; }
  const std::string& back() const { return items[n - 1]; }
  const std::string& pick(std::uint8_t b) const { return items[b % n]; }
};

struct Writer {
  std::vector<std::uint8_t> out;
  void u8(int v) { out.push_back(static_cast<std::uint8_t>(v)); }
  void u16(int v) {
    u8(v & 0xff);
    u8((v >> 8) & 0xff);
  }
  bool text(const std::string& s, int lo, int hi) {
    if (static_cast<int>(s.size()) < lo || static_cast<int>(s.size()) > hi) return false;
    u8(static_cast<int>(s.size()) - lo);
    for (char c : s) {
      if (c < 0x20 || c > 0x7e) return false;
      u8(c - 0x20);
    }
    return true;
  }
};

// Flags byte of a person: bit 0 coordination number; bit 1 "the previous
// person one century later (or earlier)": same 10-digit form, a collision
// family that random dates would almost never produce.
std::string person_from(Reader& r, const std::string* previous) {
  int year = 1800 + r.u16() % 300;
  int month = 1 + r.u8() % 12;
  int day_byte = r.u8();
  int serial = r.u16() % 1000;
  const auto flags = r.u8();
  bool coord = flags & 1;
  if ((flags & 2) && previous) {
    const auto& p = *previous;
    const int y = std::stoi(p.substr(0, 4));
    year = y + 100 <= 2099 ? y + 100 : y - 100;
    month = std::stoi(p.substr(4, 2));
    day_byte = std::stoi(p.substr(6, 2));
    coord = day_byte > 60;
    if (coord) day_byte -= 60;
    day_byte = std::min(day_byte, model::days_in_month(year, month)) - 1;
    serial = std::stoi(p.substr(8, 3));
  }
  const int day = 1 + day_byte % model::days_in_month(year, month);
  return *model::make_person_number(year, month, day, serial, coord);
}

void person_to(Writer& w, const std::string& p) {
  const int year = std::stoi(p.substr(0, 4));
  int day = std::stoi(p.substr(6, 2));
  const bool coord = day > 60;
  if (coord) day -= 60;
  w.u16(year - 1800);
  w.u8(std::stoi(p.substr(4, 2)) - 1);
  w.u8(day - 1);
  w.u16(std::stoi(p.substr(8, 3)));
  w.u8(coord ? 1 : 0);
}

// Keeps the decoded scenario playable: applies each environment step to a
// model and drops it when the runner would refuse it.
}  // namespace

Scenario decode_scenario(const std::uint8_t* data, std::size_t size) {
  Reader r{data, size};
  Table<kMaxPersons> persons;
  Table<kMaxMailboxes> mailboxes;
  Table<kMaxSenders> senders;
  const int np = 1 + r.u8() % kMaxPersons;
  for (int i = 0; i < np; ++i) {
    const std::string* previous = i ? &persons.back() : nullptr;
    persons.add() = person_from(r, previous);
  }
  const int nm = 1 + r.u8() % kMaxMailboxes;
  for (int i = 0; i < nm; ++i) {
    // Operator byte: bit 7 "the previous address extended by /ACCOUNT" (one
    // address a prefix of another), else the operator of a new address.
    const auto opb = r.u8();
    const std::string* previous = i ? &mailboxes.back() : nullptr;
    std::string& mb = mailboxes.add();
    if ((opb & 0x80) && previous) {
      r.append_text(mb.append(*previous).append("/"), 1, 8);
    } else {
      r.append_text(mb.append(kOperators[(opb & 0x7f) % kOperators.size()]).append("/"), 1, 64);
    }
  }
  const int ns = 1 + r.u8() % kMaxSenders;
  for (int i = 0; i < ns; ++i) r.append_text(senders.add(), 1, 8);
  auto person = [&] { return persons.pick(r.u8()); };
  auto mailbox = [&] { return mailboxes.pick(r.u8()); };
  auto sender = [&] { return senders.pick(r.u8()); };

  Scenario sc;
  sc.steps.reserve(kMaxDecodedSteps);
  // Steps the state makes impossible are dropped, as is any step on a
  // mailbox after it was closed at delivery.
  PlayableBuilder v(PlayableBuilder::Policy::kNoRacedReuse);
  while (!r.done() && sc.steps.size() < kMaxDecodedSteps) {
    Step st;
    st.kind = static_cast<StepKind>(r.u8() % kStepKinds);
    switch (st.kind) {
      case StepKind::kOpen:
      case StepKind::kOpenUnregistered:
      case StepKind::kReopen:
        st.mailbox = mailbox();
        st.person = person();
        break;
      case StepKind::kClose:
      case StepKind::kCloseAtDelivery:
        st.mailbox = mailbox();
        break;
      case StepKind::kRegister:
        st.person = person();
        st.mailbox = mailbox();
        break;
      case StepKind::kUnregister:
      case StepKind::kProtect:
      case StepKind::kUnprotect:
        st.person = person();
        break;
      case StepKind::kBlock:
      case StepKind::kUnblock:
        st.person = person();
        st.sender = sender();
        break;
      case StepKind::kOperatorDown:
      case StepKind::kOperatorUp:
        st.op = kOperators[r.u8() % kOperators.size()];
        break;
      case StepKind::kSubmit: {
        // Counts are small unless a byte of 0xf0 or more asks for more
        // (1 in 16 random bytes): most defects need two or three messages of
        // one part, and small is fast.
        const auto nb = r.u8();
        const int n = nb >= kLarge ? 1 + (nb & 0x0f) : nb % 5;
        st.messages.reserve(static_cast<std::size_t>(n));
        for (int k = 0; k < n; ++k) {
          MessageSpec m;
          m.sender = sender();
          r.append_text(m.id, 0, 8);
          if (r.u8() & 1)
            r.append_text(m.subject, 0, 16);
          else
            m.subject = person();
          const auto pb = r.u8();
          m.parts = pb >= kLarge ? 4 + r.u8() % (kMaxParts - 3) : pb % 4;
          st.messages.push_back(std::move(m));
        }
        break;
      }
      case StepKind::kTick: {
        // Mostly a few ticks (enough for any quarantine); 0xf0 or more: up
        // to 1000 (costly when messages wait through an outage).
        const auto b = r.u8();
        st.count = b >= kLarge ? 1 + (((b & 0x0f) << 8) | r.u8()) % kMaxTickCount : 1 + b % 16;
        break;
      }
      default:
        break;
    }
    if (v.add(st)) sc.steps.push_back(std::move(st));
  }
  return sc;
}

std::optional<std::vector<std::uint8_t>> encode_scenario(const Scenario& s, std::string& why) {
  std::vector<std::string> persons, mailboxes, senders;
  auto index = [](std::vector<std::string>& table, const std::string& x) {
    auto it = std::find(table.begin(), table.end(), x);
    if (it != table.end()) return static_cast<int>(it - table.begin());
    table.push_back(x);
    return static_cast<int>(table.size() - 1);
  };
  for (const auto& st : s.steps) {
    if (!st.person.empty()) index(persons, st.person);
    if (!st.mailbox.empty()) index(mailboxes, st.mailbox);
    if (!st.sender.empty()) index(senders, st.sender);
    for (const auto& m : st.messages) {
      index(senders, m.sender);
      if (model::is_valid_person_number(m.subject)) index(persons, m.subject);
    }
  }
  if (persons.empty()) persons.push_back("199001011239");
  if (mailboxes.empty()) mailboxes.push_back("kivra/a");
  if (senders.empty()) senders.push_back("s1");
  if (persons.size() > kMaxPersons || mailboxes.size() > kMaxMailboxes ||
      senders.size() > kMaxSenders || s.steps.size() > kMaxDecodedSteps) {
    why = "the fuzzer encoding holds at most 8 persons, 8 mailboxes, 4 senders and 16 steps";
    return std::nullopt;
  }
  Writer w;
  w.u8(static_cast<int>(persons.size()) - 1);
  for (const auto& p : persons) person_to(w, p);
  w.u8(static_cast<int>(mailboxes.size()) - 1);
  for (const auto& mb : mailboxes) {
    const auto slash = mb.find('/');
    const auto op = mb.substr(0, slash);
    auto it = std::find(kOperators.begin(), kOperators.end(), op);
    if (it == kOperators.end()) {
      why = "operator '" + op + "' is not one of kivra, minmyndighetspost, billo";
      return std::nullopt;
    }
    w.u8(static_cast<int>(it - kOperators.begin()));
    if (!w.text(mb.substr(slash + 1), 1, 64)) {
      why = "account of " + mb + " is not 1-64 printable ASCII characters";
      return std::nullopt;
    }
  }
  w.u8(static_cast<int>(senders.size()) - 1);
  for (const auto& x : senders) {
    if (!w.text(x, 1, 8)) {
      why = "sender '" + x + "' is not 1-8 printable ASCII characters";
      return std::nullopt;
    }
  }
  auto at = [](const std::vector<std::string>& t, const std::string& x) {
    return static_cast<int>(std::find(t.begin(), t.end(), x) - t.begin());
  };
  for (const auto& st : s.steps) {
    w.u8(static_cast<int>(st.kind));
    switch (st.kind) {
      case StepKind::kOpen:
      case StepKind::kOpenUnregistered:
      case StepKind::kReopen:
        w.u8(at(mailboxes, st.mailbox));
        w.u8(at(persons, st.person));
        break;
      case StepKind::kClose:
      case StepKind::kCloseAtDelivery:
        w.u8(at(mailboxes, st.mailbox));
        break;
      case StepKind::kRegister:
        w.u8(at(persons, st.person));
        w.u8(at(mailboxes, st.mailbox));
        break;
      case StepKind::kUnregister:
      case StepKind::kProtect:
      case StepKind::kUnprotect:
        w.u8(at(persons, st.person));
        break;
      case StepKind::kBlock:
      case StepKind::kUnblock:
        w.u8(at(persons, st.person));
        w.u8(at(senders, st.sender));
        break;
      case StepKind::kOperatorDown:
      case StepKind::kOperatorUp: {
        auto it = std::find(kOperators.begin(), kOperators.end(), st.op);
        if (it == kOperators.end()) {
          why = "operator '" + st.op + "' is not one of kivra, minmyndighetspost, billo";
          return std::nullopt;
        }
        w.u8(static_cast<int>(it - kOperators.begin()));
        break;
      }
      case StepKind::kSubmit:
        if (st.messages.size() > kMaxBatch) {
          why = "a submit of more than 16 messages";
          return std::nullopt;
        }
        w.u8(st.messages.size() <= 4 ? static_cast<int>(st.messages.size())
                                     : kLarge | (static_cast<int>(st.messages.size()) - 1));
        for (const auto& m : st.messages) {
          w.u8(at(senders, m.sender));
          if (!w.text(m.id, 0, 8)) {
            why = "message id '" + m.id + "' is not 0-8 printable ASCII characters";
            return std::nullopt;
          }
          if (model::is_valid_person_number(m.subject)) {
            w.u8(0);
            w.u8(at(persons, m.subject));
          } else {
            w.u8(1);
            if (!w.text(m.subject, 0, 16)) {
              why = "subject '" + m.subject + "' is not 0-16 printable ASCII characters";
              return std::nullopt;
            }
          }
          if (m.parts <= 3) {
            w.u8(m.parts);
          } else {
            w.u8(kLarge);
            w.u8(m.parts - 4);
          }
        }
        break;
      case StepKind::kTick:
        if (st.count <= 16) {
          w.u8(st.count - 1);
        } else {
          w.u8(kLarge | ((st.count - 1) >> 8));
          w.u8((st.count - 1) & 0xff);
        }
        break;
      default:
        break;
    }
  }
  // Exact or nothing: the bytes must decode to the same steps.
  const auto back = decode_scenario(w.out.data(), w.out.size());
  bool same = back.steps.size() == s.steps.size();
  for (std::size_t i = 0; same && i < back.steps.size(); ++i) {
    same = print_step(back.steps[i]) == print_step(s.steps[i]);
  }
  if (!same) {
    why =
        "the scenario has steps the fuzzer encoding drops (e.g. steps on a mailbox after "
        "'close ... at-delivery', or a step the runner would refuse)";
    return std::nullopt;
  }
  return w.out;
}

}  // namespace wrongbox::fuzz
