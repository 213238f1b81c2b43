#include "ScenarioSuite.h"

#include "pop3/mock/ExpectationChecker.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/ScenarioError.h"
#include "pop3/mock/ScenarioLoader.h"
#include "pop3/mock/StepRunner.h"

#include <Poco/File.h>
#include <Poco/Glob.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Path.h>
#include <Poco/RecursiveDirectoryIterator.h>
#include <Poco/SAX/AttributesImpl.h>
#include <Poco/XML/XMLWriter.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace pop3::cli {

namespace {

bool isScenarioFile(const Poco::Path& path) {
    const std::string extension = path.getExtension();
    return extension == "yaml" || extension == "yml";
}

std::string baseName(const std::string& file) {
    return Poco::Path(file).getBaseName();
}

/// The folder of a scenario file in JUnit's dotted form ("scenarios.rfc1939").
std::string junitClassName(const std::string& file) {
    const Poco::Path path(file);
    std::string name;
    for (int i = 0; i < path.depth(); ++i)
        name += (name.empty() ? "" : ".") + path[i];
    return name.empty() ? "scenarios" : name;
}

} // namespace

std::string toString(ScenarioResult::Verdict verdict) {
    switch (verdict) {
    case ScenarioResult::Verdict::passed:
        return "passed";
    case ScenarioResult::Verdict::failed:
        return "failed";
    case ScenarioResult::Verdict::invalid:
        return "invalid";
    }
    return "invalid";
}

std::vector<std::string> collectScenarios(const SuiteOptions& options) {
    std::vector<std::string> files;
    for (const std::string& path : options.paths) {
        Poco::File entry(path);
        if (!entry.exists())
            throw std::invalid_argument("no such file or folder: '" + path + "'");
        if (entry.isFile()) {
            files.push_back(path);
            continue;
        }
        for (Poco::SiblingsFirstRecursiveDirectoryIterator it(path), end; it != end; ++it) {
            if (it->isFile() && isScenarioFile(it.path()))
                files.push_back(it.path().toString());
        }
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    if (!options.filter.empty()) {
        Poco::Glob glob(options.filter);
        files.erase(std::remove_if(files.begin(), files.end(),
                                   [&](const std::string& file) {
                                       return !glob.match(file) && !glob.match(baseName(file));
                                   }),
                    files.end());
    }
    std::vector<std::string> shard;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (i % options.shardCount == options.shardIndex - 1)
            shard.push_back(files[i]);
    }
    return shard;
}

ScenarioResult runScenario(const std::string& file, const std::optional<Target>& target) {
    const auto start = std::chrono::steady_clock::now();
    ScenarioResult result;
    result.file = file;
    result.name = baseName(file);
    auto finish = [&] {
        result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        return result;
    };
    mock::Scenario scenario;
    try {
        scenario = mock::ScenarioLoader::loadFile(file);
    } catch (const mock::ScenarioError& e) {
        result.verdict = ScenarioResult::Verdict::invalid;
        result.message = e.what();
        return finish();
    }
    result.name = scenario.name;
    if (target) {
        mock::StepRunner::Options options;
        options.host = target->host;
        options.port = target->port;
        options.caFile = target->caFile;
        options.verifyCertificate = target->verifyCertificate;
        const mock::StepReport report = mock::StepRunner(options).run(scenario);
        result.transcript = report.transcriptText();
        if (!report.passed()) {
            result.verdict = ScenarioResult::Verdict::failed;
            result.message = report.toString();
        }
        return finish();
    }
    try {
        mock::MockServer server(scenario);
        server.start();
        mock::StepRunner::Options options;
        options.host = server.address();
        options.port = server.port() ? *server.port() : *server.tlsPort();
        options.tlsServerName = scenario.server.hostname.value_or("localhost");
        options.caFile = server.certificateFile();
        const mock::StepReport report = mock::StepRunner(options).run(scenario);
        server.stop(); // every session has ended: the recording is complete
        result.transcript = report.transcriptText();
        std::string message;
        if (!report.passed())
            message = report.toString();
        for (const mock::ExpectationResult& expectation :
             mock::ExpectationChecker(scenario.expectations).check(server.recording())) {
            if (!expectation.passed)
                message += expectation.toString(file) + "\n";
        }
        if (!message.empty()) {
            result.verdict = ScenarioResult::Verdict::failed;
            result.message = message;
        }
    } catch (const std::exception& e) {
        result.verdict = ScenarioResult::Verdict::invalid;
        result.message = file + ": " + e.what();
    }
    return finish();
}

std::vector<ScenarioResult> runScenarios(const std::vector<std::string>& files, std::size_t jobs,
                                         const std::function<void(const ScenarioResult&)>& onDone,
                                         const std::optional<Target>& target) {
    std::vector<ScenarioResult> results(files.size());
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    auto work = [&] {
        for (std::size_t i = next++; i < files.size(); i = next++) {
            results[i] = runScenario(files[i], target);
            std::lock_guard<std::mutex> lock(mutex);
            if (onDone)
                onDone(results[i]);
        }
    };
    std::vector<std::thread> workers;
    for (std::size_t i = 1; i < std::min(std::max<std::size_t>(jobs, 1), files.size()); ++i)
        workers.emplace_back(work);
    work();
    for (std::thread& worker : workers)
        worker.join();
    return results;
}

void writeJson(std::ostream& out, const std::vector<ScenarioResult>& results) {
    Poco::JSON::Array array;
    for (const ScenarioResult& result : results) {
        Poco::JSON::Object object;
        object.set("file", result.file);
        object.set("name", result.name);
        object.set("verdict", toString(result.verdict));
        object.set("durationMs", static_cast<Poco::Int64>(result.duration.count()));
        object.set("message", result.message);
        array.add(object);
    }
    array.stringify(out, 2);
    out << '\n';
}

void writeJunit(std::ostream& out, const std::vector<ScenarioResult>& results) {
    Poco::XML::XMLWriter xml(out, Poco::XML::XMLWriter::WRITE_XML_DECLARATION |
                                      Poco::XML::XMLWriter::PRETTY_PRINT);
    std::size_t failures = 0;
    std::size_t errors = 0;
    double seconds = 0;
    for (const ScenarioResult& result : results) {
        failures += result.verdict == ScenarioResult::Verdict::failed;
        errors += result.verdict == ScenarioResult::Verdict::invalid;
        seconds += static_cast<double>(result.duration.count()) / 1000;
    }
    auto attributes = [](std::initializer_list<std::pair<const char*, std::string>> list) {
        Poco::XML::AttributesImpl attrs;
        for (const auto& [name, value] : list)
            attrs.addAttribute("", "", name, "CDATA", value);
        return attrs;
    };
    xml.startDocument();
    xml.startElement("", "", "testsuite",
                     attributes({{"name", "pop3-conform run"},
                                 {"tests", std::to_string(results.size())},
                                 {"failures", std::to_string(failures)},
                                 {"errors", std::to_string(errors)},
                                 {"time", std::to_string(seconds)}}));
    for (const ScenarioResult& result : results) {
        xml.startElement("", "", "testcase",
                         attributes({{"classname", junitClassName(result.file)},
                                     {"name", result.name},
                                     {"file", result.file},
                                     {"time", std::to_string(result.duration.count() / 1000.0)}}));
        if (result.verdict != ScenarioResult::Verdict::passed) {
            const char* element =
                result.verdict == ScenarioResult::Verdict::failed ? "failure" : "error";
            const std::string firstLine = result.message.substr(0, result.message.find('\n'));
            xml.startElement("", "", element, attributes({{"message", firstLine}}));
            xml.characters(result.message);
            xml.endElement("", "", element);
        }
        if (!result.transcript.empty()) {
            xml.startElement("", "", "system-out");
            xml.characters(result.transcript);
            xml.endElement("", "", "system-out");
        }
        xml.endElement("", "", "testcase");
    }
    xml.endElement("", "", "testsuite");
    xml.endDocument();
}

} // namespace pop3::cli
