#include "DurableFile.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>

namespace pop3::cli {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw Poco::FileException(what + " '" + path + "'", std::strerror(errno));
}

} // namespace

void DurableFile::sync(const std::string& path) {
    // Poco has no fsync; a read-only descriptor is enough for files and folders alike.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail("cannot open", path);
    if (::fsync(fd) != 0) {
        const int error = errno;
        ::close(fd);
        errno = error;
        fail("cannot sync", path);
    }
    ::close(fd);
}

void DurableFile::replace(const std::string& path, const std::string& content) {
    const Poco::Path target = Poco::Path(path).absolute();
    const std::string folder = target.parent().toString();
    const std::string temporary = Poco::TemporaryFile::tempName(folder);
    try {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            fail("cannot create", temporary);
        out << content;
        out.close();
        if (!out)
            fail("cannot write", temporary);
        sync(temporary);
        Poco::File(temporary).renameTo(target.toString());
        sync(folder);
    } catch (...) {
        try {
            Poco::File(temporary).remove();
        } catch (const Poco::Exception&) {
            // Not created, or already renamed.
        }
        throw;
    }
}

} // namespace pop3::cli
