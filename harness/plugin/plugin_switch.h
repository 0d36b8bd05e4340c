// PluginSwitch: a switch built as a shared library against the C ABI in
// include/wrongbox/plugin.h, driven in-process (`--sut plugin:`).
// Also: plugin_from_switch, the other direction, which exports any C++
// wrongbox::Switch through that ABI (used by the reference plugin).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "wrongbox/plugin.h"
#include "wrongbox/switch.h"

namespace wrongbox {

struct CallsContext;  // the harness's side of one plugin's callbacks

class PluginSwitch final : public Switch {
 public:
  // Loads PATH and creates one switch instance with `arg`. Throws SwitchFailure.
  PluginSwitch(const std::string& path, const std::string& arg);
  ~PluginSwitch() override;
  PluginSwitch(const PluginSwitch&) = delete;
  PluginSwitch& operator=(const PluginSwitch&) = delete;

  HelloInfo hello() override;
  void reset(const std::vector<std::string>& senders) override;
  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) override;
  bool tick(std::int64_t now, Calls& calls) override;
  void restart() override;

 private:
  void check(int rc, const char* command);
  void* handle_ = nullptr;
  const wb_plugin* plugin_ = nullptr;
  void* self_ = nullptr;
  std::string path_;
  std::unique_ptr<CallsContext> ctx_;  // reused by every submit and tick
  std::vector<wb_part> parts_;         // C form of the batch being submitted
  std::vector<wb_message> msgs_;
};

// A wb_plugin whose instances are made by `factory(arg)`. The returned
// table lives for the program's lifetime.
const wb_plugin* plugin_from_switch(
    std::function<std::unique_ptr<Switch>(const std::string& arg)> factory);

}  // namespace wrongbox
