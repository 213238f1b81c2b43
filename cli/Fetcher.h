#pragma once

#include "pop3/Client.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace pop3::cli {

/// What `fetch` does with the mailbox.
struct FetchOptions {
    /// Folder for the messages; created when missing.
    std::string outDir;
    /// Write a Maildir (tmp/, new/, cur/) instead of one `<UIDL>.eml` file per message.
    bool maildir = false;
    /// Delete the fetched messages on the server (and those an earlier run recorded in the
    /// UIDL state), once every file is on disk.
    bool deleteFetched = false;
    /// File of UIDLs already fetched; empty for none.
    std::string uidlStateFile;
};

/// The outcome of one run.
struct FetchSummary {
    /// Messages in the maildrop.
    std::uint64_t messages = 0;
    std::uint64_t fetched = 0;
    /// Octets written, over all fetched messages.
    std::uint64_t octets = 0;
    /// Skipped because the UIDL state lists them.
    std::uint64_t alreadyFetched = 0;
    /// True when deletion was asked for; describe() then always reports it.
    bool deleting = false;
    std::uint64_t deleted = 0;
    /// The files written, in message order.
    std::vector<std::string> files;
    /// One error per message the server refused to send (-ERR to RETR). When there are any,
    /// nothing is deleted.
    std::vector<std::string> failures;

    /// The line printed at the end: "fetched 3 of 5 messages (12345 octets) from HOST, 2
    /// already fetched, deleted 5".
    std::string describe(const std::string& host) const;
};

/// Downloads a maildrop into files with pop3::Client: connect, list, RETR each new message
/// into a file (written through a temporary, then renamed and fsync'd), DELE when asked, QUIT.
/// Deletion is only requested after every file is on disk, and only when every retrieval
/// succeeded.
class Fetcher {
public:
    /// `client` is configured (host, login, TLS) and stays owned by the caller.
    Fetcher(Client& client, FetchOptions options);

    /// Called before each message is retrieved: its position among those being fetched
    /// (0-based), how many are being fetched, and its LIST/UIDL entry.
    std::function<void(std::size_t index, std::size_t count, const MessageListing& message)>
        onMessage;

    /// Runs the session. -ERR to a RETR is recorded in the summary and the run goes on; other
    /// errors (pop3::Error, Poco::FileException) are thrown, after the UIDL state was updated
    /// with the messages written so far and without deleting anything.
    FetchSummary run();

    /// What happened so far, also after run() threw.
    const FetchSummary& summary() const { return _summary; }

    /// `uid` as a file name: characters other than letters, digits, "-", "_", "." and "~" and a
    /// leading "." are percent-encoded, so distinct ids give distinct names.
    static std::string safeFileName(const std::string& uid);

private:
    void prepareFolders() const;
    std::vector<MessageListing> listMessages();
    /// Retrieves one message into its file and syncs it; returns the path.
    void store(const MessageListing& message);
    std::string plainPath(const MessageListing& message) const;
    std::string maildirName() const;
    /// Writes the ids of `messages` that are in `fetched` and not in `deleted`, in server order;
    /// ids no longer on the server drop out.
    void saveState(const std::vector<MessageListing>& messages,
                   const std::set<std::string>& fetched,
                   const std::set<std::string>& deleted) const;

    Client& _client;
    FetchOptions _options;
    FetchSummary _summary;
};

} // namespace pop3::cli
