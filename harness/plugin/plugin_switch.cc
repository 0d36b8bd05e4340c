// The plugin C ABI, both directions: PluginSwitch loads a plugin (harness
// side); plugin_from_switch exports a C++ Switch as one (switch side).
#include "harness/plugin/plugin_switch.h"

#include <dlfcn.h>

#include <atomic>
#include <exception>
#include <mutex>

namespace wrongbox {
namespace {

wb_string S(const std::string& s) {
  return wb_string{s.data(), s.size()};
}
std::string S(wb_string s) {
  return s.data ? std::string(s.data, s.size) : std::string();
}

void assign(std::string& dst, wb_string s) {
  if (s.data) {
    dst.assign(s.data, s.size);
  } else {
    dst.clear();
  }
}

// Copies a C message into `dst`, reusing its strings' storage: after the
// first few messages, a copy is memcpy only.
void assign_from_c(Message& dst, const wb_message* c) {
  assign(dst.sender, c->sender);
  assign(dst.id, c->id);
  assign(dst.subject, c->subject);
  assign(dst.title, c->title);
  dst.parts.resize(c->part_count);
  for (std::size_t i = 0; i < c->part_count; ++i) {
    assign(dst.parts[i].name, c->parts[i].name);
    assign(dst.parts[i].data, c->parts[i].data);
  }
}

// A message in C form whose parts are appended to `parts`; it points into
// `parts`, so that must not grow past its capacity while the message is used.
wb_message append_c(const Message& msg, std::vector<wb_part>& parts) {
  const std::size_t first = parts.size();
  for (const auto& p : msg.parts) parts.push_back({S(p.name), S(p.data)});
  return {S(msg.sender),        S(msg.id),       S(msg.subject), S(msg.title),
          parts.data() + first, msg.parts.size()};
}

// A message in C form; its parts live in `parts` (reused between calls).
wb_message to_c(const Message& msg, std::vector<wb_part>& parts) {
  parts.clear();
  return append_c(msg, parts);
}

// ---- harness side: C callbacks into a C++ Calls ----

}  // namespace

struct CallsContext {
  Calls* calls = nullptr;
  // An exception must not cross C frames: the first one is kept here, and
  // after it the callbacks do nothing. A plugin may call from several
  // threads at once: `failed` is what each callback looks at, the lock
  // guards the one store.
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::exception_ptr error;
  // A command begins: its calls go to `c`, and no callback has failed yet.
  void begin(Calls& c) {
    calls = &c;
    error = nullptr;
    failed.store(false, std::memory_order_relaxed);
  }
};

namespace {

// Storage behind what a callback hands to C, per calling thread: a lookup
// answer stays valid until the same thread's next callback.
struct CallScratch {
  LookupReply last;
  std::vector<wb_string> blocked;
  Message message;  // the message of the current call
};
CallScratch& scratch() {
  thread_local CallScratch s;
  return s;
}

template <typename F>
void guarded(CallsContext* c, F&& f) {
  if (c->failed.load(std::memory_order_acquire)) return;
  try {
    f();
  } catch (...) {
    std::lock_guard lock(c->mu);
    if (!c->error) c->error = std::current_exception();
    c->failed.store(true, std::memory_order_release);
  }
}

void cb_lookup(void* ctx, wb_string person, wb_lookup* out) {
  auto* c = static_cast<CallsContext*>(ctx);
  *out = wb_lookup{1, 0, {nullptr, 0}, 0, nullptr, 0};
  guarded(c, [&] {
    CallScratch& t = scratch();
    t.last = c->calls->lookup(S(person));
    t.blocked.clear();
    for (const auto& b : t.last.blocked_senders) t.blocked.push_back(S(b));
    out->unavailable = t.last.unavailable ? 1 : 0;
    out->has_mailbox = t.last.mailbox ? 1 : 0;
    if (t.last.mailbox) out->mailbox = S(*t.last.mailbox);
    out->is_protected = t.last.is_protected ? 1 : 0;
    out->blocked_senders = t.blocked.data();
    out->blocked_count = t.blocked.size();
  });
}
int cb_deliver(void* ctx, wb_string mailbox, const wb_message* m) {
  auto* c = static_cast<CallsContext*>(ctx);
  int rc = WB_DELIVER_UNAVAILABLE;
  guarded(c, [&] {
    Message& msg = scratch().message;
    assign_from_c(msg, m);
    rc = static_cast<int>(c->calls->deliver(S(mailbox), msg));
  });
  return rc;
}
void cb_print(void* ctx, wb_string person, const wb_message* m) {
  auto* c = static_cast<CallsContext*>(ctx);
  guarded(c, [&] {
    Message& msg = scratch().message;
    assign_from_c(msg, m);
    c->calls->print(S(person), msg);
  });
}
void cb_hold(void* ctx, const wb_message* m, wb_string reason) {
  auto* c = static_cast<CallsContext*>(ctx);
  guarded(c, [&] {
    Message& msg = scratch().message;
    assign_from_c(msg, m);
    c->calls->hold(msg, S(reason));
  });
}
void cb_receipt(void* ctx, wb_string sender, wb_string id, int status) {
  auto* c = static_cast<CallsContext*>(ctx);
  guarded(c, [&] {
    if (status < 0 || status > 2) throw SwitchFailure("plugin: receipt status out of range");
    c->calls->receipt(S(sender), S(id), static_cast<ReceiptStatus>(status));
  });
}
void cb_log(void* ctx, wb_string text) {
  auto* c = static_cast<CallsContext*>(ctx);
  guarded(c, [&] { c->calls->log(S(text)); });
}

// ---- switch side: a C++ Switch behind the C table ----

struct Instance {
  std::unique_ptr<Switch> sw;
  std::string error;
  HelloInfo hello;
  std::vector<wb_string> caps;
  std::vector<Verdict> verdicts;
  std::vector<Message> batch;  // storage reused from submit to submit
};

// Calls for a C++ switch, forwarding to the harness's wb_calls. The C
// parts of a message live in storage of the calling thread, so a switch
// with threads may call from several at once.
class CCalls final : public Calls {
 public:
  explicit CCalls(const wb_calls* c) : c_(c) {}
  LookupReply lookup(const std::string& person) override {
    wb_lookup a{};
    c_->lookup(c_->ctx, S(person), &a);
    LookupReply r;
    r.unavailable = a.unavailable != 0;
    if (a.has_mailbox) r.mailbox = S(a.mailbox);
    r.is_protected = a.is_protected != 0;
    for (std::size_t i = 0; i < a.blocked_count; ++i)
      r.blocked_senders.push_back(S(a.blocked_senders[i]));
    return r;
  }
  DeliverReply deliver(const std::string& mailbox, const Message& m) override {
    const wb_message cm = to_c(m, parts());
    const int rc = c_->deliver(c_->ctx, S(mailbox), &cm);
    return rc == WB_DELIVER_OK                ? DeliverReply::kOk
           : rc == WB_DELIVER_NO_SUCH_MAILBOX ? DeliverReply::kNoSuchMailbox
                                              : DeliverReply::kUnavailable;
  }
  void print(const std::string& person, const Message& m) override {
    const wb_message cm = to_c(m, parts());
    c_->print(c_->ctx, S(person), &cm);
  }
  void hold(const Message& m, const std::string& reason) override {
    const wb_message cm = to_c(m, parts());
    c_->hold(c_->ctx, &cm, S(reason));
  }
  void receipt(const std::string& sender, const std::string& id, ReceiptStatus s) override {
    c_->receipt(c_->ctx, S(sender), S(id), static_cast<int>(s));
  }
  void log(const std::string& text) override { c_->log(c_->ctx, S(text)); }

 private:
  static std::vector<wb_part>& parts() {
    thread_local std::vector<wb_part> p;
    return p;
  }
  const wb_calls* c_;
};

std::function<std::unique_ptr<Switch>(const std::string&)>& factory() {
  static std::function<std::unique_ptr<Switch>(const std::string&)> f;
  return f;
}

template <typename F>
int run(void* self, F&& f) {
  auto* in = static_cast<Instance*>(self);
  try {
    f(*in);
    return 0;
  } catch (const std::exception& e) {
    in->error = e.what();
  } catch (...) {
    in->error = "unknown exception";
  }
  return 1;
}

void* p_create(wb_string arg) {
  try {
    auto in = std::make_unique<Instance>();
    in->sw = factory()(S(arg));
    return in->sw ? in.release() : nullptr;
  } catch (...) {
    return nullptr;
  }
}
void p_destroy(void* self) {
  delete static_cast<Instance*>(self);
}
int p_hello(void* self, wb_hello* out) {
  return run(self, [&](Instance& in) {
    in.hello = in.sw->hello();
    in.caps.clear();
    for (const auto& c : in.hello.capabilities) in.caps.push_back(S(c));
    *out = {S(in.hello.name), S(in.hello.version), in.caps.data(), in.caps.size()};
  });
}
int p_reset(void* self, const wb_string* senders, std::size_t n) {
  return run(self, [&](Instance& in) {
    std::vector<std::string> s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(S(senders[i]));
    in.sw->reset(s);
  });
}
int p_submit(void* self, const wb_message* batch, std::size_t n, const wb_calls* calls,
             wb_verdict* out) {
  return run(self, [&](Instance& in) {
    in.batch.resize(n);
    for (std::size_t i = 0; i < n; ++i) assign_from_c(in.batch[i], &batch[i]);
    CCalls cc(calls);
    in.verdicts = in.sw->submit(in.batch, cc);
    if (in.verdicts.size() != n) {
      throw SwitchFailure("submit returned " + std::to_string(in.verdicts.size()) +
                          " verdicts for " + std::to_string(n) + " messages");
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto& v = in.verdicts[i];
      out[i] = {S(v.sender), S(v.id), v.accepted ? 1 : 0, S(v.reason)};
    }
  });
}
int p_tick(void* self, std::int64_t now, const wb_calls* calls, int* idle) {
  return run(self, [&](Instance& in) {
    CCalls cc(calls);
    *idle = in.sw->tick(now, cc) ? 1 : 0;
  });
}
int p_restart(void* self) {
  return run(self, [&](Instance& in) { in.sw->restart(); });
}
const char* p_last_error(void* self) {
  return static_cast<Instance*>(self)->error.c_str();
}

}  // namespace

const wb_plugin* plugin_from_switch(
    std::function<std::unique_ptr<Switch>(const std::string& arg)> make) {
  factory() = std::move(make);
  static const wb_plugin kTable = {WRONGBOX_PLUGIN_ABI_VERSION,
                                   p_create,
                                   p_destroy,
                                   p_hello,
                                   p_reset,
                                   p_submit,
                                   p_tick,
                                   p_restart,
                                   p_last_error};
  return &kTable;
}

PluginSwitch::PluginSwitch(const std::string& path, const std::string& arg)
    : path_(path), ctx_(std::make_unique<CallsContext>()) {
  handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) throw SwitchFailure(std::string("plugin: cannot load: ") + ::dlerror());
  auto entry = reinterpret_cast<wb_plugin_entry>(::dlsym(handle_, WRONGBOX_PLUGIN_ENTRY));
  if (!entry) {
    throw SwitchFailure("plugin: " + path + " exports no " WRONGBOX_PLUGIN_ENTRY "() function");
  }
  plugin_ = entry();
  if (!plugin_ || plugin_->abi_version != WRONGBOX_PLUGIN_ABI_VERSION) {
    throw SwitchFailure("plugin: " + path + " is built for ABI version " +
                        (plugin_ ? std::to_string(plugin_->abi_version) : "?") +
                        "; this wrongbox speaks version " +
                        std::to_string(WRONGBOX_PLUGIN_ABI_VERSION));
  }
  self_ = plugin_->create(S(arg));
  if (!self_) throw SwitchFailure("plugin: create(\"" + arg + "\") failed");
}

PluginSwitch::~PluginSwitch() {
  if (plugin_ && self_) plugin_->destroy(self_);
  // The library stays loaded: code of it may still be on the stack of
  // atexit handlers or thread-local destructors.
}

void PluginSwitch::check(int rc, const char* command) {
  if (rc != 0) {
    const char* e = plugin_->last_error(self_);
    throw SwitchFailure(std::string("plugin ") + command + " failed: " + (e ? e : "(no reason)"));
  }
}

HelloInfo PluginSwitch::hello() {
  wb_hello h{};
  check(plugin_->hello(self_, &h), "hello");
  HelloInfo out{S(h.name), S(h.version), {}};
  for (std::size_t i = 0; i < h.capability_count; ++i)
    out.capabilities.push_back(S(h.capabilities[i]));
  return out;
}

void PluginSwitch::reset(const std::vector<std::string>& senders) {
  std::vector<wb_string> s;
  for (const auto& x : senders) s.push_back(S(x));
  check(plugin_->reset(self_, s.data(), s.size()), "reset");
}

namespace {
wb_calls make_calls(CallsContext& ctx) {
  return wb_calls{&ctx, cb_lookup, cb_deliver, cb_print, cb_hold, cb_receipt, cb_log};
}
}  // namespace

std::vector<Verdict> PluginSwitch::submit(const std::vector<Message>& batch, Calls& calls) {
  // Every part of the batch in one array, so the C messages can point into it.
  std::size_t total = 0;
  for (const auto& m : batch) total += m.parts.size();
  parts_.clear();
  parts_.reserve(total);
  msgs_.clear();
  for (const auto& m : batch) msgs_.push_back(append_c(m, parts_));
  ctx_->begin(calls);
  const wb_calls c = make_calls(*ctx_);
  std::vector<wb_verdict> out(batch.size());
  const int rc = plugin_->submit(self_, msgs_.data(), msgs_.size(), &c, out.data());
  if (ctx_->error) std::rethrow_exception(ctx_->error);
  check(rc, "submit");
  std::vector<Verdict> vs;
  for (const auto& v : out) vs.push_back({S(v.sender), S(v.id), v.accepted != 0, S(v.reason)});
  return vs;
}

bool PluginSwitch::tick(std::int64_t now, Calls& calls) {
  ctx_->begin(calls);
  const wb_calls c = make_calls(*ctx_);
  int idle = 0;
  const int rc = plugin_->tick(self_, now, &c, &idle);
  if (ctx_->error) std::rethrow_exception(ctx_->error);
  check(rc, "tick");
  return idle != 0;
}

void PluginSwitch::restart() {
  check(plugin_->restart(self_), "restart");
}

}  // namespace wrongbox
