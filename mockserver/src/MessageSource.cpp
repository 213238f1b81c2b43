#include "pop3/mock/MessageSource.h"

#include "pop3/mock/MessageGenerator.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pop3::mock {

std::uint64_t MessageSource::sizeOf(std::uint64_t /*ordinal*/) const {
    if (kind == Kind::Generated)
        return std::max(generate.size, MessageGenerator::kMinSize);
    return size;
}

std::string MessageSource::textOf(std::uint64_t ordinal) const {
    switch (kind) {
    case Kind::Inline:
        return text;
    case Kind::Generated:
        return MessageGenerator::generate(generate.seed, ordinal, generate.size);
    case Kind::File: {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream content;
        if (!in || !(content << in.rdbuf()))
            throw std::runtime_error("cannot read message file '" + path + "'");
        return content.str();
    }
    }
    return {};
}

} // namespace pop3::mock
