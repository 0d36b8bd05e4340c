// The description of a network switch (`--sut net:FILE`, docs/network.md).
//
// FILE is TOML. It says how to start the switch and know it is ready, what
// environment (and optionally a configuration file) carries Wrongbox's URLs
// and places, how a sender submits through the switch's own intake API, how
// time passes and how scenarios are isolated. Every string may hold
// placeholders ({registry}, {switch}, {private_dir}, ...); request bodies are
// JSON templates (see expand_body). Errors name the file, the line and the
// field: "switch.net.toml:12: intake.request: expected 'METHOD URL'".
//
// Example usage:
//   NetSpec spec = load_net_spec("examples/network/mailswitch.net.toml");  // throws NetSpecError
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace wrongbox::net {

class NetSpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "POST {switch}/api/letters" and its JSON body template.
struct Request {
  std::string method;  // GET or POST
  std::string url;     // with placeholders
  std::optional<nlohmann::json> body;
  std::string where;  // "FILE:LINE: FIELD", for errors at run time
};

struct NetSpec {
  std::string path;  // the file, as given
  std::string dir;   // its directory: the command runs there
  std::string name = "network switch";
  std::string version = "unknown";
  // [start]
  std::string command;
  Request ready;
  double ready_timeout = 30;  // seconds
  double timeout = 10;        // seconds per request to the switch
  // [environment] and [config]
  std::vector<std::pair<std::string, std::string>> environment;
  std::string config_path;      // empty: no configuration file
  std::string config_template;  // the template's text
  // [intake]
  Request intake;
  std::vector<int> accepted_status{200, 201, 202};
  std::string accepted_pointer;  // JSON pointer to a bool in the answer; empty: status only
  std::string reason_pointer;    // JSON pointer to the rejection reason
  // [time]
  std::optional<Request> tick;
  std::string
      idle_pointer;  // JSON pointer to a bool in the tick's answer; empty: idle after a tick
  // [isolation]
  std::optional<Request> reset;
  bool restart_each_scenario = false;  // no reset hook: a fresh process per scenario
  // [signatures]: the switch's signing certificate (PEM), for --verify-signatures
  std::string signing_certificate;
};

NetSpec load_net_spec(const std::string& path);

// The values of placeholders. A string of a template that is exactly one
// placeholder whose value is JSON (a number, an array) becomes that value;
// any other placeholder is replaced by its text.
struct Values {
  std::map<std::string, std::string, std::less<>> text;
  std::map<std::string, nlohmann::json, std::less<>> json;
};

// Replaces {name} in `s` (in a URL, the values are percent-encoded when
// `url` is true). Throws NetSpecError naming `where` for an unknown name.
std::string expand_text(const std::string& s, const Values& v, const std::string& where,
                        bool url = false);
// Expands a JSON body template. An array whose one element mentions
// {part.*} is repeated for each of `parts` (each a Values of its own).
nlohmann::json expand_body(const nlohmann::json& t, const Values& v,
                           const std::vector<Values>& parts, const std::string& where);

}  // namespace wrongbox::net
