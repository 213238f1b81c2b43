#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::mock {

/// `${name}` references in step strings. A name is a letter or '_' followed by letters, digits
/// and '_'. "$${" stands for a literal "${".
class Variables {
public:
    using Values = std::map<std::string, std::string, std::less<>>;

    /// A malformed reference ("${", "${}", "${1x}", no closing brace).
    class SyntaxError : public std::invalid_argument {
    public:
        SyntaxError(const std::string& message, std::size_t offset)
            : std::invalid_argument(message), _offset(offset) {}
        /// Where the reference starts in the text.
        std::size_t offset() const { return _offset; }

    private:
        std::size_t _offset;
    };

    /// The names referenced in `text`, in order (repeats included). Throws SyntaxError.
    static std::vector<std::string> references(std::string_view text);

    /// `text` with every reference replaced by its value; with `quoteForRegex` each value is
    /// wrapped so a PCRE pattern matches it literally. Throws SyntaxError, and
    /// std::out_of_range naming the variable when it has no value.
    static std::string expand(std::string_view text, const Values& values,
                              bool quoteForRegex = false);
};

} // namespace pop3::mock
