// TOP (RFC 1939 §7) of a 100 KB message: the headers and 0, 10 or all body lines, streamed
// through TopFilter in 16 KiB chunks as the server reads the message.

#include "pop3/Message.h"

#include <algorithm>
#include <benchmark/benchmark.h>
#include <string>
#include <string_view>

#include "BenchmarkData.h"

namespace {

using pop3::bench::kChunk;

void topFilter(benchmark::State& state) {
    const std::string message = pop3::bench::mailBody(100 * 1000, 0);
    const std::string_view view = message;
    const auto bodyLines = static_cast<std::uint64_t>(state.range(0));
    for (auto _ : state) {
        std::string out;
        pop3::TopFilter filter(bodyLines);
        for (std::size_t pos = 0; pos < view.size(); pos += kChunk)
            if (!filter.feed(view.substr(pos, std::min(kChunk, view.size() - pos)), out))
                break;
        filter.finish(out);
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(topFilter)->Arg(0)->Arg(10)->Arg(100000);

void topOfMessage(benchmark::State& state) {
    const std::string message = pop3::bench::mailBody(100 * 1000, 0);
    for (auto _ : state)
        benchmark::DoNotOptimize(pop3::topOfMessage(message, 10));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(topOfMessage);

} // namespace
