#include "pop3/mock/Mailbox.h"

namespace pop3::mock {

std::string MessageRef::uid() const {
    if (source->uid)
        return *source->uid;
    return "msg-" + std::to_string(position);
}

MessageInfo MessageRef::info() const {
    MessageInfo info;
    info.id = position;
    info.uid = uid();
    info.size = size();
    return info;
}

std::optional<std::string> Mailbox::effectiveSecret() const {
    return secret ? secret : password;
}

std::uint64_t Mailbox::messageCount() const {
    std::uint64_t count = 0;
    for (const MessageSource& source : messages)
        count += source.count();
    return count;
}

std::vector<MessageRef> Mailbox::messageRefs() const {
    std::vector<MessageRef> refs;
    refs.reserve(messageCount());
    std::uint64_t position = 0;
    for (const MessageSource& source : messages)
        for (std::uint64_t ordinal = 0; ordinal < source.count(); ++ordinal)
            refs.push_back({&source, ordinal, ++position});
    return refs;
}

std::vector<MessageInfo> Mailbox::listing() const {
    std::vector<MessageInfo> infos;
    infos.reserve(messageCount());
    for (const MessageRef& ref : messageRefs())
        infos.push_back(ref.info());
    return infos;
}

} // namespace pop3::mock
