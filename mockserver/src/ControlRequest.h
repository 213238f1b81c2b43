#pragma once

#include "pop3/mock/Diagnostic.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace pop3::mock::detail {

/// A client mistake in a control API request: answered with `status` and {"error": message}
/// plus `details`.
class ApiError : public std::runtime_error {
public:
    ApiError(int status, const std::string& message, Poco::JSON::Object::Ptr details = nullptr)
        : std::runtime_error(message), status(status), details(std::move(details)) {}

    int status;
    Poco::JSON::Object::Ptr details;
    /// Response headers (Allow for 405).
    std::vector<std::pair<std::string, std::string>> headers;
};

/// One control API request, decoded.
struct Request {
    std::string method;
    /// The path as sent ("/api/v1/..."), for error texts and Location.
    std::string path;
    /// The path's segments after /api/v1, percent-decoded.
    std::vector<std::string> segments;
    std::map<std::string, std::string> query;
    std::string body;
    /// Content-Type application/json.
    bool json = false;

    std::optional<std::string> parameter(const std::string& name) const;
};

/// Sets the path, segments and query of `request` from the request target. False when the
/// path is not under /api/v1; ApiError 400 for bad percent-encoding.
bool parseTarget(const std::string& target, Request& request);

/// A JSON object keeping its keys in the order they are set.
Poco::JSON::Object::Ptr newObject();

/// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD, so that it can
/// go into a JSON string (recorded lines and messages are bytes, not text).
std::string validUtf8(std::string_view text);

/// The body as a JSON object or list; ApiError 400 naming the problem otherwise.
Poco::Dynamic::Var parseJson(const std::string& body);

bool isObject(const Poco::Dynamic::Var& json);

/// The body as YAML, for the scenario parsers: JSON is YAML flow syntax, so positions in
/// their messages are positions in the body.
YAML::Node loadYaml(const std::string& body);

/// ApiError 400 listing what the scenario parsers found, in body order.
[[noreturn]] void invalid(std::vector<Diagnostic> diagnostics);

/// A whole number from query parameter `name`; ApiError 400 saying it must be `meaning`.
std::uint64_t numberParameter(const std::string& name, const std::string& text,
                              const std::string& meaning);

} // namespace pop3::mock::detail
