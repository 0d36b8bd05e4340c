// The harness's own cost: the reference switch under the same soak traffic
// three ways in one run, for each of several traffic seeds:
//   bare   a minimal driver that only answers the switch's calls from the
//          model (no oracle, no canaries, plain message text);
//   full   the soak's Session in-process (streaming oracle, canaries, situations);
//   exec   the same Session over protocol v1 (exec:), on a tenth of the traffic.
// Prints messages/s of each and the ratios, per seed and their medians.
// Usage: soak_cost [MESSAGES] [SEEDS] [RETAIN] [PLACES]   (defaults 200000, 3,
// the soak's --retain default: settled messages the oracle keeps knowing, and
// "on"). PLACES "off" opens the switch without its places (no files judged,
// and the reference then keeps its waiting messages in memory at a restart),
// for figures comparable with runs before property S6.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "harness/cli/sut.h"
#include "harness/core/playable.h"
#include "harness/core/runner.h"
#include "harness/soak/soak.h"
#include "harness/soak/traffic.h"

namespace {

using namespace wrongbox;
using Clock = std::chrono::steady_clock;

// The traffic, generated once: steps, and after which step a quiet period
// or a segment's end comes.
struct Event {
  Step step;
  int after = 0;  // 0 nothing, 1 quiet period, 2 segment end
};

std::vector<Event> traffic(std::uint64_t seed, std::int64_t messages) {
  soak::Traffic t(*soak::profile_by_name("steady-day"), seed, true);
  std::vector<Event> out;
  while (t.messages() < messages) {
    Event e;
    e.step = t.next();
    if (t.segment_due()) {
      e.after = 2;
      t.begin_segment();
    } else if (t.quiet_due()) {
      e.after = 1;
      t.after_quiet();
    }
    out.push_back(std::move(e));
  }
  return out;
}

// Answers the switch from the model and counts; judges nothing.
class BareCalls final : public Calls {
 public:
  explicit BareCalls(PlayableBuilder& b) : b_(b) {}
  LookupReply lookup(const std::string& person) override {
    LookupReply r;
    if (!b_.world().registry_up()) {
      r.unavailable = true;
      return r;
    }
    auto a = b_.world().lookup(person);
    r.mailbox = std::move(a.mailbox);
    r.is_protected = a.is_protected;
    r.blocked_senders = std::move(a.blocked_senders);
    return r;
  }
  DeliverReply deliver(const std::string& mailbox, const Message&) override {
    ++calls;
    if (!b_.world().operator_up(model::operator_of(mailbox))) return DeliverReply::kUnavailable;
    return b_.world().open_owner(mailbox) ? DeliverReply::kOk : DeliverReply::kNoSuchMailbox;
  }
  void print(const std::string&, const Message&) override { ++calls; }
  void hold(const Message&, const std::string&) override { ++calls; }
  void receipt(const std::string&, const std::string&, ReceiptStatus) override { ++calls; }
  void log(const std::string&) override { ++calls; }
  long calls = 0;

 private:
  PlayableBuilder& b_;
};

SutOptions g_sut_options;  // main() sets places from PLACES

[[gnu::noinline]] double bare(const std::vector<Event>& events,
                              const std::vector<std::string>& senders) {
  auto sut = open_sut("builtin:reference", g_sut_options);
  PlayableBuilder b;
  BareCalls calls(b);
  std::int64_t now = 0, messages = 0;
  std::vector<Message> batch;
  auto drain = [&] {
    b.world().all_up();
    for (int k = 0; k < 100; ++k) {
      b.advance(1);
      if (sut.sw->tick(++now, calls)) break;
    }
  };
  const auto t0 = Clock::now();
  sut.sw->reset(senders);
  for (const auto& e : events) {
    const Step& st = e.step;
    switch (st.kind) {
      case StepKind::kSubmit: {
        batch.resize(st.messages.size());
        for (std::size_t i = 0; i < st.messages.size(); ++i) {
          const auto& s = st.messages[i];
          Message& m = batch[i];
          m.sender = s.sender;
          m.id = s.id;
          m.subject = s.subject;
          m.title = "Beslut " + s.id;
          m.parts.resize(static_cast<std::size_t>(s.parts));
          for (int p = 0; p < s.parts; ++p) {
            m.parts[static_cast<std::size_t>(p)] = {"beslut.txt", "del " + std::to_string(p + 1)};
          }
        }
        messages += static_cast<std::int64_t>(batch.size());
        sut.sw->submit(batch, calls);
        break;
      }
      case StepKind::kTick:
        for (int k = 0; k < st.count; ++k) {
          b.advance(1);
          sut.sw->tick(++now, calls);
        }
        break;
      case StepKind::kRestart:
        sut.sw->restart();
        break;
      default:
        b.add(st);
    }
    if (e.after) drain();
  }
  drain();
  return static_cast<double>(messages) / std::chrono::duration<double>(Clock::now() - t0).count();
}

[[gnu::noinline]] double full(Switch& sw, const std::vector<Event>& events, std::size_t count,
                              const std::vector<std::string>& senders, std::size_t retain) {
  Session s(sw, RunOptions{}, retain);
  model::SituationCoverage coverage;
  s.count_situations_into(&coverage);
  const auto t0 = Clock::now();
  s.start(senders);
  int i = 0;
  for (std::size_t k = 0; k < count; ++k, ++i) {
    const auto& e = events[k];
    if (!s.play(e.step, i)) break;
    if (e.after == 1) s.checkpoint(i + 1);
    if (e.after == 2) s.checkpoint(i + 1);
  }
  const auto& r = s.finish(i);
  if (r.outcome != Outcome::kPass) std::fprintf(stderr, "not a pass: %s\n", summarize(r).c_str());
  return static_cast<double>(r.stats.messages) /
         std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t messages = argc > 1 ? std::stoll(argv[1]) : 200000;
  const int seeds = argc > 2 ? std::stoi(argv[2]) : 3;
  const std::size_t retain = argc > 3 ? std::stoul(argv[3]) : Oracle::kDefaultRetain;
  g_sut_options.places = !(argc > 4 && std::string(argv[4]) == "off");
  const std::string exec_spec = "exec:" + std::string(WRONGBOX_REFERENCE_SWITCH);
  std::vector<double> vb, vf, ve, rf, re;
  std::printf("%-6s %12s %12s %12s %10s %10s\n", "seed", "bare msg/s", "full msg/s", "exec msg/s",
              "full/bare", "exec/bare");
  for (int seed = 1; seed <= seeds; ++seed) {
    const auto events = traffic(static_cast<std::uint64_t>(seed), messages);
    soak::Traffic t(*soak::profile_by_name("steady-day"), 1, true);
    const auto senders = t.senders();
    const double b = bare(events, senders);
    auto in = open_sut("builtin:reference", g_sut_options);
    const double f = full(*in.sw, events, events.size(), senders, retain);
    auto ex = open_sut(exec_spec, g_sut_options);
    const double e = full(*ex.sw, events, events.size() / 10, senders, retain);
    std::printf("%-6d %12.0f %12.0f %12.0f %10.2f %10.2f\n", seed, b, f, e, b / f, b / e);
    vb.push_back(b);
    vf.push_back(f);
    ve.push_back(e);
    rf.push_back(b / f);
    re.push_back(b / e);
  }
  std::printf("%-6s %12.0f %12.0f %12.0f %10.2f %10.2f\n", "median", median(vb), median(vf),
              median(ve), median(rf), median(re));
  std::printf(
      "(ratios: how many times longer the same traffic takes than bare; %lld messages "
      "per seed, exec on a tenth of them)\n",
      static_cast<long long>(messages));
  return 0;
}
