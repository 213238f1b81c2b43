#pragma once

#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>

#include <string>

namespace pop3::test {

/// The bytes of a file, as they are (throws Poco::FileNotFoundException when it is missing).
inline std::string readFile(const std::string& path) {
    Poco::FileInputStream in(path);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    return text;
}

} // namespace pop3::test
