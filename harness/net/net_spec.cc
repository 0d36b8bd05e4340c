// Reading a network switch's description (net_spec.h) with toml++.
#include "harness/net/net_spec.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "harness/core/printable.h"

namespace wrongbox::net {
namespace {

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const toml::node* at, const std::string& field,
                         const std::string& what) const {
    std::string where = path_;
    if (at && at->source().begin.line > 0) where += ":" + std::to_string(at->source().begin.line);
    throw NetSpecError(where + ": " + field + ": " + what);
  }
  std::string where(const toml::node* at, const std::string& field) const {
    return path_ + ":" + std::to_string(at ? at->source().begin.line : 0) + ": " + field;
  }

  const toml::table* table(const toml::table& root, const char* name, bool required,
                           const std::set<std::string>& keys) const {
    const toml::node* n = root.get(name);
    if (!n) {
      if (required) fail(&root, std::string("[") + name + "]", "missing (see docs/network.md)");
      return nullptr;
    }
    const toml::table* t = n->as_table();
    if (!t) fail(n, name, "expected a table [" + std::string(name) + "]");
    if (!keys.empty()) {
      for (const auto& [k, v] : *t) {
        if (!keys.count(std::string(k.str()))) {
          std::string known;
          for (const auto& s : keys) known += (known.empty() ? "" : ", ") + s;
          fail(&v, std::string(name) + "." + std::string(k.str()),
               "unknown field (known: " + known + ")");
        }
      }
    }
    return t;
  }

  std::optional<std::string> str(const toml::table& t, const std::string& tname, const char* key,
                                 bool required) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) fail(&t, tname + "." + key, "missing");
      return std::nullopt;
    }
    if (!n->is_string()) fail(n, tname + "." + key, "expected a string");
    return n->value<std::string>();
  }

  std::optional<double> number(const toml::table& t, const std::string& tname,
                               const char* key) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_number()) fail(n, tname + "." + key, "expected a number");
    const double d = *n->value<double>();
    if (!(d > 0 && d <= 3600)) fail(n, tname + "." + key, "expected seconds between 0 and 3600");
    return d;
  }

  Request request(const toml::table& t, const std::string& tname, const char* key,
                  const char* body_key) const {
    Request r;
    const toml::node* n = t.get(key);
    const std::string line = *str(t, tname, key, true);
    r.where = where(n, tname + "." + key);
    const auto sp = line.find(' ');
    r.method = line.substr(0, sp);
    if (sp == std::string::npos || (r.method != "GET" && r.method != "POST" && r.method != "PUT")) {
      fail(n, tname + "." + key, "expected 'GET URL', 'POST URL' or 'PUT URL', got '" + line + "'");
    }
    r.url = line.substr(line.find_first_not_of(' ', sp));
    if (r.url.rfind("http://", 0) != 0 && r.url.rfind("{switch}", 0) != 0) {
      fail(n, tname + "." + key,
           "the URL must start with {switch} or http://, got '" + r.url + "'");
    }
    if (body_key) {
      if (const toml::node* b = t.get(body_key)) {
        if (!b->is_string())
          fail(b, tname + "." + body_key, "expected a string holding a JSON template");
        try {
          r.body = nlohmann::json::parse(*b->value<std::string>());
        } catch (const nlohmann::json::exception& e) {
          fail(b, tname + "." + body_key, std::string("not JSON: ") + e.what());
        }
        r.where = where(b, tname + "." + body_key);
      }
    }
    return r;
  }

  std::string pointer(const toml::table& t, const std::string& tname, const char* key) const {
    const auto s = str(t, tname, key, false);
    if (!s) return "";
    try {
      (void)nlohmann::json::json_pointer(*s);
    } catch (const nlohmann::json::exception&) {
      fail(t.get(key), tname + "." + key,
           "expected a JSON pointer such as \"/accepted\", got '" + *s + "'");
    }
    return *s;
  }

 private:
  std::string path_;
};

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

}  // namespace

NetSpec load_net_spec(const std::string& path) {
  NetSpec s;
  s.path = path;
  std::error_code ec;
  const auto abs = std::filesystem::absolute(path, ec);
  s.dir = abs.parent_path().string();
  if (auto why = path_problem(path); !why.empty()) {
    throw NetSpecError(path + ": " + why + " (net: takes the path of a switch description)");
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw NetSpecError(path + ":" + std::to_string(e.source().begin.line) + ": " +
                       std::string(e.description()));
  }
  Reader r(path);
  for (const auto& [k, v] : root) {
    static const std::set<std::string> known{"switch", "start", "environment", "config",
                                             "intake", "time",  "isolation",   "signatures"};
    if (!known.count(std::string(k.str()))) {
      r.fail(&v, std::string(k.str()),
             "unknown table (known: switch, start, environment, config, intake, time, isolation, "
             "signatures)");
    }
  }
  if (const auto* t = r.table(root, "switch", false, {"name", "version"})) {
    if (auto v = r.str(*t, "switch", "name", false)) s.name = *v;
    if (auto v = r.str(*t, "switch", "version", false)) s.version = *v;
  }
  const auto* start =
      r.table(root, "start", true, {"command", "ready", "ready_timeout", "timeout"});
  s.command = *r.str(*start, "start", "command", true);
  s.ready = r.request(*start, "start", "ready", nullptr);
  if (auto v = r.number(*start, "start", "ready_timeout")) s.ready_timeout = *v;
  if (auto v = r.number(*start, "start", "timeout")) s.timeout = *v;
  if (const auto* t = r.table(root, "environment", false, {})) {
    for (const auto& [k, v] : *t) {
      if (!v.is_string()) r.fail(&v, "environment." + std::string(k.str()), "expected a string");
      s.environment.emplace_back(std::string(k.str()), *v.value<std::string>());
    }
  }
  if (const auto* t = r.table(root, "config", false, {"path", "template"})) {
    s.config_path = *r.str(*t, "config", "path", true);
    const std::string tpl = *r.str(*t, "config", "template", true);
    const auto tpath = std::filesystem::path(s.dir) / tpl;
    std::ifstream in(tpath);
    if (!in) r.fail(t->get("template"), "config.template", "cannot read " + tpath.string());
    std::stringstream ss;
    ss << in.rdbuf();
    s.config_template = ss.str();
  }
  if (const auto* t = r.table(root, "signatures", false, {"certificate"})) {
    const std::string cert = *r.str(*t, "signatures", "certificate", true);
    const auto cpath = std::filesystem::path(s.dir) / cert;
    if (auto why = path_problem(cpath.string()); !why.empty()) {
      r.fail(t->get("certificate"), "signatures.certificate", cpath.string() + ": " + why);
    }
    s.signing_certificate = cpath.string();
  }
  const auto* in =
      r.table(root, "intake", true, {"request", "body", "accepted_status", "accepted", "reason"});
  s.intake = r.request(*in, "intake", "request", "body");
  if (const toml::node* n = in->get("accepted_status")) {
    const toml::array* a = n->as_array();
    if (!a || a->empty()) r.fail(n, "intake.accepted_status", "expected a list of HTTP statuses");
    s.accepted_status.clear();
    for (const auto& e : *a) {
      const auto v = e.value<std::int64_t>();
      if (!v || *v < 100 || *v > 599)
        r.fail(&e, "intake.accepted_status", "expected HTTP statuses (100-599)");
      s.accepted_status.push_back(static_cast<int>(*v));
    }
  }
  s.accepted_pointer = r.pointer(*in, "intake", "accepted");
  s.reason_pointer = r.pointer(*in, "intake", "reason");
  if (const auto* t = r.table(root, "time", false, {"tick", "body", "idle"})) {
    s.tick = r.request(*t, "time", "tick", "body");
    s.idle_pointer = r.pointer(*t, "time", "idle");
  }
  if (const auto* t = r.table(root, "isolation", false, {"reset", "body", "restart"})) {
    if (t->get("reset")) s.reset = r.request(*t, "isolation", "reset", "body");
    if (auto v = r.str(*t, "isolation", "restart", false)) {
      if (*v != "each-scenario" && *v != "never") {
        r.fail(t->get("restart"), "isolation.restart", "expected \"each-scenario\" or \"never\"");
      }
      s.restart_each_scenario = *v == "each-scenario";
    }
  }
  if (!s.reset && !s.restart_each_scenario) {
    throw NetSpecError(path +
                       ": isolation: give a reset hook (isolation.reset) or "
                       "isolation.restart = \"each-scenario\": scenarios must not share state");
  }
  return s;
}

std::string expand_text(const std::string& s, const Values& v, const std::string& where, bool url) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '{') {
      out += s[i++];
      continue;
    }
    const auto close = s.find('}', i);
    if (close == std::string::npos) throw NetSpecError(where + ": '{' without '}' in '" + s + "'");
    const std::string_view name(s.data() + i + 1, close - i - 1);
    std::string value;
    if (auto t = v.text.find(name); t != v.text.end()) {
      value = t->second;
    } else if (auto j = v.json.find(name); j != v.json.end()) {
      value = j->second.is_string() ? j->second.get<std::string>() : j->second.dump();
    } else {
      throw NetSpecError(where + ": unknown placeholder {" + std::string(name) +
                         "} (docs/network.md lists them)");
    }
    // In a URL, a message's fields are percent-encoded; addresses are not.
    const bool field = name == "sender" || name == "sender_org" || name == "id" ||
                       name == "subject" || name == "title" || name.rfind("part.", 0) == 0;
    if (url && field) {
      static const char* hex = "0123456789ABCDEF";
      for (unsigned char c : value) {
        if (is_unreserved(c)) {
          out += static_cast<char>(c);
        } else {
          out += '%';
          out += hex[c >> 4];
          out += hex[c & 15];
        }
      }
    } else {
      out += value;
    }
    i = close + 1;
  }
  return out;
}

namespace {

bool mentions_part(const nlohmann::json& t) {
  if (t.is_string()) return t.get<std::string>().find("{part.") != std::string::npos;
  for (const auto& e : t) {
    if (mentions_part(e)) return true;
  }
  return false;
}

nlohmann::json expand(const nlohmann::json& t, const Values& v, const std::vector<Values>& parts,
                      const std::string& where) {
  if (t.is_string()) {
    const std::string s = t.get<std::string>();
    if (s.size() > 2 && s.front() == '{' && s.back() == '}' &&
        s.find('{', 1) == std::string::npos) {
      if (auto j = v.json.find(std::string_view(s).substr(1, s.size() - 2)); j != v.json.end()) {
        return j->second;
      }
    }
    return expand_text(s, v, where);
  }
  if (t.is_object()) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& [k, e] : t.items()) o[expand_text(k, v, where)] = expand(e, v, parts, where);
    return o;
  }
  if (t.is_array()) {
    nlohmann::json a = nlohmann::json::array();
    if (t.size() == 1 && mentions_part(t[0])) {
      for (const auto& p : parts) {
        Values both = v;
        for (const auto& [k, x] : p.text) both.text[k] = x;
        a.push_back(expand(t[0], both, {}, where));
      }
      return a;
    }
    for (const auto& e : t) a.push_back(expand(e, v, parts, where));
    return a;
  }
  return t;
}

}  // namespace

nlohmann::json expand_body(const nlohmann::json& t, const Values& v,
                           const std::vector<Values>& parts, const std::string& where) {
  return expand(t, v, parts, where);
}

}  // namespace wrongbox::net
