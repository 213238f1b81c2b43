#pragma once

#include "pop3/load/IntegrityLedger.h"
#include "pop3/load/LoadSettings.h"
#include "pop3/load/LoadStats.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace pop3::load {

/// When a run ends: at the deadline (stop()), or when the units of work run out.
class RunControl {
public:
    explicit RunControl(std::optional<std::uint64_t> units)
        : _limited(units.has_value()), _left(units.value_or(0)) {}

    /// Claims one unit of work; false once the run is over.
    bool takeUnit() {
        if (_stopping.load(std::memory_order_relaxed))
            return false;
        if (!_limited)
            return true;
        std::uint64_t left = _left.load();
        while (left > 0 && !_left.compare_exchange_weak(left, left - 1)) {
        }
        return left > 0;
    }
    void stop() { _stopping = true; }
    bool stopping() const { return _stopping.load(std::memory_order_relaxed); }

private:
    const bool _limited;
    std::atomic<std::uint64_t> _left;
    std::atomic<bool> _stopping{false};
};

/// What every account's mailbox holds, as learnt from STAT and UIDL, shared by the
/// connections: RETR integrity is keyed by unique-id, and message numbers are drawn from it.
/// Accounts are numbered from 1, as in LoadTarget::user().
class MailboxCatalog {
public:
    explicit MailboxCatalog(unsigned accounts) : _accounts(accounts) {}

    /// True when the listing of `account` is unknown or STAT's `count` says it changed: the
    /// caller then sends UIDL and calls update().
    bool needsListing(unsigned account, std::uint64_t count) const;
    void update(unsigned account, std::vector<std::string> uids);
    /// Messages of `account` (0 when unknown) and the unique-id of message `number` (1-based).
    std::uint64_t count(unsigned account) const;
    std::string uid(unsigned account, std::uint64_t number) const;

private:
    mutable std::mutex _mutex;
    std::vector<std::vector<std::string>> _accounts;
};

/// Shared by the engines for one run.
struct EngineContext {
    const LoadSettings& settings;
    LoadStats& stats;
    IntegrityLedger& ledger;
    MailboxCatalog& catalog;
    RunControl& control;
};

/// Run until control says stop; return once every connection is closed.
void runThreadEngine(EngineContext& context);
void runEventEngine(EngineContext& context);

} // namespace pop3::load
