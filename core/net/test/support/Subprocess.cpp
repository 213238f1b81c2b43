#include "support/Subprocess.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/StringTokenizer.h>

#include <gtest/gtest.h>

#include <thread>

namespace pop3::test {

SubprocessResult runSubprocess(const std::string& program, const std::vector<std::string>& args,
                               const std::string& input, std::chrono::milliseconds timeout) {
    Poco::Pipe inPipe, outPipe, errPipe;
    Poco::ProcessHandle handle = Poco::Process::launch(program, args, &inPipe, &outPipe, &errPipe);
    SubprocessResult result;
    std::thread outReader([&] {
        Poco::PipeInputStream stream(outPipe);
        Poco::StreamCopier::copyToString(stream, result.out);
    });
    std::thread errReader([&] {
        Poco::PipeInputStream stream(errPipe);
        Poco::StreamCopier::copyToString(stream, result.err);
    });
    {
        Poco::PipeOutputStream stream(inPipe);
        stream << input;
        stream.close();
    }
    // isRunning() is true for an unreaped zombie, so poll with tryWait(), which reaps.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int exitCode = handle.tryWait();
    while (exitCode == -1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        exitCode = handle.tryWait();
    }
    if (exitCode == -1) {
        result.timedOut = true;
        Poco::Process::kill(handle);
        exitCode = handle.wait();
    }
    result.exitCode = exitCode;
    outReader.join();
    errReader.join();
    return result;
}

std::string requireProgram(const std::string& name) {
    const Poco::StringTokenizer dirs(Poco::Environment::get("PATH", "/usr/bin:/bin"), ":",
                                     Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const std::string& dir : dirs) {
        const Poco::Path candidate(Poco::Path(dir, Poco::Path::PATH_UNIX).makeDirectory(), name);
        Poco::File file(candidate);
        if (file.exists() && file.canExecute())
            return candidate.toString();
    }
    ADD_FAILURE() << name << " is not installed; run ci/install-deps.sh";
    return name;
}

} // namespace pop3::test
