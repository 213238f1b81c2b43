#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

namespace pop3::conformance {

std::vector<Check> tlsChecks() {
    return {};
}

} // namespace pop3::conformance
