// Property checks S1-S5, C1-C4, L1 (docs/exchange.md, "Properties").
#include "harness/core/oracle/oracle.h"

#include <algorithm>
#include <charconv>

#include "models/identity.h"

namespace wrongbox {
namespace {

constexpr std::array<const char*, kPropertyCount> kNames = {"S1", "S2", "S3", "S4", "S5",
                                                            "C1", "C2", "C3", "C4", "L1"};

const char* status_word(model::SinkKind k) {
  switch (k) {
    case model::SinkKind::kMailbox:
      return "delivered";
    case model::SinkKind::kPaper:
      return "printed";
    case model::SinkKind::kHold:
      return "held";
  }
  return "?";
}

model::SinkKind kind_of(ReceiptStatus s) {
  switch (s) {
    case ReceiptStatus::kDelivered:
      return model::SinkKind::kMailbox;
    case ReceiptStatus::kPrinted:
      return model::SinkKind::kPaper;
    case ReceiptStatus::kHeld:
      return model::SinkKind::kHold;
  }
  return model::SinkKind::kPaper;
}

std::string part_name(int part) {
  return part == kTitlePart ? "title" : "part " + std::to_string(part + 1);
}

}  // namespace

const char* to_string(Property p) {
  return kNames[static_cast<int>(p)];
}

std::optional<Property> property_from_string(std::string_view s) {
  for (int i = 0; i < kPropertyCount; ++i) {
    if (s == kNames[i]) return static_cast<Property>(i);
  }
  return std::nullopt;
}

bool is_safety(Property p) {
  return static_cast<int>(p) <= static_cast<int>(Property::S5);
}

const char* meaning(Property p) {
  switch (p) {
    case Property::S1:
      return "content delivered to a mailbox belongs to that mailbox's owner";
    case Property::S2:
      return "content printed for a person belongs to them; nothing is printed for a protected "
             "person";
    case Property::S3:
      return "the staff log holds no content and no protected person's number";
    case Property::S4:
      return "a receipt goes only to the sender of the message it names and holds no content";
    case Property::S5:
      return "a rejected message, or one with an invalid subject, goes nowhere";
    case Property::C1:
      return "every accepted message reaches exactly one sink, exactly once";
    case Property::C2:
      return "title and parts arrive byte-identical, in order, none missing or added";
    case Property::C3:
      return "the sink is the one the routing rules choose at that moment";
    case Property::C4:
      return "each handled message produces exactly one receipt to its sender";
    case Property::L1:
      return "with registry and operators up, the switch is idle within 100 ticks";
  }
  return "";
}

std::string format_violation(const Violation& v, const std::string& source) {
  std::string out = std::string(to_string(v.property)) + " violated";
  if (v.step >= 0) {
    out += " at step " + std::to_string(v.step + 1);
    if (v.line > 0)
      out += " (" + (source.empty() ? "line " : source + ":") + std::to_string(v.line) + ")";
  } else {
    out += " when the scenario ended";
  }
  if (v.call > 0) out += ", call " + std::to_string(v.call) + " `" + v.call_text + "`";
  out += ": " + v.summary + "\n";
  std::size_t width = 0;
  for (const auto& [k, _] : v.facts) width = std::max(width, k.size());
  for (const auto& [k, val] : v.facts) {
    out += "  " + k + std::string(width - k.size(), ' ') + "  " + val + "\n";
  }
  out += "  property" + std::string(width > 8 ? width - 8 : 0, ' ') + "  " + meaning(v.property) +
         "\n";
  return out;
}

Oracle::Oracle(const model::World& world, std::uint64_t seed, bool trace, std::size_t retain)
    : world_(world),
      minter_(seed),
      trace_(trace),
      retain_(std::max<std::size_t>(retain, 1)),
      res_(retain == kRetainAll ? static_cast<std::pmr::memory_resource*>(&arena_)
                                : &pool_.emplace()) {}

std::uint32_t Oracle::new_slot() {
  if (!free_slots_.empty()) {
    const auto slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  instances_.emplace_back();
  return static_cast<std::uint32_t>(instances_.size() - 1);
}

bool Oracle::settled_state(const Instance& in) const {
  return in.state == State::kRejected ||
         (in.state == State::kAccepted && in.handled > 0 && in.receipts > 0);
}

void Oracle::settle(std::uint32_t slot) {
  Instance& in = instances_[slot];
  if (in.settled || !in.msg) return;
  in.settled = true;
  --in_flight_;
  if (retain_ == kRetainAll) return;
  // The batch with the switch stays whole until its verdicts (on_verdicts
  // compacts what of it settled meanwhile).
  if (!in_submit_ || in.batch_no + 1 != next_batch_) make_compact(slot);
  retired_.push_back(slot);
  forget_beyond_retention();
}

void Oracle::make_compact(std::uint32_t slot) {
  Instance& in = instances_[slot];
  if (in.compact || !in.msg) return;
  in.compact = true;
  in.msg->title = std::string();
  in.msg->parts = std::vector<Part>();
}

void Oracle::Instance::recycle() {
  std::vector<std::uint64_t> room = std::move(tokens);
  *this = Instance{};
  room.clear();
  tokens = std::move(room);
}

void Oracle::write_content(const Instance& in, Message& m) {
  const std::string& id = in.msg->id;
  m.title.clear();
  m.title.reserve(8 + id.size() + kCanaryLength);
  m.title.append("Beslut ").append(id).append(" ");
  CanaryMinter::append_text(m.title, in.tokens[0]);
  m.parts.resize(in.tokens.size() - 1);
  char num[16];
  auto number = [&](std::size_t n) {
    return std::string_view(num, std::to_chars(num, num + sizeof num, n).ptr);
  };
  for (std::size_t p = 0; p < m.parts.size(); ++p) {
    Part& part = m.parts[p];
    part.name.clear();
    if (p == 0) {
      part.name = "beslut.txt";
    } else {
      part.name.append("bilaga-").append(number(p)).append(".pdf");
    }
    part.data.clear();
    part.data.reserve(24 + id.size() + kCanaryLength);
    part.data.append("\xc3\x84rende ")
        .append(id)
        .append(", del ")
        .append(number(p + 1))
        .append(": ");
    CanaryMinter::append_text(part.data, in.tokens[p + 1]);
    part.data.push_back('\n');
  }
}

void Oracle::forget_beyond_retention() {
  // Not while a batch is with the switch: its messages stay until the verdicts.
  if (in_submit_) return;
  while (retired_.size() > retain_) {
    const auto old = retired_.front();
    retired_.pop_front();
    forget(old);
  }
}

void Oracle::forget(std::uint32_t slot) {
  Instance& in = instances_[slot];
  const Message& m = *in.msg;
  for (const auto v : in.tokens) canaries_.erase_if_owned(v, slot);
  forgotten_keys_.add(m.sender, m.id, in.state == State::kAccepted);
  if (auto kit = by_key_.find(KeyView(m.sender, m.id)); kit != by_key_.end()) {
    std::erase(kit->second, slot);
    if (kit->second.empty()) {
      by_key_.erase(kit);
      if (auto iit = ids_.find(m.id); iit != ids_.end() && --iit->second.keys == 0) ids_.erase(iit);
    }
  }
  if (auto bit = batches_.find(in.batch_no); bit != batches_.end() && --bit->second.known == 0) {
    batches_.erase(bit);
  }
  in.recycle();
  free_slots_.push_back(slot);
}

void Oracle::settle_all() {
  for (std::uint32_t i = 0; i < instances_.size(); ++i) {
    if (instances_[i].msg) settle(i);
  }
  waiting_.clear();
  waiting_by_subject_.clear();
  unhandled_accepted_ = 0;
  by_key_.clear();
  forgotten_keys_.clear();
  ids_.clear();
}

std::optional<bool> Oracle::forgotten_accepted(const std::string& sender,
                                               const std::string& id) const {
  if (forgotten_keys_.empty()) return std::nullopt;
  return forgotten_keys_.find(sender, id);
}

namespace {
std::uint64_t mix64(std::uint64_t x) {  // splitmix64's finaliser
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

Oracle::KeySet::Entry Oracle::KeySet::hash(const std::string& sender, const std::string& id) {
  // a: the standard library's string hash of each half, combined; b: FNV-1a
  // over the sender's length, the sender and the id. Neither is 0 (a free slot).
  const std::uint64_t hs = std::hash<std::string>{}(sender), hi = std::hash<std::string>{}(id);
  std::uint64_t a = mix64(hs ^ mix64(hi + 0x9e3779b97f4a7c15ULL));
  std::uint64_t b = 0xcbf29ce484222325ULL;
  auto eat = [&](unsigned char c) { b = (b ^ c) * 0x100000001b3ULL; };
  for (std::size_t n = sender.size(), k = 0; k < 8; ++k, n >>= 8) eat(n & 0xffu);
  for (const char c : sender) eat(static_cast<unsigned char>(c));
  for (const char c : id) eat(static_cast<unsigned char>(c));
  b = mix64(b) & ~std::uint64_t{1};
  return {a == 0 ? 1 : a, b};
}

std::size_t Oracle::KeySet::slot_of(const Entry& e) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = e.a & mask;
  while (slots_[i].a != 0 && (slots_[i].a != e.a || (slots_[i].b | 1) != (e.b | 1))) {
    i = (i + 1) & mask;
  }
  return i;
}

std::optional<bool> Oracle::KeySet::find(const std::string& sender, const std::string& id) const {
  if (size_ == 0) return std::nullopt;
  const Entry& e = slots_[slot_of(hash(sender, id))];
  if (e.a == 0) return std::nullopt;
  return (e.b & 1) != 0;
}

void Oracle::KeySet::add(const std::string& sender, const std::string& id, bool accepted) {
  if (2 * (size_ + 1) > slots_.size()) {  // at most half full
    std::vector<Entry> old(std::max<std::size_t>(1024, 2 * slots_.size()));
    old.swap(slots_);
    for (const Entry& e : old) {
      if (e.a != 0) slots_[slot_of(e)] = e;
    }
  }
  const Entry e = hash(sender, id);
  Entry& at = slots_[slot_of(e)];
  if (at.a == 0) {
    at = e;
    ++size_;
  }
  at.b |= accepted ? 1 : 0;
}

void Oracle::KeySet::clear() {
  std::vector<Entry>().swap(slots_);
  size_ = 0;
}

const std::vector<Message>& Oracle::add_batch(const std::vector<MessageSpec>& specs, int step) {
  const std::uint32_t batch_no = next_batch_++;
  Batch& batch = batches_[batch_no];
  batch.messages.resize(specs.size());
  batch.known = specs.size();
  last_batch_.clear();
  in_submit_ = true;
  if (retain_ != kRetainAll && waiting_.size() > 2 * in_flight_ + 1024) {
    std::erase_if(waiting_, [&](std::uint32_t s) { return !waiting(instances_[s]); });
  }
  const auto& neighbours = batch_neighbours(specs);
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const MessageSpec& spec = specs[k];
    Message& m = batch.messages[k];
    const std::uint32_t seq = next_seq_++;
    const std::uint32_t idx = new_slot();
    last_batch_.push_back(idx);
    waiting_.push_back(idx);
    {
      auto& same = waiting_by_subject_[spec.subject];
      if (same.size() >= 8) {
        std::erase_if(same, [&](std::uint32_t w) {
          return !waiting(instances_[w]) || instances_[w].msg->subject != spec.subject;
        });
      }
      same.push_back(idx);
    }
    ++in_flight_;
    Instance& in = instances_[idx];
    in.msg = &m;
    in.seq = seq;
    in.batch_no = batch_no;
    in.step = step;
    if (auto known = subjects_.find(spec.subject); known != subjects_.end()) {
      in.valid_subject = true;
      in.coordination = known->second;
    } else {
      in.valid_subject = model::is_valid_person_number(spec.subject);
      if (in.valid_subject) {
        in.coordination = model::is_coordination_number(spec.subject);
        subjects_.emplace(spec.subject, in.coordination);
        subject_list_.push_back(spec.subject);
      }
    }
    m.sender = spec.sender;
    m.id = spec.id;
    m.subject = spec.subject;
    for (int part = kTitlePart; part < spec.parts; ++part) {
      const auto v = minter_.value(seq, part, spec.sender, spec.id, spec.subject);
      canaries_.set(v, Hit{idx, part});
      in.tokens.push_back(v);
    }
    write_content(in, m);
    auto key_at = by_key_.find(KeyView(spec.sender, spec.id));
    if (key_at == by_key_.end())
      key_at = by_key_.try_emplace(MessageKey(spec.sender, spec.id)).first;
    auto& same_key = key_at->second;
    const bool new_key = same_key.empty();
    same_key.push_back(idx);
    // Situation facts of the submission.
    const std::size_t n = specs.size();
    in.batch = n == 1       ? model::kSingle
               : k == 0     ? model::kFirstInBatch
               : k + 1 == n ? model::kLastInBatch
                            : model::kMiddleOfBatch;
    in.fewer_parts = k > 0 && spec.parts < specs[k - 1].parts;
    if (in.valid_subject) {
      in.last_route = world_.route(spec.subject, spec.sender);
      in.neighbour = neighbours[k];
    }
    auto [info_at, fresh] = ids_.try_emplace(spec.id);
    IdInfo& info = info_at->second;
    if (fresh) info.first_sender = spec.sender;
    info.keys += new_key;
    in.shared_at_submit = info.shared || (!fresh && info.first_sender != spec.sender);
    if (in.shared_at_submit) info.shared = true;
  }
  return batch.messages;
}

const std::vector<std::uint8_t>& Oracle::batch_neighbours(const std::vector<MessageSpec>& specs) {
  // For each message, the closest other subject in its batch: the same
  // subject, one of its collision family (which wins), or none.
  const std::size_t n = specs.size();
  if (n <= 32) return batch_neighbours_pairwise(specs);
  auto& out = neighbours_;
  out.assign(n, model::kNoNeighbour);
  // A large batch: only subjects that share a key can be related. Two numbers
  // of one family share the 10-digit form, or the date (day less 60) and
  // serial, or all but one of the first 11 digits; the same subject shares
  // all 12. Keys are numbers (a tag in the top bits).
  for (const auto& sp : specs) {
    if (sp.subject.size() != 12 ||
        sp.subject.find_first_not_of("0123456789") != std::string::npos) {
      return batch_neighbours_pairwise(specs);
    }
  }
  // Each key goes into an open-addressing table whose slots head a chain of
  // the messages with that key; a message is compared with those before it
  // on each of its chains.
  std::size_t slots = 1024;
  while (slots < 4 * kKeysPerMessage * n) slots *= 2;
  neighbour_slots_.assign(slots, {0, UINT32_MAX});
  neighbour_chain_.clear();  // (message, next entry) per key entry
  const std::size_t mask = slots - 1;
  constexpr int kTagShift = 58;
  std::array<std::uint64_t, kKeysPerMessage> keys{};
  for (std::uint32_t k = 0; k < n; ++k) {
    const std::string& x = specs[k].subject;
    std::uint64_t d[12];
    for (int i = 0; i < 12; ++i) d[i] = static_cast<std::uint64_t>(x[i] - '0');
    auto digits = [&](int from, int to) {
      std::uint64_t v = 0;
      for (int i = from; i < to; ++i) v = v * 11 + d[i];
      return v;
    };
    const std::uint64_t first11 = digits(0, 11);
    keys[0] = first11 * 11 + d[11];  // tag 0: the same subject
    keys[1] = (std::uint64_t{1} << kTagShift) | digits(2, 12);
    keys[2] = (std::uint64_t{2} << kTagShift) |
              ((digits(0, 6) * 121 + (d[6] * 10 + d[7]) % 60) * 1331 + digits(8, 11));
    std::uint64_t weight = 1;  // 11^(10 - pos)
    for (int pos = 10; pos >= 0; --pos, weight *= 11) {
      // The first 11 digits with the one at `pos` replaced by 10.
      keys[static_cast<std::size_t>(3 + pos)] =
          (static_cast<std::uint64_t>(3 + pos) << kTagShift) | (first11 + (10 - d[pos]) * weight);
    }
    for (std::size_t t = 0; t < kKeysPerMessage; ++t) {
      const std::uint64_t key = keys[t];
      std::size_t i = mix64(key) & mask;
      while (neighbour_slots_[i].second != UINT32_MAX && neighbour_slots_[i].first != key) {
        i = (i + 1) & mask;
      }
      auto& slot = neighbour_slots_[i];
      for (std::uint32_t e = slot.second; e != UINT32_MAX; e = neighbour_chain_[e].second) {
        const std::uint32_t q = neighbour_chain_[e].first;
        if (t == 0) {
          out[k] = std::max<std::uint8_t>(out[k], model::kSameSubject);
          out[q] = std::max<std::uint8_t>(out[q], model::kSameSubject);
        } else if (model::in_collision_family(x, specs[q].subject)) {
          out[k] = out[q] = model::kCollisionFamily;
        }
      }
      slot.first = key;
      neighbour_chain_.emplace_back(k, slot.second);
      slot.second = static_cast<std::uint32_t>(neighbour_chain_.size() - 1);
    }
  }
  return out;
}

const std::vector<std::uint8_t>& Oracle::batch_neighbours_pairwise(
    const std::vector<MessageSpec>& specs) {
  auto& out = neighbours_;
  const std::size_t n = specs.size();
  out.assign(n, model::kNoNeighbour);
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t j = k + 1; j < n; ++j) {  // both ways at once: the relations are symmetric
      if (specs[j].subject == specs[k].subject) {
        out[k] = std::max<std::uint8_t>(out[k], model::kSameSubject);
        out[j] = std::max<std::uint8_t>(out[j], model::kSameSubject);
      } else if (model::in_collision_family(specs[j].subject, specs[k].subject)) {
        out[k] = out[j] = model::kCollisionFamily;
      }
    }
  }
  return out;
}

void Oracle::reserve(std::size_t messages, std::size_t batches) {
  // Room up front spares rehashing and moving as the run grows.
  batches_.reserve(batches);
  instances_.reserve(messages);
  waiting_.reserve(messages);
  canaries_.reserve(messages * 3);
}

void Oracle::scan(std::string_view text, Content& c) const {
  scan_canaries(text, [&](std::uint64_t v, std::size_t) {
    if (const Hit* h = canaries_.find(v)) {
      c.hits.push_back(*h);
    } else {
      ++c.unknown;
    }
  });
}

void Oracle::analyse(const Message& m) {
  Content& c = content_;
  c.clear();
  scan(m.title, c);
  if (!c.hits.empty()) c.primary = c.hits.front().instance;
  for (const auto& p : m.parts) {
    scan(p.name, c);
    scan(p.data, c);
  }
  scan(m.sender, c);
  scan(m.id, c);
  scan(m.subject, c);
  if (!c.primary && !c.hits.empty()) c.primary = c.hits.front().instance;
}

std::string Oracle::where(model::SinkKind kind, const std::string& target) {
  switch (kind) {
    case model::SinkKind::kMailbox:
      return "mailbox " + target;
    case model::SinkKind::kPaper:
      return "paper for " + target;
    case model::SinkKind::kHold:
      return "manual hold";
  }
  return "?";
}

std::string Oracle::handled_where(const Instance& in) const {
  return where(in.handled_kind, in.handled_target) + " at step " +
         std::to_string(in.handled_step + 1);
}

std::string Oracle::describe_instance(std::uint32_t i) const {
  const auto& m = *instances_[i].msg;
  return m.sender + "/" + m.id + " about " + m.subject + " (submitted at step " +
         std::to_string(instances_[i].step + 1) + ")";
}

std::string Oracle::describe_hit(const Hit& h) const {
  const auto& m = *instances_[h.instance].msg;
  return part_name(h.part) + " of " + m.sender + "/" + m.id + ", which belongs to " + m.subject;
}

Violation& Oracle::violate(Property p, std::string summary) {
  Violation v;
  v.property = p;
  v.step = step_;
  v.line = line_;
  v.call = call_;
  v.call_text = call_text_;
  v.summary = std::move(summary);
  if (is_safety(p)) safety_violated_ = true;
  if (!note_.empty()) note_ += "; ";
  note_ += std::string(to_string(p)) + " VIOLATED";
  if (violations_.size() >= kMaxViolations && !is_safety(p)) {
    ++violations_not_kept_;
    not_kept_ = std::move(v);
    return not_kept_;
  }
  violations_.push_back(std::move(v));
  return violations_.back();
}

void Oracle::check_rejected(const Content& c, model::SinkKind kind, const std::string& target) {
  check(Property::S5);
  for (const auto& h : c.hits) {
    const auto& in = instances_[h.instance];
    if (in.state != State::kRejected && in.valid_subject) continue;
    auto& v = violate(Property::S5, in.state == State::kRejected
                                        ? "a rejected message's content reached a sink"
                                        : "content of a message with an invalid subject "
                                          "number reached a sink");
    v.facts = {{"message", describe_instance(h.instance)},
               {"went to", where(kind, target)},
               {"content", describe_hit(h)},
               {"expected", "nowhere"}};
    return;
  }
}

void Oracle::handle(const Content& c, const Message& sent, model::SinkKind kind,
                    const std::string& target) {
  check(Property::C2);
  if (c.unknown > 0) {
    auto& v = violate(Property::C2, retain_ == kRetainAll
                                        ? "content carries a canary that no message of this run "
                                          "has (corrupted or invented content)"
                                        : "content carries a canary that no message in flight or "
                                          "settled lately has (corrupted or invented content, or "
                                          "content of a message settled long ago)");
    v.facts = {{"went to", where(kind, target)}};
  }
  if (!c.primary) {
    auto& v = violate(Property::C2, "a message with no recognisable content reached a sink");
    v.facts = {{"went to", where(kind, target)}, {"title", sent.title.substr(0, 80)}};
    return;
  }
  const auto idx = *c.primary;
  auto& in = instances_[idx];
  if (in.compact) write_content(in, own_);
  const Message& own = in.compact ? own_ : *in.msg;
  for (const auto& h : c.hits) {
    if (h.instance == idx) continue;
    auto& v = violate(Property::C2, "one message carries another message's content");
    v.facts = {{"message", describe_instance(idx)},
               {"went to", where(kind, target)},
               {"foreign", describe_hit(h)}};
    break;
  }
  if (sent.title != own.title || sent.parts != own.parts) {
    std::string diff;
    if (sent.title != own.title)
      diff = "the title differs";
    else if (sent.parts.size() != own.parts.size())
      diff = std::to_string(sent.parts.size()) + " parts arrived, " +
             std::to_string(own.parts.size()) + " were sent";
    else {
      for (std::size_t k = 0; k < sent.parts.size(); ++k) {
        if (!(sent.parts[k] == own.parts[k])) {
          diff = "part " + std::to_string(k + 1) + " differs";
          break;
        }
      }
    }
    auto& v = violate(Property::C2, "the content did not arrive byte-identical: " + diff);
    v.facts = {{"message", describe_instance(idx)}, {"went to", where(kind, target)}};
  }
  check(Property::C1);
  if (in.handled > 0) {
    auto& v = violate(Property::C1, "a message reached a second sink");
    v.facts = {{"message", describe_instance(idx)},
               {"went to", where(kind, target)},
               {"earlier", handled_where(in)}};
  }
  if (in.handled == 0) {
    unhandled_accepted_ -= in.state == State::kAccepted;
    in.handled_kind = kind;
    in.handled_target = target;
    in.handled_step = step_;
  }
  ++in.handled;
  if (settled_state(in)) settle(idx);
  if (in.state == State::kRejected || !in.valid_subject) return;  // S5 already said it
  const auto facts = world_.facts(in.msg->subject, in.msg->sender);
  const model::Route& expected = facts.route;
  if (in.handled == 1) {
    in.handled_attempt = in.next_attempt;
    record_route(in, facts);
  }
  check(Property::C3);
  const bool same =
      expected.kind == kind && (kind != model::SinkKind::kMailbox || target == expected.mailbox);
  if (!same) {
    auto& v = violate(Property::C3, "the message went to another sink than the rules choose");
    v.facts = {{"message", describe_instance(idx)},
               {"went to", where(kind, target)},
               {"expected", describe(expected) + " (registry at this call)"}};
  }
  if (trace_ && note_.empty())
    note_ = "ok: " + describe_instance(idx) + " -> " + where(kind, target);
}

void Oracle::on_deliver(const std::string& mailbox, const Message& sent, const std::string& owner) {
  analyse(sent);
  const Content& c = content_;
  check(Property::S1);
  for (const auto& h : c.hits) {
    const auto& in = instances_[h.instance];
    if (in.msg->subject == owner) continue;
    auto& v = violate(Property::S1, "content delivered to a mailbox whose owner it is not about");
    const auto shown = c.primary.value_or(h.instance);
    v.facts = {{"message", describe_instance(shown)},
               {"went to", where(model::SinkKind::kMailbox, mailbox) + ", owned now by " + owner},
               {"content", describe_hit(h)},
               {"expected", "content of " + in.msg->subject + " goes to " +
                                describe(world_.route(in.msg->subject, in.msg->sender))}};
    break;
  }
  check_rejected(c, model::SinkKind::kMailbox, mailbox);
  handle(c, sent, model::SinkKind::kMailbox, mailbox);
}

void Oracle::on_print(const std::string& person, const Message& sent) {
  analyse(sent);
  const Content& c = content_;
  check(Property::S2);
  if (world_.is_protected(person)) {
    auto& v = violate(Property::S2, "a letter was printed for a protected person");
    v.facts = {{"went to", where(model::SinkKind::kPaper, person) + " (protected identity)"},
               {"expected", "manual hold"}};
    if (c.primary) v.facts.insert(v.facts.begin(), {"message", describe_instance(*c.primary)});
  }
  for (const auto& h : c.hits) {
    const auto& in = instances_[h.instance];
    if (in.msg->subject != person) {
      auto& v = violate(Property::S2, "content printed for a person it is not about");
      v.facts = {{"message", describe_instance(c.primary.value_or(h.instance))},
                 {"went to", where(model::SinkKind::kPaper, person)},
                 {"content", describe_hit(h)}};
      break;
    }
    if (world_.is_protected(in.msg->subject) && !world_.is_protected(person)) {
      auto& v = violate(Property::S2, "a protected person's content was printed");
      v.facts = {{"message", describe_instance(h.instance)},
                 {"went to", where(model::SinkKind::kPaper, person)}};
      break;
    }
  }
  check_rejected(c, model::SinkKind::kPaper, person);
  handle(c, sent, model::SinkKind::kPaper, person);
}

void Oracle::on_hold(const Message& sent, const std::string& reason) {
  analyse(sent);
  check(Property::S3);
  side_.clear();
  scan(reason, side_);
  if (!side_.hits.empty() || side_.unknown > 0) {
    auto& v = violate(Property::S3, "a hold reason carries content (staff read hold reasons)");
    if (!side_.hits.empty()) v.facts = {{"content", describe_hit(side_.hits.front())}};
  }
  static const std::string kNoTarget;
  check_rejected(content_, model::SinkKind::kHold, kNoTarget);
  handle(content_, sent, model::SinkKind::kHold, kNoTarget);
}

void Oracle::on_receipt(const std::string& sender, const std::string& id, ReceiptStatus status) {
  check(Property::S4);
  Content& c = side_;
  c.clear();
  scan(sender, c);
  scan(id, c);
  if (!c.hits.empty() || c.unknown > 0) {
    auto& v = violate(Property::S4, "a receipt carries content");
    v.facts = {{"receipt", "to " + sender + " for id " + id}};
    if (!c.hits.empty()) v.facts.push_back({"content", describe_hit(c.hits.front())});
    return;
  }
  auto it = by_key_.find(KeyView(sender, id));
  std::uint32_t done_with_receipt = UINT32_MAX;
  if (it != by_key_.end()) {
    for (auto i : it->second) {
      auto& in = instances_[i];
      if (in.handled == 0 || in.state == State::kRejected) continue;
      if (in.receipts == 0) {
        ++in.receipts;
        check(Property::C4);
        if (kind_of(status) != in.handled_kind) {
          auto& v = violate(Property::C4, "the receipt's status does not match what happened");
          v.facts = {
              {"message", describe_instance(i)},
              {"receipt", std::string("says ") + to_string(status)},
              {"happened", std::string(status_word(in.handled_kind)) + ": " + handled_where(in)}};
        }
        if (trace_ && note_.empty()) note_ = "ok: receipt for " + describe_instance(i);
        record_receipt(in);
        settle(i);
        return;
      }
      done_with_receipt = i;
    }
  }
  if (done_with_receipt != UINT32_MAX) {
    check(Property::C4);
    ++instances_[done_with_receipt].receipts;
    auto& v = violate(Property::C4, "a second receipt for the same message");
    v.facts = {{"message", describe_instance(done_with_receipt)}};
    return;
  }
  if (forgotten_accepted(sender, id).value_or(false)) {
    check(Property::C4);
    auto& v = violate(Property::C4, "a second receipt for the same message");
    v.facts = {{"message", sender + "/" + id + ", accepted, handled and receipted more than " +
                               std::to_string(retain_) + " settlements ago"}};
    return;
  }
  auto& v = violate(Property::S4,
                    "a receipt went to a sender that has no handled message "
                    "with that id");
  v.facts = {{"receipt", "to " + sender + " for id " + id + " (" + to_string(status) + ")"}};
  std::vector<std::pair<const MessageKey*, const std::pmr::vector<std::uint32_t>*>> others;
  for (const auto& [key, list] : by_key_) {
    if (key.second == id && key.first != sender) others.emplace_back(&key, &list);
  }
  std::sort(others.begin(), others.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  for (const auto& [key, list] : others) {
    for (auto i : *list) {
      v.facts.push_back(
          {"same id",
           describe_instance(i) + (instances_[i].handled ? ", handled" : ", not handled yet")});
    }
  }
  if (it != by_key_.end()) {
    v.facts.push_back({"its own", describe_instance(it->second.front()) + ", not handled yet"});
  }
}

void Oracle::on_log(const std::string& text) {
  record_log();
  check(Property::S3);
  Content& c = side_;
  c.clear();
  scan(text, c);
  if (!c.hits.empty() || c.unknown > 0) {
    auto& v = violate(Property::S3, "the staff log holds message content");
    v.facts = {{"log line", text.substr(0, 120)}};
    if (!c.hits.empty()) v.facts.push_back({"content", describe_hit(c.hits.front())});
    return;
  }
  // A number in the text is a run of at least 10 digits: without one, no
  // protected number can be there.
  std::size_t run = 0, longest = 0;
  for (const char ch : text) {
    run = ch >= '0' && ch <= '9' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  if (longest < 10) return;
  for (const auto& [p, ten] : world_.protected_ten_digit()) {
    if (text.find(ten) == std::string::npos) continue;  // the 12-digit form contains it
    auto& v = violate(Property::S3, "the staff log holds a protected person's number");
    v.facts = {{"log line", text.substr(0, 120)}, {"person", p + " (protected identity)"}};
    return;
  }
}

void Oracle::on_verdicts(const std::vector<Verdict>& vs) {
  const std::size_t n = last_batch_.size();
  if (vs.size() != n) {
    throw SwitchFailure("submit returned " + std::to_string(vs.size()) + " verdicts for " +
                        std::to_string(n) + " messages");
  }
  for (std::size_t k = 0; k < n; ++k) {
    const auto idx = last_batch_[k];
    auto& in = instances_[idx];
    if (vs[k].sender != in.msg->sender || vs[k].id != in.msg->id) {
      throw SwitchFailure("verdict " + std::to_string(k + 1) + " names " + vs[k].sender + "/" +
                          vs[k].id + " but message " + std::to_string(k + 1) + " of the batch is " +
                          in.msg->sender + "/" + in.msg->id);
    }
    const auto& same_key =
        by_key_.find(KeyView(in.msg->sender, in.msg->id))->second;  // add_batch added it
    const std::optional<bool> forgotten = forgotten_accepted(in.msg->sender, in.msg->id);
    bool repeated = forgotten.value_or(false);
    for (auto other : same_key) {
      repeated |= instances_[other].seq < in.seq && instances_[other].state == State::kAccepted;
    }
    record_submit(idx, repeated);
    if (vs[k].accepted) {
      check(Property::C1);
      bool again = false;
      for (auto other : same_key) {
        if (other == idx || instances_[other].state != State::kAccepted) continue;
        auto& v = violate(Property::C1,
                          "a message with an already accepted (sender, id) was "
                          "accepted again");
        v.facts = {{"message", describe_instance(idx)}, {"earlier", describe_instance(other)}};
        again = true;
        break;
      }
      if (!again && forgotten.value_or(false)) {
        auto& v = violate(Property::C1,
                          "a message with an already accepted (sender, id) was "
                          "accepted again");
        v.facts = {{"message", describe_instance(idx)},
                   {"earlier", "a message with that key, accepted and settled more than " +
                                   std::to_string(retain_) + " settlements ago"}};
      }
      in.state = State::kAccepted;
      unhandled_accepted_ += in.handled == 0;
    } else {
      in.state = State::kRejected;
      check(Property::S5);
      if (in.handled > 0) {
        auto& v = violate(Property::S5, "a message was rejected after its content reached a sink");
        v.facts = {{"message", describe_instance(idx)}, {"went to", handled_where(in)}};
      }
      const bool duplicate = same_key.front() != idx || forgotten.has_value();
      if (in.valid_subject && in.tokens.size() > 1 && !duplicate &&
          warnings_.size() < kMaxWarnings) {
        warnings_.push_back("step " + std::to_string(step_ + 1) + ": valid message " +
                            in.msg->sender + "/" + in.msg->id + " rejected: " + vs[k].reason);
      }
    }
  }
  restarted_ = false;
  in_submit_ = false;
  for (const auto idx : last_batch_) {
    if (instances_[idx].settled && retain_ != kRetainAll) make_compact(idx);
    if (settled_state(instances_[idx])) settle(idx);
  }
  forget_beyond_retention();
}

void Oracle::on_delivery_refused(const Message& sent, const std::string& mailbox,
                                 model::route::Attempt why) {
  side_.clear();
  scan(sent.title, side_);
  if (side_.hits.empty()) return;
  auto& in = instances_[side_.hits.front().instance];
  if (in.handled > 0) return;
  in.next_attempt = why;
  in.last_route = model::Route{model::SinkKind::kMailbox, mailbox};
}

void Oracle::on_registry_unavailable(const std::string& person) {
  auto it = waiting_by_subject_.find(person);
  if (it == waiting_by_subject_.end()) return;
  auto& list = it->second;
  std::erase_if(list, [&](std::uint32_t s) {
    return !waiting(instances_[s]) || instances_[s].msg->subject != person;
  });
  for (const auto s : list) {
    auto& in = instances_[s];
    in.next_attempt = model::route::kAfterRegistryDown;
    in.last_route = world_.route(in.msg->subject, in.msg->sender);
  }
}

void Oracle::on_restart() {
  restarted_ = true;
  std::erase_if(waiting_, [&](std::uint32_t s) { return !waiting(instances_[s]); });
  for (const auto s : waiting_) {
    auto& in = instances_[s];
    if (in.state == State::kAccepted) {
      in.next_attempt = model::route::kAfterRestart;
    }
  }
}

void Oracle::record_submit(std::uint32_t idx, bool repeated) {
  using namespace model::submit;
  const Instance& in = instances_[idx];
  model::Situation s;
  s.kind = model::DecisionKind::kSubmit;
  const std::size_t parts = in.tokens.size() - 1;
  const bool no_parts = parts == 0;
  s.v[kSubject] = !in.valid_subject ? 2 : in.coordination ? 1 : 0;
  s.v[kVerdict] = !in.valid_subject || no_parts || repeated;
  s.v[kParts] = no_parts ? 0 : parts == 1 ? 1 : 2;
  s.v[kKey] = repeated ? 1 : in.shared_at_submit ? 2 : 0;
  s.v[kBatch] = in.batch;
  s.v[kNeighbour] = in.neighbour;
  s.v[kFewerParts] = in.fewer_parts;
  s.v[kRegistry] = !world_.registry_up();
  s.v[kRestarted] = restarted_;
  record(s);
}

model::route::Address Oracle::address_shape(const std::string& mailbox) const {
  if (model::has_pattern_characters(mailbox)) return model::route::kPattern;
  if (world_.has_path_relative(mailbox)) return model::route::kPathPrefix;
  return model::route::kPlain;
}

void Oracle::record_route(const Instance& in, const model::World::Facts& facts) {
  using namespace model::route;
  const Message& m = *in.msg;
  const std::string* mailbox = facts.mailbox;
  model::Situation s;
  s.kind = model::DecisionKind::kRoute;
  s.v[kExpected] = static_cast<std::uint8_t>(facts.route.kind);
  s.v[kRegistered] = mailbox != nullptr;
  s.v[kHistory] = static_cast<std::uint8_t>(facts.history);
  s.v[kProtected] = facts.is_protected;
  s.v[kBlocked] = facts.blocked;
  s.v[kAttempt] = in.handled_attempt;
  s.v[kChanged] = !(facts.route == in.last_route);
  s.v[kBatch] = in.batch;
  s.v[kNeighbour] = in.neighbour;
  s.v[kSharedId] = shared_id(m.id);
  s.v[kFewerParts] = in.fewer_parts;
  s.v[kAddress] = mailbox ? address_shape(*mailbox) : kNoAddress;
  record(s);
}

void Oracle::record_receipt(const Instance& in) {
  using namespace model::receipt;
  model::Situation s;
  s.kind = model::DecisionKind::kReceipt;
  s.v[kStatus] = static_cast<std::uint8_t>(in.handled_kind);
  s.v[kAttempt] = in.handled_attempt == model::route::kFirst          ? 0
                  : in.handled_attempt == model::route::kAfterRestart ? 2
                                                                      : 1;
  s.v[kSharedId] = shared_id(in.msg->id);
  s.v[kBatch] = in.batch;
  record(s);
}

void Oracle::record_log() {
  using namespace model::log;
  model::Situation s;
  s.kind = model::DecisionKind::kLog;
  if (world_.anyone_protected()) {
    s.v[kProtectedKnown] = 1;
    // Whether a protected person has a collision-family member among the
    // run's subjects. Subjects only come; protection comes and goes.
    if (family_.protection == world_.protection_version()) {
      // The same protected persons: only new subjects can add an answer.
      for (; family_.subjects < subject_list_.size() && !family_.any; ++family_.subjects) {
        for (const auto& [p, ten] : world_.protected_ten_digit()) {
          if (model::in_collision_family(p, subject_list_[family_.subjects])) {
            family_.any = true;
            break;
          }
        }
      }
      family_.subjects = subject_list_.size();
    } else {
      family_.protection = world_.protection_version();
      family_.subjects = subject_list_.size();
      family_.any = false;
      for (const auto& [p, ten] : world_.protected_ten_digit()) {
        auto& memo = family_memo_[p];
        for (; memo.checked < subject_list_.size() && !memo.found; ++memo.checked) {
          memo.found = model::in_collision_family(p, subject_list_[memo.checked]);
        }
        if (memo.found) {
          family_.any = true;
          break;
        }
      }
    }
    s.v[kFamily] = family_.any;
  }
  s.v[kPending] = unhandled_accepted_ > 0;
  record(s);
}

void Oracle::at_end(bool idle, int drain_ticks) {
  step_ = -1;
  line_ = 0;
  call_ = 0;
  check(Property::L1);
  if (!idle) {
    auto& v = violate(Property::L1, "the switch was not idle after " + std::to_string(drain_ticks) +
                                        " ticks with registry and operators up");
    std::size_t pending = 0;
    for (const auto& in : instances_) {
      pending += in.msg && in.state == State::kAccepted && in.handled == 0;
    }
    v.facts = {{"unhandled", std::to_string(pending) + " accepted message(s)"}};
  }
  for (std::uint32_t i = 0; i < instances_.size(); ++i) {
    const auto& in = instances_[i];
    if (!in.msg || in.state != State::kAccepted || !in.valid_subject) continue;
    check(Property::C1);
    if (in.handled == 0) {
      auto& v = violate(Property::C1, "an accepted message never reached mailbox, paper or hold");
      v.facts = {{"message", describe_instance(i)},
                 {"expected", describe(world_.route(in.msg->subject, in.msg->sender)) +
                                  " (registry at the end)"}};
    }
  }
  for (std::uint32_t i = 0; i < instances_.size(); ++i) {
    const auto& in = instances_[i];
    if (!in.msg || in.handled == 0 || in.state == State::kRejected) continue;
    check(Property::C4);
    if (in.receipts == 0) {
      auto& v = violate(Property::C4, "a handled message produced no receipt to its sender");
      v.facts = {{"message", describe_instance(i)}, {"handled", handled_where(in)}};
    }
  }
}

}  // namespace wrongbox
