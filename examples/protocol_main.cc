// wrongbox-reference-switch: the reference switch (or one of its defect
// variants) as a protocol v1 program, for `--sut exec:` and for vendors to
// compare their adapters against.
//   wrongbox-reference-switch [DEFECT-NAME]
#include <iostream>

#include "examples/reference_switch.h"
#include "wrongbox/protocol_server.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::string name = argc > 1 ? argv[1] : "reference";
  const auto defect = wrongbox::examples::defect_by_name(name);
  if (!defect) {
    std::cerr << "wrongbox-reference-switch: unknown variant '" << name << "'\n";
    return 2;
  }
  auto sw = wrongbox::examples::make_reference_switch(*defect);
  return wrongbox::serve_protocol(*sw, std::cin, std::cout);
}
