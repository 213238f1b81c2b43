#include "pop3/mock/ControlApi.h"

#include "pop3/mock/MockServer.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "ControlRequest.h"
#include "MailboxParser.h"
#include "RuleParser.h"
#include "Suggestion.h"
#include "YamlReader.h"

namespace pop3::mock {

namespace {

using detail::ApiError;
using detail::invalid;
using detail::isObject;
using detail::loadYaml;
using detail::newObject;
using detail::numberParameter;
using detail::parseJson;
using detail::Request;
using detail::validUtf8;
using Poco::JSON::Array;
using Poco::JSON::Object;

/// Request bodies above this are refused (413).
constexpr std::size_t kMaxBody = 64 * 1024 * 1024;
/// How validation errors name the request body ("body:1:12: ...").
constexpr const char* kBodyName = "body";

std::string commandName(const RuleMatch& match) {
    switch (match.kind) {
    case RuleMatch::Kind::Greeting:
        return "greeting";
    case RuleMatch::Kind::AnyCommand:
        return "*";
    case RuleMatch::Kind::Command:
        break;
    }
    return std::string(commandSpec(match.command).name);
}

/// A runtime rule in the shape it was given (wire texts as sent), with its id and use.
Object::Ptr ruleJson(const RuntimeRule& runtime) {
    const Rule& rule = runtime.rule;
    Object::Ptr json = newObject();
    json->set("id", runtime.id);
    json->set("command", commandName(rule.match));
    if (rule.match.arguments)
        json->set("arguments", validUtf8(*rule.match.arguments));
    if (rule.match.user)
        json->set("user", validUtf8(*rule.match.user));
    if (rule.match.occurrence)
        json->set("occurrence", *rule.match.occurrence);
    if (rule.delay)
        json->set("delay", static_cast<std::uint64_t>(rule.delay->count()));
    if (rule.stall)
        json->set("stall", true);
    if (rule.reply)
        json->set("reply", validUtf8(*rule.reply));
    if (rule.append)
        json->set("append", validUtf8(*rule.append));
    if (rule.drop) {
        switch (rule.drop->when) {
        case DropAction::When::BeforeReply:
            json->set("drop", "before");
            break;
        case DropAction::When::AfterReply:
            json->set("drop", "after");
            break;
        case DropAction::When::AfterBytes: {
            Object::Ptr drop = newObject();
            drop->set("afterBytes", rule.drop->afterBytes);
            json->set("drop", drop);
            break;
        }
        }
    }
    if (rule.fault)
        json->set("fault", std::string(toString(*rule.fault)));
    if (runtime.remaining)
        json->set("remaining", *runtime.remaining);
    json->set("applied", runtime.applied);
    return json;
}

std::int64_t epochMs(std::chrono::system_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

struct Reply {
    int status = 200;
    Object::Ptr body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// One method of an endpoint: the query parameters it accepts and what it does.
struct Method {
    const char* name;
    std::vector<std::string> parameters;
    std::function<Reply(const Request&)> handle;
};

/// `node`, or a list holding it.
YAML::Node asList(const YAML::Node& node, bool single) {
    if (!single)
        return node;
    YAML::Node list(YAML::NodeType::Sequence);
    list.push_back(node);
    return list;
}

/// The endpoints (docs/control-api.md), independent of HTTP.
class ControlRouter {
public:
    explicit ControlRouter(MockServer& server) : _server(server) {}

    Reply dispatch(const Request& request) {
        const std::vector<Method> methods = route(request.segments);
        if (methods.empty())
            throw ApiError(404, "no such endpoint: " + request.method + " " +
                                    validUtf8(request.path) + " (GET /api/v1 lists the endpoints)");
        for (const Method& method : methods) {
            if (method.name != request.method)
                continue;
            for (const auto& [name, value] : request.query) {
                if (std::find(method.parameters.begin(), method.parameters.end(), name) ==
                    method.parameters.end())
                    throw ApiError(400, "unknown query parameter '" + validUtf8(name) + "' for " +
                                            request.method + " " + validUtf8(request.path) +
                                            expected(method.parameters));
            }
            return method.handle(request);
        }
        std::vector<std::string> names;
        for (const Method& method : methods)
            names.emplace_back(method.name);
        const std::string allowed = Poco::cat(std::string(", "), names.begin(), names.end());
        ApiError error(405, "method " + validUtf8(request.method) + " is not allowed on " +
                                validUtf8(request.path) + "; use " + allowed);
        error.headers.emplace_back("Allow", allowed);
        throw error;
    }

private:
    using Segments = std::vector<std::string>;

    std::vector<Method> route(const Segments& s) {
        const std::size_t n = s.size();
        if (n == 0)
            return {{"GET", {}, [this](const Request&) { return index(); }}};
        const std::string& head = s[0];
        if (head == "mailboxes") {
            if (n == 1)
                return {{"GET", {}, [this](const Request&) { return mailboxes(); }}};
            const std::string& user = s[1];
            if (n == 2)
                return {{"GET", {}, [this, user](const Request&) { return mailbox(user); }}};
            if (s[2] != "messages")
                return {};
            if (n == 3)
                return {{"GET", {}, [this, user](const Request&) { return mailbox(user); }},
                        {"POST", {"uid"}, [this, user](const Request& r) { return add(user, r); }},
                        {"DELETE", {}, [this, user](const Request&) { return clear(user); }}};
            if (n == 4) {
                const std::string& uid = s[3];
                return {
                    {"GET", {}, [this, user, uid](const Request&) { return message(user, uid); }},
                    {"DELETE", {}, [this, user, uid](const Request&) {
                         return remove(user, uid);
                     }}};
            }
            return {};
        }
        if (n == 1 && head == "reset")
            return {{"POST", {}, [this](const Request& r) { return reset(r); }}};
        if (n == 1 && head == "recording")
            return {{"GET",
                     {"session", "since", "limit"},
                     [this](const Request& r) { return recording(r); }},
                    {"DELETE", {}, [this](const Request&) { return clearRecording(); }}};
        if (n == 1 && head == "counters")
            return {{"GET", {}, [this](const Request&) { return counters(); }}};
        if (head == "rules") {
            if (n == 1)
                return {{"GET", {}, [this](const Request&) { return rules(); }},
                        {"POST", {}, [this](const Request& r) { return addRules(r); }},
                        {"DELETE", {}, [this](const Request&) { return clearRules(); }}};
            if (n == 2) {
                const std::string& id = s[1];
                return {{"GET", {}, [this, id](const Request&) { return rule(id); }},
                        {"DELETE", {}, [this, id](const Request&) { return removeRule(id); }}};
            }
        }
        return {};
    }

    static std::string expected(const std::vector<std::string>& parameters) {
        if (parameters.empty())
            return "; it takes none";
        return "; expected '" +
               Poco::cat(std::string("', '"), parameters.begin(), parameters.end()) + "'";
    }

    static Reply ok(Object::Ptr body, int status = 200) {
        Reply reply;
        reply.status = status;
        reply.body = std::move(body);
        return reply;
    }

    static Reply removed(std::size_t count) {
        Object::Ptr body = newObject();
        body->set("removed", static_cast<std::uint64_t>(count));
        return ok(body);
    }

    Reply index() {
        Object::Ptr body = newObject();
        body->set("scenario", validUtf8(_server.scenario().name));
        body->set("address", _server.address());
        if (_server.port())
            body->set("pop3", *_server.port());
        if (_server.tlsPort())
            body->set("pop3s", *_server.tlsPort());
        Array::Ptr endpoints = new Array;
        for (const char* endpoint :
             {"GET /api/v1/mailboxes", "GET /api/v1/mailboxes/{user}",
              "POST /api/v1/mailboxes/{user}/messages", "DELETE /api/v1/mailboxes/{user}/messages",
              "GET /api/v1/mailboxes/{user}/messages/{uid}",
              "DELETE /api/v1/mailboxes/{user}/messages/{uid}", "POST /api/v1/reset",
              "GET /api/v1/recording", "DELETE /api/v1/recording", "GET /api/v1/counters",
              "GET /api/v1/rules", "POST /api/v1/rules", "DELETE /api/v1/rules",
              "GET /api/v1/rules/{id}", "DELETE /api/v1/rules/{id}"})
            endpoints->add(endpoint);
        body->set("endpoints", endpoints);
        return ok(body);
    }

    /// Throws 404 unless `user` has a mailbox.
    void requireMailbox(const std::string& user) {
        const std::vector<std::string> users = _server.users();
        if (std::find(users.begin(), users.end(), user) != users.end())
            return;
        const std::vector<std::string_view> names(users.begin(), users.end());
        throw ApiError(404, "no mailbox for user '" + validUtf8(user) + "'" +
                                detail::Suggestion::hint(user, names));
    }

    Object::Ptr mailboxJson(const std::string& user) {
        const std::vector<MessageInfo> infos = _server.mailbox(user);
        Object::Ptr json = newObject();
        json->set("user", validUtf8(user));
        json->set("count", static_cast<std::uint64_t>(infos.size()));
        std::uint64_t octets = 0;
        Array::Ptr messages = new Array;
        for (std::size_t i = 0; i < infos.size(); ++i) {
            Object::Ptr message = newObject();
            message->set("number", static_cast<std::uint64_t>(i + 1));
            message->set("uid", validUtf8(infos[i].uid));
            message->set("size", infos[i].size);
            messages->add(message);
            octets += infos[i].size;
        }
        json->set("size", octets);
        json->set("messages", messages);
        return json;
    }

    Reply mailboxes() {
        Array::Ptr list = new Array;
        for (const std::string& user : _server.users())
            list->add(mailboxJson(user));
        Object::Ptr body = newObject();
        body->set("mailboxes", list);
        return ok(body);
    }

    Reply mailbox(const std::string& user) {
        requireMailbox(user);
        return ok(mailboxJson(user));
    }

    /// The message of a POST: the raw text, or JSON through the scenario's message parser.
    MessageSource parseMessage(const Request& request) {
        YAML::Node message;
        if (request.json) {
            if (!isObject(parseJson(request.body)))
                throw ApiError(400, "expected a message object: {\"raw\": \"...\"} or "
                                    "{\"headers\": {...}, \"body\": \"...\"}, with an optional "
                                    "\"uid\"");
            message = loadYaml(request.body);
            for (const char* key : {"file", "generate"})
                if (static_cast<const YAML::Node&>(message)[key])
                    throw ApiError(400, std::string("'") + key +
                                            "' is for scenario files; send the message's text "
                                            "as 'raw' or 'headers'/'body'");
        } else {
            if (request.body.empty())
                throw ApiError(400, "the body is empty; send the message's RFC 5322 text, or "
                                    "JSON with Content-Type: application/json");
            message = YAML::Node(YAML::NodeType::Map);
            message["raw"] = request.body;
        }
        if (const std::optional<std::string> uid = request.parameter("uid")) {
            if (static_cast<const YAML::Node&>(message)["uid"])
                throw ApiError(400, "give 'uid' in the body or as a query parameter, not both");
            message["uid"] = *uid;
        }
        YAML::Node messages(YAML::NodeType::Sequence);
        messages.push_back(message);
        YAML::Node mailbox(YAML::NodeType::Map);
        mailbox["user"] = "user";
        mailbox["messages"] = messages;
        YAML::Node list(YAML::NodeType::Sequence);
        list.push_back(mailbox);
        std::vector<Diagnostic> diagnostics;
        detail::YamlReader reader(kBodyName, diagnostics);
        const std::vector<Mailbox> parsed =
            detail::MailboxParser(reader, true).parse(detail::Entry{"messages", {}, list});
        if (!diagnostics.empty())
            invalid(std::move(diagnostics));
        return parsed.at(0).messages.at(0);
    }

    Reply add(const std::string& user, const Request& request) {
        if (!_server.scenario().server.auth.acceptAnyPassword)
            requireMailbox(user);
        MessageInfo info;
        try {
            info = _server.deliver(user, parseMessage(request));
        } catch (const std::invalid_argument& e) {
            throw ApiError(409, e.what());
        }
        Object::Ptr body = newObject();
        body->set("user", validUtf8(user));
        body->set("number", info.id);
        body->set("uid", validUtf8(info.uid));
        body->set("size", info.size);
        Reply reply = ok(body, 201);
        std::string location;
        Poco::URI::encode(info.uid, "/?#%&+", location);
        reply.headers.emplace_back("Location", request.path + "/" + location);
        return reply;
    }

    Reply clear(const std::string& user) {
        requireMailbox(user);
        return removed(_server.clearMailbox(user));
    }

    Reply message(const std::string& user, const std::string& uid) {
        requireMailbox(user);
        const std::vector<MessageInfo> infos = _server.mailbox(user);
        const auto it = std::find_if(infos.begin(), infos.end(),
                                     [&](const MessageInfo& info) { return info.uid == uid; });
        const std::optional<std::string> text =
            it == infos.end() ? std::nullopt : _server.messageText(user, uid);
        if (!text)
            throw ApiError(404, "the mailbox of '" + validUtf8(user) + "' has no message '" +
                                    validUtf8(uid) + "'");
        Object::Ptr body = newObject();
        body->set("number", static_cast<std::uint64_t>(it - infos.begin() + 1));
        body->set("uid", validUtf8(uid));
        body->set("size", it->size);
        body->set("raw", validUtf8(*text));
        return ok(body);
    }

    Reply remove(const std::string& user, const std::string& uid) {
        requireMailbox(user);
        if (!_server.removeMessage(user, uid))
            throw ApiError(404, "the mailbox of '" + validUtf8(user) + "' has no message '" +
                                    validUtf8(uid) + "'");
        return removed(1);
    }

    /// A JSON object of true/false options, each of `keys`; an empty body is {}.
    static std::map<std::string, bool> flags(const std::string& body,
                                             const std::vector<std::string>& keys) {
        std::map<std::string, bool> values;
        if (body.find_first_not_of(" \t\r\n") == std::string::npos)
            return values;
        const Poco::Dynamic::Var json = parseJson(body);
        if (!isObject(json))
            throw ApiError(400, "expected a JSON object" + expected(keys));
        const Object::Ptr object = json.extract<Object::Ptr>();
        for (const auto& [key, value] : *object) {
            if (std::find(keys.begin(), keys.end(), key) == keys.end())
                throw ApiError(400, "unknown key '" + validUtf8(key) + "'" + expected(keys));
            if (!value.isBoolean())
                throw ApiError(400, "expected true or false for '" + key + "'");
            values[key] = value.extract<bool>();
        }
        return values;
    }

    Reply reset(const Request& request) {
        std::map<std::string, bool> options = flags(request.body, {"recording", "rules"});
        _server.resetMailboxes();
        if (options["recording"])
            _server.recording().clear();
        if (options["rules"])
            _server.clearRules();
        Object::Ptr body = newObject();
        body->set("mailboxes", true);
        body->set("recording", options["recording"]);
        body->set("rules", options["rules"]);
        return ok(body);
    }

    Reply recording(const Request& request) {
        RecordingQuery query;
        if (const auto session = request.parameter("session"))
            query.session = numberParameter("session", *session, "a session id");
        if (const auto since = request.parameter("since")) {
            // Later than the clock can count: nothing was recorded since.
            const std::uint64_t latest =
                static_cast<std::uint64_t>(epochMs(std::chrono::system_clock::time_point::max()));
            query.since = std::chrono::system_clock::time_point(std::chrono::milliseconds(
                std::min(latest, numberParameter("since", *since,
                                                 "a time in milliseconds since the epoch"))));
        }
        if (const auto limit = request.parameter("limit"))
            query.newest = numberParameter("limit", *limit, "a number of lines");
        Recording& recording = _server.recording();
        const std::vector<RecordedLine> lines = recording.lines(query);
        Array::Ptr lineList = new Array;
        std::set<std::uint64_t> seen;
        for (const RecordedLine& line : lines) {
            Object::Ptr json = newObject();
            json->set("session", line.session);
            json->set("direction",
                      line.direction == TraceDirection::received ? "client" : "server");
            json->set("line", validUtf8(line.line));
            json->set("time", epochMs(line.time));
            lineList->add(json);
            seen.insert(line.session);
        }
        Array::Ptr sessionList = new Array;
        for (const RecordedSession& session : recording.sessions()) {
            if ((query.session && session.id != *query.session) ||
                (query.since && seen.count(session.id) == 0))
                continue;
            Object::Ptr json = newObject();
            json->set("id", session.id);
            json->set("user", validUtf8(session.user));
            json->set("loggedIn", session.loggedIn);
            json->set("quit", session.quit);
            json->set("plaintextPassword", session.plaintextPassword);
            Array::Ptr deleted = new Array;
            for (std::size_t i = 0; i < session.deletedUids.size(); ++i) {
                Object::Ptr entry = newObject();
                entry->set("position", session.deletedPositions.at(i));
                entry->set("uid", validUtf8(session.deletedUids[i]));
                deleted->add(entry);
            }
            json->set("deleted", deleted);
            sessionList->add(json);
        }
        Object::Ptr body = newObject();
        body->set("lines", lineList);
        body->set("sessions", sessionList);
        body->set("droppedLines", recording.droppedLines());
        return ok(body);
    }

    Reply clearRecording() {
        Recording& recording = _server.recording();
        const std::size_t lines = recording.lineCount();
        recording.clear();
        return removed(lines);
    }

    Reply counters() {
        const MockCounters counters = _server.counters();
        const Recording& recording = _server.recording();
        Object::Ptr sessions = newObject();
        sessions->set("total", counters.sessions);
        sessions->set("open", counters.openSessions);
        Object::Ptr lines = newObject();
        lines->set("lines", static_cast<std::uint64_t>(recording.lineCount()));
        lines->set("droppedLines", recording.droppedLines());
        lines->set("limit", static_cast<std::uint64_t>(recording.limit()));
        Object::Ptr body = newObject();
        body->set("sessions", sessions);
        body->set("commands", counters.commands);
        body->set("bytesReceived", counters.bytesReceived);
        body->set("bytesSent", counters.bytesSent);
        body->set("logins", counters.logins);
        body->set("failedLogins", counters.failedLogins);
        body->set("recording", lines);
        return ok(body);
    }

    Reply rules() {
        Array::Ptr list = new Array;
        for (const RuntimeRule& rule : _server.runtimeRules())
            list->add(ruleJson(rule));
        Object::Ptr body = newObject();
        body->set("rules", list);
        return ok(body);
    }

    /// A rule object or a list of them, through the scenario's rule parser, each with its
    /// optional `times`. Adds all or none.
    Reply addRules(const Request& request) {
        const Poco::Dynamic::Var json = parseJson(request.body);
        const bool single = isObject(json);
        if (!single && json.type() != typeid(Array::Ptr))
            throw ApiError(400, "expected a rule object or a list of rule objects");
        const YAML::Node items = asList(loadYaml(request.body), single);
        if (items.size() == 0)
            throw ApiError(400, "the list has no rules");

        std::vector<Diagnostic> diagnostics;
        detail::YamlReader reader(kBodyName, diagnostics);
        std::vector<std::optional<std::uint64_t>> times;
        for (YAML::Node item : items) { // a handle: removing "times" changes `items`
            std::optional<std::uint64_t> count;
            if (item.IsMap()) {
                for (const auto& field : item) {
                    if (field.first.IsScalar() && field.first.Scalar() == "times") {
                        count = reader.number(detail::Entry{"times", field.first, field.second}, 1);
                        break;
                    }
                }
                item.remove("times");
            }
            times.push_back(count);
        }
        std::vector<Rule> parsed =
            detail::RuleParser(reader, _server.scenario()).parse(detail::Entry{"rules", {}, items});
        if (!diagnostics.empty())
            invalid(std::move(diagnostics));

        std::vector<std::uint64_t> ids;
        try {
            for (std::size_t i = 0; i < parsed.size(); ++i)
                ids.push_back(_server.addRule(std::move(parsed[i]), times[i]));
        } catch (const std::invalid_argument& e) {
            for (std::uint64_t id : ids)
                _server.removeRule(id);
            throw ApiError(400, e.what());
        }
        std::vector<RuntimeRule> added;
        for (const RuntimeRule& rule : _server.runtimeRules())
            if (std::find(ids.begin(), ids.end(), rule.id) != ids.end())
                added.push_back(rule);
        if (single && !added.empty())
            return ok(ruleJson(added.front()), 201);
        Array::Ptr list = new Array;
        for (const RuntimeRule& rule : added)
            list->add(ruleJson(rule));
        Object::Ptr body = newObject();
        body->set("rules", list);
        return ok(body, 201);
    }

    /// The runtime rule `id` names; 404 when there is none.
    RuntimeRule findRule(const std::string& id) {
        for (const RuntimeRule& rule : _server.runtimeRules())
            if (std::to_string(rule.id) == id)
                return rule;
        throw ApiError(404, "no rule '" + validUtf8(id) + "' (expired, removed or never added)");
    }

    Reply rule(const std::string& id) { return ok(ruleJson(findRule(id))); }

    Reply removeRule(const std::string& id) {
        if (!_server.removeRule(findRule(id).id))
            throw ApiError(404,
                           "no rule '" + validUtf8(id) + "' (expired, removed or never added)");
        return removed(1);
    }

    Reply clearRules() { return removed(_server.clearRules()); }

    MockServer& _server;
};

class RequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit RequestHandler(ControlRouter& router) : _router(router) {}

    void handleRequest(Poco::Net::HTTPServerRequest& httpRequest,
                       Poco::Net::HTTPServerResponse& response) override {
        Reply reply;
        try {
            reply = answer(httpRequest);
        } catch (const ApiError& e) {
            reply.status = e.status;
            reply.body = newObject();
            reply.body->set("error", std::string(e.what()));
            if (e.details)
                for (const std::string& name : e.details->getNames())
                    reply.body->set(name, e.details->get(name));
            reply.headers = e.headers;
            // The body may not have been read: do not read what follows as a request.
            if (e.status == 413)
                response.setKeepAlive(false);
        } catch (const std::exception& e) {
            reply.status = 500;
            reply.body = newObject();
            reply.body->set("error", "internal error: " + validUtf8(e.what()));
        }
        std::ostringstream text;
        reply.body->stringify(text);
        text << '\n';
        const std::string payload = text.str();
        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
        response.setContentType("application/json");
        for (const auto& [name, value] : reply.headers)
            response.set(name, value);
        response.setContentLength(static_cast<std::streamsize>(payload.size()));
        response.send() << payload;
    }

private:
    Reply answer(Poco::Net::HTTPServerRequest& httpRequest) {
        Request request;
        request.method = httpRequest.getMethod();
        request.json =
            Poco::Net::MediaType(httpRequest.getContentType()).matches("application", "json");
        std::istream& in = httpRequest.stream();
        char buffer[64 * 1024];
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
            request.body.append(buffer, static_cast<std::size_t>(in.gcount()));
            if (request.body.size() > kMaxBody)
                throw ApiError(413, "the body is larger than " +
                                        std::to_string(kMaxBody / (1024 * 1024)) + " MiB");
        }
        if (!detail::parseTarget(httpRequest.getURI(), request))
            throw ApiError(404, "no such endpoint: " + request.method + " " +
                                    validUtf8(request.path) +
                                    " (the API is under /api/v1; GET /api/v1 lists the endpoints)");
        return _router.dispatch(request);
    }

    ControlRouter& _router;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit HandlerFactory(ControlRouter& router) : _router(router) {}

    Poco::Net::HTTPRequestHandler*
    createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new RequestHandler(_router);
    }

private:
    ControlRouter& _router;
};

/// Connections served at once; more wait in the queue.
constexpr int kMaxThreads = 8;

} // namespace

struct ControlApi::State {
    State(MockServer& server, std::string address, std::uint16_t port)
        : router(server), address(std::move(address)), requestedPort(port) {}

    ControlRouter router;
    std::string address;
    std::uint16_t requestedPort;
    std::uint16_t port = 0;
    Poco::ThreadPool pool{1, kMaxThreads};
    std::unique_ptr<Poco::Net::HTTPServer> http;
};

ControlApi::ControlApi(MockServer& server, std::string address, std::uint16_t port)
    : _state(std::make_unique<State>(server, std::move(address), port)) {}

ControlApi::~ControlApi() {
    stop();
}

void ControlApi::start() {
    State& s = *_state;
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(s.address, s.requestedPort), true);
    socket.listen(64);
    s.port = socket.address().port();
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(kMaxThreads);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setTimeout(Poco::Timespan(10, 0));
    params->setServerName("pop3-conform control API");
    s.http = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(s.router), s.pool, socket,
                                                     params);
    s.http->start();
}

void ControlApi::stop() {
    State& s = *_state;
    if (!s.http)
        return;
    s.http->stopAll(true);
    s.pool.joinAll();
    s.http.reset();
}

std::uint16_t ControlApi::port() const {
    return _state->port;
}

} // namespace pop3::mock
