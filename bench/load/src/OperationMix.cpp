#include "pop3/load/OperationMix.h"

#include "pop3/Command.h"

#include <array>
#include <stdexcept>

namespace pop3::load {

namespace {

constexpr std::array<Operation, 7> kOperations = {Operation::stat, Operation::list, Operation::uidl,
                                                  Operation::retr, Operation::top,  Operation::dele,
                                                  Operation::noop};

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    return text;
}

} // namespace

std::string_view toString(Operation operation) {
    switch (operation) {
    case Operation::stat:
        return "stat";
    case Operation::list:
        return "list";
    case Operation::uidl:
        return "uidl";
    case Operation::retr:
        return "retr";
    case Operation::top:
        return "top";
    case Operation::dele:
        return "dele";
    case Operation::noop:
        return "noop";
    }
    return "?";
}

OperationMix OperationMix::parse(std::string_view text) {
    OperationMix mix;
    std::vector<Operation> seen;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        const std::size_t equals = item.find('=');
        if (equals == std::string_view::npos)
            throw std::invalid_argument("expected OPERATION=WEIGHT, got '" + std::string(item) +
                                        "'");
        const std::string_view name = trim(item.substr(0, equals));
        const std::string_view weight = trim(item.substr(equals + 1));
        Operation operation{};
        bool known = false;
        for (const Operation candidate : kOperations) {
            if (load::toString(candidate) == name) {
                operation = candidate;
                known = true;
            }
        }
        if (!known)
            throw std::invalid_argument("unknown operation '" + std::string(name) +
                                        "' (use stat, list, uidl, retr, top, dele, noop)");
        for (const Operation other : seen) {
            if (other == operation)
                throw std::invalid_argument("operation '" + std::string(name) + "' is given twice");
        }
        seen.push_back(operation);
        const std::optional<std::uint64_t> value = parseDecimal(weight);
        if (!value || *value > 1000000)
            throw std::invalid_argument("weight of '" + std::string(name) +
                                        "' must be a whole number from 0 to 1000000, got '" +
                                        std::string(weight) + "'");
        if (*value > 0) {
            mix._weights.emplace_back(operation, static_cast<unsigned>(*value));
            mix._total += *value;
        }
    }
    if (mix._total == 0)
        throw std::invalid_argument("the mix needs at least one operation with a weight above 0");
    return mix;
}

Operation OperationMix::pick(std::uint64_t random) const {
    std::uint64_t point = random % _total;
    for (const auto& [operation, weight] : _weights) {
        if (point < weight)
            return operation;
        point -= weight;
    }
    return _weights.back().first;
}

std::string OperationMix::toString() const {
    std::string text;
    for (const auto& [operation, weight] : _weights) {
        if (!text.empty())
            text += ',';
        text += std::string(load::toString(operation)) + '=' + std::to_string(weight);
    }
    return text;
}

} // namespace pop3::load
