#include "Fetcher.h"

#include "pop3/Errors.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Process.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <ctime>

#include "DurableFile.h"
#include "UidlState.h"

namespace pop3::cli {

namespace {

std::string inFolder(const std::string& folder, const std::string& name) {
    return Poco::Path(Poco::Path::forDirectory(folder), name).toString();
}

std::string subfolder(const std::string& folder, const std::string& name) {
    return Poco::Path(Poco::Path::forDirectory(folder)).pushDirectory(name).toString();
}

} // namespace

std::string FetchSummary::describe(const std::string& host) const {
    std::string line = "fetched " + std::to_string(fetched) + " of " + std::to_string(messages) +
                       (messages == 1 ? " message (" : " messages (") + std::to_string(octets) +
                       " octets) from " + host;
    if (alreadyFetched > 0)
        line += ", " + std::to_string(alreadyFetched) + " already fetched";
    if (!failures.empty())
        line += ", " + std::to_string(failures.size()) + " failed";
    if (deleting)
        line += ", deleted " + std::to_string(deleted);
    return line;
}

Fetcher::Fetcher(Client& client, FetchOptions options)
    : _client(client), _options(std::move(options)) {}

std::string Fetcher::safeFileName(const std::string& uid) {
    // Everything but RFC 3986 unreserved characters is reserved here, "%" included.
    std::string name;
    Poco::URI::encode(uid, "!#$&'()*+,/:;=?@[]", name);
    if (!name.empty() && name[0] == '.')
        name.replace(0, 1, "%2E");
    return name;
}

FetchSummary Fetcher::run() {
    _summary = FetchSummary();
    _summary.deleting = _options.deleteFetched;
    prepareFolders();
    const bool tracking = !_options.uidlStateFile.empty();
    const std::set<std::string> known =
        tracking ? UidlState::load(_options.uidlStateFile) : std::set<std::string>();

    if (!_client.connected())
        _client.connect();
    const std::vector<MessageListing> messages = listMessages();
    _summary.messages = messages.size();
    if (tracking && std::any_of(messages.begin(), messages.end(),
                                [](const MessageListing& m) { return m.uid.empty(); }))
        throw NotSupportedError("the server does not report unique-ids (UIDL), which "
                                "--uidl-state needs");

    std::vector<MessageListing> wanted;
    // Messages safely on disk, from this run or an earlier one: the ones --delete removes.
    std::vector<MessageListing> onDisk;
    for (const MessageListing& message : messages) {
        if (tracking && known.count(message.uid) > 0) {
            ++_summary.alreadyFetched;
            onDisk.push_back(message);
        } else {
            wanted.push_back(message);
        }
    }

    std::set<std::string> fetched = known;
    std::set<std::string> deleted;
    try {
        for (std::size_t i = 0; i < wanted.size(); ++i) {
            if (onMessage)
                onMessage(i, wanted.size(), wanted[i]);
            try {
                store(wanted[i]);
            } catch (const ServerError& e) {
                _summary.failures.emplace_back(e.what());
                continue;
            }
            fetched.insert(wanted[i].uid);
            onDisk.push_back(wanted[i]);
        }
        std::vector<std::string> marked;
        if (_options.deleteFetched && _summary.failures.empty() && !onDisk.empty()) {
            std::sort(onDisk.begin(), onDisk.end(),
                      [](const MessageListing& a, const MessageListing& b) {
                          return a.msgNum < b.msgNum;
                      });
            std::vector<std::uint64_t> msgNums;
            for (const MessageListing& message : onDisk)
                msgNums.push_back(message.msgNum);
            const std::vector<bool> results = _client.remove(msgNums);
            for (std::size_t i = 0; i < results.size(); ++i) {
                if (results[i])
                    marked.push_back(onDisk[i].uid);
            }
        }
        _client.disconnect(); // QUIT: the server deletes the marked messages now
        _summary.deleted = marked.size();
        deleted.insert(marked.begin(), marked.end());
    } catch (...) {
        if (tracking) {
            try {
                saveState(messages, fetched, {});
            } catch (...) {
                // The first error matters more; the old state only means fetching again.
            }
        }
        throw;
    }
    if (tracking)
        saveState(messages, fetched, deleted);
    return _summary;
}

void Fetcher::prepareFolders() const {
    Poco::File(_options.outDir).createDirectories();
    if (_options.maildir) {
        for (const char* name : {"tmp", "new", "cur"})
            Poco::File(subfolder(_options.outDir, name)).createDirectories();
    }
}

std::vector<MessageListing> Fetcher::listMessages() {
    try {
        return _client.listing();
    } catch (const ServerError&) {
        // UIDL is optional (RFC 1939 §7): name the files by message number instead.
    }
    std::vector<MessageListing> messages;
    for (const ListEntry& entry : _client.list())
        messages.push_back({entry.msgNum, entry.size, {}});
    return messages;
}

void Fetcher::store(const MessageListing& message) {
    std::string path;
    std::uint64_t octets = 0;
    if (_options.maildir) {
        // Maildir delivery: write in tmp/, then rename into new/.
        const std::string name = maildirName();
        const std::string temporary = inFolder(subfolder(_options.outDir, "tmp"), name);
        octets = _client.retrieve(message.msgNum, temporary);
        DurableFile::sync(temporary);
        const std::string newFolder = subfolder(_options.outDir, "new");
        path = inFolder(newFolder, name);
        Poco::File(temporary).renameTo(path);
        DurableFile::sync(newFolder);
    } else {
        // Client::retrieve writes through a temporary file renamed into place.
        path = plainPath(message);
        octets = _client.retrieve(message.msgNum, path);
        DurableFile::sync(path);
        DurableFile::sync(_options.outDir);
    }
    ++_summary.fetched;
    _summary.octets += octets;
    _summary.files.push_back(path);
}

std::string Fetcher::plainPath(const MessageListing& message) const {
    // A unique-id names one message for good, so its file may be replaced by the same message;
    // a message number does not, so an existing file is never replaced.
    if (!message.uid.empty())
        return inFolder(_options.outDir, safeFileName(message.uid) + ".eml");
    const std::string base = std::to_string(message.msgNum);
    std::string path = inFolder(_options.outDir, base + ".eml");
    for (int n = 2; Poco::File(path).exists(); ++n)
        path = inFolder(_options.outDir, base + "_" + std::to_string(n) + ".eml");
    return path;
}

std::string Fetcher::maildirName() const {
    // time.pid_counter.host, with "/" and ":" in the host name escaped as the Maildir spec says.
    static std::atomic<unsigned> counter{0};
    std::string host = Poco::Environment::nodeName();
    Poco::replaceInPlace(host, "/", "\\057");
    Poco::replaceInPlace(host, ":", "\\072");
    const std::string tmp = subfolder(_options.outDir, "tmp");
    const std::string fresh = subfolder(_options.outDir, "new");
    for (;;) {
        const std::string name = std::to_string(std::time(nullptr)) + "." +
                                 std::to_string(Poco::Process::id()) + "_" +
                                 std::to_string(++counter) + "." + host;
        if (!Poco::File(inFolder(tmp, name)).exists() &&
            !Poco::File(inFolder(fresh, name)).exists())
            return name;
    }
}

void Fetcher::saveState(const std::vector<MessageListing>& messages,
                        const std::set<std::string>& fetched,
                        const std::set<std::string>& deleted) const {
    std::vector<std::string> uids;
    for (const MessageListing& message : messages) {
        if (fetched.count(message.uid) > 0 && deleted.count(message.uid) == 0)
            uids.push_back(message.uid);
    }
    UidlState::save(_options.uidlStateFile, uids);
}

} // namespace pop3::cli
