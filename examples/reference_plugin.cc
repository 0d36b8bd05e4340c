// The reference switch (and its defect variants) and the threaded switch
// (and its racy variants) as a C ABI plugin:
//   --sut plugin:build/examples/libwrongbox-reference-plugin.so [VARIANT-NAME]
#include "examples/reference_switch.h"
#include "examples/threaded_switch.h"
#include "harness/plugin/plugin_switch.h"

extern "C" __attribute__((visibility("default"))) const wb_plugin* wrongbox_plugin_v1(void) {
  return wrongbox::plugin_from_switch(
      [](const std::string& arg) -> std::unique_ptr<wrongbox::Switch> {
        if (const auto t = wrongbox::examples::threaded_by_name(arg)) {
          return wrongbox::examples::make_threaded_switch(*t);
        }
        const auto d = wrongbox::examples::defect_by_name(arg.empty() ? "reference" : arg);
        if (!d) throw wrongbox::SwitchFailure("unknown variant '" + arg + "'");
        return wrongbox::examples::make_reference_switch(*d);
      });
}
