// SPDX-License-Identifier: Apache-2.0
#include "firewall/HostResolver.h"

#include <QHash>
#include <QUrl>
#include <QSet>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>

#include <netdb.h>
#include <sys/socket.h>

namespace mandate::firewall {

struct HostResolver::State
{
    struct Known
    {
        Found found;
        QDeadlineTimer expires;
    };

    Lookup lookup;
    Options options;
    std::mutex mutex;
    std::condition_variable finished;  ///< a lookup ended: its answer is in `known`
    QHash<QString, Known> known;
    QSet<QString> pending;             ///< names being looked up

    /// Keeps `answer` for its time to live; an over-full table drops what has expired, and
    /// everything if that is not enough (a gateway talks to a few upstreams, not a thousand).
    void remember(const QString &host, Known answer)
    {
        if (known.size() >= options.maxCached && !known.contains(host)) {
            known.removeIf([](const auto &entry) { return entry.value().expires.hasExpired(); });
            if (known.size() >= options.maxCached)
                known.clear();
        }
        known.insert(host, std::move(answer));
    }

    /// The lookup of `host` ended with `found`: kept for its time to live, and its waiters woken.
    void finish(const QString &host, Found found)
    {
        const std::lock_guard done(mutex);
        pending.remove(host);
        const bool ok = !found.addresses.isEmpty();
        if (ok)
            found.error.clear();
        else if (found.error.isEmpty())
            found.error = QStringLiteral("the host name has no address");
        remember(host, Known{std::move(found), QDeadlineTimer(ok ? options.answerTtlMs : options.failureTtlMs)});
        finished.notify_all();
    }
};

namespace {

HostResolver::Found lookUp(const QString &host)
{
    HostResolver::Found result;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo *found = nullptr;
    const int rc = ::getaddrinfo(QUrl::toAce(host).constData(), nullptr, &hints, &found);
    if (rc != 0) {
        result.error = QStringLiteral("cannot look up %1: %2").arg(host, QString::fromLocal8Bit(::gai_strerror(rc)));
        result.temporary = HostResolver::isTemporaryFailure(rc);
        return result;
    }
    for (const addrinfo *entry = found; entry; entry = entry->ai_next) {
        const QHostAddress address(entry->ai_addr);
        if (!address.isNull() && !result.addresses.contains(address))
            result.addresses << address;
    }
    ::freeaddrinfo(found);
    return result;
}

/// The name as it is looked up and kept: DNS names are case-insensitive, and "host." is "host".
QString normalized(const QString &host)
{
    QString name = host.toLower();
    if (name.endsWith(u'.'))
        name.chop(1);
    return name;
}

} // namespace

HostResolver::HostResolver() : HostResolver(lookUp) {}

HostResolver::HostResolver(Lookup lookup) : HostResolver(std::move(lookup), Options()) {}

HostResolver::HostResolver(Lookup lookup, Options options) : m_state(std::make_shared<State>())
{
    m_state->lookup = std::move(lookup);
    m_state->options = options;
}

HostResolver::~HostResolver() = default;

bool HostResolver::isTemporaryFailure(int getaddrinfoError)
{
    return getaddrinfoError == EAI_AGAIN || getaddrinfoError == EAI_MEMORY || getaddrinfoError == EAI_SYSTEM;
}

HostResolver &HostResolver::shared()
{
    static HostResolver resolver;
    return resolver;
}

HostResolver::Answer HostResolver::resolve(const QString &name, const QDeadlineTimer &deadline)
{
    if (const QHostAddress literal(name); !literal.isNull())
        return Answer{{literal}, {}, false};
    const QString host = normalized(name);

    const std::shared_ptr<State> state = m_state;
    std::unique_lock lock(state->mutex);
    for (;;) {
        if (const auto known = state->known.constFind(host); known != state->known.cend() && !known->expires.hasExpired())
            return Answer{known->found.addresses, known->found.error, false, false, known->found.temporary};
        if (!state->pending.contains(host)) {
            if (state->pending.size() >= state->options.maxPending)
                return Answer{{}, QStringLiteral("too many host name lookups are pending"), false, true};
            state->pending.insert(host);
            // The thread holds the state, not the resolver: it may finish after the resolver is gone.
            try {
                std::thread([state, host] { state->finish(host, state->lookup(host)); }).detach();
            } catch (const std::system_error &) {
                state->pending.remove(host);  // no thread to be had: refuse the call rather than block it
                return Answer{{}, QStringLiteral("cannot start a host name lookup"), false, true};
            }
        }
        if (deadline.hasExpired())
            return Answer{{}, QStringLiteral("looking up %1 took longer than the call's timeout").arg(host), true};
        const qint64 leftMs = deadline.isForever() ? 60'000 : std::max<qint64>(1, deadline.remainingTime());
        state->finished.wait_for(lock, std::chrono::milliseconds(leftMs));
    }
}

} // namespace mandate::firewall
