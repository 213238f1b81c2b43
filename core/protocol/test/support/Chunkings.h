#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pop3::test {

using Chunks = std::vector<std::string_view>;

/// Ways to cut `input` into chunks: whole, byte by byte, every two-way split and, for inputs up
/// to `threeWayLimit` bytes, every three-way split. A streaming component must give the same
/// result for all of them.
inline std::vector<Chunks> chunkings(std::string_view input, std::size_t threeWayLimit = 16) {
    std::vector<Chunks> all;
    all.push_back({input});
    Chunks bytes;
    for (std::size_t i = 0; i < input.size(); ++i)
        bytes.push_back(input.substr(i, 1));
    all.push_back(bytes);
    for (std::size_t i = 0; i <= input.size(); ++i)
        all.push_back({input.substr(0, i), input.substr(i)});
    if (input.size() <= threeWayLimit) {
        for (std::size_t i = 0; i <= input.size(); ++i) {
            for (std::size_t j = i; j <= input.size(); ++j)
                all.push_back({input.substr(0, i), input.substr(i, j - i), input.substr(j)});
        }
    }
    return all;
}

/// The chunk sizes, for failure messages.
inline std::string describe(const Chunks& chunks) {
    std::string text = "chunks:";
    for (auto chunk : chunks)
        text += " [" + std::to_string(chunk.size()) + "]";
    return text;
}

/// Every string of up to `maxLength` bytes drawn from `alphabet`, shortest first.
inline std::vector<std::string> allStrings(std::string_view alphabet, std::size_t maxLength) {
    std::vector<std::string> all = {""};
    for (std::size_t from = 0; all.back().size() < maxLength;) {
        const std::size_t to = all.size();
        for (std::size_t i = from; i < to; ++i) {
            for (char c : alphabet)
                all.push_back(all[i] + c);
        }
        from = to;
    }
    return all;
}

} // namespace pop3::test
