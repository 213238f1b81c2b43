#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace pop3::load {

/// Remembers a digest of the first RETR of each (mailbox, unique-id) and compares every later
/// RETR of it with that digest, from any thread.
class IntegrityLedger {
public:
    /// A digest of a message's octets (64-bit FNV-1a over 8-octet words and the tail).
    static std::uint64_t digest(std::string_view octets);

    /// False when an earlier RETR of the same message gave other octets.
    bool check(const std::string& mailbox, const std::string& uid, std::uint64_t digest);

    /// Distinct messages seen, RETRs compared, and mismatches.
    std::uint64_t messages() const;
    std::uint64_t checks() const;
    std::uint64_t mismatches() const;

private:
    mutable std::mutex _mutex;
    std::map<std::pair<std::string, std::string>, std::uint64_t> _digests;
    std::uint64_t _checks = 0;
    std::uint64_t _mismatches = 0;
};

} // namespace pop3::load
