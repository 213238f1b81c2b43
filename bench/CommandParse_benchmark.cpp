// How fast a server turns received bytes into commands: LineFramer splitting a stream of typical
// command lines, and parseCommand on each line.

#include "pop3/Command.h"
#include "pop3/Limits.h"

#include <benchmark/benchmark.h>
#include <string>
#include <vector>

namespace {

const std::vector<std::string> kLines = {
    "CAPA",
    "USER alice",
    "PASS correct horse battery",
    "STAT",
    "LIST",
    "UIDL",
    "LIST 12",
    "UIDL 7",
    "RETR 3",
    "TOP 4 10",
    "DELE 5",
    "NOOP",
    "retr 1234",
    "RSET",
    "AUTH PLAIN",
    "APOP alice c4c9334bac560ecc979e58001b3e22fb",
    "QUIT",
};

std::string commandStream() {
    std::string stream;
    for (const std::string& line : kLines)
        stream += line + "\r\n";
    return stream;
}

void parseCommandLines(benchmark::State& state) {
    for (auto _ : state)
        for (const std::string& line : kLines)
            benchmark::DoNotOptimize(pop3::parseCommand(line));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kLines.size()));
}
BENCHMARK(parseCommandLines);

void frameAndParseCommands(benchmark::State& state) {
    const std::string stream = commandStream();
    for (auto _ : state) {
        pop3::LineFramer framer(pop3::limits::kMaxCommandLine);
        framer.feed(stream);
        while (auto line = framer.next())
            benchmark::DoNotOptimize(pop3::parseCommand(line->text));
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kLines.size()));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}
BENCHMARK(frameAndParseCommands);

} // namespace
