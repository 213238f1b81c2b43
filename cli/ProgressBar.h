#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>

namespace pop3::cli {

/// A one-line progress bar redrawn in place with "\r", for a terminal:
/// `[2/5] [##########          ]  50% 6144/12288 octets`.
class ProgressBar {
public:
    explicit ProgressBar(std::ostream& out, std::size_t width = 30);

    /// A new message begins: `index` of `count` (0-based), `size` from LIST.
    void startMessage(std::size_t index, std::size_t count, std::uint64_t size);
    /// Octets received so far; `expected` 0 falls back to the LIST size.
    void update(std::uint64_t received, std::uint64_t expected);
    /// Ends the line, when one was drawn.
    void finish();

private:
    void draw(std::uint64_t received, std::uint64_t expected);

    std::ostream& _out;
    std::size_t _width;
    std::size_t _index = 0;
    std::size_t _count = 0;
    std::uint64_t _size = 0;
    /// Last drawn percentage, to redraw only when it changes.
    int _percent = -1;
    bool _drawn = false;
};

} // namespace pop3::cli
