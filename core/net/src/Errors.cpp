#include "pop3/Errors.h"

#include "pop3/Response.h"

namespace pop3 {

namespace {

ServerError::Code classify(const std::string& code) {
    // Hierarchical codes (RFC 2449 §8) are matched on their first level.
    const std::string first = code.substr(0, code.find('/'));
    if (code.empty())
        return ServerError::Code::None;
    if (code == codes::kInUse)
        return ServerError::Code::InUse;
    if (code == codes::kLoginDelay)
        return ServerError::Code::LoginDelay;
    if (code == codes::kSysTemp)
        return ServerError::Code::SysTemp;
    if (code == codes::kSysPerm)
        return ServerError::Code::SysPerm;
    if (first == codes::kAuth)
        return ServerError::Code::Auth;
    return ServerError::Code::Other;
}

std::string describe(const std::string& command, const std::string& code, const std::string& text) {
    std::string message = command + ": -ERR";
    if (!code.empty())
        message += " [" + code + "]";
    if (!text.empty())
        message += " " + text;
    return message;
}

} // namespace

ServerError::ServerError(const std::string& command, const std::string& codeText,
                         const std::string& text)
    : Error(describe(command, codeText, text)), _command(command), _codeText(codeText), _text(text),
      _code(classify(codeText)) {}

bool ServerError::isTemporary() const {
    return _code == Code::InUse || _code == Code::LoginDelay || _code == Code::SysTemp;
}

} // namespace pop3
