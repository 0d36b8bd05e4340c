// `wrongbox convert IN --out OUT`: a fuzzer input becomes a scenario file
// (IN not *.wbs), a scenario file becomes a fuzzer input (IN is *.wbs).
#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/scenario_codec.h"
#include "harness/cli/commands.h"

namespace wrongbox::cli {

int convert(const std::string& in_path, const std::string& out_path) {
  std::ifstream in(in_path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "wrongbox: {}: cannot read file\n", in_path);
    return kExitUsage;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  std::string output;
  if (std::filesystem::path(in_path).extension() == ".wbs") {
    const auto parsed = parse_scenario(bytes, in_path);
    if (!parsed.ok()) {
      fmt::print(stderr, "wrongbox: {}\n", parsed.error.to_string());
      return kExitUsage;
    }
    std::string why;
    const auto enc = fuzz::encode_scenario(*parsed.scenario, why);
    if (!enc) {
      fmt::print(stderr, "wrongbox: {}: cannot be a fuzzer input: {}\n", in_path, why);
      return kExitUsage;
    }
    output.assign(enc->begin(), enc->end());
  } else {
    Scenario sc =
        fuzz::decode_scenario(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    sc.name = std::filesystem::path(out_path).stem().string();
    sc.header_comments = {
        "Converted from fuzzer input " + in_path + " (" + std::to_string(bytes.size()) + " bytes).",
        "Say here what it guards against, and add 'guards DEFECT PROPERTY' "
        "if a built-in variant fails on it."};
    sc.tags = {"found-by-fuzzer"};
    output = print_scenario(sc);
  }
  if (out_path.empty() || out_path == "-") {
    fmt::print("{}", output);
    return kExitOk;
  }
  std::ofstream out(out_path, std::ios::binary);
  out << output;
  if (!out) {
    fmt::print(stderr, "wrongbox: cannot write {}\n", out_path);
    return kExitUsage;
  }
  fmt::print(stderr, "wrote {} ({} bytes)\n", out_path, output.size());
  return kExitOk;
}

}  // namespace wrongbox::cli
