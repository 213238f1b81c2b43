#pragma once

#include "pop3/Server.h"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace pop3::test {

/// An in-memory maildrop store wired to a Server's handlers the way an application would: the
/// handlers validate with Session::checkSecret, fill items, serve messages and delete at QUIT.
/// Thread-safe; records what the server did for assertions.
class TestMailbox {
public:
    struct Message {
        std::string uid;
        std::string text;
    };

    void addUser(const std::string& user, const std::string& secret);
    void addMessage(const std::string& user, const std::string& uid, const std::string& text);
    std::vector<std::string> uids(const std::string& user) const;
    std::string message(const std::string& user, const std::string& uid) const;

    /// Installs onLogin, onRetrieve, onTop, onDelete, onQuit, onDisconnect on `server`.
    void attach(Server& server);

    int quits() const;
    int disconnects() const;

private:
    mutable std::mutex _mutex;
    std::map<std::string, std::string> _secrets;
    std::map<std::string, std::vector<Message>> _messages;
    int _quits = 0;
    int _disconnects = 0;
};

} // namespace pop3::test
