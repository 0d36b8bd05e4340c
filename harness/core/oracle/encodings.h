// Content in the encodings of the wire and of files: what a switch may turn
// a canary into on its way to a sink (base64, percent-encoding, JSON and XML
// escapes). The oracle reads a file at rest (S6) through every view here, so
// that content stays recognised however it was written down.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wrongbox {

// One decoding of a text: `text` as the decoder read it, and for each of its
// bytes the offset in the original where its encoding starts.
struct DecodedView {
  const char*
      encoding;  // "as written", "base64", "percent-encoding", "JSON escapes", "XML references"
  std::string text;
  std::vector<std::size_t> origin;  // empty for "as written": offsets are the text's own
  std::size_t source_offset(std::size_t i) const { return origin.empty() ? i : origin[i]; }
};

// The text as written, and every decoding of it that changes something:
// runs of base64 (or base64url) of at least 16 characters decoded from the
// run's start, possibly wrapped over lines; %XX sequences; JSON \-escapes
// (\uXXXX included); XML character references and the five named entities.
// A view appears only when its decoder found something to decode.
std::vector<DecodedView> decoded_views(std::string_view text);

}  // namespace wrongbox
