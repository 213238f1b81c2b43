#include "pop3/mock/Diagnostic.h"

namespace pop3::mock {

std::string Diagnostic::toString() const {
    std::string text = file;
    if (line > 0) {
        text += ':' + std::to_string(line);
        if (column > 0)
            text += ':' + std::to_string(column);
    }
    return text + ": " + message;
}

} // namespace pop3::mock
