#include "support/DovecotPeer.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Path.h>
#include <Poco/Process.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <fstream>
#include <grp.h>
#include <iterator>
#include <pwd.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>
#include <tuple>
#include <unistd.h>

#include "support/RawClient.h"
#include "support/Subprocess.h"
#include "support/TestPki.h"

namespace pop3::test {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStartAttempts = 5;
constexpr auto kReadyTimeout = std::chrono::seconds(15);
constexpr auto kStopTimeout = std::chrono::seconds(10);

std::string dovecotProgram() {
    // /usr/sbin is not on every user's PATH.
    if (Poco::File("/usr/sbin/dovecot").canExecute())
        return "/usr/sbin/dovecot";
    return requireProgram("dovecot");
}

void writeFile(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

/// World-searchable whatever the umask: Dovecot's processes run as several users.
void makeDirectory(const std::string& path) {
    Poco::File(path).createDirectories();
    if (::chmod(path.c_str(), 0755) != 0)
        throw std::runtime_error("cannot chmod " + path);
}

/// Zombies count as gone: orphans are reaped by init, which may take a while.
bool alive(pid_t pid) {
    if (pid <= 0 || ::kill(pid, 0) != 0)
        return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const std::size_t paren = line.rfind(')');
    return paren == std::string::npos || line.size() < paren + 3 || line[paren + 2] != 'Z';
}

bool waitUntilGone(const std::vector<pid_t>& pids, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (std::none_of(pids.begin(), pids.end(), alive))
            return true;
        if (Clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

/// Two distinct ports that were free a moment ago.
std::pair<std::uint16_t, std::uint16_t> freePorts() {
    Poco::Net::ServerSocket first(Poco::Net::SocketAddress("127.0.0.1", 0));
    Poco::Net::ServerSocket second(Poco::Net::SocketAddress("127.0.0.1", 0));
    return {first.address().port(), second.address().port()};
}

/// The leading seconds of a Maildir file name, which Dovecot sorts new mail by.
long maildirTimestamp(const std::string& name) {
    return std::strtol(name.c_str(), nullptr, 10);
}

void checkField(const std::string& value, const char* what) {
    if (value.empty() || value.find_first_of(":\r\n") != std::string::npos)
        throw std::invalid_argument(std::string("DovecotPeer: unusable ") + what + " '" + value +
                                    "'");
}

} // namespace

DovecotPeer::DovecotPeer() {
    static std::atomic<unsigned> instances{0};
    _instanceName =
        "dovecot-pop3conform-" + std::to_string(::getpid()) + "-" + std::to_string(instances++);
    if (::geteuid() == 0) {
        const passwd* mail = ::getpwnam("mail");
        _mailUid = mail ? mail->pw_uid : 8;
        _mailGid = mail ? mail->pw_gid : 8;
    } else {
        _mailUid = ::getuid();
        _mailGid = ::getgid();
    }
    // Earlier than now, so timestamps of added messages never lie in the future.
    _nextTimestamp = static_cast<long>(std::time(nullptr)) - 1000000;

    _dir = Poco::TemporaryFile::tempName();
    makeDirectory(_dir);
    for (const char* sub : {"state", "log", "mail"})
        makeDirectory(Poco::Path(_dir, sub).toString());
    own(Poco::Path(_dir, "mail").toString());
    writeUsers();
}

DovecotPeer::~DovecotPeer() {
    try {
        stop();
    } catch (...) {
    }
    try {
        Poco::File(_dir).remove(true);
    } catch (...) {
    }
}

std::string DovecotPeer::caFile() const {
    return TestPki::get().caCert;
}

std::string DovecotPeer::configFile() const {
    return Poco::Path(_dir, "dovecot.conf").toString();
}

std::string DovecotPeer::logFile() const {
    return Poco::Path(_dir, "log/dovecot.log").toString();
}

std::string DovecotPeer::maildir(const std::string& user) const {
    return Poco::Path(Poco::Path(_dir, "mail").makeDirectory(), user).toString();
}

void DovecotPeer::own(const std::string& path) const {
    if (::geteuid() == 0 && ::chown(path.c_str(), _mailUid, _mailGid) != 0)
        throw std::runtime_error("cannot chown " + path);
}

void DovecotPeer::createMaildir(const std::string& user) const {
    const std::string root = maildir(user);
    makeDirectory(root);
    own(root);
    for (const char* sub : {"cur", "new", "tmp"}) {
        const std::string path = Poco::Path(Poco::Path(root).makeDirectory(), sub).toString();
        makeDirectory(path);
        own(path);
    }
}

void DovecotPeer::writeUsers() const {
    std::string lines;
    for (const auto& [user, password] : _passwords)
        lines += user + ":{PLAIN}" + password + ":" + std::to_string(_mailUid) + ":" +
                 std::to_string(_mailGid) + "::" + maildir(user) + "::\n";
    // Written aside and renamed, so a running auth process never reads half a file.
    const std::string path = Poco::Path(_dir, "users").toString();
    const std::string next = path + ".new";
    writeFile(next, lines);
    // The auth process runs as the dovecot user.
    const group* dovecot = ::getgrnam("dovecot");
    if (::geteuid() == 0 && dovecot) {
        if (::chown(next.c_str(), 0, dovecot->gr_gid) != 0 || ::chmod(next.c_str(), 0640) != 0)
            throw std::runtime_error("cannot set the owner of " + next);
    }
    Poco::File(next).renameTo(path);
}

void DovecotPeer::addUser(const std::string& user, const std::string& password) {
    checkField(user, "user name");
    checkField(password, "password");
    std::lock_guard<std::mutex> lock(_mutex);
    _passwords[user] = password;
    createMaildir(user);
    writeUsers();
}

std::string DovecotPeer::addMessage(const std::string& user, const std::string& text) {
    checkField(user, "user name");
    std::string lf;
    lf.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n'))
            lf += text[i];
    }
    std::lock_guard<std::mutex> lock(_mutex);
    createMaildir(user);
    const unsigned sequence = ++_messageCount;
    const std::string name = std::to_string(_nextTimestamp++) + ".M" + std::to_string(sequence) +
                             "P" + std::to_string(::getpid()) + ".localhost";
    const Poco::Path root = Poco::Path(maildir(user)).makeDirectory();
    const std::string staged = Poco::Path(root, "tmp/" + name).toString();
    const std::string delivered = Poco::Path(root, "new/" + name).toString();
    // Maildir delivery: write into tmp/, then rename into new/.
    writeFile(staged, lf);
    own(staged);
    Poco::File(staged).renameTo(delivered);
    return delivered;
}

std::vector<std::string> DovecotPeer::maildirFiles(const std::string& user) const {
    std::vector<std::pair<std::string, std::string>> named; // (file name, path)
    const Poco::Path root = Poco::Path(maildir(user)).makeDirectory();
    for (const char* sub : {"new", "cur"}) {
        const Poco::File folder(Poco::Path(root, sub));
        if (!folder.exists())
            continue;
        for (Poco::DirectoryIterator it(folder.path()), end; it != end; ++it)
            named.emplace_back(it.name(), it->path());
    }
    std::sort(named.begin(), named.end(), [](const auto& a, const auto& b) {
        const long left = maildirTimestamp(a.first), right = maildirTimestamp(b.first);
        return left != right ? left < right : a.first < b.first;
    });
    std::vector<std::string> paths;
    for (auto& entry : named)
        paths.push_back(std::move(entry.second));
    return paths;
}

std::vector<std::string> DovecotPeer::maildirTexts(const std::string& user) const {
    for (int attempt = 1;; ++attempt) {
        std::vector<std::string> texts;
        try {
            for (const std::string& path : maildirFiles(user))
                texts.push_back(readFile(path));
            return texts;
        } catch (const std::runtime_error&) {
            // A file was renamed between listing and reading.
            if (attempt == 5)
                throw;
        }
    }
}

std::string DovecotPeer::readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string DovecotPeer::wireForm(const std::string& fileText) {
    std::string wire;
    wire.reserve(fileText.size() + fileText.size() / 16 + 2);
    for (std::size_t i = 0; i < fileText.size(); ++i) {
        if (fileText[i] == '\n' && (i == 0 || fileText[i - 1] != '\r'))
            wire += '\r';
        wire += fileText[i];
    }
    if (!wire.empty() && wire.back() != '\n')
        wire += "\r\n";
    return wire;
}

std::string DovecotPeer::logTail(std::size_t lines) const {
    std::ifstream in(logFile());
    if (!in)
        return "(no Dovecot log at " + logFile() + ")";
    std::deque<std::string> tail;
    for (std::string line; std::getline(in, line);) {
        tail.push_back(line);
        if (tail.size() > lines)
            tail.pop_front();
    }
    std::string text;
    for (const std::string& line : tail)
        text += line + "\n";
    return text;
}

void DovecotPeer::writeConfig() const {
    const TestPki& pki = TestPki::get();
    std::ostringstream conf;
    conf << "# Private test instance; /etc/dovecot is not read.\n"
         << "instance_name = " << _instanceName << "\n"
         << "base_dir = " << _dir << "/run\n"
         << "state_dir = " << _dir << "/state\n"
         << "log_path = " << logFile() << "\n"
         << "auth_verbose = yes\n"
         << "protocols = pop3\n"
         << "listen = 127.0.0.1\n"
         << "hostname = localhost\n"
         << "ssl = yes\n"
         << "ssl_cert = <" << pki.serverCert << "\n"
         << "ssl_key = <" << pki.serverKey << "\n"
         << "ssl_dh = </usr/share/dovecot/dh.pem\n"
         << "ssl_min_protocol = TLSv1.2\n"
         << "disable_plaintext_auth = no\n"
         << "auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256 apop\n"
         << "passdb {\n"
         << "  driver = passwd-file\n"
         << "  args = scheme=PLAIN username_format=%u " << _dir << "/users\n"
         << "}\n"
         << "userdb {\n"
         << "  driver = passwd-file\n"
         << "  args = username_format=%u " << _dir << "/users\n"
         << "}\n"
         << "first_valid_uid = " << _mailUid << "\n"
         << "first_valid_gid = " << _mailGid << "\n"
         << "mail_location = maildir:" << _dir << "/mail/%u\n"
         << "pop3_uidl_format = %08Xu%08Xv\n"
         << "protocol pop3 {\n"
         << "  mail_max_userip_connections = 64\n"
         << "}\n"
         << "service pop3-login {\n"
         << "  inet_listener pop3 {\n"
         << "    address = 127.0.0.1\n"
         << "    port = " << _plainPort << "\n"
         << "  }\n"
         << "  inet_listener pop3s {\n"
         << "    address = 127.0.0.1\n"
         << "    port = " << _tlsPort << "\n"
         << "    ssl = yes\n"
         << "  }\n"
         << "}\n";
    if (::geteuid() != 0) {
        // Without root there is no switching users and no chroot.
        const passwd* user = ::getpwuid(::getuid());
        const group* primary = ::getgrgid(::getgid());
        if (!user || !primary)
            throw std::runtime_error("DovecotPeer: cannot name the current user and group");
        conf << "default_login_user = " << user->pw_name << "\n"
             << "default_internal_user = " << user->pw_name << "\n"
             << "default_internal_group = " << primary->gr_name << "\n"
             << "service anvil {\n  chroot =\n}\n"
             << "service pop3-login {\n  chroot =\n}\n";
    }
    writeFile(configFile(), conf.str());
}

bool DovecotPeer::pidFileWritten() const {
    std::ifstream in(Poco::Path(_dir, "run/master.pid").toString());
    long pid = 0;
    return in >> pid && _master && pid == _master->id();
}

DovecotPeer::Readiness DovecotPeer::waitUntilReady() {
    const auto deadline = Clock::now() + kReadyTimeout;
    bool plainReady = false;
    bool tlsReady = false;
    while (Clock::now() < deadline) {
        if (masterExited(std::chrono::milliseconds(10)))
            return Readiness::exited;
        // The master writes its pid file once its listeners are bound: until then a port may
        // still belong to someone else.
        if (!pidFileWritten())
            continue;
        for (auto [port, tls, ready] :
             {std::tuple{_plainPort, false, &plainReady}, std::tuple{_tlsPort, true, &tlsReady}}) {
            if (*ready)
                continue;
            try {
                RawClient client(port, tls);
                client.socket().setReceiveTimeout(Poco::Timespan(1, 0));
                if (client.readLine().rfind("+OK", 0) == 0) {
                    *ready = true;
                    client.send("QUIT\r\n");
                }
            } catch (const Poco::Exception&) {
            } catch (const std::exception&) {
            }
        }
        if (plainReady && tlsReady)
            return Readiness::ready;
    }
    return Readiness::timedOut;
}

bool DovecotPeer::masterExited(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (_master && _exitCode == -1) {
        _exitCode = _master->tryWait();
        if (_exitCode != -1 || Clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return !_master || _exitCode != -1;
}

void DovecotPeer::start() {
    if (_running)
        return;
    const std::string program = dovecotProgram();
    const std::string startLog = Poco::Path(_dir, "log/start.log").toString();
    std::string failure;
    for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
        std::tie(_plainPort, _tlsPort) = freePorts();
        writeConfig();
        // In the foreground (-F) the master stays our child, so stop() can reap it. Its stderr
        // goes to a file: it stays open for the master's lifetime.
        _master = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
            "/bin/sh", {"-c", "exec \"$0\" -F -c \"$1\" </dev/null >\"$2\" 2>&1", program,
                        configFile(), startLog}));
        _exitCode = -1;
        _running = true;
        const Readiness readiness = waitUntilReady();
        if (readiness == Readiness::ready)
            return;
        stop();
        if (readiness == Readiness::exited) {
            const std::string output = Poco::File(startLog).exists() ? readFile(startLog) : "";
            failure = program + " -F -c " + configFile() + " exited with " +
                      std::to_string(_exitCode) + ": " + output;
            // Another process took a port since freePorts(): try other ports.
            if (output.find("Address already in use") != std::string::npos)
                continue;
        } else {
            failure = "no greeting on ports " + std::to_string(_plainPort) + " and " +
                      std::to_string(_tlsPort) + " within " +
                      std::to_string(
                          std::chrono::duration_cast<std::chrono::seconds>(kReadyTimeout).count()) +
                      " s";
        }
        break;
    }
    throw std::runtime_error("DovecotPeer " + _instanceName + ": " + failure + "\n--- tail of " +
                             logFile() + " ---\n" + logTail());
}

std::vector<pid_t> DovecotPeer::processes() const {
    // Children carry "<instance_name>/<service>" as their title; the master has our config
    // file on its command line.
    const std::string prefix = _instanceName + "/";
    const std::string config = configFile();
    std::vector<pid_t> pids;
    for (Poco::DirectoryIterator it(std::string("/proc")), end; it != end; ++it) {
        const std::string& name = it.name();
        if (name.empty() ||
            !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(name));
        std::ifstream in("/proc/" + name + "/cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if ((cmdline.rfind(prefix, 0) == 0 || cmdline.find(config) != std::string::npos) &&
            alive(pid))
            pids.push_back(pid);
    }
    return pids;
}

void DovecotPeer::stop() {
    if (!_running)
        return;
    _running = false;
    // The master takes its children down on SIGTERM.
    if (!masterExited(std::chrono::milliseconds(0))) {
        ::kill(static_cast<pid_t>(_master->id()), SIGTERM);
        if (!masterExited(kStopTimeout)) {
            ::kill(static_cast<pid_t>(_master->id()), SIGKILL);
            _exitCode = _master->wait();
        }
    }
    _master.reset();
    // Anything left over (a child of a killed master, or one that hung) is killed.
    std::vector<pid_t> left = processes();
    for (pid_t pid : left)
        ::kill(pid, SIGKILL);
    if (!waitUntilGone(left, kStopTimeout))
        throw std::runtime_error("DovecotPeer " + _instanceName + ": processes survive SIGKILL");
}

} // namespace pop3::test
