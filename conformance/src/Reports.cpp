#include "pop3/conformance/Reports.h"

namespace pop3::conformance {

void writeText(std::ostream& out, const CheckReport& report, bool) {
    for (const CheckResult& result : report.results)
        out << toString(result.verdict) << " " << result.check->info.id << " " << result.message
            << "\n";
}

} // namespace pop3::conformance
