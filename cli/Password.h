#pragma once

#include <string>

#include "MailboxUrl.h"

namespace pop3::cli {

/// Throws CommandLineError, naming `source`, for a password that is empty or holds control
/// characters (they would break the command line it travels in).
void checkPassword(const std::string& password, const std::string& source);

/// The password from the one source given: the URL, the environment variable `passwordEnv`
/// (--password-env) or the first line of `passwordFile` (--password-file). Throws
/// CommandLineError when none or several are given, or the one given cannot be read.
std::string resolvePassword(const MailboxUrl& url, const std::string& passwordEnv,
                            const std::string& passwordFile);

} // namespace pop3::cli
