#pragma once

#include "pop3/Auth.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pop3::test {

/// The password the secrets tests log in with: distinctive, so that any trace of it is found.
inline const std::string kSecret = "S3cr3t-p4ss";

/// The forms in which `user`'s password `secret` crosses the wire: the password itself, the
/// base64 SASL PLAIN message ("\0user\0secret") and the base64 SASL LOGIN response.
inline std::vector<std::string> secretForms(const std::string& user,
                                            const std::string& secret = kSecret) {
    return {secret, encodeBase64(std::string(1, '\0') + user + std::string(1, '\0') + secret),
            encodeBase64(secret)};
}

/// Succeeds when `text` holds none of `user`'s secret forms nor any of `more` (a digest, a
/// CRAM-MD5 response); the failure names the form found and shows the text.
inline ::testing::AssertionResult holdsNoSecret(const std::string& text, const std::string& user,
                                                const std::vector<std::string>& more = {}) {
    std::vector<std::string> forms = secretForms(user);
    forms.insert(forms.end(), more.begin(), more.end());
    for (const std::string& form : forms) {
        if (!form.empty() && text.find(form) != std::string::npos)
            return ::testing::AssertionFailure() << "'" << form << "' leaks in:\n" << text;
    }
    return ::testing::AssertionSuccess();
}

} // namespace pop3::test
