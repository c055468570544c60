// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace mandate::firewall {

/// Host names to addresses for the tool firewall, within each call's deadline.
///
/// getaddrinfo() cannot be interrupted, so a slow name server would hold a gateway worker for
/// as long as the resolver's own retries last, whatever the call's timeout. Here a lookup runs
/// on a thread of its own and a caller waits for it only until its deadline; callers asking for
/// the same name share one lookup, at most `maxPending` names are looked up at once (beyond
/// that a call is refused, not queued), and answers are kept for `answerTtlMs`.
class HostResolver
{
public:
    /// What one lookup found: addresses, or why there are none.
    struct Found
    {
        QList<QHostAddress> addresses;
        QString error;
        bool temporary = false;  ///< the lookup failed for now (EAI_AGAIN, EAI_MEMORY, EAI_SYSTEM); the name may exist
    };
    /// Blocking; runs on the lookup's thread. getaddrinfo() in the gateway: a thread that is
    /// still waiting on a name server when the process ends must not be inside Qt's lookup
    /// manager, whose globals are gone by then.
    using Lookup = std::function<Found(const QString &host)>;

    struct Options
    {
        int maxPending = 32;
        int answerTtlMs = 30'000;   ///< addresses found
        int failureTtlMs = 1'000;   ///< a failed lookup, so that callers do not retry it in a tight loop
        int maxCached = 1024;
    };

    struct Answer
    {
        QList<QHostAddress> addresses;  ///< empty when the lookup failed or did not finish in time
        QString error;
        bool timedOut = false;          ///< the deadline passed before the lookup finished
        bool busy = false;              ///< refused: too many lookups pending; worth trying again later
        bool temporary = false;         ///< the lookup failed for now (Found::temporary); worth trying again later
    };

    HostResolver();
    explicit HostResolver(Lookup lookup);
    HostResolver(Lookup lookup, Options options);
    ~HostResolver();
    HostResolver(const HostResolver &) = delete;
    HostResolver &operator=(const HostResolver &) = delete;

    /// An address literal is returned as is, without a lookup. Names are looked up and kept in
    /// lower case, without a trailing dot.
    Answer resolve(const QString &name, const QDeadlineTimer &deadline);

    /// The one the gateway's upstream connections share.
    static HostResolver &shared();
    /// Whether a getaddrinfo() error is worth trying again (Found::temporary): the name server
    /// failing for now, or this process short of memory or descriptors (EAI_SYSTEM: EMFILE, say).
    static bool isTemporaryFailure(int getaddrinfoError);

private:
    struct State;
    std::shared_ptr<State> m_state;  ///< shared with the lookup threads, which may outlive the resolver
};

} // namespace mandate::firewall
