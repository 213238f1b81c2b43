#include "support/TestMailbox.h"

#include "pop3/Message.h"

#include <algorithm>

namespace pop3::test {

void TestMailbox::addUser(const std::string& user, const std::string& secret) {
    std::lock_guard<std::mutex> lock(_mutex);
    _secrets[user] = secret;
    _messages[user];
}

void TestMailbox::addMessage(const std::string& user, const std::string& uid,
                             const std::string& text) {
    std::lock_guard<std::mutex> lock(_mutex);
    _messages[user].push_back({uid, text});
}

std::vector<std::string> TestMailbox::uids(const std::string& user) const {
    std::lock_guard<std::mutex> lock(_mutex);
    std::vector<std::string> result;
    for (const Message& message : _messages.at(user))
        result.push_back(message.uid);
    return result;
}

std::string TestMailbox::message(const std::string& user, const std::string& uid) const {
    std::lock_guard<std::mutex> lock(_mutex);
    for (const Message& message : _messages.at(user)) {
        if (message.uid == uid)
            return message.text;
    }
    return {};
}

int TestMailbox::quits() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _quits;
}

int TestMailbox::disconnects() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _disconnects;
}

void TestMailbox::attach(Server& server) {
    server.onLogin = [this](Session& session) {
        std::lock_guard<std::mutex> lock(_mutex);
        const auto secret = _secrets.find(session.username);
        session.authenticated = secret != _secrets.end() && session.checkSecret(secret->second);
        if (!session.authenticated)
            return;
        std::uint64_t id = 0;
        for (const Message& message : _messages[session.username])
            session.items.push_back(
                {id++, message.uid, measureMessage(message.text).octets, false});
    };
    server.onRetrieve = [this](Session& session) {
        std::lock_guard<std::mutex> lock(_mutex);
        const Message& message = _messages.at(session.username).at(session.item.id);
        session.item.msg = message.text;
        session.item.lines = measureMessage(message.text).lines;
    };
    server.onTop = [this](Session& session) {
        std::lock_guard<std::mutex> lock(_mutex);
        const Message& message = _messages.at(session.username).at(session.item.id);
        session.item.msg = topOfMessage(message.text, session.item.lines);
    };
    server.onDelete = [](Session& session) { session.item.deleted = true; };
    server.onQuit = [this](Session& session) {
        std::lock_guard<std::mutex> lock(_mutex);
        ++_quits;
        std::set<std::string> doomed;
        for (const MessageInfo& item : session.items) {
            if (item.deleted)
                doomed.insert(item.uid);
        }
        auto& messages = _messages[session.username];
        messages.erase(std::remove_if(messages.begin(), messages.end(),
                                      [&](const Message& m) { return doomed.count(m.uid) > 0; }),
                       messages.end());
    };
    server.onDisconnect = [this](Session&) {
        std::lock_guard<std::mutex> lock(_mutex);
        ++_disconnects;
    };
}

} // namespace pop3::test
