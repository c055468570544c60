// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "firewall/ExecutionAuthority.h"

#include <QJsonObject>
#include <QObject>

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

Q_SIGNALS:
    void published(const QJsonObject &event);
};

} // namespace mandate::api
