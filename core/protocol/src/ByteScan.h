#pragma once

// Scanning helpers shared by the streaming encoders of the protocol core (not installed).

#include <cstddef>
#include <cstring>

namespace pop3::detail {

/// The index of the first `c` in `data[from, limit)`, or `limit` when there is none.
inline std::size_t findByte(const char* data, std::size_t from, std::size_t limit, char c) {
    if (from >= limit)
        return limit;
    const void* hit = std::memchr(data + from, c, limit - from);
    return hit == nullptr ? limit : static_cast<std::size_t>(static_cast<const char*>(hit) - data);
}

} // namespace pop3::detail
