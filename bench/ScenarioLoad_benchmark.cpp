// How fast scenarios load: a 10,000-message mailbox declared with generate: and written out
// message by message, and listing it for a login. Run: build/default/bench/pop3_benchmarks.

#include "pop3/mock/Mailbox.h"
#include "pop3/mock/ScenarioLoader.h"

#include <benchmark/benchmark.h>
#include <string>

namespace {

const std::string kGenerated = R"(
mailboxes:
  - user: alice
    password: pw
    messages:
      - generate: {count: 10000, size: 4096, seed: 1}
)";

std::string inlineMailbox(int count) {
    std::string yaml = "mailboxes:\n  - user: alice\n    password: pw\n    messages:\n";
    for (int i = 0; i < count; ++i)
        yaml += "      - {raw: \"Subject: message " + std::to_string(i) +
                "\\n\\nBody of the message.\\n\"}\n";
    return yaml;
}

void loadGenerated(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(pop3::mock::ScenarioLoader::loadString(kGenerated, "g.yaml"));
}
BENCHMARK(loadGenerated)->Unit(benchmark::kMillisecond);

void loadInline(benchmark::State& state) {
    const std::string yaml = inlineMailbox(10000);
    for (auto _ : state)
        benchmark::DoNotOptimize(pop3::mock::ScenarioLoader::loadString(yaml, "i.yaml"));
    state.SetLabel("10,000 messages written out");
}
BENCHMARK(loadInline)->Unit(benchmark::kMillisecond);

void listGenerated(benchmark::State& state) {
    const pop3::mock::Scenario scenario =
        pop3::mock::ScenarioLoader::loadString(kGenerated, "g.yaml");
    for (auto _ : state)
        benchmark::DoNotOptimize(scenario.mailboxes[0].listing());
}
BENCHMARK(listGenerated)->Unit(benchmark::kMillisecond);

} // namespace
