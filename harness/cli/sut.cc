// --sut resolution.
#include "harness/cli/sut.h"

#include <cstdlib>
#include <deque>
#include <fstream>
#include <string_view>

#include "examples/reference_switch.h"
#include "examples/threaded_switch.h"
#include "harness/core/places.h"
#include "harness/net/net_switch.h"
#include "harness/plugin/plugin_switch.h"
#include "harness/protocol/exec_switch.h"

namespace wrongbox {

std::vector<std::string> builtin_sut_names() {
  std::vector<std::string> out;
  for (const auto& i : examples::catalog()) out.emplace_back(i.name);
  for (const auto& i : examples::threaded_catalog()) out.emplace_back(i.name);
  return out;
}

std::string NetSut::spec() const {
  return std::string("net") + (tls ? "+tls" : "") + (verify_signatures ? "+signed" : "") + ":" +
         file;
}

std::optional<NetSut> parse_net_sut(const std::string& spec) {
  if (spec.rfind("net", 0) != 0) return std::nullopt;
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return std::nullopt;
  NetSut n;
  n.file = spec.substr(colon + 1);
  std::string_view opts = std::string_view(spec).substr(3, colon - 3);
  while (!opts.empty()) {
    if (opts.rfind("+tls", 0) == 0 && !n.tls) {
      n.tls = true;
      opts.remove_prefix(4);
    } else if (opts.rfind("+signed", 0) == 0 && !n.verify_signatures) {
      n.verify_signatures = true;
      opts.remove_prefix(7);
    } else {
      return std::nullopt;
    }
  }
  return n;
}

namespace {

std::unique_ptr<Switch> open_builtin(const std::string& name) {
  if (const auto t = examples::threaded_by_name(name)) return examples::make_threaded_switch(*t);
  if (const auto d = examples::defect_by_name(name)) return examples::make_reference_switch(*d);
  throw SutError("unknown built-in switch '" + name + "'; `wrongbox suts` lists them");
}

void open_exec(const std::string& command, const SutOptions& options, OpenedSut& s) {
  std::vector<std::string> words;
  std::string error;
  if (!split_command(command, words, error)) throw SutError("--sut exec: " + error);
  if (options.timeout <= 0) throw SutError("--timeout must be above 0 seconds");
  ExecOptions eo{options.timeout, options.switch_log};
  if (const char* spin = std::getenv("WRONGBOX_EXEC_SPIN_US"); spin && *spin) {
    char* end = nullptr;
    const double us = std::strtod(spin, &end);
    if (*end != '\0' || !(us >= 0 && us <= 1e6)) {
      throw SutError("WRONGBOX_EXEC_SPIN_US must be microseconds from 0 to 1000000, got '" +
                     std::string(spin) + "'");
    }
    eo.spin_microseconds = us;
  }
  std::unique_ptr<ExecSwitch> ex;
  try {
    ex = std::make_unique<ExecSwitch>(command, std::move(eo));
  } catch (const ExecSetupError& e) {
    throw SutError(std::string("--switch-log: ") + e.what());
  }
  s.log_path = ex->log_path();
  s.sw = std::move(ex);
}

void open_net(const std::string& file, bool tls, bool verify_signatures, const SutOptions& options,
              OpenedSut& s) {
  if (file.empty()) throw SutError("--sut net: needs a file: net:FILE");
  std::unique_ptr<net::NetSwitch> ns;
  try {
    net::NetSpec ds = net::load_net_spec(file);
    if (options.timeout > 0 && options.timeout != SutOptions{}.timeout) {
      ds.timeout = options.timeout;
    }
    if (verify_signatures && ds.signing_certificate.empty()) {
      throw SutError("--verify-signatures: " + file +
                     " names no certificate to verify with; add\n  [signatures]\n  "
                     "certificate = \"FILE.pem\"   # the switch's signing certificate, PEM");
    }
    net::NetOptions no{options.switch_log, tls};
    no.verify_signatures = verify_signatures;
    ns = std::make_unique<net::NetSwitch>(std::move(ds), std::move(no));
  } catch (const net::NetSpecError& e) {
    throw SutError(e.what());
  } catch (const ExecSetupError& e) {
    throw SutError(std::string("--switch-log: ") + e.what());
  }
  s.log_path = ns->log_path();
  s.freedoms = [n = ns.get()] { return n->freedoms(); };
  s.wire_used = [n = ns.get()] { return n->take_used(); };
  s.sw = std::move(ns);
}

std::unique_ptr<Switch> open_plugin(const std::string& spec, const PlaceWatch* watch) {
  std::vector<std::string> words;
  std::string error;
  if (!split_command(spec, words, error)) throw SutError("--sut plugin: " + error);
  std::string arg;
  for (std::size_t i = 1; i < words.size(); ++i) arg += (i > 1 ? " " : "") + words[i];
  if (watch) {
    ::setenv("WRONGBOX_PRIVATE_DIR", watch->places().private_dir.c_str(), 1);
    ::setenv("WRONGBOX_SHARED_DIR", watch->places().shared_dir.c_str(), 1);
    ::setenv("WRONGBOX_LOG_DIR", watch->places().log_dir.c_str(), 1);
  }
  return std::make_unique<PluginSwitch>(words[0], arg);
}

// The switch's hello; a switch that dies at start usually said why on its
// standard error: its last lines go with the failure.
HelloInfo say_hello(OpenedSut& s) {
  try {
    return s.sw->hello();
  } catch (const std::exception& e) {
    std::string msg = std::string("hello failed: ") + e.what();
    if (!s.log_path.empty()) {
      std::ifstream log(s.log_path);
      std::deque<std::string> last;
      for (std::string line; std::getline(log, line);) {
        last.push_back(line);
        if (last.size() > 10) last.pop_front();
      }
      if (!last.empty()) {
        msg += "\nlast lines of the switch's standard error (" + s.log_path + "):";
        for (const auto& l : last) msg += "\n  | " + l;
      }
    }
    throw SwitchFailure(msg);
  }
}

}  // namespace

OpenedSut open_sut(const std::string& spec, const SutOptions& options) {
  OpenedSut s;
  s.spec = spec;
  std::unique_ptr<PlaceWatch> watch;
  if (options.places) {
    try {
      watch = std::make_unique<PlaceWatch>();
    } catch (const std::runtime_error& e) {
      throw SutError(e.what());
    }
  }
  // net+tls:FILE is net:FILE with --tls (net+signed: with
  // --verify-signatures), as commands print it to be run again.
  const auto net = parse_net_sut(spec);
  const bool tls = options.tls || (net && net->tls);
  const bool verify_signatures = options.verify_signatures || (net && net->verify_signatures);
  if (tls && !net) throw SutError("--tls is for net: switches only; got '" + spec + "'");
  if (verify_signatures && !net) {
    throw SutError("--verify-signatures is for net: switches only; got '" + spec + "'");
  }
  if (spec.rfind("builtin:", 0) == 0) {
    s.sw = open_builtin(spec.substr(8));
  } else if (spec.rfind("exec:", 0) == 0) {
    open_exec(spec.substr(5), options, s);
  } else if (net) {
    open_net(net->file, tls, verify_signatures, options, s);
  } else if (spec.rfind("plugin:", 0) == 0) {
    s.sw = open_plugin(spec.substr(7), watch.get());
  } else {
    throw SutError("--sut takes builtin:NAME, exec:COMMAND, net:FILE or plugin:PATH.so; got '" +
                   spec + "'");
  }
  if (watch) {
    s.sw->use_places(watch->places());
    s.sw = std::make_unique<WatchedSwitch>(std::move(watch), std::move(s.sw));
  }
  s.hello = say_hello(s);
  return s;
}

}  // namespace wrongbox
