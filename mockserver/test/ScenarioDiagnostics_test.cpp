// Golden tests: for each data/bad/NAME.yaml, the exact diagnostics are in NAME.expected, one per
// line as `validate` prints them (paths relative to data/bad). To refresh the expected files
// after an intended change, run with POP3_UPDATE_GOLDEN=1 and review the diff.

#include "pop3/mock/ScenarioError.h"
#include "pop3/mock/ScenarioLoader.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Path.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using pop3::mock::Diagnostic;
using pop3::mock::ScenarioError;
using pop3::mock::ScenarioLoader;

const std::string kDataDir = std::string(POP3_SCENARIO_TEST_DATA) + "/";
const std::string kBadDir = kDataDir + "bad/";

std::vector<std::string> badCases() {
    std::vector<std::string> names;
    for (Poco::DirectoryIterator it(kBadDir), end; it != end; ++it) {
        Poco::Path path(it->path());
        if (path.getExtension() == "yaml")
            names.push_back(path.getBaseName());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The report with the data folders left out of every path.
std::string render(const std::vector<Diagnostic>& diagnostics) {
    std::string text;
    for (const Diagnostic& diagnostic : diagnostics)
        text += diagnostic.toString() + "\n";
    for (const std::string& prefix : {kBadDir, kDataDir})
        for (std::size_t at; (at = text.find(prefix)) != std::string::npos;)
            text.erase(at, prefix.size());
    return text;
}

class ScenarioDiagnosticsTest : public testing::TestWithParam<std::string> {};

TEST_P(ScenarioDiagnosticsTest, MatchesExpectedFile) {
    const std::string yaml = kBadDir + GetParam() + ".yaml";
    const std::string expectedFile = kBadDir + GetParam() + ".expected";
    const std::string actual = render(ScenarioLoader::validateFile(yaml));
    if (std::getenv("POP3_UPDATE_GOLDEN")) {
        std::ofstream(expectedFile, std::ios::binary) << actual;
        GTEST_SKIP() << "wrote " << expectedFile;
    }
    EXPECT_FALSE(actual.empty()) << "a bad case must have diagnostics";
    EXPECT_EQ(readFile(expectedFile), actual) << "for " << yaml;
}

TEST_P(ScenarioDiagnosticsTest, LoadThrowsTheSameDiagnostics) {
    const std::string yaml = kBadDir + GetParam() + ".yaml";
    try {
        ScenarioLoader::loadFile(yaml);
        FAIL() << yaml << " loaded";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(render(ScenarioLoader::validateFile(yaml)), render(e.diagnostics()));
    }
}

INSTANTIATE_TEST_SUITE_P(BadScenarios, ScenarioDiagnosticsTest, testing::ValuesIn(badCases()),
                         [](const testing::TestParamInfo<std::string>& info) {
                             std::string name;
                             bool upper = true;
                             for (char c : info.param) {
                                 if (c == '_') {
                                     upper = true;
                                     continue;
                                 }
                                 name += upper ? static_cast<char>(std::toupper(c)) : c;
                                 upper = false;
                             }
                             return name;
                         });

TEST(ScenarioDiagnosticsTest, MissingScenarioFile) {
    const auto diagnostics = ScenarioLoader::validateFile(kBadDir + "no-such-file.yaml");
    ASSERT_EQ(1u, diagnostics.size());
    EXPECT_EQ(0, diagnostics[0].line);
    EXPECT_EQ(kBadDir + "no-such-file.yaml: scenario file not found", diagnostics[0].toString());
}

TEST(ScenarioDiagnosticsTest, FolderInsteadOfFile) {
    const auto diagnostics = ScenarioLoader::validateFile(kBadDir);
    ASSERT_EQ(1u, diagnostics.size());
    EXPECT_NE(std::string::npos, diagnostics[0].message.find("folder"));
}

TEST(ScenarioDiagnosticsTest, ErrorTextListsEveryDiagnostic) {
    try {
        ScenarioLoader::loadString("server: {port: x}\nrules: [{}]\n", "inline.yaml");
        FAIL();
    } catch (const ScenarioError& e) {
        EXPECT_STREQ("inline.yaml:1:16: expected a number for 'port', got 'x'\n"
                     "inline.yaml:2:9: a rule needs an action: 'reply', 'append', 'delay', "
                     "'drop', 'stall' or 'fault'",
                     e.what());
    }
}

} // namespace
