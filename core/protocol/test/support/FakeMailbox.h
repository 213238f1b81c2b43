#pragma once

#include "pop3/Message.h"
#include "pop3/ServerSessionHandler.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pop3::test {

/// An in-memory maildrop behind a ServerSession that records every call it gets. One account;
/// knobs make it refuse, fail or throw on purpose.
class FakeMailbox : public ServerSessionHandler {
public:
    struct Stored {
        std::string uid;
        std::string text;
        /// The size login() reports, when it should differ from the measured one.
        std::optional<std::uint64_t> reportedSize;
    };

    struct TopCall {
        MessageIndex index = 0;
        std::uint64_t lines = 0;
    };

    std::string user = "alice";
    std::string secret = "secret";
    std::vector<Stored> stored;

    /// When set, login() answers this status for any credentials.
    std::optional<LoginStatus> forcedStatus;
    /// Reply text for refusals and acceptance (empty: the session's default).
    std::string loginText;
    /// Serve messages as streams instead of text.
    bool streamed = false;
    /// retrieve()/top() report the message as unreadable.
    bool unreadable = false;
    /// When set, retrieve()/top() return what this gives instead of the stored text.
    std::function<MessageContent(MessageIndex)> contentSource;
    bool acceptDelete = true;
    bool updateResult = true;
    /// Method name ("login", "retrieve", "top", "markDeleted", "update", "ended") → throw.
    std::map<std::string, bool> throwIn;
    /// Throw something that is not a std::exception.
    bool throwNonStandard = false;

    std::vector<Credentials> logins;
    std::vector<MessageIndex> retrieved;
    std::vector<TopCall> tops;
    std::vector<MessageIndex> deleteMarks;
    std::vector<std::vector<MessageInfo>> updates;
    std::vector<std::vector<MessageInfo>> endings;
    std::vector<bool> endedUpdated;
    std::vector<std::pair<std::string, std::string>> failures;

    void add(std::string uid, std::string text) {
        stored.push_back({std::move(uid), std::move(text), std::nullopt});
    }

    /// The maildrop as the session lists it: sizes measured in canonical (CRLF) form.
    std::vector<MessageInfo> listing() const {
        std::vector<MessageInfo> messages;
        for (std::size_t i = 0; i < stored.size(); ++i)
            messages.push_back(
                {1000 + i, stored[i].uid,
                 stored[i].reportedSize.value_or(measureMessage(stored[i].text).octets)});
        return messages;
    }

    LoginResult login(const Credentials& credentials) override {
        logins.push_back(credentials);
        maybeThrow("login");
        LoginResult result;
        result.text = loginText;
        if (forcedStatus) {
            result.status = *forcedStatus;
        } else if (credentials.username == user && credentials.matches(secret)) {
            result.status = LoginStatus::Accepted;
        } else {
            result.status = LoginStatus::Rejected;
        }
        if (result.status == LoginStatus::Accepted)
            result.messages = listing();
        return result;
    }

    MessageContent retrieve(MessageIndex index, const MessageInfo&) override {
        retrieved.push_back(index);
        maybeThrow("retrieve");
        return content(index);
    }

    MessageContent top(MessageIndex index, const MessageInfo&, std::uint64_t lines) override {
        tops.push_back({index, lines});
        maybeThrow("top");
        return content(index);
    }

    bool markDeleted(MessageIndex index, const MessageInfo&) override {
        deleteMarks.push_back(index);
        maybeThrow("markDeleted");
        return acceptDelete;
    }

    bool update(const std::vector<MessageInfo>& messages) override {
        updates.push_back(messages);
        maybeThrow("update");
        return updateResult;
    }

    void ended(const std::vector<MessageInfo>& messages, bool updated) override {
        endings.push_back(messages);
        endedUpdated.push_back(updated);
        maybeThrow("ended");
    }

    void handlerFailed(std::string_view command, std::string_view what) override {
        failures.emplace_back(command, what);
    }

    Intercept intercept(const CommandContext& context) override {
        contexts.push_back({std::string(context.line), context.greeting, context.state,
                            context.tlsActive, std::string(context.username)});
        return interceptor ? interceptor(context) : Intercept{};
    }

    void trace(TraceDirection direction, std::string_view line) override {
        traced.push_back((direction == TraceDirection::sent ? "S: " : "C: ") + std::string(line));
    }

    /// What intercept() returns; unset: no deviation.
    std::function<Intercept(const CommandContext&)> interceptor;
    struct SeenContext {
        std::string line;
        bool greeting;
        SessionState state;
        bool tlsActive;
        std::string username;
    };
    std::vector<SeenContext> contexts;
    /// The trace, "C: " for received lines and "S: " for sent ones.
    std::vector<std::string> traced;

private:
    void maybeThrow(const std::string& method) {
        if (!throwIn[method])
            return;
        if (throwNonStandard)
            throw 42;
        throw std::runtime_error(method + " exploded");
    }

    MessageContent content(MessageIndex index) const {
        if (unreadable)
            return {};
        if (contentSource)
            return contentSource(index);
        if (streamed)
            return MessageContent::fromStream(
                std::make_shared<std::istringstream>(stored.at(index).text));
        return MessageContent::fromText(stored.at(index).text);
    }
};

} // namespace pop3::test
