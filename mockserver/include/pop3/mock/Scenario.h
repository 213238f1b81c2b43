#pragma once

#include "pop3/mock/Expectations.h"
#include "pop3/mock/Mailbox.h"
#include "pop3/mock/Rule.h"
#include "pop3/mock/ServerSpec.h"
#include "pop3/mock/Step.h"

#include <string>
#include <string_view>
#include <vector>

namespace pop3::mock {

/// A validated scenario (docs/scenarios.md): what the mock serves, how it misbehaves, the
/// client script and the assertions on what the mock saw. Built by ScenarioLoader.
struct Scenario {
    /// `name:`, or the file's base name.
    std::string name;
    std::string description;
    /// The file as named to the loader (the virtual path for loadString).
    std::string sourceFile;
    std::vector<Mailbox> mailboxes;
    ServerSpec server;
    std::vector<Rule> rules;
    std::vector<Step> steps;
    Expectations expectations;

    /// The mailbox of `user` (exact match), or nullptr.
    const Mailbox* findMailbox(std::string_view user) const;
};

} // namespace pop3::mock
