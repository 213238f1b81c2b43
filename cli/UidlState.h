#pragma once

#include <set>
#include <string>
#include <vector>

namespace pop3::cli {

/// The --uidl-state file: the unique-ids (RFC 1939 UIDL) of messages already fetched, one per
/// line, so later runs fetch only new ones while the messages stay on the server.
class UidlState {
public:
    /// The ids in `fileName`; none when it does not exist yet.
    static std::set<std::string> load(const std::string& fileName);
    /// Replaces `fileName` atomically (DurableFile::replace) with `uids`, one per line.
    static void save(const std::string& fileName, const std::vector<std::string>& uids);
};

} // namespace pop3::cli
