// `wrongbox convert IN --out OUT`: a fuzzer input becomes a scenario file
// (IN not *.wbs), a scenario file becomes a fuzzer input (IN is *.wbs).
#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/scenario_codec.h"
#include "harness/cli/commands.h"

namespace wrongbox::cli {

CommandResult convert(const ConvertOptions& o, const Console& io) {
  CommandResult res;
  const std::string& in_path = o.in;
  const std::string& out_path = o.out;
  std::ifstream in(in_path, std::ios::binary);
  if (!in) return fail(res, io, kExitUsage, in_path + ": cannot read file");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  std::string output;
  if (std::filesystem::path(in_path).extension() == ".wbs") {
    const auto parsed = parse_scenario(bytes, in_path);
    if (!parsed.ok()) return fail(res, io, kExitUsage, parsed.error.to_string());
    std::string why;
    const auto enc = fuzz::encode_scenario(*parsed.scenario, why);
    if (!enc) return fail(res, io, kExitUsage, in_path + ": cannot be a fuzzer input: " + why);
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
    fmt::print(io.out, "{}", output);
    return res;
  }
  std::ofstream out(out_path, std::ios::binary);
  out << output;
  if (!out) return fail(res, io, kExitUsage, "cannot write " + out_path);
  res.summary = fmt::format("wrote {} ({} bytes)", out_path, output.size());
  fmt::print(io.err, "{}\n", res.summary);
  return res;
}

}  // namespace wrongbox::cli
