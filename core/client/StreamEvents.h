// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace mandate::client {

/// One decision from GET /v1/events ({"type":"decision", …}).
struct DecisionEvent
{
    bool allowed = false;
    QString decisionId;
    QString execution;
    QString agent;
    QString action;
    QString tool;
    qint64 latencyUs = 0;
    double risk = 0;
    QDateTime time;
};

/// An execution's lifecycle change from GET /v1/events ({"type":"execution.started", …}).
struct ExecutionEvent
{
    QString kind;       ///< started, completed, expired, revoked
    QString execution;
    QString agent;
    QString rootHuman;
    QString parent;
};

/// One row of GET /v1/executions?status=active (ExecutionState::toJson()).
struct ActiveExecution
{
    QString id;
    QString agent;
    QString rootHuman;
    QString parent;
    QString purpose;
    QStringList actions;     ///< actions used so far in the session
    QString amountLeft;      ///< remaining budget amount, as the gateway writes it
    qint64 callsLeft = 0;
    int risk = 0;
    int riskCeiling = 0;
    QDateTime expiresAt;
    int depth = 0;

    static ActiveExecution fromJson(const QJsonObject &json);
};

} // namespace mandate::client
