#include "Suggestion.h"

#include <algorithm>
#include <cctype>

namespace pop3::mock::detail {

namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

} // namespace

std::size_t Suggestion::distance(std::string_view a, std::string_view b) {
    // Optimal string alignment over three rows.
    const std::size_t n = b.size();
    std::vector<std::size_t> previous2(n + 1), previous(n + 1), current(n + 1);
    for (std::size_t j = 0; j <= n; ++j)
        previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= n; ++j) {
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                current[j] = std::min(current[j], previous2[j - 2] + 1);
        }
        std::swap(previous2, previous);
        std::swap(previous, current);
    }
    return previous[n];
}

std::optional<std::string> Suggestion::closest(std::string_view word,
                                               const std::vector<std::string_view>& candidates) {
    const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
    std::optional<std::string> best;
    std::size_t bestDistance = limit + 1;
    bool tie = false;
    for (std::string_view candidate : candidates) {
        const std::size_t d = distance(word, candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = std::string(candidate);
            tie = false;
        } else if (d == bestDistance && best && *best != candidate) {
            tie = true;
        }
    }
    // Two equally close candidates: a guess would mislead.
    if (tie)
        return std::nullopt;
    return best;
}

std::string Suggestion::hint(std::string_view word,
                             const std::vector<std::string_view>& candidates) {
    if (auto best = closest(word, candidates))
        return " (did you mean '" + *best + "'?)";
    return {};
}

} // namespace pop3::mock::detail
