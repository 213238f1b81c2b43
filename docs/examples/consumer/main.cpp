// Built against an installed pop3-conform (docs/install.md): serves one message from a mock
// server on a free loopback port and retrieves it with pop3::Client.

#include "pop3/Client.h"
#include "pop3/mock/MockServer.h"
#include "pop3/mock/ScenarioLoader.h"

#include <exception>
#include <iostream>
#include <string>

int main() {
    try {
        const pop3::mock::Scenario scenario =
            pop3::mock::ScenarioLoader::loadString(R"(
mailboxes:
  - user: alice
    password: secret
    messages:
      - {raw: "Subject: hello\n\nHi Alice.\n", uid: hello}
)",
                                                   "consumer.yaml");
        pop3::mock::MockServerOptions options;
        options.address = "127.0.0.1";
        options.port = 0;
        pop3::mock::MockServer mock{scenario, options};
        mock.start();

        pop3::Client client;
        client.host = "127.0.0.1";
        client.port = *mock.port();
        client.username = "alice";
        client.password = "secret";
        client.connect();
        const std::string message = client.retrieve(1);
        client.disconnect();
        mock.stop();

        if (message != "Subject: hello\r\n\r\nHi Alice.\r\n") {
            std::cerr << "unexpected message:\n" << message;
            return 1;
        }
        std::cout << "retrieved " << message.size() << " octets\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
