// Reading LIST and UIDL replies of 10,000 entries as the client does: decode the multi-line
// reply arriving in 16 KiB reads, split the body into lines (splitBodyLines) and parse the
// message number and size (parseDecimal) or take the unique-id of each line. The client's own
// line parsers are internal to Client.cpp; this splits each line at its one space instead.

#include "pop3/Command.h"

#include <benchmark/benchmark.h>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "BenchmarkData.h"

namespace {

constexpr int kEntries = 10000;

std::string listingReply(bool uidl) {
    std::string wire;
    pop3::ResponseWriter writer(wire);
    writer.ok(std::to_string(kEntries) + " messages");
    for (int n = 1; n <= kEntries; ++n)
        writer.bodyLine(std::to_string(n) + " " +
                        (uidl ? "uid-" + std::to_string(n * 7919) + "-20240101"
                              : std::to_string(2000 + n * 37 % 90000)));
    writer.endBody();
    return wire;
}

std::pair<std::string_view, std::string_view> splitEntry(std::string_view line) {
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos)
        return {line, {}};
    return {line.substr(0, space), line.substr(space + 1)};
}

void parseList(benchmark::State& state) {
    const std::string wire = listingReply(false);
    for (auto _ : state) {
        std::uint64_t total = 0;
        for (const std::string& line : pop3::splitBodyLines(pop3::bench::decodeMultiLine(wire))) {
            const auto [number, size] = splitEntry(line);
            const std::optional<std::uint64_t> msgNum = pop3::parseDecimal(number);
            const std::optional<std::uint64_t> octets = pop3::parseDecimal(size);
            if (!msgNum || !octets)
                state.SkipWithError("malformed LIST line");
            total += octets.value_or(0);
        }
        benchmark::DoNotOptimize(total);
    }
    state.SetItemsProcessed(state.iterations() * kEntries);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
}
BENCHMARK(parseList)->Unit(benchmark::kMicrosecond);

void parseUidl(benchmark::State& state) {
    const std::string wire = listingReply(true);
    for (auto _ : state) {
        std::vector<std::pair<std::uint64_t, std::string>> entries;
        for (const std::string& line : pop3::splitBodyLines(pop3::bench::decodeMultiLine(wire))) {
            const auto [number, uid] = splitEntry(line);
            const std::optional<std::uint64_t> msgNum = pop3::parseDecimal(number);
            if (!msgNum || uid.empty())
                state.SkipWithError("malformed UIDL line");
            entries.emplace_back(msgNum.value_or(0), std::string(uid));
        }
        benchmark::DoNotOptimize(entries);
    }
    state.SetItemsProcessed(state.iterations() * kEntries);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
}
BENCHMARK(parseUidl)->Unit(benchmark::kMicrosecond);

} // namespace
