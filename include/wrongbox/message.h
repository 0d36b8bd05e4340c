// wrongbox::Message and wrongbox::Part: a message as a sender submits it.
// Shared by the switch interface (wrongbox/switch.h) and the reference model.
#pragma once

#include <string>
#include <vector>

namespace wrongbox {

// One body or attachment. `data` is opaque bytes to a switch.
struct Part {
  std::string name;
  std::string data;
  bool operator==(const Part&) const = default;
};

// A message as a sender submits it. Identified by (sender, id): two senders
// may use the same id.
struct Message {
  std::string sender;
  std::string id;
  std::string subject;  // the person it is about and for: 12 digits
  std::string title;
  std::vector<Part> parts;
  bool operator==(const Message&) const = default;
};

}  // namespace wrongbox
