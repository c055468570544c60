// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "GatewayOptions.h"

#include "common/Clock.h"
#include "common/Result.h"

#include <QObject>
#include <QTextStream>

#include <functional>
#include <memory>

namespace mandate::gateway {

/// One running gateway: every service of mandated (store, registry, policies, broker, audit,
/// the per-call pipeline, the admin API, the event stream) built from its options and wired
/// together, listening on its socket. main() only parses options and runs the event loop.
class Gateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gateway)

public:
    explicit Gateway(GatewayOptions options, QObject *parent = nullptr);
    ~Gateway() override;

    /// Opens everything and starts listening; what it prints for people goes to `out`.
    /// Errors are fatal for the process (exit code 1; 2 for a refused configuration).
    Status start(QTextStream &out);
    QString baseUrl() const;
    /// Graceful stop: refuses new connections at once, lets the calls in flight finish and their
    /// answers reach the clients, closes the connections, then calls `drained` (at the latest
    /// when the upstream timeout and a grace period have passed).
    void drain(std::function<void()> drained);

private:
    struct Services;
    Status openServices();
    Status listen();
    Status prepareDemo(QTextStream &out);
    /// This gateway's URL with `address` for its host (its own scheme and port).
    QString urlOn(const QHostAddress &address) const;
    void wireEvents();
    void installOperationalRoutes();

    GatewayOptions m_options;
    std::unique_ptr<Clock> m_clock;
    OffsetClock *m_testClock = nullptr;
    std::unique_ptr<Services> m_services;
};

} // namespace mandate::gateway
