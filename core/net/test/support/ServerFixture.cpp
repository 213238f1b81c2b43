#include "support/ServerFixture.h"

#include "pop3/Message.h"

namespace pop3::test {

std::string wireForm(const std::string& message) {
    return canonicalMessage(message);
}

} // namespace pop3::test
