#pragma once

#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckRunner.h"

#include <ostream>
#include <vector>

namespace pop3::conformance {

/// The human report: one line per check, then details (expected, actual, transcript) of every
/// failure, warning and error, then the totals. `colour` adds ANSI colours.
void writeText(std::ostream& out, const CheckReport& report, bool colour = false);

/// The machine report: target, totals and per check id, rfc, section, level, verdict, message,
/// expected, actual, notes, transcript and duration.
void writeJson(std::ostream& out, const CheckReport& report);

/// JUnit XML: one testsuite per RFC, one testcase per check (failure for fail, error for
/// error, skipped for skip; warn passes with its message in system-out).
void writeJunit(std::ostream& out, const CheckReport& report);

/// The catalogue as plain text, one check per line.
void writeCatalogueText(std::ostream& out, const std::vector<Check>& checks);

/// The catalogue as JSON: every field of every CheckInfo.
void writeCatalogueJson(std::ostream& out, const std::vector<Check>& checks);

/// docs/checks.md: the catalogue as Markdown, with the self-test coverage.
void writeCatalogueMarkdown(std::ostream& out, const std::vector<Check>& checks);

/// MUST checks with a fault, and all MUST checks.
struct FaultCoverage {
    std::size_t withFault = 0;
    std::size_t total = 0;
};
FaultCoverage faultCoverage(const std::vector<Check>& checks);

} // namespace pop3::conformance
