// How fast the client decodes replies: a single status line, and a 1 MB multi-line body
// arriving in 16 KiB reads.

#include <benchmark/benchmark.h>
#include <string>

#include "BenchmarkData.h"

namespace {

using pop3::bench::decodeMultiLine;

void decodeStatusLine(benchmark::State& state) {
    const std::string wire = "+OK 2 messages (320 octets)\r\n";
    for (auto _ : state) {
        pop3::ResponseDecoder decoder;
        decoder.expect(pop3::ResponseKind::SingleLine);
        benchmark::DoNotOptimize(decoder.feed(wire));
        benchmark::DoNotOptimize(decoder.status());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
}
BENCHMARK(decodeStatusLine);

void decodeMultiLineBody(benchmark::State& state) {
    const std::string body = pop3::bench::mailBody(1 << 20, 0);
    const std::string wire = pop3::bench::multiLineReply(body);
    if (decodeMultiLine(wire) != body)
        state.SkipWithError("the decoded body differs from the original");
    for (auto _ : state)
        benchmark::DoNotOptimize(decodeMultiLine(wire));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
    state.SetLabel("1 MB in 16 KiB chunks");
}
BENCHMARK(decodeMultiLineBody)->Unit(benchmark::kMicrosecond);

} // namespace
