#include "pop3/mock/Scenario.h"

namespace pop3::mock {

const Mailbox* Scenario::findMailbox(std::string_view user) const {
    for (const Mailbox& mailbox : mailboxes)
        if (mailbox.user == user)
            return &mailbox;
    return nullptr;
}

} // namespace pop3::mock
