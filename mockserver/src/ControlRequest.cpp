#include "ControlRequest.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>
#include <Poco/UTF8Encoding.h>

#include <algorithm>
#include <charconv>
#include <tuple>
#include <yaml-cpp/depthguard.h>

#include "YamlReader.h"

namespace pop3::mock::detail {

namespace {

/// JSON nested deeper than this is refused: no request needs it, and parsers recurse.
constexpr std::size_t kMaxJsonDepth = 64;

/// The 400 for a body Poco's parser refuses with `message`. yaml-cpp reads JSON as YAML flow
/// syntax and says where text breaks, which Poco does not: its position is given when it
/// refuses the body too.
ApiError jsonError(const std::string& body, const std::string& message) {
    try {
        YAML::Load(body);
    } catch (const YAML::DeepRecursion&) {
        // Where the nesting got too deep for yaml-cpp, not for the API.
    } catch (const YAML::ParserException& e) {
        if (e.mark.line >= 0 && e.mark.column >= 0) {
            Poco::JSON::Object::Ptr details = newObject();
            details->set("line", e.mark.line + 1);
            details->set("column", e.mark.column + 1);
            return ApiError(400,
                            "invalid JSON at line " + std::to_string(e.mark.line + 1) +
                                ", column " + std::to_string(e.mark.column + 1) + ": " + message,
                            details);
        }
    } catch (const YAML::Exception&) {
        // No position to give.
    }
    return ApiError(400, "invalid JSON: " + message);
}

} // namespace

std::optional<std::string> Request::parameter(const std::string& name) const {
    const auto it = query.find(name);
    return it == query.end() ? std::nullopt : std::optional<std::string>(it->second);
}

bool parseTarget(const std::string& target, Request& request) {
    request.path = target.substr(0, target.find_first_of("?#"));
    try {
        for (const auto& [name, value] : Poco::URI(target).getQueryParameters())
            if (!name.empty() || !value.empty())
                request.query[name] = value;
        // Split before decoding: "%2F" is a '/' inside a user name or unique-id.
        const Poco::StringTokenizer raw(request.path, "/", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
        for (const std::string& encoded : raw) {
            std::string segment;
            Poco::URI::decode(encoded, segment);
            request.segments.push_back(std::move(segment));
        }
    } catch (const Poco::SyntaxException& e) {
        throw ApiError(400, "bad request target: " + e.message());
    }
    std::vector<std::string>& segments = request.segments;
    if (segments.size() < 2 || segments[0] != "api" || segments[1] != "v1")
        return false;
    segments.erase(segments.begin(), segments.begin() + 2);
    return true;
}

Poco::JSON::Object::Ptr newObject() {
    return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string validUtf8(std::string_view text) {
    static const Poco::UTF8Encoding utf8;
    std::string out;
    out.reserve(text.size());
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p < end) {
        const int length = utf8.sequenceLength(p, static_cast<int>(end - p));
        if (length > 0 && length <= end - p && Poco::UTF8Encoding::isLegal(p, length)) {
            out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(length));
            p += length;
        } else {
            out += "\xEF\xBF\xBD";
            ++p;
        }
    }
    return out;
}

Poco::Dynamic::Var parseJson(const std::string& body) {
    const std::size_t start = body.find_first_not_of(" \t\r\n");
    if (start == std::string::npos)
        throw ApiError(400, "the body is empty; expected a JSON object or list");
    // Poco would take a single value, or fail on it with an unhelpful message.
    if (body[start] != '{' && body[start] != '[')
        throw ApiError(400, "expected a JSON object or list");
    Poco::JSON::Parser parser;
    parser.setDepth(kMaxJsonDepth);
    try {
        return parser.parse(body);
    } catch (const Poco::Exception& e) {
        throw jsonError(body, e.message());
    }
}

bool isObject(const Poco::Dynamic::Var& json) {
    return json.type() == typeid(Poco::JSON::Object::Ptr);
}

YAML::Node loadYaml(const std::string& body) {
    YAML::Node node;
    try {
        node = YAML::Load(body);
    } catch (const YAML::Exception& e) {
        throw ApiError(400, "cannot read the body as a scenario fragment: " + e.msg);
    }
    if (aliasExpansionBeyond(node, aliasExpansionLimit(body.size())))
        throw ApiError(400, "cannot read the body as a scenario fragment: YAML aliases make it "
                            "too large; use fewer aliases");
    return node;
}

void invalid(std::vector<Diagnostic> diagnostics) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
    Poco::JSON::Object::Ptr details = newObject();
    Poco::JSON::Array::Ptr errors = new Poco::JSON::Array;
    for (const Diagnostic& diagnostic : diagnostics)
        errors->add(diagnostic.toString());
    details->set("errors", errors);
    throw ApiError(400, diagnostics.front().toString(), details);
}

std::uint64_t numberParameter(const std::string& name, const std::string& text,
                              const std::string& meaning) {
    std::uint64_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || stop != end)
        throw ApiError(400,
                       "'" + name + "' must be " + meaning + ", got '" + validUtf8(text) + "'");
    return value;
}

} // namespace pop3::mock::detail
