#include "pop3/Errors.h"
#include "pop3/load/IntegrityLedger.h"
#include "pop3/load/LoadSettings.h"
#include "pop3/load/LoadStats.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace pop3::load {
namespace {

TEST(LoadStats, TakeHandsOverTheCountersAndStartsAfresh) {
    LoadStats stats;
    stats.recordLogin();
    stats.recordStep("retr", std::chrono::microseconds(50), 1, true, 4096);
    stats.recordStep("quit", std::chrono::microseconds(20), 1);
    stats.recordSessionEnd();
    stats.recordError(ErrorClass::timeout);
    const LoadTotals first = stats.take();
    EXPECT_EQ(first.logins, 1u);
    EXPECT_EQ(first.sessions, 1u);
    EXPECT_EQ(first.operations, 1u);
    EXPECT_EQ(first.commands, 2u);
    EXPECT_EQ(first.bodyOctets, 4096u);
    EXPECT_EQ(first.latency.at("retr").count(), 1u);
    EXPECT_EQ(first.errors.at(ErrorClass::timeout), 1u);
    const LoadTotals second = stats.take();
    EXPECT_EQ(second.commands, 0u);
    EXPECT_TRUE(second.latency.empty());

    LoadTotals merged = first;
    merged.merge(first);
    EXPECT_EQ(merged.latency.at("retr").count(), 2u);
    EXPECT_EQ(merged.errorCount(), 2u);
}

TEST(LoadStats, ClassifiesClientErrorsByWhatTheyMeanForALoadRun) {
    EXPECT_EQ(classify(ServerError("PASS ****", "IN-USE", "locked"), "login"), ErrorClass::inUse);
    EXPECT_EQ(classify(ServerError("PASS ****", "AUTH", "no"), "login"), ErrorClass::auth);
    EXPECT_EQ(classify(ServerError("greeting", "SYS/TEMP", "full"), "login"), ErrorClass::refused);
    EXPECT_EQ(classify(ServerError("RETR 1", "", "no such message"), "retr"), ErrorClass::server);
    EXPECT_EQ(classify(TimeoutError("no reply"), "retr"), ErrorClass::timeout);
    EXPECT_EQ(classify(ConnectionError("cannot connect to 127.0.0.1:1: refused"), "login"),
              ErrorClass::connect);
    EXPECT_EQ(classify(ConnectionError("connection to 127.0.0.1:1 closed"), "retr"),
              ErrorClass::closed);
    EXPECT_EQ(classify(TlsError("handshake failed"), "login"), ErrorClass::tls);
    EXPECT_EQ(classify(ProtocolError("malformed reply"), "stat"), ErrorClass::protocol);
}

TEST(IntegrityLedger, FlagsARetrievalThatDiffersFromTheFirst) {
    IntegrityLedger ledger;
    const std::string message(10000, 'x');
    std::string changed = message;
    changed[7777] = 'y';
    EXPECT_TRUE(ledger.check("alice", "uid-1", IntegrityLedger::digest(message)));
    EXPECT_TRUE(ledger.check("alice", "uid-1", IntegrityLedger::digest(message)));
    EXPECT_TRUE(ledger.check("bob", "uid-1", IntegrityLedger::digest(changed)));
    EXPECT_FALSE(ledger.check("alice", "uid-1", IntegrityLedger::digest(changed)));
    EXPECT_FALSE(ledger.check("alice", "uid-1", IntegrityLedger::digest(message.substr(1))));
    EXPECT_EQ(ledger.messages(), 2u);
    EXPECT_EQ(ledger.checks(), 5u);
    EXPECT_EQ(ledger.mismatches(), 2u);
}

TEST(LoadSettings, NumbersAccountsThroughThePlaceholder) {
    LoadSettings settings;
    settings.target.userPattern = "load{n}";
    settings.target.password = "pw-{n}";
    settings.connections = 8;
    EXPECT_EQ(settings.target.user(3), "load3");
    EXPECT_EQ(settings.target.passwordOf(12), "pw-12");
    EXPECT_EQ(settings.accountCount(), 8u);
    settings.accounts = 2;
    EXPECT_EQ(settings.accountCount(), 2u);
    settings.target.userPattern = "alice";
    settings.accounts = 0;
    EXPECT_EQ(settings.accountCount(), 1u);
}

TEST(LoadSettings, RefusesSettingsThatCannotWork) {
    LoadSettings settings;
    settings.target.userPattern = "alice";
    EXPECT_NO_THROW(settings.validate());
    settings.accounts = 3;
    EXPECT_THROW(settings.validate(), std::invalid_argument); // no {n}
    settings.accounts = 0;
    settings.engine = Engine::events;
    settings.target.implicitTls = true;
    EXPECT_THROW(settings.validate(), std::invalid_argument);
    settings.target.implicitTls = false;
    settings.target.authMode = AuthMode::apop;
    EXPECT_THROW(settings.validate(), std::invalid_argument);
    settings.target.authMode = AuthMode::userPass;
    settings.connections = 0;
    EXPECT_THROW(settings.validate(), std::invalid_argument);
}

} // namespace
} // namespace pop3::load
