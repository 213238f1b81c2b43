#pragma once

#include <string>

namespace pop3::cli {

/// Making files survive a crash: what must be on disk before the server may delete a message.
/// Failures throw Poco::FileException naming the path.
class DurableFile {
public:
    /// fsync(2) on a file, or on a folder after a file in it was created or renamed.
    static void sync(const std::string& path);

    /// Replaces `path` with `content` through a synced temporary file in the same folder,
    /// renamed into place: readers see the old or the new content, never a mix.
    static void replace(const std::string& path, const std::string& content);
};

} // namespace pop3::cli
