// Soak traffic: one long scenario generated step by step, never materialised.
//
// A profile describes a population (persons with collision families and
// protected persons, senders, mailboxes at three operators, a few accounts
// with pattern characters) and how the exchange lives: batches of 1 to
// hundreds, people moving, mailboxes closing and reopening for others,
// registry and operator outages that start and end, restarts, races at
// delivery, resubmitted duplicates. The traffic is cut into segments: at the
// end of each the harness drains the switch and checks what is in flight, as
// at a quiet period, and records the segment. The switch is never reset: its
// memory of accepted keys, and whatever it counts, lasts the whole soak.
//
// The steps depend only on the profile and the seed (never on the switch),
// so a finding can be regenerated and cut out as a short scenario.
//
// Example usage:
//   Traffic t(*profile_by_name("steady-day"), /*seed=*/1, /*can_restart=*/true);
//   while (t.messages() < 1000000) {
//     const Step& st = t.next();
//     ...
//     if (t.segment_due()) { /* drain, check, record */ t.begin_segment(); }
//   }
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/playable.h"
#include "harness/core/scenario.h"

namespace wrongbox::soak {

struct Profile {
  std::string_view name;
  std::string_view summary;
  int persons = 3000;
  int senders = 12;
  std::int64_t segment = 50000;     // messages per segment
  std::int64_t quiet_every = 5000;  // messages between quiet periods (drained and checked)
  // Relative weights of what happens next.
  int w_submit = 60, w_tick = 30, w_move = 3, w_close = 2, w_reopen = 2, w_protect = 1, w_block = 1,
      w_outage = 2, w_restart = 1, w_race = 1;
  int bulk_percent = 3;            // batches of bulk size, from one sender
  int bulk_max = 300;              // largest batch
  int outage_min = 2;              // ticks an outage lasts, at least
  int outage_max = 8;              // and at most
  int duplicate_per_mille = 15;    // a recent message submitted again
  int batch_repeat_per_mille = 3;  // a message repeated in its own batch
  int invalid_per_mille = 10;
  std::int64_t burst_every = 0;  // messages between bursts of reopened accounts (0: none)
  int burst_size = 0;            // accounts closed, then reopened for others, per burst
};

// "steady-day" and "incident-week".
const std::vector<Profile>& profiles();
const Profile* profile_by_name(std::string_view name);

class Traffic {
 public:
  Traffic(const Profile& profile, std::uint64_t seed, bool can_restart);

  // The next step, playable after those before it.
  const Step& next();
  // The senders (what the soak's one reset announces).
  const std::vector<std::string>& senders() const { return senders_; }
  std::int64_t messages() const { return messages_; }
  std::int64_t segment_messages() const { return segment_messages_; }
  // The segment's message quota is reached: the caller ends the segment,
  // then calls begin_segment().
  bool segment_due() const { return segment_messages_ >= profile_.segment; }
  // A segment begins: the drain ended every outage.
  void begin_segment();
  // A quiet period is due: the caller drains the switch and checks what is
  // in flight, then calls after_quiet() (every outage has ended).
  bool quiet_due() const { return since_quiet_ >= profile_.quiet_every; }
  void after_quiet();
  // The model as the steps so far left it.
  const PlayableBuilder& model() const { return play_; }

 private:
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(int per_mille) { return below(1000) < static_cast<std::uint64_t>(per_mille); }
  const std::string& person(std::size_t i) const { return persons_[i]; }
  std::string address(std::size_t person, int op) const;
  bool try_add(Step& st);
  void make_submit(Step& st);
  bool make_environment(Step& st);
  void start_outage();
  void burst();

  const Profile& profile_;
  std::mt19937_64 rng_;
  bool can_restart_;
  PlayableBuilder play_{PlayableBuilder::Policy::kNoRacedReuse};
  std::vector<std::string> persons_;
  std::vector<std::string> senders_;
  std::vector<std::uint64_t> next_id_;  // per sender
  std::vector<MessageSpec> recent_;     // a ring of recent messages, for duplicates
  std::size_t recent_at_ = 0;
  std::deque<Step> queued_;  // steps decided earlier (outage ends, burst reopenings)
  struct Outage {
    std::int64_t until = 0;
    Step end;
  };
  std::vector<Outage> outages_;
  std::int64_t now_ = 0;
  std::int64_t messages_ = 0;
  std::int64_t segment_messages_ = 0;
  std::int64_t since_quiet_ = 0;
  std::int64_t next_burst_ = 0;
  int races_ = 0;
  std::int64_t restart_at_ = 0;  // a restart queued for this tick (0: none)
  Step step_;
};

}  // namespace wrongbox::soak
