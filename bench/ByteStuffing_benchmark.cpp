// Byte-stuffing (RFC 1939 §3) both ways on a 1 MB body where every other line starts with ".":
// the server's ResponseWriter stuffing it in 16 KiB chunks, the client's decoder unstuffing it.

#include <algorithm>
#include <benchmark/benchmark.h>
#include <string>
#include <string_view>

#include "BenchmarkData.h"

namespace {

using pop3::bench::kChunk;

const std::string& dottedBody() {
    static const std::string body = pop3::bench::mailBody(1 << 20, 2);
    return body;
}

void stuffBody(benchmark::State& state) {
    const std::string_view body = dottedBody();
    std::string wire; // reused, as the server reuses its output buffer
    for (auto _ : state) {
        wire.clear();
        pop3::ResponseWriter writer(wire);
        writer.ok();
        for (std::size_t pos = 0; pos < body.size(); pos += kChunk)
            writer.bodyData(body.substr(pos, std::min(kChunk, body.size() - pos)));
        writer.endBody();
        benchmark::DoNotOptimize(wire);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(stuffBody)->Unit(benchmark::kMicrosecond);

void unstuffBody(benchmark::State& state) {
    const std::string wire = pop3::bench::multiLineReply(dottedBody());
    if (pop3::bench::decodeMultiLine(wire) != dottedBody())
        state.SkipWithError("the decoded body differs from the original");
    for (auto _ : state)
        benchmark::DoNotOptimize(pop3::bench::decodeMultiLine(wire));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
}
BENCHMARK(unstuffBody)->Unit(benchmark::kMicrosecond);

} // namespace
