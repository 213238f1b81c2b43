#include "pop3/load/IntegrityLedger.h"

#include <cstring>

namespace pop3::load {

std::uint64_t IntegrityLedger::digest(std::string_view octets) {
    constexpr std::uint64_t kPrime = 0x100000001b3ULL;
    std::uint64_t hash = 0xcbf29ce484222325ULL ^ octets.size();
    std::size_t i = 0;
    for (; i + 8 <= octets.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, octets.data() + i, sizeof word);
        hash = (hash ^ word) * kPrime;
    }
    for (; i < octets.size(); ++i)
        hash = (hash ^ static_cast<unsigned char>(octets[i])) * kPrime;
    return hash;
}

bool IntegrityLedger::check(const std::string& mailbox, const std::string& uid,
                            std::uint64_t digest) {
    std::lock_guard<std::mutex> lock(_mutex);
    ++_checks;
    const auto [entry, inserted] = _digests.emplace(std::make_pair(mailbox, uid), digest);
    if (inserted || entry->second == digest)
        return true;
    ++_mismatches;
    return false;
}

std::uint64_t IntegrityLedger::messages() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _digests.size();
}

std::uint64_t IntegrityLedger::checks() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _checks;
}

std::uint64_t IntegrityLedger::mismatches() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _mismatches;
}

} // namespace pop3::load
