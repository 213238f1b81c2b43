#pragma once

// Shared by the fuzz targets (docs/fuzzing.md): invariant checks that stay on in release
// builds, and a reader that takes the choices of one run from the front of the input.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

/// Aborts with the failed condition when an invariant does not hold (also under NDEBUG).
#define POP3_FUZZ_CHECK(condition)                                                                 \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

namespace pop3::fuzz {

/// Reads the run's choices from the front of the input; what is left is the payload. Reads past
/// the end give 0, so every input is valid.
class InputReader {
public:
    InputReader(const std::uint8_t* data, std::size_t size)
        : _rest(reinterpret_cast<const char*>(data), size) {}

    std::uint8_t byte() {
        if (_rest.empty())
            return 0;
        const auto value = static_cast<std::uint8_t>(_rest.front());
        _rest.remove_prefix(1);
        return value;
    }

    /// Up to `n` bytes of the payload.
    std::string_view take(std::size_t n) {
        const std::string_view taken = _rest.substr(0, n);
        _rest.remove_prefix(taken.size());
        return taken;
    }

    std::string_view rest() const { return _rest; }

private:
    std::string_view _rest;
};

/// Chunk sizes drawn from a seed: 0 means one chunk, otherwise sizes of 1 to `seed % 64 + 1`
/// octets from a xorshift sequence, so one input byte picks a whole chunking.
class Chunker {
public:
    explicit Chunker(std::uint8_t seed) : _state(seed * 2654435761u + 1), _seed(seed) {}

    std::size_t next(std::size_t remaining) {
        if (_seed == 0)
            return remaining;
        _state ^= _state << 13;
        _state ^= _state >> 17;
        _state ^= _state << 5;
        const std::size_t size = _state % (_seed % 64u + 1u) + 1u;
        return size < remaining ? size : remaining;
    }

private:
    std::uint32_t _state;
    std::uint8_t _seed;
};

} // namespace pop3::fuzz
