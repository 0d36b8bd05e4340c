// PlaceWatch: the directories a switch may write files in (property S6),
// made for one switch, and a watch of the files that change in them.
//
// The places are made under a new directory (in WRONGBOX_PLACES_DIR, else
// /dev/shm where it exists, else TMPDIR or /tmp): private/
// (mode 0700), shared/, log/, tmp/ and home/. The watch is inotify, armed to
// send a signal when an event arrives, so that asking whether anything
// changed costs no system call (dirty() reads a flag); only then are the
// events read and the changed files listed. A switch that writes no files
// costs the harness nothing per command.
//
// Example usage:
//   PlaceWatch watch;                 // throws std::runtime_error
//   sw.use_places(watch.places());
//   ... after a command:
//   if (watch.dirty()) for (auto& f : watch.take()) judge(f);
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/core/oracle/place.h"
#include "wrongbox/switch.h"

namespace wrongbox {

struct ChangedFile {
  Place place;
  std::string path;   // absolute
  std::string shown;  // relative to the places' root, e.g. "shared/export.csv"
};

class PlaceWatch {
 public:
  PlaceWatch();
  ~PlaceWatch();  // removes the places and everything in them
  PlaceWatch(const PlaceWatch&) = delete;
  PlaceWatch& operator=(const PlaceWatch&) = delete;

  const Places& places() const { return places_; }
  const std::string& root() const { return root_; }
  // Whether files may have changed since the last take(). No system call.
  bool dirty() const;
  // The regular files created, written, moved in or whose mode changed since
  // the last call that still exist, each once, in the order first seen.
  std::vector<ChangedFile> take();

 private:
  void watch_dir(const std::string& dir, Place place, std::vector<ChangedFile>* found);
  void arm();
  std::string root_;
  Places places_;
  int fd_ = -1;
  std::map<int, std::pair<std::string, Place>> dirs_;  // watch descriptor -> directory
};

// A switch with its places: what open_sut hands out, so that the runner of
// every command finds the watch (runner.cc) without each caller passing it.
// Forwards every command to the switch it wraps.
class WatchedSwitch final : public Switch {
 public:
  // `inner` has been given `watch`'s places already.
  WatchedSwitch(std::unique_ptr<PlaceWatch> watch, std::unique_ptr<Switch> inner)
      : watch_(std::move(watch)), inner_(std::move(inner)) {}
  PlaceWatch& watch() { return *watch_; }
  Switch& inner() { return *inner_; }

  HelloInfo hello() override { return inner_->hello(); }
  void reset(const std::vector<std::string>& senders) override { inner_->reset(senders); }
  std::vector<Verdict> submit(const std::vector<Message>& batch, Calls& calls) override {
    return inner_->submit(batch, calls);
  }
  bool tick(std::int64_t now, Calls& calls) override { return inner_->tick(now, calls); }
  void restart() override { inner_->restart(); }

 private:
  // The switch goes first: a process may still write while it stops.
  std::unique_ptr<PlaceWatch> watch_;
  std::unique_ptr<Switch> inner_;
};

}  // namespace wrongbox
