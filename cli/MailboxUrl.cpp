#include "MailboxUrl.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>

#include "CommandLineError.h"

namespace pop3::cli {

namespace {

std::string decode(const std::string& encoded, const char* what) {
    std::string decoded;
    try {
        Poco::URI::decode(encoded, decoded);
    } catch (const Poco::Exception&) {
        throw CommandLineError(std::string("bad percent-encoding in the ") + what + " of the URL");
    }
    // CR, LF or NUL would end the USER/PASS command early and inject another one.
    if (std::any_of(decoded.begin(), decoded.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        throw CommandLineError(std::string("the ") + what +
                               " in the URL contains control characters");
    return decoded;
}

} // namespace

MailboxUrl MailboxUrl::parse(const std::string& url) {
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception&) {
        // Not echoed: the URL may hold a password.
        throw CommandLineError("malformed URL: expected pop3://USER[:PASS]@HOST[:PORT]");
    }
    MailboxUrl result;
    if (uri.getScheme() == "pop3s")
        result.implicitTls = true;
    else if (uri.getScheme() != "pop3")
        throw CommandLineError("the URL must start with pop3:// or pop3s://");

    const std::string& path = uri.getPath();
    if ((!path.empty() && path != "/") || !uri.getRawQuery().empty() || !uri.getFragment().empty())
        throw CommandLineError("the URL must not have a path, query or fragment");
    if (uri.getHost().empty())
        throw CommandLineError("the URL has no host");

    // Poco keeps only what follows the last "@" of the authority, so an unencoded "@" in the
    // password would silently shorten it.
    const std::string::size_type authorityStart = url.find("://") + 3;
    const std::string authority =
        url.substr(authorityStart, url.find_first_of("/?#", authorityStart) - authorityStart);
    if (std::count(authority.begin(), authority.end(), '@') > 1)
        throw CommandLineError("write \"@\" in the user name or password of the URL as %40");
    result.host = uri.getHost();
    result.port = uri.getSpecifiedPort();

    const std::string& userInfo = uri.getUserInfo();
    const std::string::size_type colon = userInfo.find(':');
    result.user = decode(userInfo.substr(0, colon), "user name");
    if (result.user.empty())
        throw CommandLineError("the URL has no user name (pop3://USER@HOST)");
    if (colon != std::string::npos)
        result.password = decode(userInfo.substr(colon + 1), "password");
    return result;
}

} // namespace pop3::cli
