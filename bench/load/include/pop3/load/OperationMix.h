#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pop3::load {

/// What one drawn operation of a load run sends, after login.
enum class Operation {
    stat, ///< STAT
    list, ///< LIST (the whole listing)
    uidl, ///< UIDL (the whole listing)
    retr, ///< RETR of a random message, its bytes checked against every other RETR of its UID
    top,  ///< TOP of a random message, 10 body lines
    dele, ///< DELE of a random message, then RSET: a run never removes mail
    noop, ///< NOOP
};

/// "stat", "list", ... as written in --mix.
std::string_view toString(Operation operation);

/// Weighted operations, parsed from "retr=60,top=20,uidl=10,dele=10".
class OperationMix {
public:
    /// Throws std::invalid_argument saying which part of `text` is wrong: an unknown
    /// operation, a weight that is not a whole number, a repeated operation, all weights 0.
    static OperationMix parse(std::string_view text);

    /// The operation for `random`, uniform over [0, totalWeight()).
    Operation pick(std::uint64_t random) const;
    std::uint64_t totalWeight() const { return _total; }
    /// The operations with a weight above 0, in the order given.
    const std::vector<std::pair<Operation, unsigned>>& weights() const { return _weights; }
    /// "retr=60,top=20,..." (canonical form, for reports).
    std::string toString() const;

private:
    std::vector<std::pair<Operation, unsigned>> _weights;
    std::uint64_t _total = 0;
};

} // namespace pop3::load
