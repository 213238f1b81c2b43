#include "ProgressBar.h"

#include <algorithm>
#include <string>

namespace pop3::cli {

ProgressBar::ProgressBar(std::ostream& out, std::size_t width) : _out(out), _width(width) {}

void ProgressBar::startMessage(std::size_t index, std::size_t count, std::uint64_t size) {
    _index = index;
    _count = count;
    _size = size;
    _percent = -1;
    draw(0, size);
}

void ProgressBar::update(std::uint64_t received, std::uint64_t expected) {
    draw(received, expected != 0 ? expected : _size);
}

void ProgressBar::finish() {
    if (_drawn)
        _out << '\n' << std::flush;
    _drawn = false;
}

void ProgressBar::draw(std::uint64_t received, std::uint64_t expected) {
    const std::uint64_t total = std::max(expected, received);
    const int percent = total == 0 ? 100 : static_cast<int>(received * 100 / total);
    if (percent == _percent)
        return;
    _percent = percent;
    const std::size_t filled = _width * static_cast<std::size_t>(percent) / 100;
    std::string bar = "\r[" + std::to_string(_index + 1) + "/" + std::to_string(_count) + "] [";
    bar.append(filled, '#');
    bar.append(_width - filled, ' ');
    std::string percentText = std::to_string(percent);
    percentText.insert(0, 3 - std::min<std::size_t>(3, percentText.size()), ' ');
    bar += "] " + percentText + "% " + std::to_string(received) + "/" + std::to_string(total) +
           " octets";
    // Pad so a shorter line covers the previous one.
    bar.append(8, ' ');
    _out << bar << std::flush;
    _drawn = true;
}

} // namespace pop3::cli
