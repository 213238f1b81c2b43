#include "Engine.h"

namespace pop3::load {

bool MailboxCatalog::needsListing(unsigned account, std::uint64_t count) const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _accounts.at(account - 1).size() != count;
}

void MailboxCatalog::update(unsigned account, std::vector<std::string> uids) {
    std::lock_guard<std::mutex> lock(_mutex);
    _accounts.at(account - 1) = std::move(uids);
}

std::uint64_t MailboxCatalog::count(unsigned account) const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _accounts.at(account - 1).size();
}

std::string MailboxCatalog::uid(unsigned account, std::uint64_t number) const {
    std::lock_guard<std::mutex> lock(_mutex);
    const std::vector<std::string>& uids = _accounts.at(account - 1);
    return number >= 1 && number <= uids.size() ? uids[number - 1] : std::string();
}

} // namespace pop3::load
