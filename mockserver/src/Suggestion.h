#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::mock::detail {

/// "Did you mean" for misspelt keys and values.
class Suggestion {
public:
    /// Edit distance (insertions, deletions, substitutions and swaps of neighbours),
    /// ignoring ASCII case.
    static std::size_t distance(std::string_view a, std::string_view b);

    /// The candidate closest to `word`, when close enough to be a likely misspelling: at most
    /// a third of the word's length away (at least 1), and closer than any other candidate.
    static std::optional<std::string> closest(std::string_view word,
                                              const std::vector<std::string_view>& candidates);

    /// " (did you mean 'x'?)" or "".
    static std::string hint(std::string_view word, const std::vector<std::string_view>& candidates);
};

} // namespace pop3::mock::detail
