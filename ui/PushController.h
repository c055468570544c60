// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RecordEntry.h"
#include "client/ClientError.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>

namespace mandate::client {
class GatewayClient;
}

namespace mandate::ui {

class RegistryDocument;

/// Moves the document's pending changes to the gateway, one request at a time, each with the
/// record's version in If-Match. A 412 stops the push and asks (conflict()) how to resolve it; the
/// push continues once resolveConflict() is called. Nothing is overwritten without that answer.
class PushController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PushController)

public:
    struct Operation
    {
        RecordKind kind = RecordKind::Agent;
        quint64 uid = 0;
        PendingChange change = PendingChange::None;
        QString id;
    };
    enum class Resolution { KeepMine, TakeTheirs, Skip };

    PushController(RegistryDocument *document, client::GatewayClient *client, QObject *parent = nullptr);

    /// The pending changes in push order: tools first (agents may need their actions), then agent
    /// creations and edits, deletions last.
    static QList<Operation> plan(const RegistryDocument &document);

    void start();
    /// Stops after the request in flight.
    void cancel();
    void resolveConflict(Resolution resolution);
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void progress(int done, int total, const QString &what);
    /// The gateway holds a newer version of `operation`'s record. `mine` is the local edit,
    /// `theirs` the gateway's record, `base` what the local edit started from.
    void conflict(const mandate::ui::PushController::Operation &operation, const QJsonObject &base,
                  const QJsonObject &mine, const QJsonObject &theirs, qint64 theirsVersion);
    void finished(int pushed, const QStringList &failures, bool cancelled);

private:
    void next();
    void run(const Operation &operation);
    /// Sends `entry`'s pending change through the client calls for its kind (Calls, in the .cpp).
    template <typename Entry, typename Calls>
    void push(const Operation &operation, const Entry *entry, const Calls &calls);
    void succeeded();
    void failed(const Operation &operation, const client::ClientError &error);

    RegistryDocument *m_document;
    client::GatewayClient *m_client;
    QList<Operation> m_plan;
    int m_index = 0;
    int m_pushed = 0;
    QStringList m_failures;
    bool m_running = false;
    bool m_cancelled = false;
    QJsonObject m_conflictTheirs;
};

} // namespace mandate::ui
