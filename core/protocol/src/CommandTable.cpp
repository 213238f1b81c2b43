#include "pop3/CommandTable.h"

#include <cctype>

namespace pop3 {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

} // namespace

const CommandSpec* findCommand(std::string_view keyword) {
    for (const CommandSpec& spec : kCommandTable) {
        if (equalsIgnoreCase(spec.name, keyword))
            return &spec;
    }
    return nullptr;
}

const CommandSpec& commandSpec(CommandId id) {
    for (const CommandSpec& spec : kCommandTable) {
        if (spec.id == id)
            return spec;
    }
    return kCommandTable.front(); // unreachable: every id has a row (CommandTableTest checks)
}

} // namespace pop3
