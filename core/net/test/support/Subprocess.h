#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace pop3::test {

struct SubprocessResult {
    int exitCode = -1;
    bool timedOut = false;
    std::string out;
    std::string err;
};

/// Runs `program` with `args`, feeding `input` on stdin, and waits at most `timeout` (then
/// kills it). For driving real third-party clients (python3, curl, openssl) from tests.
SubprocessResult runSubprocess(const std::string& program, const std::vector<std::string>& args,
                               const std::string& input = {},
                               std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// The absolute path of `name` on PATH; fails the calling test when missing.
std::string requireProgram(const std::string& name);

} // namespace pop3::test
