#include "pop3/conformance/Check.h"
#include "pop3/conformance/CheckContext.h"

namespace pop3::conformance {

std::vector<Check> rfc5034Checks() {
    return {};
}

} // namespace pop3::conformance
