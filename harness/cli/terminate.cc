// What the harness says when it is told to stop (SIGTERM, SIGINT, SIGHUP).
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "harness/cli/commands.h"

namespace wrongbox::cli {
namespace {

void on_termination(int sig) {
  // Only async-signal-safe calls. Standard output is line-buffered, so what
  // it holds is already written; a switch's watchdog kills its process group
  // when this process is gone; a run being recorded stays "incomplete".
  const char* name = sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP";
  const char head[] = "\nwrongbox: stopped by ";
  const char tail[] =
      "; the switch's processes are killed, and a run being recorded is left incomplete in the "
      "evidence store\n";
  (void)!::write(STDERR_FILENO, head, sizeof head - 1);
  (void)!::write(STDERR_FILENO, name, std::strlen(name));
  (void)!::write(STDERR_FILENO, tail, sizeof tail - 1);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void say_why_on_termination() {
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    struct sigaction old {};
    ::sigaction(sig, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;  // e.g. nohup: stay ignored
    struct sigaction sa {};
    sa.sa_handler = on_termination;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    ::sigaction(sig, &sa, nullptr);
  }
}

}  // namespace wrongbox::cli
