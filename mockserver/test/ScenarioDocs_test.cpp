// The YAML examples of docs/scenarios.md are part of the test suite: every ```yaml block must
// load (relative paths resolve against test/data/good), and every ```yaml invalid block must
// produce exactly the report shown in the ```text block after it.

#include "pop3/mock/Fault.h"
#include "pop3/mock/ScenarioLoader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

using pop3::mock::ScenarioLoader;

struct Block {
    std::string info;
    std::string text;
    int line = 0;
};

std::string docsText() {
    std::ifstream in(std::string(POP3_DOCS_DIR) + "/scenarios.md", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<Block> fencedBlocks(const std::string& markdown) {
    std::vector<Block> blocks;
    std::istringstream in(markdown);
    std::string line;
    int number = 0;
    Block* open = nullptr;
    while (std::getline(in, line)) {
        ++number;
        if (line.rfind("```", 0) == 0) {
            if (open) {
                open = nullptr;
            } else {
                blocks.push_back({line.substr(3), {}, number + 1});
                open = &blocks.back();
            }
            continue;
        }
        if (open)
            open->text += line + "\n";
    }
    return blocks;
}

TEST(ScenarioDocsTest, EveryYamlExampleLoads) {
    const auto blocks = fencedBlocks(docsText());
    int checked = 0;
    for (const Block& block : blocks) {
        if (block.info != "yaml")
            continue;
        ++checked;
        const std::string virtualPath = std::string(POP3_SCENARIO_TEST_DATA) +
                                        "/good/scenarios.md-line-" + std::to_string(block.line) +
                                        ".yaml";
        std::string report;
        for (const auto& d : ScenarioLoader::validateString(block.text, virtualPath))
            report += d.toString() + "\n";
        EXPECT_EQ("", report) << "docs/scenarios.md example at line " << block.line;
    }
    EXPECT_GE(checked, 10);
}

TEST(ScenarioDocsTest, InvalidExampleGivesTheReportShown) {
    const auto blocks = fencedBlocks(docsText());
    int checked = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        if (blocks[i].info != "yaml invalid")
            continue;
        ASSERT_LT(i + 1, blocks.size());
        ASSERT_EQ("text", blocks[i + 1].info) << "a report must follow line " << blocks[i].line;
        std::string report;
        for (const auto& d : ScenarioLoader::validateString(blocks[i].text, "alice.yaml"))
            report += d.toString() + "\n";
        EXPECT_EQ(blocks[i + 1].text, report) << "docs/scenarios.md line " << blocks[i].line;
        ++checked;
    }
    EXPECT_GE(checked, 1);
}

TEST(ScenarioDocsTest, EveryFaultIsDocumented) {
    const std::string docs = docsText();
    for (const auto& spec : pop3::mock::kFaultTable)
        EXPECT_NE(std::string::npos, docs.find("| `" + std::string(spec.name) + "` |"))
            << spec.name << " has no row in the faults table of docs/scenarios.md";
}

TEST(ScenarioDocsTest, EveryKeyIsDocumented) {
    const std::string docs = docsText();
    for (const auto& table : ScenarioLoader::keyTables())
        for (std::string_view key : table.keys)
            EXPECT_NE(std::string::npos, docs.find(std::string(key)))
                << "key '" << key << "' of " << table.context << " is not in docs/scenarios.md";
}

} // namespace
