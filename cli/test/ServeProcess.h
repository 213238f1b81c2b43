#pragma once

// `pop3-conform serve` as a background process, for the end-to-end tests.

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <csignal>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pop3::cli {

/// `pop3-conform serve` running in the background; stopped with SIGTERM.
class ServeProcess {
public:
    explicit ServeProcess(const std::vector<std::string>& args)
        : _handle(Poco::Process::launch(POP3_CONFORM_BINARY, args, nullptr, &_out, &_err)) {
        Poco::PipeInputStream out(_out);
        std::string line;
        std::getline(out, line);
        if (line.empty()) {
            Poco::PipeInputStream err(_err);
            std::string text;
            Poco::StreamCopier::copyToString(err, text);
            ::kill(static_cast<pid_t>(_handle.id()), SIGTERM);
            _handle.wait();
            throw std::runtime_error("serve did not start: " + text);
        }
        ready = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    }

    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    ~ServeProcess() {
        if (!_stopped)
            stop();
    }

    /// Sends SIGTERM and returns the exit status; the recording is written by then.
    int stop() {
        _stopped = true;
        ::kill(static_cast<pid_t>(_handle.id()), SIGTERM);
        return _handle.wait();
    }

    std::uint16_t port(const char* key) const { return ready->getValue<std::uint16_t>(key); }
    std::string certificate() const { return ready->getValue<std::string>("certificate"); }

    Poco::JSON::Object::Ptr ready;

private:
    Poco::Pipe _out;
    Poco::Pipe _err;
    Poco::ProcessHandle _handle;
    bool _stopped = false;
};

} // namespace pop3::cli
