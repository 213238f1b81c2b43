#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace pop3::mock {

class MockServer;

/// The control API of a running MockServer (docs/control-api.md): HTTP with JSON bodies under
/// /api/v1, to list and change mailboxes, reset them, read the recording and counters, and add
/// behaviour rules at run time. Client mistakes get a 4xx status with {"error": "..."}.
/// MockServer runs one when MockServerOptions::controlPort is set.
class ControlApi {
public:
    /// The server must outlive the API. `port` 0 picks a free one.
    ControlApi(MockServer& server, std::string address, std::uint16_t port);
    ~ControlApi();
    ControlApi(const ControlApi&) = delete;
    ControlApi& operator=(const ControlApi&) = delete;

    /// Listens; throws Poco::Net::NetException when the address cannot be bound.
    void start();
    /// Closes the port and every open connection, waiting for requests in progress.
    void stop();
    /// The listening port, valid after start().
    std::uint16_t port() const;

private:
    struct State;
    std::unique_ptr<State> _state;
};

} // namespace pop3::mock
