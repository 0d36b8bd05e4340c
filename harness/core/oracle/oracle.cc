// Property checks S1-S6, C1-C4, L1 (docs/exchange.md, "Properties").
#include "harness/core/oracle/oracle.h"

#include <algorithm>
#include <cstdio>

#include "harness/core/oracle/encodings.h"
#include "harness/core/printable.h"

namespace wrongbox {
namespace {

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

Oracle::Oracle(const model::World& world, std::uint64_t seed, bool trace, std::size_t retain)
    : world_(world), trace_(trace), ledger_(seed, retain), situations_(world, ledger_) {}

const std::vector<Message>& Oracle::add_batch(const std::vector<MessageSpec>& specs, int step) {
  const auto& batch = ledger_.add_batch(specs, step);
  situations_.on_batch(specs);
  return batch;
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
  const auto& in = ledger_.at(i);
  const auto& m = *in.msg;
  return m.sender + "/" + m.id + " about " + m.subject + " (submitted at step " +
         std::to_string(in.step + 1) + ")";
}

std::string Oracle::describe_hit(const Hit& h) const {
  const auto& m = *ledger_.at(h.instance).msg;
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
    const auto& in = ledger_.at(h.instance);
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
    auto& v = violate(Property::C2, !ledger_.bounded()
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
  auto& in = ledger_.at(idx);
  const Message& own = ledger_.content_of(idx);
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
    ledger_.handled_first(in);
    in.handled_kind = kind;
    in.handled_target = target;
    in.handled_step = step_;
  }
  ++in.handled;
  ledger_.settle_if_done(idx);
  if (in.state == State::kRejected || !in.valid_subject) return;  // S5 already said it
  const auto facts = world_.facts(in.msg->subject, in.msg->sender);
  const model::Route& expected = facts.route;
  if (in.handled == 1) situations_.on_first_sink(in, facts);
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
  ledger_.analyse(sent, content_);
  const Content& c = content_;
  check(Property::S1);
  for (const auto& h : c.hits) {
    const auto& in = ledger_.at(h.instance);
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
  ledger_.analyse(sent, content_);
  const Content& c = content_;
  check(Property::S2);
  if (world_.is_protected(person)) {
    auto& v = violate(Property::S2, "a letter was printed for a protected person");
    v.facts = {{"went to", where(model::SinkKind::kPaper, person) + " (protected identity)"},
               {"expected", "manual hold"}};
    if (c.primary) v.facts.insert(v.facts.begin(), {"message", describe_instance(*c.primary)});
  }
  for (const auto& h : c.hits) {
    const auto& in = ledger_.at(h.instance);
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
  ledger_.analyse(sent, content_);
  check(Property::S3);
  side_.clear();
  ledger_.scan(reason, side_);
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
  ledger_.scan(sender, c);
  ledger_.scan(id, c);
  if (!c.hits.empty() || c.unknown > 0) {
    auto& v = violate(Property::S4, "a receipt carries content");
    v.facts = {{"receipt", "to " + sender + " for id " + id}};
    if (!c.hits.empty()) v.facts.push_back({"content", describe_hit(c.hits.front())});
    return;
  }
  const auto* same_key = ledger_.with_key(sender, id);
  std::uint32_t done_with_receipt = UINT32_MAX;
  if (same_key) {
    for (auto i : *same_key) {
      auto& in = ledger_.at(i);
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
        situations_.on_receipt(in);
        ledger_.settle_if_done(i);
        return;
      }
      done_with_receipt = i;
    }
  }
  if (done_with_receipt != UINT32_MAX) {
    check(Property::C4);
    ++ledger_.at(done_with_receipt).receipts;
    auto& v = violate(Property::C4, "a second receipt for the same message");
    v.facts = {{"message", describe_instance(done_with_receipt)}};
    return;
  }
  if (ledger_.forgotten_accepted(sender, id)) {
    check(Property::C4);
    auto& v = violate(Property::C4, "a second receipt for the same message");
    v.facts = {{"message", sender + "/" + id + ", accepted, handled and receipted more than " +
                               std::to_string(ledger_.retain()) + " settlements ago"}};
    return;
  }
  auto& v = violate(Property::S4,
                    "a receipt went to a sender that has no handled message "
                    "with that id");
  v.facts = {{"receipt", "to " + sender + " for id " + id + " (" + to_string(status) + ")"}};
  // The other senders' messages with this id, when there are any (a look
  // through every key: not once per receipt of a switch that sends many).
  std::vector<std::pair<const Ledger::MessageKey*, const std::pmr::vector<std::uint32_t>*>> others;
  if (ledger_.shared_id(id)) {
    for (const auto& [key, list] : ledger_.keys()) {
      if (key.second == id && key.first != sender) others.emplace_back(&key, &list);
    }
  }
  std::sort(others.begin(), others.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  for (const auto& [key, list] : others) {
    for (auto i : *list) {
      v.facts.push_back(
          {"same id",
           describe_instance(i) + (ledger_.at(i).handled ? ", handled" : ", not handled yet")});
    }
  }
  if (same_key) {
    v.facts.push_back({"its own", describe_instance(same_key->front()) + ", not handled yet"});
  }
}

void Oracle::on_log(const std::string& text) {
  situations_.on_log();
  check(Property::S3);
  Content& c = side_;
  c.clear();
  ledger_.scan(text, c);
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

void Oracle::on_file(Place place, const std::string& shown, std::string_view content,
                     unsigned mode) {
  const bool log = place == Place::kLog;
  const Property p = log ? Property::S3 : Property::S6;
  check(p);
  const bool others_read = (mode & 0044) != 0;
  if (place == Place::kPrivate && !others_read) return;
  auto mode_text = [&] {
    char m[8];
    std::snprintf(m, sizeof m, "%04o", mode & 07777);
    return std::string(m);
  };
  auto where = [&](const DecodedView& v, std::size_t at) {
    return "byte " + std::to_string(v.source_offset(at)) +
           (v.origin.empty() ? "" : std::string(" (") + v.encoding + ")");
  };
  const std::string whose =
      place == Place::kPrivate ? "a file in the private store that others can read (mode " +
                                     mode_text() + ") holds message content"
      : log ? "a file in the log directory holds message content"
            : std::string("a file left in ") + describe(place) + " holds message content";
  for (const auto& view : decoded_views(content)) {
    std::optional<std::pair<Hit, std::size_t>> found;
    scan_canaries(view.text, [&](std::uint64_t, std::size_t at) {
      if (found) return;
      Content c;
      ledger_.scan(std::string_view(view.text).substr(at, kCanaryLength), c);
      if (!c.hits.empty()) found = {c.hits.front(), at};
    });
    if (found) {
      auto& v = violate(p, whose);
      v.facts = {{"file", shown},
                 {"at", where(view, found->second)},
                 {"place", describe(place)},
                 {"content", describe_hit(found->first)}};
      if (place == Place::kPrivate) v.facts.push_back({"mode", mode_text()});
      return;
    }
    for (const auto& [person, ten] : world_.protected_ten_digit()) {
      const auto at = view.text.find(ten);
      if (at == std::string::npos) continue;
      auto& v = violate(p, place == Place::kPrivate
                               ? "a file in the private store that others can read (mode " +
                                     mode_text() + ") holds a protected person's number"
                               : std::string("a file in ") + describe(place) +
                                     " holds a protected person's number");
      const std::size_t from =
          at >= 2 && view.text.compare(at - 2, 2, person, 0, 2) == 0 ? at - 2 : at;
      v.facts = {{"file", shown},
                 {"at", where(view, from)},
                 {"place", describe(place)},
                 {"person", person + " (protected identity)"}};
      return;
    }
  }
}

void Oracle::on_verdicts(const std::vector<Verdict>& vs) {
  const auto& batch = ledger_.last_batch();
  const std::size_t n = batch.size();
  if (vs.size() != n) {
    throw SwitchFailure("submit returned " + std::to_string(vs.size()) + " verdicts for " +
                        std::to_string(n) + " messages");
  }
  for (std::size_t k = 0; k < n; ++k) {
    const auto idx = batch[k];
    auto& in = ledger_.at(idx);
    if (vs[k].sender != in.msg->sender || vs[k].id != in.msg->id) {
      throw SwitchFailure("verdict " + std::to_string(k + 1) + " names " + vs[k].sender + "/" +
                          vs[k].id + " but message " + std::to_string(k + 1) + " of the batch is " +
                          in.msg->sender + "/" + in.msg->id);
    }
    const auto& same_key = *ledger_.with_key(in.msg->sender, in.msg->id);  // add_batch added it
    const bool forgotten = ledger_.forgotten_accepted(in.msg->sender, in.msg->id);
    bool repeated = forgotten;
    for (auto other : same_key) {
      repeated |= ledger_.at(other).seq < in.seq && ledger_.at(other).state == State::kAccepted;
    }
    situations_.on_verdict(idx, repeated);
    if (vs[k].accepted) {
      check(Property::C1);
      bool again = false;
      for (auto other : same_key) {
        if (other == idx || ledger_.at(other).state != State::kAccepted) continue;
        auto& v = violate(Property::C1,
                          "a message with an already accepted (sender, id) was "
                          "accepted again");
        v.facts = {{"message", describe_instance(idx)}, {"earlier", describe_instance(other)}};
        again = true;
        break;
      }
      if (!again && forgotten) {
        auto& v = violate(Property::C1,
                          "a message with an already accepted (sender, id) was "
                          "accepted again");
        v.facts = {{"message", describe_instance(idx)},
                   {"earlier", "a message with that key, accepted and settled more than " +
                                   std::to_string(ledger_.retain()) + " settlements ago"}};
      }
      ledger_.accept(idx);
    } else {
      ledger_.reject(idx);
      check(Property::S5);
      if (in.handled > 0) {
        auto& v = violate(Property::S5, "a message was rejected after its content reached a sink");
        v.facts = {{"message", describe_instance(idx)}, {"went to", handled_where(in)}};
      }
      const bool duplicate = same_key.front() != idx || forgotten;
      if (in.valid_subject && in.tokens.size() > 1 && !duplicate &&
          warnings_.size() < kMaxWarnings) {
        warnings_.push_back("step " + std::to_string(step_ + 1) + ": valid message " +
                            printable(in.msg->sender + "/" + in.msg->id) +
                            " rejected: " + printable(vs[k].reason));
      }
    }
  }
  situations_.on_verdicts_done();
  ledger_.end_submit();
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
    for (std::uint32_t i = 0; i < ledger_.slots(); ++i) {
      const auto& in = ledger_.at(i);
      pending += in.msg && in.state == State::kAccepted && in.handled == 0;
    }
    v.facts = {{"unhandled", std::to_string(pending) + " accepted message(s)"}};
  }
  for (std::uint32_t i = 0; i < ledger_.slots(); ++i) {
    const auto& in = ledger_.at(i);
    if (!in.msg || in.state != State::kAccepted || !in.valid_subject) continue;
    check(Property::C1);
    if (in.handled == 0) {
      auto& v = violate(Property::C1, "an accepted message never reached mailbox, paper or hold");
      v.facts = {{"message", describe_instance(i)},
                 {"expected", describe(world_.route(in.msg->subject, in.msg->sender)) +
                                  " (registry at the end)"}};
    }
  }
  for (std::uint32_t i = 0; i < ledger_.slots(); ++i) {
    const auto& in = ledger_.at(i);
    if (!in.msg || in.handled == 0 || in.state == State::kRejected) continue;
    check(Property::C4);
    if (in.receipts == 0) {
      auto& v = violate(Property::C4, "a handled message produced no receipt to its sender");
      v.facts = {{"message", describe_instance(i)}, {"handled", handled_where(in)}};
    }
  }
}

}  // namespace wrongbox
