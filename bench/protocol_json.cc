// What protocol v1's JSON costs per message (written with rapidjson, read
// with simdjson): a message of the
// throughput bench (two parts, canary-bearing title and data) written into a
// `deliver` call line, parsed back and decoded; and a small `log` line
// written and parsed. docs/protocol.md uses these to say where the
// protocol's time goes. Run: build/bench/protocol_json_bench
#include <benchmark/benchmark.h>

#include "harness/protocol/protocol.h"

namespace {

using wrongbox::Message;
namespace protocol = wrongbox::protocol;

Message bench_message() {
  Message m;
  m.sender = "s1";
  m.id = "1234";
  m.subject = "195001100100";
  m.title = "Beslut 1234 [wbx:0123456789abcdef]";
  m.parts.push_back({"beslut.txt", "\xc3\x84rende 1234, del 1: [wbx:0123456789abcdef]\n"});
  m.parts.push_back({"bilaga-1.pdf", "\xc3\x84rende 1234, del 2: [wbx:fedcba9876543210]\n"});
  return m;
}

std::string deliver_line(protocol::Writer& w, const Message& m) {
  w.start_object();
  w.field("call", "deliver");
  w.field("mailbox", "kivra/bench-1");
  w.key("message");
  protocol::encode(w, m);
  w.end_object();
  return w.line();
}

void write_deliver_line(benchmark::State& state) {
  const Message m = bench_message();
  protocol::Writer w;
  for (auto _ : state) benchmark::DoNotOptimize(deliver_line(w, m));
}

void parse_deliver_line(benchmark::State& state) {
  protocol::Writer w;
  const std::string l = deliver_line(w, bench_message());
  protocol::Parser parser;
  for (auto _ : state) {
    protocol::Value j;
    Message m;
    std::string error;
    const auto message = parser.parse(l, j, error) ? protocol::field(j, "message") : std::nullopt;
    if (!message || !protocol::decode(*message, m, error)) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(m);
  }
}

void write_and_parse_log_line(benchmark::State& state) {
  protocol::Parser parser;
  protocol::Writer w;
  for (auto _ : state) {
    w.start_object();
    w.field("call", "log");
    w.field("text", "delivered s1/1234 to kivra/bench-1");
    w.end_object();
    const auto l = w.line();
    protocol::Value j;
    std::string text, error;
    if (!parser.parse(l, j, error) || !protocol::get_string(j, "text", text, error))
      state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(text);
  }
}

}  // namespace

BENCHMARK(write_deliver_line);
BENCHMARK(parse_deliver_line);
BENCHMARK(write_and_parse_log_line);

BENCHMARK_MAIN();
