#include "harness/cli/fuzz_engine.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/scenario_codec.h"
#include "harness/cli/locate.h"

extern char** environ;

namespace wrongbox::cli {
namespace {

namespace fs = std::filesystem;

// The number after `key` in `line`, or -1.
long number_after(const std::string& line, const std::string& key) {
  const auto at = line.find(key);
  if (at == std::string::npos) return -1;
  return std::strtol(line.c_str() + at + key.size(), nullptr, 10);
}

}  // namespace

std::string find_fuzzer(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* e = std::getenv("WRONGBOX_FUZZER"); e && *e) return e;
#ifdef WRONGBOX_SWITCH_FUZZER
  std::error_code ec;
  if (fs::exists(WRONGBOX_SWITCH_FUZZER, ec)) return WRONGBOX_SWITCH_FUZZER;
#endif
  return installed_file("libexec/wrongbox/switch_fuzzer");
}

std::string why_not_fuzzable(const std::string& sut) {
  if (sut.rfind("builtin:", 0) == 0 || sut.rfind("plugin:", 0) == 0) return "";
  return "fuzzing needs an in-process switch (builtin: or plugin:); " + sut +
         " runs in another process";
}

namespace {

// The work directory: corpus/ with the seeds written into it, artifacts/
// emptied. "" or what went wrong.
std::string prepare_work(const FuzzEngineOptions& o, const fs::path& corpus,
                         const fs::path& artifacts) {
  std::error_code ec;
  fs::remove_all(artifacts, ec);
  fs::create_directories(corpus, ec);
  fs::create_directories(artifacts, ec);
  if (ec) return "cannot create " + artifacts.string() + ": " + ec.message();
  for (std::size_t i = 0; i < o.seeds.size(); ++i) {
    std::ofstream f(corpus / ("seed-" + std::to_string(i)), std::ios::binary);
    f.write(reinterpret_cast<const char*>(o.seeds[i].data()),
            static_cast<std::streamsize>(o.seeds[i].size()));
  }
  return "";
}

std::vector<std::string> fuzzer_args(const FuzzEngineOptions& o, const fs::path& corpus,
                                     const fs::path& artifacts) {
  std::vector<std::string> args = {
      o.fuzzer,
      "-max_total_time=" + std::to_string(std::max(1L, std::lround(o.budget))),
      "-artifact_prefix=" + artifacts.string() + "/",
      "-max_len=" + std::to_string(o.max_len),
      "-timeout=10",
      // Full-length inputs from the start: libFuzzer's slow growth of the
      // length limit halves the inputs run per second's worth of findings
      // (bench/fuzz_defects.sh: 2.4x faster to every defect in total).
      "-len_control=0",
      "-print_final_stats=1",
  };
  std::error_code ec;
  if (o.seed) args.push_back("-seed=" + std::to_string(o.seed % 4000000000ULL));
  if (fs::exists(o.fuzzer + ".dict", ec)) args.push_back("-dict=" + o.fuzzer + ".dict");
  args.push_back(corpus.string());
  return args;
}

// Starts the fuzzer with WRONGBOX_SUT set, its output (both streams) on
// `read_end`. "" or what went wrong.
std::string spawn_fuzzer(const FuzzEngineOptions& o, std::vector<std::string> args, pid_t& pid,
                         int& read_end) {
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "WRONGBOX_SUT=", 13) != 0) env_store.emplace_back(*e);
  }
  env_store.push_back("WRONGBOX_SUT=" + o.sut);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  const int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return "cannot start the fuzzer " + o.fuzzer + ": " + std::strerror(rc);
  }
  read_end = out[0];
  return "";
}

// What a line of libFuzzer's output says of inputs run and their rate.
void read_stats(const std::string& line, FuzzEngineResult& res) {
  if (line.size() > 1 && line[0] == '#' && line[1] >= '0' && line[1] <= '9') {
    if (const long e = number_after(line, "#"); e >= 0) res.execs = e;
    if (const long r = number_after(line, "exec/s: "); r >= 0) res.exec_per_sec = r;
  }
  if (const long e = number_after(line, "stat::number_of_executed_units: "); e >= 0) {
    res.execs = e;
  }
  if (const long r = number_after(line, "stat::average_exec_per_sec: "); r >= 0) {
    res.exec_per_sec = r;
  }
}

// Follows the fuzzer's output into the log until it closes, insisting
// (SIGKILL) when it overruns its budget by 60 s. Returns whether it did.
bool follow(const FuzzEngineOptions& o, int fd, pid_t pid, std::ofstream& log,
            FuzzEngineResult& res) {
  const auto t0 = std::chrono::steady_clock::now();
  auto secs = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const double hard_limit = o.budget + 60;
  std::string pending;
  double last_progress = 0;
  bool killed = false;
  char buf[8192];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 250) > 0) {
      const ssize_t got = ::read(fd, buf, sizeof buf);
      if (got <= 0) break;
      log.write(buf, got);
      pending.append(buf, static_cast<std::size_t>(got));
      for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
        read_stats(pending.substr(0, nl), res);
        pending.erase(0, nl + 1);
      }
    }
    if (o.progress && secs() - last_progress >= 1) {
      o.progress(res.execs, secs());
      last_progress = secs();
    }
    if (!killed && secs() > hard_limit) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  return killed;
}

}  // namespace

FuzzEngineResult run_fuzz_engine(const FuzzEngineOptions& o) {
  FuzzEngineResult res;
  const fs::path work(o.work_dir);
  const fs::path corpus = work / "corpus";
  const fs::path artifacts = work / "artifacts";
  if (res.error = prepare_work(o, corpus, artifacts); !res.error.empty()) return res;
  std::ofstream log(o.log, std::ios::binary);
  if (!log) {
    res.error = "cannot write " + o.log;
    return res;
  }
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = -1;
  int fd = -1;
  res.error = spawn_fuzzer(o, fuzzer_args(o, corpus, artifacts), pid, fd);
  if (!res.error.empty()) return res;
  const bool killed = follow(o, fd, pid, log, res);
  ::close(fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log.flush();
  res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(artifacts, ec)) {
    const std::string name = e.path().filename().string();
    const auto dash = name.find('-');
    if (dash == std::string::npos) continue;
    res.found = true;
    res.artifact = e.path().string();
    res.kind = name.substr(0, dash);
    break;
  }
  if (killed) {
    res.error = "the fuzzer overran its budget by 60 s and was killed (see " + o.log + ")";
  } else if (!res.found && res.exit_code != 0) {
    res.error = "the fuzzer exited with status " + std::to_string(res.exit_code) +
                " and saved no input (see " + o.log + ")";
  }
  return res;
}

FuzzFinding analyse_fuzz_input(const std::string& path, Switch& sw, const RunOptions& ro) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  FuzzFinding f;
  f.original = fuzz::decode_scenario(bytes.data(), bytes.size());
  MinimizeLimits limits;  // shrinking a finding gets kDefaultShrinkTime at most
  limits.deadline = std::chrono::steady_clock::now() + kDefaultShrinkTime;
  f.minimized = minimize_scenario(f.original, sw, ro, limits);
  f.reproduced = f.minimized.result.failed();
  return f;
}

}  // namespace wrongbox::cli
