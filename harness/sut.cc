// --sut resolution.
#include "harness/sut.h"

#include "examples/reference_switch.h"

namespace wrongbox {

std::vector<std::string> builtin_sut_names() {
  std::vector<std::string> out;
  for (const auto& i : examples::catalog()) out.emplace_back(i.name);
  return out;
}

OpenedSut open_sut(const std::string& spec) {
  OpenedSut s;
  s.spec = spec;
  const std::string builtin = "builtin:";
  if (spec.rfind(builtin, 0) == 0) {
    const auto name = spec.substr(builtin.size());
    const auto d = examples::defect_by_name(name);
    if (!d) {
      throw SutError("unknown built-in switch '" + name + "'; `wrongbox suts` lists them");
    }
    s.sw = examples::make_reference_switch(*d);
  } else if (spec.rfind("exec:", 0) == 0 || spec.rfind("plugin:", 0) == 0) {
    throw SutError("'" + spec.substr(0, spec.find(':')) +
                   ":' switches are not supported by this build yet; use builtin:NAME");
  } else {
    throw SutError("--sut takes builtin:NAME; got '" + spec + "'");
  }
  try {
    s.hello = s.sw->hello();
  } catch (const std::exception& e) {
    throw SwitchFailure(std::string("hello failed: ") + e.what());
  }
  return s;
}

}  // namespace wrongbox
