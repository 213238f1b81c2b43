#include "pop3/Errors.h"
#include "pop3/conformance/Check.h"

#include <fnmatch.h>

namespace pop3::conformance {

std::string_view toString(Level level) {
    switch (level) {
    case Level::must:
        return "MUST";
    case Level::should:
        return "SHOULD";
    case Level::may:
        return "MAY";
    case Level::sec:
        return "SEC";
    }
    return "MUST";
}

const std::vector<Check>& catalogue() {
    static const std::vector<Check> checks = [] {
        std::vector<Check> all;
        for (auto family :
             {rfc1939AuthorizationChecks, rfc1939TransactionChecks, rfc1939OptionalCommandChecks,
              rfc2449Checks, rfc5034Checks, tlsChecks, rfc6856Checks}) {
            std::vector<Check> some = family();
            all.insert(all.end(), some.begin(), some.end());
        }
        return all;
    }();
    return checks;
}

const Check* findCheck(std::string_view id) {
    for (const Check& check : catalogue()) {
        if (check.info.id == id)
            return &check;
    }
    return nullptr;
}

std::vector<const Check*> selectChecks(const std::vector<std::string>& patterns) {
    std::vector<const Check*> selected;
    for (const std::string& pattern : patterns) {
        bool matched = false;
        for (const Check& check : catalogue())
            matched = matched || fnmatch(pattern.c_str(), check.info.id.c_str(), 0) == 0;
        // A URL given where the target belongs is not echoed: it may hold a password.
        if (!matched && pattern.find("://") != std::string::npos)
            throw UsageError("a URL is no check id pattern: give the server with --target URL");
        if (!matched)
            throw UsageError("no check id matches '" + pattern + "' (see list-checks)");
    }
    for (const Check& check : catalogue()) {
        bool wanted = patterns.empty();
        for (const std::string& pattern : patterns)
            wanted = wanted || fnmatch(pattern.c_str(), check.info.id.c_str(), 0) == 0;
        if (wanted)
            selected.push_back(&check);
    }
    return selected;
}

} // namespace pop3::conformance
