#pragma once

#include <stdexcept>

namespace pop3::cli {

/// The command line cannot work (exit status 2): a malformed URL, options that exclude each
/// other, a password that cannot be read. The message is meant for the user as is.
class CommandLineError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace pop3::cli
