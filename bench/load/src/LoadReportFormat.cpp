#include "pop3/load/LoadReportFormat.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>

namespace pop3::load {

namespace {

double milliseconds(std::chrono::nanoseconds duration) {
    return std::chrono::duration<double, std::milli>(duration).count();
}

std::string format(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

/// The worst p99 over every step of a second or run.
std::chrono::nanoseconds worstP99(const LoadTotals& totals) {
    std::chrono::nanoseconds worst{0};
    for (const auto& [step, histogram] : totals.latency)
        worst = std::max(worst, histogram.percentile(0.99));
    return worst;
}

Poco::JSON::Object::Ptr latencyJson(const LatencyHistogram& histogram) {
    Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
    json->set("count", histogram.count());
    json->set("p50_ms", milliseconds(histogram.percentile(0.50)));
    json->set("p90_ms", milliseconds(histogram.percentile(0.90)));
    json->set("p99_ms", milliseconds(histogram.percentile(0.99)));
    json->set("max_ms", milliseconds(histogram.max()));
    json->set("mean_ms", milliseconds(histogram.mean()));
    return json;
}

Poco::JSON::Object::Ptr errorsJson(const LoadTotals& totals) {
    Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
    for (const auto& [error, count] : totals.errors)
        json->set(std::string(toString(error)), count);
    return json;
}

} // namespace

std::string progressLine(const ProgressTick& tick) {
    const LoadTotals& t = tick.totals;
    char text[256];
    std::snprintf(text, sizeof text,
                  "%4u s  sessions %6llu/s  operations %7llu/s  commands %7llu/s  %8.2f MB/s  "
                  "p99 %7.2f ms  errors %llu",
                  tick.second, static_cast<unsigned long long>(t.logins),
                  static_cast<unsigned long long>(t.operations),
                  static_cast<unsigned long long>(t.commands),
                  static_cast<double>(t.bodyOctets) / 1e6, milliseconds(worstP99(t)),
                  static_cast<unsigned long long>(t.errorCount()));
    return text;
}

void writeText(std::ostream& out, const LoadReport& report) {
    const LoadSettings& s = report.settings;
    const LoadTotals& t = report.totals;
    out << "load: " << s.connections << " connections, engine " << toString(s.engine) << ", "
        << toString(s.mode) << ", mix " << s.mix.toString() << ", " << s.accountCount()
        << (s.accountCount() == 1 ? " account" : " accounts") << "\n";
    out << "elapsed " << format("%.2f", report.elapsedSeconds()) << " s, generator CPU "
        << format("%.2f", std::chrono::duration<double>(report.generatorCpu).count()) << " s\n\n";
    out << "sessions    " << format("%10.1f", report.perSecond(t.logins)) << " /s  (" << t.logins
        << " logins, " << t.sessions << " ended with QUIT)\n";
    out << "operations  " << format("%10.1f", report.perSecond(t.operations)) << " /s  ("
        << t.operations << ")\n";
    out << "commands    " << format("%10.1f", report.perSecond(t.commands)) << " /s  ("
        << t.commands << ")\n";
    out << "message data" << format("%10.2f", report.perSecond(t.bodyOctets) / 1e6) << " MB/s ("
        << t.bodyOctets << " octets)\n\n";

    out << "latency (ms)       count       p50       p90       p99       max\n";
    for (const auto& [step, h] : t.latency) {
        char line[160];
        std::snprintf(line, sizeof line, "  %-12s %10llu %9.3f %9.3f %9.3f %9.3f\n", step.c_str(),
                      static_cast<unsigned long long>(h.count()), milliseconds(h.percentile(0.5)),
                      milliseconds(h.percentile(0.9)), milliseconds(h.percentile(0.99)),
                      milliseconds(h.max()));
        out << line;
    }
    out << "\nerrors      " << t.errorCount();
    for (const auto& [error, count] : t.errors)
        out << "  " << toString(error) << " " << count;
    out << "\nintegrity   " << report.integrityChecks << " RETRs of " << report.integrityMessages
        << " messages compared, " << report.integrityMismatches << " mismatches\n";
    if (report.idleRequested > 0)
        out << "idle        " << report.idleOpened << " of " << report.idleRequested << " opened, "
            << report.idleOpenAtEnd << " still answering at the end\n";
}

void writeJson(std::ostream& out, const LoadReport& report) {
    const LoadSettings& s = report.settings;
    const LoadTotals& t = report.totals;
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    Poco::JSON::Object::Ptr settings = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    settings->set("host", s.target.host);
    settings->set("port", s.target.port);
    settings->set("tls", s.target.implicitTls ? "implicit" : (s.target.startTls ? "stls" : "none"));
    settings->set("engine", std::string(toString(s.engine)));
    settings->set("mode", std::string(toString(s.mode)));
    settings->set("connections", s.connections);
    settings->set("accounts", s.accountCount());
    settings->set("mix", s.mix.toString());
    settings->set("operations_per_unit", s.operationsPerUnit);
    settings->set("idle_connections", s.idleConnections);
    json.set("settings", settings);
    json.set("elapsed_s", report.elapsedSeconds());
    json.set("generator_cpu_s", std::chrono::duration<double>(report.generatorCpu).count());

    Poco::JSON::Object::Ptr totals = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    totals->set("logins", t.logins);
    totals->set("sessions", t.sessions);
    totals->set("operations", t.operations);
    totals->set("commands", t.commands);
    totals->set("body_octets", t.bodyOctets);
    totals->set("errors", t.errorCount());
    json.set("totals", totals);

    Poco::JSON::Object::Ptr rates = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    rates->set("sessions_per_s", report.perSecond(t.logins));
    rates->set("operations_per_s", report.perSecond(t.operations));
    rates->set("commands_per_s", report.perSecond(t.commands));
    rates->set("mb_per_s", report.perSecond(t.bodyOctets) / 1e6);
    json.set("rates", rates);

    Poco::JSON::Object::Ptr latency = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [step, histogram] : t.latency)
        latency->set(step, latencyJson(histogram));
    json.set("latency", latency);
    json.set("errors", errorsJson(t));

    Poco::JSON::Object::Ptr integrity = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    integrity->set("messages", report.integrityMessages);
    integrity->set("retrievals_compared", report.integrityChecks);
    integrity->set("mismatches", report.integrityMismatches);
    json.set("integrity", integrity);

    Poco::JSON::Object::Ptr idle = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    idle->set("requested", report.idleRequested);
    idle->set("opened", report.idleOpened);
    idle->set("open_at_end", report.idleOpenAtEnd);
    json.set("idle", idle);

    Poco::JSON::Array::Ptr seconds = new Poco::JSON::Array;
    for (const ProgressTick& tick : report.seconds) {
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        entry->set("second", tick.second);
        entry->set("sessions", tick.totals.logins);
        entry->set("operations", tick.totals.operations);
        entry->set("commands", tick.totals.commands);
        entry->set("body_octets", tick.totals.bodyOctets);
        entry->set("p99_ms", milliseconds(worstP99(tick.totals)));
        entry->set("errors", tick.totals.errorCount());
        seconds->add(entry);
    }
    json.set("per_second", seconds);
    json.stringify(out, 2);
    out << "\n";
}

} // namespace pop3::load
