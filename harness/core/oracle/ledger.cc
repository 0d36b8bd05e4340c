// Instances, canaries, keys and retention (ledger.h).
#include "harness/core/oracle/ledger.h"

#include <algorithm>

#include "harness/core/decimal.h"
#include "models/identity.h"

namespace wrongbox {

Ledger::Ledger(std::uint64_t seed, std::size_t retain)
    : minter_(seed),
      retain_(std::max<std::size_t>(retain, 1)),
      res_(retain == kRetainAll ? static_cast<std::pmr::memory_resource*>(&arena_)
                                : &pool_.emplace()) {}

std::uint32_t Ledger::new_slot() {
  if (!free_slots_.empty()) {
    const auto slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  instances_.emplace_back();
  return static_cast<std::uint32_t>(instances_.size() - 1);
}

void Ledger::settle(std::uint32_t slot) {
  Instance& in = instances_[slot];
  if (in.settled || !in.msg) return;
  in.settled = true;
  --in_flight_;
  if (retain_ == kRetainAll) return;
  // The batch with the switch stays whole until its verdicts (end_submit
  // compacts what of it settled meanwhile).
  if (!in_submit_ || in.batch_no + 1 != next_batch_) make_compact(slot);
  retired_.push_back(slot);
  forget_beyond_retention();
}

void Ledger::make_compact(std::uint32_t slot) {
  Instance& in = instances_[slot];
  if (in.compact || !in.msg) return;
  in.compact = true;
  in.msg->title = std::string();
  in.msg->parts = std::vector<Part>();
}

void Ledger::Instance::recycle() {
  std::vector<std::uint64_t> room = std::move(tokens);
  *this = Instance{};
  room.clear();
  tokens = std::move(room);
}

void Ledger::write_content(const Instance& in, Message& m) {
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

const Message& Ledger::content_of(std::uint32_t slot) {
  const Instance& in = instances_[slot];
  if (!in.compact) return *in.msg;
  write_content(in, own_);
  return own_;
}

void Ledger::forget_beyond_retention() {
  // Not while a batch is with the switch: its messages stay until the verdicts.
  if (in_submit_) return;
  while (retired_.size() > retain_) {
    const auto old = retired_.front();
    retired_.pop_front();
    forget(old);
  }
}

void Ledger::forget(std::uint32_t slot) {
  Instance& in = instances_[slot];
  const Message& m = *in.msg;
  for (const auto v : in.tokens) canaries_.erase_if_owned(v, slot);
  if (in.state == State::kAccepted) forgotten_keys_.add(m.sender, m.id);
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

bool Ledger::forgotten_accepted(const std::string& sender, const std::string& id) const {
  return !forgotten_keys_.empty() && forgotten_keys_.contains(sender, id);
}

const std::pmr::vector<std::uint32_t>* Ledger::with_key(std::string_view sender,
                                                        std::string_view id) const {
  auto it = by_key_.find(KeyView(sender, id));
  return it == by_key_.end() ? nullptr : &it->second;
}

namespace {

// The id as a whole decimal number without leading zeros (at most 19
// digits), or nullopt: such ids are kept as runs.
std::optional<std::uint64_t> run_number(const std::string& id) {
  return plain_decimal(id, 19);
}

}  // namespace

Ledger::KeySet::Entry Ledger::KeySet::hash(const std::string& sender, const std::string& id) {
  // a: the standard library's string hash of each half, combined; b: FNV-1a
  // over the sender's length, the sender and the id. a is never 0 (a free slot).
  const std::uint64_t hs = std::hash<std::string>{}(sender), hi = std::hash<std::string>{}(id);
  std::uint64_t a = mix64(hs ^ mix64(hi + 0x9e3779b97f4a7c15ULL));
  std::uint64_t b = 0xcbf29ce484222325ULL;
  auto eat = [&](unsigned char c) { b = (b ^ c) * 0x100000001b3ULL; };
  for (std::size_t n = sender.size(), k = 0; k < 8; ++k, n >>= 8) eat(n & 0xffu);
  for (const char c : sender) eat(static_cast<unsigned char>(c));
  for (const char c : id) eat(static_cast<unsigned char>(c));
  return {a == 0 ? 1 : a, mix64(b)};
}

std::size_t Ledger::KeySet::slot_of(const Entry& e) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = e.a & mask;
  while (slots_[i].a != 0 && (slots_[i].a != e.a || slots_[i].b != e.b)) i = (i + 1) & mask;
  return i;
}

bool Ledger::KeySet::in_table(const std::string& sender, const std::string& id) const {
  return size_ != 0 && slots_[slot_of(hash(sender, id))].a != 0;
}

void Ledger::KeySet::add_to_table(const std::string& sender, const std::string& id) {
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
}

bool Ledger::KeySet::contains(const std::string& sender, const std::string& id) const {
  if (const auto n = run_number(id)) {
    const auto s = runs_.find(sender);
    if (s == runs_.end() || *n > s->second.max) return false;  // no such number added
    const auto& runs = s->second.runs;
    auto it = runs.upper_bound(*n);  // the first run that starts after n
    if (it != runs.begin() && std::prev(it)->second >= *n) return true;
  }
  return in_table(sender, id);  // other ids, and numbers with no neighbour yet
}

void Ledger::KeySet::add(const std::string& sender, const std::string& id) {
  const auto n = run_number(id);
  if (!n) {
    add_to_table(sender, id);
    return;
  }
  auto& numbers = runs_[sender];
  auto& runs = numbers.runs;
  const std::uint64_t x = *n;
  numbers.max = std::max(numbers.max, x);
  auto next = runs.upper_bound(x);
  if (next != runs.begin()) {
    const auto prev = std::prev(next);
    if (prev->second >= x) return;  // known
    if (prev->second + 1 == x) {    // extends the run before it, maybe joining the next
      prev->second = x;
      if (next != runs.end() && next->first == x + 1) {
        prev->second = next->second;
        runs.erase(next);
      }
      return;
    }
  }
  if (next != runs.end() && next->first == x + 1) {  // starts the run after it
    auto node = runs.extract(next);
    node.key() = x;
    runs.insert(std::move(node));
    return;
  }
  // No run next to it: a number alone goes to the table (ids counted by a
  // counter several senders share are all alone); with a neighbour there,
  // the two begin a run (the neighbour's entry stays, harmless).
  const bool below = x > 0 && in_table(sender, std::to_string(x - 1));
  const bool above = x < UINT64_MAX && in_table(sender, std::to_string(x + 1));
  if (!below && !above) {
    add_to_table(sender, id);
    return;
  }
  runs.emplace_hint(next, below ? x - 1 : x, above ? x + 1 : x);
}

std::size_t Ledger::KeySet::runs() const {
  std::size_t n = 0;
  for (const auto& [sender, numbers] : runs_) n += numbers.runs.size();
  return n;
}

void Ledger::KeySet::clear() {
  runs_.clear();
  std::vector<Entry>().swap(slots_);
  size_ = 0;
}

std::vector<Message>& Ledger::add_batch(const std::vector<MessageSpec>& specs, int step) {
  const std::uint32_t batch_no = next_batch_++;
  Batch& batch = batches_[batch_no];
  batch.messages.resize(specs.size());
  batch.known = specs.size();
  last_batch_.clear();
  in_submit_ = true;
  if (retain_ != kRetainAll && waiting_.size() > 2 * in_flight_ + 1024) {
    std::erase_if(waiting_, [&](std::uint32_t s) { return !instances_[s].waiting(); });
  }
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const MessageSpec& spec = specs[k];
    Message& m = batch.messages[k];
    const std::uint32_t seq = next_seq_++;
    const std::uint32_t idx = new_slot();
    last_batch_.push_back(idx);
    waiting_.push_back(idx);
    {
      // Pruned when it has doubled since the last pruning (at 8 first): a
      // subject with thousands of messages waiting costs linear time.
      auto& same = waiting_by_subject_[spec.subject];
      if (same.slots.size() >= same.prune_at) {
        std::erase_if(same.slots, [&](std::uint32_t w) {
          return !instances_[w].waiting() || instances_[w].msg->subject != spec.subject;
        });
        same.prune_at = std::max<std::size_t>(8, 2 * same.slots.size());
      }
      same.slots.push_back(idx);
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
    auto [info_at, fresh] = ids_.try_emplace(spec.id);
    IdInfo& info = info_at->second;
    if (fresh) info.first_sender = spec.sender;
    info.keys += new_key;
    in.shared_at_submit = info.shared || (!fresh && info.first_sender != spec.sender);
    if (in.shared_at_submit) info.shared = true;
  }
  return batch.messages;
}

void Ledger::end_submit() {
  in_submit_ = false;
  for (const auto idx : last_batch_) {
    if (instances_[idx].settled && retain_ != kRetainAll) make_compact(idx);
    if (instances_[idx].settled_state()) settle(idx);
  }
  forget_beyond_retention();
}

void Ledger::reserve(std::size_t messages, std::size_t batches) {
  // Room up front spares rehashing and moving as the run grows.
  batches_.reserve(batches);
  instances_.reserve(messages);
  waiting_.reserve(messages);
  canaries_.reserve(messages * 3);
}

void Ledger::scan(std::string_view text, Content& c) const {
  scan_canaries(text, [&](std::uint64_t v, std::size_t) {
    if (const Hit* h = canaries_.find(v)) {
      c.hits.push_back(*h);
    } else {
      ++c.unknown;
    }
  });
}

void Ledger::analyse(const Message& m, Content& c) const {
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

std::vector<std::uint32_t>& Ledger::waiting() {
  std::erase_if(waiting_, [&](std::uint32_t s) { return !instances_[s].waiting(); });
  return waiting_;
}

std::vector<std::uint32_t>* Ledger::waiting_about(const std::string& person) {
  auto it = waiting_by_subject_.find(person);
  if (it == waiting_by_subject_.end()) return nullptr;
  auto& list = it->second.slots;
  std::erase_if(list, [&](std::uint32_t s) {
    return !instances_[s].waiting() || instances_[s].msg->subject != person;
  });
  return &list;
}

}  // namespace wrongbox
