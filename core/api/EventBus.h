// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "firewall/ExecutionAuthority.h"

#include <QJsonObject>
#include <QObject>

#include <atomic>

namespace mandate::api {

/// Fans live events (decisions, executions started/ended/revoked, registry and policy changes)
/// out to the /v1/events subscribers. publish() may be called from any thread; connect to
/// published() with a queued connection from the thread that owns the sockets.
class EventBus final : public QObject, public firewall::EventSink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventBus)

public:
    explicit EventBus(QObject *parent = nullptr) : QObject(parent) {}
    void publish(const QJsonObject &event) override { Q_EMIT published(event); }
    bool listened() const override { return m_listeners.load(std::memory_order_relaxed) > 0; }
    /// Set by whoever delivers the events (the /v1/events subscribers): with none, every decision
    /// would build an event and post it to the main thread only for it to be dropped there.
    void setListeners(int count) { m_listeners.store(count, std::memory_order_relaxed); }

Q_SIGNALS:
    void published(const QJsonObject &event);

private:
    std::atomic<int> m_listeners = 0;
};

} // namespace mandate::api
