#include "pop3/mock/MockServer.h"

#include "pop3/Errors.h"
#include "pop3/Message.h"
#include "pop3/ResponseWriter.h"
#include "pop3/SelfSignedCertificate.h"
#include "pop3/Server.h"
#include "pop3/mock/ControlApi.h"
#include "pop3/mock/RuleMatcher.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/MD5Engine.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/TemporaryFile.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

namespace pop3::mock {

namespace {

/// One message as the store holds it: declared (a MessageRef) or a Maildir file.
struct StoredMessage {
    MessageInfo info;
    std::optional<MessageRef> ref;
    std::string path;
    /// A delivered message's source, which `ref` points into: alive while a copy is.
    std::shared_ptr<const MessageSource> delivered;
};

struct UserStore {
    std::vector<StoredMessage> messages;
    std::optional<std::chrono::steady_clock::time_point> lastLogin;
};

/// What the mock tracks per connection, beside what pop3::Server tracks.
struct SessionData {
    std::unique_ptr<RuleMatcher> matcher;
    std::uint64_t recordId = 0;
    /// The user named by USER or APOP, for rules, even before the login succeeds.
    std::string ruleUser;
    /// Messages (ids) this session marked deleted.
    std::set<std::uint64_t> marked;
    bool skipUpdate = false;
    bool deleteNow = false;
    /// Fault updateRemovesUnmarked: QUIT also removes a message not marked deleted.
    bool removeUnmarked = false;
    /// Matches per runtime rule id, for `occurrence`.
    std::unordered_map<std::uint64_t, std::uint64_t> runtimeCounts;
    /// A login command (PASS, APOP, AUTH) awaits its +OK or -ERR, for the counters.
    bool pendingLogin = false;
    /// The maildrop this session holds locked (State::maildropKey).
    std::optional<std::string> lockedMaildrop;
};

/// How the server traces a SASL client line (not a command).
constexpr std::string_view kMaskedSaslLine = "****";

/// Ids of delivered messages start here, above every declared position.
constexpr std::uint64_t kDeliveredIds = std::uint64_t{1} << 32;

std::string upper(std::string_view text) {
    return Poco::toUpper(std::string(text));
}

std::pair<std::string, std::string> splitCommand(std::string_view line) {
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos)
        return {upper(line), {}};
    return {upper(line.substr(0, space)), std::string(line.substr(space + 1))};
}

/// The Maildir unique-id of a file: its name up to the flags (":2,S"), or an MD5 of it when
/// that does not fit RFC 1939 §7.
std::string maildirUid(const std::string& fileName) {
    const std::string base = fileName.substr(0, fileName.find(':'));
    const bool valid =
        !base.empty() && base.size() <= limits::kMaxUniqueIdLength &&
        std::all_of(base.begin(), base.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (valid)
        return base;
    Poco::MD5Engine md5;
    md5.update(base);
    return Poco::DigestEngine::digestToHex(md5.digest());
}

std::vector<StoredMessage> readMaildir(const std::string& folder) {
    std::vector<Poco::Path> files;
    for (const char* sub : {"new", "cur"}) {
        const Poco::Path dir(Poco::Path::forDirectory(folder), sub);
        if (!Poco::File(dir).exists())
            continue;
        for (Poco::DirectoryIterator it(dir), end; it != end; ++it) {
            if (it->isFile() && !it->isHidden())
                files.push_back(it.path());
        }
    }
    std::sort(files.begin(), files.end(), [](const Poco::Path& a, const Poco::Path& b) {
        return a.getFileName() < b.getFileName();
    });
    std::vector<StoredMessage> messages;
    std::uint64_t position = 0;
    for (const Poco::Path& file : files) {
        Poco::FileInputStream in(file.toString());
        MessageMeter meter;
        char buffer[64 * 1024];
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
            meter.feed(std::string_view(buffer, static_cast<std::size_t>(in.gcount())));
        StoredMessage message;
        message.info = {++position, maildirUid(file.getFileName()), meter.finish().octets, false};
        message.path = file.toString();
        messages.push_back(std::move(message));
    }
    return messages;
}

// Rewrites for the wire-format faults. Each takes the reply the session produced.

std::string withLfLineEnds(std::string reply) {
    std::string out;
    out.reserve(reply.size());
    for (std::size_t i = 0; i < reply.size(); ++i) {
        if (reply[i] == '\r' && i + 1 < reply.size() && reply[i + 1] == '\n')
            continue;
        out += reply[i];
    }
    return out;
}

/// Undoes the byte-stuffing of a multi-line reply's body, terminator kept.
std::string withoutByteStuffing(std::string reply) {
    std::string out;
    std::size_t pos = 0;
    bool first = true;
    while (pos < reply.size()) {
        std::size_t end = reply.find("\r\n", pos);
        end = end == std::string::npos ? reply.size() : end + 2;
        std::string_view line(reply.data() + pos, end - pos);
        if (!first && line.size() > 3 && line.substr(0, 2) == "..")
            line.remove_prefix(1);
        out.append(line);
        first = false;
        pos = end;
    }
    return out;
}

std::string withoutTerminator(std::string reply) {
    if (reply.rfind("+OK", 0) == 0 && reply.size() >= 5 &&
        reply.compare(reply.size() - 5, 5, "\r\n.\r\n") == 0)
        reply.resize(reply.size() - 3);
    return reply;
}

std::string withLongStatusLine(std::string reply) {
    const std::size_t end = reply.find("\r\n");
    if (end != std::string::npos && end + 2 < 600)
        reply.insert(end, 600 - (end + 2), ' ');
    return reply;
}

std::string withoutResponseCodes(std::string reply) {
    if (reply.rfind("-ERR [", 0) == 0) {
        const std::size_t close = reply.find("] ");
        if (close != std::string::npos && close < reply.find("\r\n"))
            reply.erase(5, close - 5 + 2);
    }
    return reply;
}

/// Applies `change(number, value)` to every "n value" line of a listing reply (the status
/// line of a single-message reply included).
std::string mapListing(std::string reply,
                       const std::function<std::string(std::size_t index, std::string)>& change) {
    std::string out;
    std::size_t pos = 0;
    std::size_t index = 0;
    bool first = true;
    while (pos < reply.size()) {
        std::size_t end = reply.find("\r\n", pos);
        end = end == std::string::npos ? reply.size() : end + 2;
        std::string line = reply.substr(pos, end - pos);
        pos = end;
        std::string body = line.substr(0, line.size() - 2);
        const bool single = first && body.rfind("+OK ", 0) == 0 &&
                            body.find(' ', 4) != std::string::npos &&
                            std::isdigit(static_cast<unsigned char>(body[4]));
        const bool entry = !first && body != "." && body.find(' ') != std::string::npos;
        if (single || entry) {
            const std::size_t space = body.rfind(' ');
            body = body.substr(0, space + 1) + change(index++, body.substr(space + 1));
            line = body + "\r\n";
        }
        out += line;
        first = false;
    }
    return out;
}

std::string plusOne(std::size_t, std::string value) {
    return std::to_string(std::stoull(value) + 1);
}

/// Octets a traced sent line stands for: a summarised message body gives its count.
std::uint64_t sentOctets(std::string_view line) {
    constexpr std::string_view prefix = "[message data: ", suffix = " octets]";
    if (line.size() > prefix.size() + suffix.size() && line.substr(0, prefix.size()) == prefix &&
        line.substr(line.size() - suffix.size()) == suffix) {
        std::uint64_t octets = 0;
        for (char c : line.substr(prefix.size(), line.size() - prefix.size() - suffix.size())) {
            if (c < '0' || c > '9')
                return line.size() + 2;
            octets = octets * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return octets;
    }
    return line.size() + 2;
}

/// The rules added while the server runs, shared by every session. They match as
/// RuleMatcher matches the scenario's rules; each session counts its own matches (for
/// `occurrence`) in SessionData::runtimeCounts.
class RuntimeRules {
public:
    std::uint64_t add(Rule rule, std::optional<std::uint64_t> times) {
        auto entry = std::make_shared<Entry>();
        if (rule.match.arguments)
            entry->arguments = std::make_unique<Poco::RegularExpression>(*rule.match.arguments);
        entry->info.rule = std::move(rule);
        entry->info.remaining = times;
        std::lock_guard<std::mutex> lock(_mutex);
        entry->info.id = ++_nextId;
        _entries.push_back(entry);
        return entry->info.id;
    }

    std::vector<RuntimeRule> list() const {
        std::lock_guard<std::mutex> lock(_mutex);
        std::vector<RuntimeRule> rules;
        for (const auto& entry : _entries)
            rules.push_back(entry->info);
        return rules;
    }

    bool remove(std::uint64_t id) {
        std::lock_guard<std::mutex> lock(_mutex);
        const auto it = std::find_if(_entries.begin(), _entries.end(),
                                     [&](const auto& entry) { return entry->info.id == id; });
        if (it == _entries.end())
            return false;
        _entries.erase(it);
        return true;
    }

    std::size_t clear() {
        std::lock_guard<std::mutex> lock(_mutex);
        const std::size_t count = _entries.size();
        _entries.clear();
        return count;
    }

    /// The rule that acts on a command, if any; it stays valid after the rule expires.
    std::shared_ptr<const Rule> onCommand(std::unordered_map<std::uint64_t, std::uint64_t>& counts,
                                          std::string_view keyword, const std::string& arguments,
                                          std::string_view user) {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_entries.empty())
            return nullptr;
        const CommandSpec* spec = findCommand(keyword);
        std::shared_ptr<Entry> chosen;
        for (const auto& entry : _entries) {
            const RuleMatch& match = entry->info.rule.match;
            if (match.kind == RuleMatch::Kind::Greeting ||
                (match.kind == RuleMatch::Kind::Command && (!spec || spec->id != match.command)) ||
                (match.user && *match.user != user))
                continue;
            Poco::RegularExpression::Match found;
            if (entry->arguments && entry->arguments->match(arguments, 0, found) == 0)
                continue;
            const std::uint64_t count = ++counts[entry->info.id];
            if (!chosen && (!match.occurrence || *match.occurrence == count))
                chosen = entry;
        }
        return spend(chosen);
    }

    /// The rule for the greeting of the server's `connection`-th connection, if any.
    std::shared_ptr<const Rule> onGreeting(std::uint64_t connection) {
        std::lock_guard<std::mutex> lock(_mutex);
        for (const auto& entry : _entries) {
            const RuleMatch& match = entry->info.rule.match;
            if (match.kind == RuleMatch::Kind::Greeting &&
                (!match.occurrence || *match.occurrence == connection))
                return spend(entry);
        }
        return nullptr;
    }

private:
    struct Entry {
        RuntimeRule info;
        std::unique_ptr<Poco::RegularExpression> arguments;
    };

    /// Counts an action of `entry` (held under _mutex), removing it once its times are spent.
    std::shared_ptr<const Rule> spend(const std::shared_ptr<Entry>& entry) {
        if (!entry)
            return nullptr;
        ++entry->info.applied;
        if (entry->info.remaining && --*entry->info.remaining == 0)
            _entries.erase(std::find(_entries.begin(), _entries.end(), entry));
        return std::shared_ptr<const Rule>(entry, &entry->info.rule);
    }

    mutable std::mutex _mutex;
    std::vector<std::shared_ptr<Entry>> _entries;
    std::uint64_t _nextId = 0;
};

} // namespace

struct MockServer::State {
    const Scenario& scenario;
    MockServerOptions options;
    std::string address;
    std::string certFile;
    std::string keyFile;
    /// The certificate TLS uses when it is not certFile (fault untrustedCertificate).
    std::string servedCertFile;
    std::unique_ptr<Poco::TemporaryFile> certDir;
    std::unique_ptr<Server> plain;
    std::unique_ptr<Server> implicit;
    std::unique_ptr<ControlApi> control;
    Recording recording;
    RuleMatcher greetingMatcher;
    RuntimeRules runtimeRules;
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> nextRecordId{0};
    std::atomic<std::uint64_t> commands{0};
    std::atomic<std::uint64_t> bytesReceived{0};
    std::atomic<std::uint64_t> bytesSent{0};
    std::atomic<std::uint64_t> logins{0};
    std::atomic<std::uint64_t> failedLogins{0};

    mutable std::mutex mutex;
    std::map<std::string, UserStore> users;
    std::unordered_map<const Session*, SessionData> sessions;
    /// Numbers the messages deliver() makes (their ids), and the "delivered-N" unique-ids it
    /// gives.
    std::uint64_t deliveredCount = 0;
    std::uint64_t deliveredUidCount = 0;
    /// Users whose maildrop a QUIT left locked (fault quitKeepsLock).
    std::set<std::string> keptLocks;
    /// Maildrops a session holds (RFC 1939 §8), across both listeners and every user name that
    /// shares a Maildir.
    std::set<std::string> lockedMaildrops;
    /// failNextUpdate() was called.
    bool failUpdate = false;

    State(const Scenario& s, MockServerOptions o)
        : scenario(s), options(std::move(o)), recording(options.recordingLimit),
          greetingMatcher(s.rules) {}

    SessionData& data(const Session& session) {
        std::lock_guard<std::mutex> lock(mutex);
        auto [it, created] = sessions.try_emplace(&session);
        if (created) {
            it->second.matcher = std::make_unique<RuleMatcher>(scenario.rules);
            it->second.recordId = ++nextRecordId;
        }
        return it->second;
    }

    void loadMailboxes() {
        for (const Mailbox& mailbox : scenario.mailboxes) {
            UserStore store;
            if (mailbox.maildir) {
                try {
                    store.messages = readMaildir(*mailbox.maildir);
                } catch (const Poco::Exception& e) {
                    throw UsageError("cannot read the Maildir '" + *mailbox.maildir +
                                     "': " + e.displayText());
                }
            } else {
                for (const MessageRef& ref : mailbox.messageRefs()) {
                    StoredMessage message;
                    message.info = ref.info();
                    message.ref = ref;
                    store.messages.push_back(std::move(message));
                }
            }
            users[mailbox.user] = std::move(store);
        }
    }

    StoredMessage* find(const std::string& user, std::uint64_t id) {
        auto it = users.find(user);
        if (it == users.end())
            return nullptr;
        for (StoredMessage& message : it->second.messages) {
            if (message.info.id == id)
                return &message;
        }
        return nullptr;
    }

    std::string textOf(const StoredMessage& message) {
        if (message.ref)
            return message.ref->text();
        Poco::FileInputStream in(message.path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    static const StoredMessage* findUid(const UserStore& store, const std::string& uid) {
        for (const StoredMessage& message : store.messages) {
            if (message.info.uid == uid)
                return &message;
        }
        return nullptr;
    }

    /// The next N whose "delivered-N" unique-id `store` does not have yet.
    std::uint64_t nextDeliveredUid(const UserStore& store) {
        std::uint64_t n = ++deliveredUidCount;
        while (findUid(store, "delivered-" + std::to_string(n)))
            n = ++deliveredUidCount;
        return n;
    }

    /// Appends a delivered message to `store`; returns it numbered as a new session would
    /// see it.
    MessageInfo append(UserStore& store, MessageSource source) {
        auto shared = std::make_shared<const MessageSource>(std::move(source));
        StoredMessage message;
        message.ref = MessageRef{shared.get(), 0, kDeliveredIds + ++deliveredCount};
        message.info = message.ref->info();
        message.delivered = std::move(shared);
        store.messages.push_back(std::move(message));
        MessageInfo info = store.messages.back().info;
        info.id = store.messages.size();
        return info;
    }

    void removeMessages(const std::string& user, const std::set<std::uint64_t>& ids,
                        RecordedSession* record) {
        auto it = users.find(user);
        if (it == users.end())
            return;
        auto& messages = it->second.messages;
        std::set<std::string> removedPaths;
        std::string failures;
        for (auto message = messages.begin(); message != messages.end();) {
            if (ids.count(message->info.id) == 0) {
                ++message;
                continue;
            }
            if (!message->path.empty()) {
                try {
                    Poco::File(message->path).remove(); // one unlink: atomic per message
                } catch (const Poco::Exception& e) {
                    // Kept on disk and in the store; the other marked messages still go.
                    failures += (failures.empty() ? "" : "; ") + e.displayText();
                    ++message;
                    continue;
                }
                removedPaths.insert(message->path);
            }
            if (record) {
                record->deletedPositions.push_back(message->info.id);
                record->deletedUids.push_back(message->info.uid);
            }
            message = messages.erase(message);
        }
        // Users that share the Maildir no longer see the removed files.
        for (auto& entry : users) {
            auto& list = entry.second.messages;
            list.erase(std::remove_if(list.begin(), list.end(),
                                      [&](const StoredMessage& m) {
                                          return !m.path.empty() && removedPaths.count(m.path);
                                      }),
                       list.end());
        }
        if (!failures.empty())
            throw std::runtime_error("cannot remove " + failures);
    }

    /// What the maildrop lock of `user` covers: the Maildir folder, or the user's store.
    static std::string maildropKey(const Mailbox* mailbox, const std::string& user) {
        if (mailbox && mailbox->maildir)
            return "maildir " + Poco::Path::forDirectory(*mailbox->maildir).absolute().toString();
        return "user " + user;
    }

    /// Frees the maildrop `sd`'s session holds, if any (held under mutex).
    void unlockMaildrop(SessionData& sd) {
        if (sd.lockedMaildrop)
            lockedMaildrops.erase(*sd.lockedMaildrop);
        sd.lockedMaildrop.reset();
    }

    void login(Session& session) {
        const ServerSpec& spec = scenario.server;
        const bool plaintextMethod = session.authMethod == AuthMethod::UserPass ||
                                     session.authMethod == AuthMethod::SaslPlain ||
                                     session.authMethod == AuthMethod::SaslLogin;
        SessionData& sd = data(session);
        recording.updateSession(sd.recordId, [&](RecordedSession& record) {
            record.plaintextPassword =
                record.plaintextPassword || (plaintextMethod && !session.secure);
        });
        const Mailbox* mailbox = scenario.findMailbox(session.username);
        bool ok = spec.auth.acceptAnyPassword;
        if (!ok && mailbox) {
            const std::optional<std::string> secret = mailbox->effectiveSecret();
            ok = (mailbox->password && session.checkSecret(*mailbox->password)) ||
                 (secret && session.checkSecret(*secret));
        }
        if (!ok)
            return;
        std::lock_guard<std::mutex> lock(mutex);
        if (keptLocks.count(session.username) != 0) {
            session.refusal = LoginStatus::InUse;
            return;
        }
        UserStore& store = users[session.username];
        const auto now = std::chrono::steady_clock::now();
        if (spec.limits.loginDelay && store.lastLogin &&
            now - *store.lastLogin < *spec.limits.loginDelay) {
            session.refusal = LoginStatus::LoginDelay;
            return;
        }
        if (spec.mailboxLock.value_or(true)) {
            const std::string key = maildropKey(mailbox, session.username);
            if (!lockedMaildrops.insert(key).second) {
                session.refusal = LoginStatus::InUse;
                return;
            }
            sd.lockedMaildrop = key;
        }
        store.lastLogin = now;
        session.authenticated = true;
        for (const StoredMessage& message : store.messages)
            session.items.push_back(message.info);
        recording.updateSession(sd.recordId, [&](RecordedSession& record) {
            record.user = session.username;
            record.loggedIn = true;
        });
    }

    /// Counts one traced line: a command, its octets, and the outcome of a login command.
    void count(SessionData& sd, TraceDirection direction, std::string_view line) {
        if (direction == TraceDirection::received) {
            bytesReceived += line.size() + 2;
            if (line == kMaskedSaslLine)
                return;
            ++commands;
            const auto [keyword, arguments] = splitCommand(line);
            sd.pendingLogin =
                keyword == "PASS" || keyword == "APOP" || (keyword == "AUTH" && !arguments.empty());
            return;
        }
        bytesSent += sentOctets(line);
        if (!sd.pendingLogin)
            return;
        if (line.substr(0, 3) == "+OK") {
            ++logins;
            sd.pendingLogin = false;
        } else if (line.substr(0, 4) == "-ERR") {
            ++failedLogins;
            sd.pendingLogin = false;
        }
    }

    CommandAction onCommand(Session& session, const CommandContext& context) {
        SessionData& sd = data(session);
        CommandAction action;
        const Rule* rule = nullptr;
        // Keeps a runtime rule alive while it is applied, even if it expires meanwhile.
        std::shared_ptr<const Rule> runtimeRule;
        std::string keyword;
        std::string arguments;
        if (context.greeting) {
            const std::uint64_t connection = ++connections;
            rule = greetingMatcher.onGreeting(connection);
            runtimeRule = runtimeRules.onGreeting(connection);
        } else {
            std::tie(keyword, arguments) = splitCommand(context.line);
            if ((keyword == "USER" || keyword == "APOP") && !arguments.empty())
                sd.ruleUser = arguments.substr(0, arguments.find(' '));
            if (keyword == "QUIT")
                recording.updateSession(sd.recordId, [](RecordedSession& r) { r.quit = true; });
            rule = sd.matcher->onCommand(keyword, arguments, sd.ruleUser);
            runtimeRule = runtimeRules.onCommand(sd.runtimeCounts, keyword, arguments, sd.ruleUser);
        }
        if (runtimeRule)
            rule = runtimeRule.get();
        if (!rule)
            return capabilityOverride(keyword, context);
        if (rule->delay)
            action.delay = *rule->delay;
        action.stall = rule->stall;
        if (rule->reply)
            action.replaceReply = *rule->reply;
        if (rule->append)
            action.appendAfterReply = *rule->append;
        if (rule->drop) {
            switch (rule->drop->when) {
            case DropAction::When::BeforeReply:
                action.dropBeforeReply = true;
                break;
            case DropAction::When::AfterBytes:
                action.dropAfterBytes = rule->drop->afterBytes;
                break;
            case DropAction::When::AfterReply:
                action.closeAfterReply = true;
                break;
            }
        }
        if (!rule->reply && !rule->fault) {
            const CommandAction capa = capabilityOverride(keyword, context);
            if (capa.replaceReply)
                action.replaceReply = capa.replaceReply;
        }
        if (rule->fault)
            applyFault(*rule->fault, keyword, arguments, session, sd, action);
        return action;
    }

    /// The scenario's CAPA list for the session's state, if it declares one.
    CommandAction capabilityOverride(const std::string& keyword, const CommandContext& context) {
        CommandAction action;
        if (keyword != "CAPA")
            return action;
        const std::vector<std::string>* lines = scenario.server.capabilities.forState(
            context.tlsActive, context.state == SessionState::Transaction);
        if (!lines)
            return action;
        std::string reply = "+OK Capability list follows\r\n";
        for (const std::string& line : *lines)
            reply += line + "\r\n";
        action.replaceReply = reply + ".\r\n";
        return action;
    }

    static std::optional<std::uint64_t> number(const std::string& arguments) {
        try {
            return std::stoull(arguments.substr(0, arguments.find(' ')));
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }

    /// A copy of the stored message behind message number `n` of the session (counting marked
    /// ones).
    std::optional<StoredMessage> messageAt(Session& session, std::optional<std::uint64_t> n) {
        if (!n || *n == 0 || *n > session.items.size())
            return std::nullopt;
        std::lock_guard<std::mutex> lock(mutex);
        const StoredMessage* message = find(session.username, session.items[*n - 1].id);
        return message ? std::optional<StoredMessage>(*message) : std::nullopt;
    }

    void applyFault(Fault fault, const std::string& keyword, const std::string& arguments,
                    Session& session, SessionData& sd, CommandAction& action) {
        switch (fault) {
        case Fault::NoByteStuffing:
            action.rewriteReply = withoutByteStuffing;
            return;
        case Fault::NoTerminator:
            action.rewriteReply = withoutTerminator;
            return;
        case Fault::LfLineEnds:
            action.rewriteReply = withLfLineEnds;
            return;
        case Fault::LongResponseLine:
            action.rewriteReply = withLongStatusLine;
            return;
        case Fault::NoResponseCodes:
            action.rewriteReply = withoutResponseCodes;
            return;
        case Fault::WrongSize:
            if (keyword == "STAT")
                action.rewriteReply = [](std::string reply) {
                    // "+OK n m": one octet more per message.
                    const std::size_t a = reply.find(' ') + 1, b = reply.find(' ', a) + 1;
                    const std::uint64_t count = std::stoull(reply.substr(a, b - a - 1));
                    const std::size_t end = reply.find("\r\n");
                    const std::uint64_t octets = std::stoull(reply.substr(b, end - b));
                    return reply.substr(0, b) + std::to_string(octets + count) + reply.substr(end);
                };
            else
                action.rewriteReply = [](std::string reply) { return mapListing(reply, plusOne); };
            return;
        case Fault::WrongCount:
            action.rewriteReply = [](std::string reply) {
                const std::size_t a = reply.find(' ') + 1, b = reply.find(' ', a);
                return reply.substr(0, a) +
                       std::to_string(std::stoull(reply.substr(a, b - a)) + 1) + reply.substr(b);
            };
            return;
        case Fault::DuplicateUidl:
            action.rewriteReply = [](std::string reply) {
                std::string firstUid;
                return mapListing(reply, [&](std::size_t index, std::string uid) {
                    if (index == 0)
                        firstUid = uid;
                    return index == 1 ? firstUid : uid;
                });
            };
            return;
        case Fault::UidlWithSpace:
            action.rewriteReply = [](std::string reply) {
                return mapListing(reply, [](std::size_t, std::string uid) { return "x " + uid; });
            };
            return;
        case Fault::UidlTooLong:
            action.rewriteReply = [](std::string reply) {
                return mapListing(reply, [](std::size_t, std::string uid) {
                    uid.resize(limits::kMaxUniqueIdLength + 1, 'x');
                    return uid;
                });
            };
            return;
        case Fault::UnstableUidl: {
            const std::string suffix = "-" + std::to_string(sd.recordId);
            action.rewriteReply = [suffix](std::string reply) {
                return mapListing(reply,
                                  [&](std::size_t, std::string uid) { return uid + suffix; });
            };
            return;
        }
        case Fault::CapaMissing:
            action.replaceReply = "-ERR unknown command\r\n";
            return;
        case Fault::StlsWithoutTls:
            action.replaceReply = "+OK Begin TLS negotiation\r\n";
            return;
        case Fault::StlsInjectedLines:
            action.appendAfterReply = "+OK injected\r\n";
            return;
        case Fault::StlsCommandInjection:
            action.keepInputAfterStls = true;
            return;
        case Fault::IgnorePipelining:
            action.discardRestOfInput = true;
            return;
        case Fault::QuitWithoutUpdate:
            sd.skipUpdate = true;
            return;
        case Fault::DeleteWithoutQuit:
            sd.deleteNow = true;
            return;
        case Fault::UpdateRemovesUnmarked:
            sd.removeUnmarked = true;
            return;
        case Fault::QuitKeepsLock:
            if (session.authenticated) {
                std::lock_guard<std::mutex> lock(mutex);
                keptLocks.insert(session.username);
            }
            return;
        case Fault::RsetKeepsMarks:
            action.replaceReply = "+OK\r\n";
            return;
        case Fault::TopIgnoresLines:
        case Fault::DeletedStillAccessible:
            if (const std::optional<StoredMessage> message =
                    messageAt(session, number(arguments))) {
                if (keyword == "DELE") {
                    if (sd.marked.count(message->info.id))
                        action.replaceReply = "+OK Message deleted\r\n";
                    return;
                }
                if (fault == Fault::DeletedStillAccessible && !sd.marked.count(message->info.id))
                    return;
                std::string reply = "+OK " + std::to_string(message->info.size) + " octets\r\n";
                MultilineEncoder encoder;
                encoder.encode(textOf(*message), reply);
                encoder.finish(reply);
                action.replaceReply = reply;
            }
            return;
        case Fault::DeletedStillListed:
            action.replaceReply = listingIgnoringMarks(keyword, arguments, session);
            return;
        case Fault::NoImplicitTls:
        case Fault::UntrustedCertificate:
            return; // act on the listeners: see makeServer() and the constructor
        }
    }

    /// Whether a rule carries `fault`.
    bool carries(Fault fault) const {
        return std::any_of(scenario.rules.begin(), scenario.rules.end(),
                           [&](const Rule& rule) { return rule.fault == fault; });
    }

    /// STAT, LIST or UIDL as if no message had been marked deleted.
    std::string listingIgnoringMarks(const std::string& keyword, const std::string& arguments,
                                     Session& session) {
        const std::vector<MessageInfo>& items = session.items;
        if (keyword == "STAT") {
            std::uint64_t octets = 0;
            for (const MessageInfo& item : items)
                octets += item.size;
            return "+OK " + std::to_string(items.size()) + " " + std::to_string(octets) + "\r\n";
        }
        auto entry = [&](std::size_t i) {
            return std::to_string(i + 1) + " " +
                   (keyword == "UIDL" ? items[i].uid : std::to_string(items[i].size));
        };
        if (const auto n = number(arguments)) {
            if (*n == 0 || *n > items.size())
                return "-ERR No such message\r\n";
            return "+OK " + entry(*n - 1) + "\r\n";
        }
        std::string reply = "+OK\r\n";
        for (std::size_t i = 0; i < items.size(); ++i)
            reply += entry(i) + "\r\n";
        return reply + ".\r\n";
    }

    std::unique_ptr<Server> makeServer(bool implicitTls, std::uint16_t port) {
        const ServerSpec& spec = scenario.server;
        const bool ssl =
            spec.tls.mode != TlsMode::None && !(implicitTls && carries(Fault::NoImplicitTls));
        auto server = std::make_unique<Server>(
            ssl, false, port, spec.limits.maxConnections.value_or(100),
            spec.limits.poolSize.value_or(spec.limits.maxConnections.value_or(100)),
            static_cast<TlsProtocol>(spec.tls.minProtocol.value_or(TlsVersion::tls1_2)),
            static_cast<TlsProtocol>(spec.tls.maxProtocol.value_or(TlsVersion::tls1_3)));
        ServerOptions& options = server->options();
        options.address = address;
        options.implicitTls = implicitTls;
        if (spec.hostname)
            options.hostname = *spec.hostname;
        if (spec.greeting)
            options.greeting = *spec.greeting;
        options.apop = spec.apopTimestamp.value_or(true) && spec.auth.apop.value_or(true);
        options.userPass = spec.auth.userPass.value_or(true);
        if (spec.auth.mechanisms)
            options.saslMechanisms = *spec.auth.mechanisms;
        options.refusePlaintextLoginWithoutTls =
            spec.auth.refusePlaintextLoginWithoutTls.value_or(false);
        // The mock locks maildrops itself (login), across both listeners.
        options.exclusiveMailboxLock = false;
        if (spec.limits.idleTimeout)
            options.idleTimeout = *spec.limits.idleTimeout;
        if (spec.limits.maxCommandLine)
            options.maxCommandLine = *spec.limits.maxCommandLine;
        if (spec.limits.maxBadCommands)
            options.maxBadCommands = *spec.limits.maxBadCommands;
        if (spec.limits.loginDelay)
            options.extraCapabilities.push_back("LOGIN-DELAY " +
                                                std::to_string(spec.limits.loginDelay->count()));
        if (spec.expire)
            options.extraCapabilities.push_back("EXPIRE " + *spec.expire);
        options.utf8 = spec.utf8.value_or(false);
        if (spec.languages)
            options.languages = *spec.languages;
        if (ssl)
            server->setCertificate(servedCertFile.empty() ? certFile : servedCertFile, keyFile);

        server->onLogin = [this](Session& session) { login(session); };
        server->onRetrieve = [this](Session& session) {
            std::lock_guard<std::mutex> lock(mutex);
            const StoredMessage* message = find(session.username, session.item.id);
            if (!message)
                throw std::runtime_error("message " + session.item.uid + " is gone");
            if (message->ref)
                session.item.msg = message->ref->text();
            else
                session.item.stream = std::make_shared<Poco::FileInputStream>(message->path);
        };
        server->onDelete = [this](Session& session) {
            SessionData& sd = data(session);
            session.item.deleted = true;
            sd.marked.insert(session.item.id);
            if (sd.deleteNow) {
                sd.deleteNow = false;
                std::lock_guard<std::mutex> lock(mutex);
                removeMessages(session.username, {session.item.id}, nullptr);
            }
        };
        server->onQuit = [this](Session& session) {
            SessionData& sd = data(session);
            // Whatever happens here, the maildrop is free before the QUIT reply.
            struct Unlock {
                State& state;
                SessionData& sd;
                ~Unlock() {
                    std::lock_guard<std::mutex> lock(state.mutex);
                    state.unlockMaildrop(sd);
                }
            } unlock{*this, sd};
            if (sd.skipUpdate)
                return;
            std::set<std::uint64_t> doomed;
            for (const MessageInfo& item : session.items) {
                if (item.deleted)
                    doomed.insert(item.id);
            }
            if (sd.removeUnmarked) {
                const auto spared =
                    std::find_if(session.items.begin(), session.items.end(),
                                 [](const MessageInfo& item) { return !item.deleted; });
                if (spared != session.items.end())
                    doomed.insert(spared->id);
            }
            std::lock_guard<std::mutex> lock(mutex);
            if (failUpdate) {
                failUpdate = false;
                throw std::runtime_error("the maildrop could not be updated (failNextUpdate)");
            }
            recording.updateSession(sd.recordId, [&](RecordedSession& record) {
                removeMessages(session.username, doomed, &record);
            });
        };
        server->onDisconnect = [this](Session& session) {
            std::lock_guard<std::mutex> lock(mutex);
            const auto it = sessions.find(&session);
            if (it == sessions.end())
                return;
            unlockMaildrop(it->second);
            sessions.erase(it);
        };
        server->onCommand = [this](Session& session, const CommandContext& context) {
            return onCommand(session, context);
        };
        server->onTrace = [this](const Session& session, TraceDirection direction,
                                 std::string_view line) {
            SessionData& sd = data(session);
            count(sd, direction, line);
            recording.addLine(
                {sd.recordId, direction, std::string(line), std::chrono::system_clock::now()});
        };
        return server;
    }
};

MockServer::MockServer(const Scenario& scenario, MockServerOptions options)
    : _state(std::make_unique<State>(scenario, std::move(options))) {
    State& s = *_state;
    s.address = s.options.address.value_or(scenario.server.address.value_or("127.0.0.1"));
    s.loadMailboxes();
    const TlsSpec& tls = scenario.server.tls;
    if (tls.mode == TlsMode::None)
        return;
    if (tls.certificate && !tls.certificate->generate) {
        s.certFile = tls.certificate->certFile;
        s.keyFile = tls.certificate->keyFile;
        return;
    }
    std::string dir;
    if (s.options.certificateDir) {
        dir = *s.options.certificateDir;
    } else {
        s.certDir = std::make_unique<Poco::TemporaryFile>();
        dir = s.certDir->path();
    }
    const std::string hostname = scenario.server.hostname.value_or("localhost");
    const CertificateFiles files = generateSelfSignedCertificate(hostname, dir);
    s.certFile = files.certFile;
    s.keyFile = files.keyFile;
    if (s.carries(Fault::UntrustedCertificate)) {
        const CertificateFiles served = generateSelfSignedCertificate(
            hostname, Poco::Path(Poco::Path::forDirectory(dir), "served").toString());
        s.servedCertFile = served.certFile;
        s.keyFile = served.keyFile;
    }
}

MockServer::~MockServer() {
    stop();
}

void MockServer::start() {
    State& s = *_state;
    const TlsMode mode = s.scenario.server.tls.mode;
    const std::uint16_t port = s.options.port.value_or(s.scenario.server.port.value_or(0));
    if (mode != TlsMode::Implicit) {
        s.plain = s.makeServer(false, port);
        s.plain->start();
    }
    if (mode != TlsMode::None) {
        const std::uint16_t tlsPort =
            s.options.tlsPort.value_or(mode == TlsMode::Implicit ? port : 0);
        s.implicit = s.makeServer(true, tlsPort);
        s.implicit->start();
    }
    if (s.options.controlPort) {
        s.control =
            std::make_unique<ControlApi>(*this, s.options.controlAddress, *s.options.controlPort);
        s.control->start();
    }
}

void MockServer::stop() {
    if (_state->control)
        _state->control->stop();
    // Each listener takes up to a poll interval to stop; stop both at once.
    std::thread implicit;
    if (_state->implicit)
        implicit = std::thread([this] { _state->implicit->stop(); });
    if (_state->plain)
        _state->plain->stop();
    if (implicit.joinable())
        implicit.join();
}

std::optional<std::uint16_t> MockServer::port() const {
    if (!_state->plain)
        return std::nullopt;
    return _state->plain->port();
}

std::optional<std::uint16_t> MockServer::tlsPort() const {
    if (!_state->implicit)
        return std::nullopt;
    return _state->implicit->port();
}

const std::string& MockServer::certificateFile() const {
    return _state->certFile;
}

const std::string& MockServer::address() const {
    return _state->address;
}

std::optional<std::uint16_t> MockServer::controlPort() const {
    if (!_state->control)
        return std::nullopt;
    return _state->control->port();
}

const Scenario& MockServer::scenario() const {
    return _state->scenario;
}

Recording& MockServer::recording() {
    return _state->recording;
}

MockCounters MockServer::counters() const {
    const State& s = *_state;
    MockCounters counters;
    counters.sessions = s.nextRecordId;
    counters.commands = s.commands;
    counters.bytesReceived = s.bytesReceived;
    counters.bytesSent = s.bytesSent;
    counters.logins = s.logins;
    counters.failedLogins = s.failedLogins;
    std::lock_guard<std::mutex> lock(s.mutex);
    counters.openSessions = s.sessions.size();
    return counters;
}

void MockServer::resetMailboxes() {
    std::lock_guard<std::mutex> lock(_state->mutex);
    _state->users.clear();
    _state->loadMailboxes();
    _state->keptLocks.clear();
    _state->failUpdate = false;
}

void MockServer::deliver(const std::string& user) {
    State& s = *_state;
    std::lock_guard<std::mutex> lock(s.mutex);
    UserStore& store = s.users[user];
    const std::uint64_t n = s.nextDeliveredUid(store);
    MessageSource source;
    source.text = "Subject: Delivered " + std::to_string(n) +
                  "\r\n\r\nA message delivered while the server was running.\r\n";
    source.size = measureMessage(source.text).octets;
    source.uid = "delivered-" + std::to_string(n);
    s.append(store, std::move(source));
}

MessageInfo MockServer::deliver(const std::string& user, MessageSource message) {
    State& s = *_state;
    std::lock_guard<std::mutex> lock(s.mutex);
    UserStore& store = s.users[user];
    if (message.uid && State::findUid(store, *message.uid))
        throw std::invalid_argument("the mailbox of '" + user + "' already has a message '" +
                                    *message.uid + "'");
    if (!message.uid)
        message.uid = "delivered-" + std::to_string(s.nextDeliveredUid(store));
    return s.append(store, std::move(message));
}

bool MockServer::removeMessage(const std::string& user, const std::string& uid) {
    State& s = *_state;
    std::lock_guard<std::mutex> lock(s.mutex);
    const auto it = s.users.find(user);
    const StoredMessage* message = it == s.users.end() ? nullptr : State::findUid(it->second, uid);
    if (!message)
        return false;
    s.removeMessages(user, {message->info.id}, nullptr);
    return true;
}

std::size_t MockServer::clearMailbox(const std::string& user) {
    State& s = *_state;
    std::lock_guard<std::mutex> lock(s.mutex);
    const auto it = s.users.find(user);
    if (it == s.users.end())
        return 0;
    std::set<std::uint64_t> ids;
    for (const StoredMessage& message : it->second.messages)
        ids.insert(message.info.id);
    s.removeMessages(user, ids, nullptr);
    return ids.size();
}

std::optional<std::string> MockServer::messageText(const std::string& user,
                                                   const std::string& uid) const {
    State& s = *_state;
    std::optional<StoredMessage> message;
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        const auto it = s.users.find(user);
        if (it != s.users.end())
            if (const StoredMessage* found = State::findUid(it->second, uid))
                message = *found;
    }
    if (!message)
        return std::nullopt;
    return s.textOf(*message);
}

void MockServer::failNextUpdate() {
    std::lock_guard<std::mutex> lock(_state->mutex);
    _state->failUpdate = true;
}

std::vector<MessageInfo> MockServer::mailbox(const std::string& user) const {
    std::lock_guard<std::mutex> lock(_state->mutex);
    std::vector<MessageInfo> infos;
    const auto it = _state->users.find(user);
    if (it != _state->users.end()) {
        for (const StoredMessage& message : it->second.messages)
            infos.push_back(message.info);
    }
    return infos;
}

std::vector<std::string> MockServer::users() const {
    std::lock_guard<std::mutex> lock(_state->mutex);
    std::vector<std::string> names;
    for (const auto& [user, store] : _state->users)
        names.push_back(user);
    return names;
}

std::uint64_t MockServer::addRule(Rule rule, std::optional<std::uint64_t> times) {
    if (rule.fault == Fault::NoImplicitTls || rule.fault == Fault::UntrustedCertificate)
        throw std::invalid_argument("fault '" + std::string(toString(*rule.fault)) +
                                    "' acts on the listeners when the server starts, not on a "
                                    "running server");
    return _state->runtimeRules.add(std::move(rule), times);
}

std::vector<RuntimeRule> MockServer::runtimeRules() const {
    return _state->runtimeRules.list();
}

bool MockServer::removeRule(std::uint64_t id) {
    return _state->runtimeRules.remove(id);
}

std::size_t MockServer::clearRules() {
    return _state->runtimeRules.clear();
}

} // namespace pop3::mock
