#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <vector>

namespace Poco {
class ProcessHandle;
}

namespace pop3::test {

/// A private Dovecot POP3 server on 127.0.0.1 for integration tests. Configuration, runtime
/// sockets, state, log and Maildirs live in a temporary folder; the system Dovecot and
/// /etc/dovecot are never touched. It listens on two free ports picked at start(): plaintext
/// (with STLS) and implicit TLS, both with TestPki's "localhost" server certificate, so clients
/// trust caFile() and verify the name "localhost" or 127.0.0.1.
///
/// Users and messages can be added before and after start(). Messages are Maildir files with LF
/// line ends on disk; Dovecot numbers them in the order they were added. The destructor stops
/// the server, waits until all its processes are gone and deletes the folder.
///
/// As root the Maildirs belong to the "mail" user (Dovecot refuses uid 0 for mail access);
/// otherwise the whole instance runs as the current user.
class DovecotPeer {
public:
    /// Creates the temporary folder; does not start the server.
    DovecotPeer();
    ~DovecotPeer();

    DovecotPeer(const DovecotPeer&) = delete;
    DovecotPeer& operator=(const DovecotPeer&) = delete;

    /// Starts dovecot and waits until both ports greet with "+OK". Retries with other ports
    /// when one was taken in the meantime. Throws std::runtime_error with the tail of the
    /// Dovecot log when it does not come up.
    void start();
    /// Stops the server and waits until all of its processes are gone. Does nothing when it is
    /// not running.
    void stop();
    bool running() const { return _running; }

    /// Adds (or changes the password of) a user with a PLAIN password entry and an empty Maildir.
    void addUser(const std::string& user, const std::string& password);
    /// Delivers `text` to the user's Maildir new/ folder, CRLF turned into LF. Returns the path.
    std::string addMessage(const std::string& user, const std::string& text);

    std::uint16_t plainPort() const { return _plainPort; }
    std::uint16_t tlsPort() const { return _tlsPort; }
    /// The CA certificate a client must trust to verify the server certificate.
    std::string caFile() const;
    const std::string& dir() const { return _dir; }
    const std::string& instanceName() const { return _instanceName; }
    std::string configFile() const;
    std::string logFile() const;
    /// The last `lines` lines of the Dovecot log.
    std::string logTail(std::size_t lines = 40) const;

    std::string maildir(const std::string& user) const;
    /// The user's message files (new/ and cur/) in Dovecot's numbering order; messages deleted
    /// through POP3 are gone from the list. Dovecot moves files from new/ to cur/ when a session
    /// opens the Maildir, so paths taken before a login are stale after it.
    std::vector<std::string> maildirFiles(const std::string& user) const;
    /// The contents of the user's message files in numbering order, read consistently even
    /// while Dovecot moves them.
    std::vector<std::string> maildirTexts(const std::string& user) const;
    /// The ids of the running processes of this instance (master and children).
    std::vector<pid_t> processes() const;

    static std::string readFile(const std::string& path);
    /// What a client gets for a Maildir file's content after unstuffing: LF turned into CRLF
    /// and a final CRLF added when the file does not end with a line end.
    static std::string wireForm(const std::string& fileText);

private:
    void writeConfig() const;
    void writeUsers() const;
    void createMaildir(const std::string& user) const;
    void own(const std::string& path) const;
    enum class Readiness { ready, exited, timedOut };
    Readiness waitUntilReady();
    bool pidFileWritten() const;
    /// Polls the master for up to `timeout`; true once it has exited (and was reaped).
    bool masterExited(std::chrono::milliseconds timeout);

    std::string _dir;
    std::string _instanceName;
    uid_t _mailUid;
    gid_t _mailGid;
    std::uint16_t _plainPort = 0;
    std::uint16_t _tlsPort = 0;
    bool _running = false;
    std::unique_ptr<Poco::ProcessHandle> _master;
    int _exitCode = -1;

    mutable std::mutex _mutex;
    std::map<std::string, std::string> _passwords;
    long _nextTimestamp;
    unsigned _messageCount = 0;
};

} // namespace pop3::test
