#include "pop3/mock/ServerSpec.h"

namespace pop3::mock {

std::string_view toString(TlsMode mode) {
    switch (mode) {
    case TlsMode::None:
        return "none";
    case TlsMode::Stls:
        return "stls";
    case TlsMode::Implicit:
        return "implicit";
    }
    return "none";
}

std::string_view toString(TlsVersion version) {
    switch (version) {
    case TlsVersion::tls1_0:
        return "TLSv1.0";
    case TlsVersion::tls1_1:
        return "TLSv1.1";
    case TlsVersion::tls1_2:
        return "TLSv1.2";
    case TlsVersion::tls1_3:
        return "TLSv1.3";
    }
    return "TLSv1.2";
}

const std::vector<std::string>* CapabilityOverrides::forState(bool tls, bool loggedIn) const {
    const auto& lines = tls ? (loggedIn ? tlsAfterLogin : tlsBeforeLogin)
                            : (loggedIn ? plainAfterLogin : plainBeforeLogin);
    return lines ? &*lines : nullptr;
}

} // namespace pop3::mock
