// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QRandomGenerator>
#include <QTextStream>
#include <QTimer>
#include <QUrl>

namespace mandate::ctl {

/// A small population of demo agents making real calls through a demo gateway, so that the
/// console's monitor and lineage views have something to show: Alice's support agent reads
/// tickets and issues refunds (some over the policy's limit), now and then tries to delete an
/// account, and delegates refunds to the refund sub-agent; Bob's finance agent reads accounts.
/// Executions are renewed when their budget runs out. Bounded by --duration and --calls.
class DemoTraffic final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoTraffic)

public:
    struct Options
    {
        QUrl gateway;
        QString dataDir;
        double callsPerSecond = 20;
        int durationSecs = 3600;
        qint64 maxCalls = 1'000'000;
        quint32 seed = 1;
    };

    DemoTraffic(Options options, QTextStream &out, QTextStream &err, QObject *parent = nullptr);

    /// Runs until the duration or call count is reached; returns the exit code.
    int run();

private:
    struct Agent
    {
        QString clientId;
        QString secret;
        QString user;
        QString scope;
        QByteArray token;       ///< current execution token
        int callsLeft = 0;
    };

    bool loadClients();
    QByteArray idToken(const QString &user);
    QByteArray exchange(Agent &agent, const QByteArray &subjectToken, const QString &subjectType, const QString &scope,
                        const QJsonObject &details);
    int call(const QByteArray &token, const QByteArray &method, const QString &path, const QJsonObject &body, const QString &reason);
    void tick();
    void step(Agent &agent);

    struct Reply
    {
        int status = 0;     ///< 0: no answer (networkError says why)
        QByteArray body;
        QString networkError;
    };
    Reply send(QNetworkRequest request, const QByteArray &method, const QByteArray &body);

    Options m_options;
    QTextStream &m_out;
    QTextStream &m_err;
    QNetworkAccessManager m_network;
    QRandomGenerator m_random;
    QHash<QString, Agent> m_agents;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_calls = 0;
    qint64 m_unanswered = 0;  ///< calls the gateway never answered (it went away)
    qint64 m_allowed = 0;
    qint64 m_denied = 0;
    qint64 m_failures = 0;
    int m_exitCode = 0;
};

} // namespace mandate::ctl
