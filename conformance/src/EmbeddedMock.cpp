#include "pop3/conformance/EmbeddedMock.h"

#include "pop3/Errors.h"
#include "pop3/mock/ScenarioError.h"
#include "pop3/mock/ScenarioLoader.h"

#include <yaml-cpp/yaml.h>

#include "EmbeddedMockScenario.h"

namespace pop3::conformance {

namespace {

void mergeInto(YAML::Node base, const YAML::Node& over) {
    for (const auto& entry : over) {
        const std::string key = entry.first.as<std::string>();
        YAML::Node current = base[key];
        if (current && current.IsMap() && entry.second.IsMap())
            mergeInto(current, entry.second);
        else
            base[key] = entry.second;
    }
}

} // namespace

const std::string& embeddedMockScenario() {
    static const std::string text = kEmbeddedMockScenario;
    return text;
}

std::string mergeScenario(const std::string& base, const std::string& fault) {
    if (fault.empty())
        return base;
    YAML::Node merged;
    YAML::Node over;
    try {
        merged = YAML::Load(base);
        over = YAML::Load(fault);
    } catch (const YAML::Exception& e) {
        throw UsageError(std::string("a fault fragment is not YAML: ") + e.what());
    }
    if (!over.IsMap())
        throw UsageError("a fault fragment must be a YAML map (rules:, server:)");
    mergeInto(merged, over);
    YAML::Emitter out;
    out << merged;
    return out.c_str();
}

EmbeddedMock::EmbeddedMock(const std::string& fault) {
    const std::string text = mergeScenario(embeddedMockScenario(), fault);
    try {
        _scenario = mock::ScenarioLoader::loadString(text, "embedded-mock.yaml");
    } catch (const mock::ScenarioError& e) {
        throw UsageError(std::string("the embedded mock does not load: ") + e.what());
    }
    _server = std::make_unique<mock::MockServer>(_scenario);
    _server->start();
}

EmbeddedMock::~EmbeddedMock() {
    _server->stop();
}

Target EmbeddedMock::target() const {
    Target target;
    target.host = _server->address();
    target.plainPort = _server->port();
    target.implicitTlsPort = _server->tlsPort();
    target.tlsServerName = "localhost";
    target.caFile = _server->certificateFile();
    target.account = {_scenario.mailboxes.at(0).user, *_scenario.mailboxes.at(0).password};
    target.secondAccount =
        Account{_scenario.mailboxes.at(1).user, *_scenario.mailboxes.at(1).password};
    // The mock answers at once: a shorter limit keeps the self-test's fault runs quick.
    target.timeout = std::chrono::milliseconds(3000);
    target.allowDestructive = true;
    mock::MockServer* server = _server.get();
    target.seed = [server](const SeedRequest&) { server->resetMailboxes(); };
    target.deliver = [server](const Account& account) { server->deliver(account.user); };
    target.failNextUpdate = [server] { server->failNextUpdate(); };
    return target;
}

SelfTestResult selfTest(const Check& check) {
    SelfTestResult result;
    EmbeddedMock correct;
    Target target = correct.target();
    target.slow = true;
    const Discovery discovery = discover(target);
    if ((check.info.needs & needsSlow) == 0)
        result.correct = runCheck(check, target, discovery, true);
    EmbeddedMock faulty(check.info.fault);
    Target faultyTarget = faulty.target();
    faultyTarget.slow = true;
    result.faulty = runCheck(check, faultyTarget, discovery, true);
    return result;
}

} // namespace pop3::conformance
