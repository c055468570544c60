// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/LineageGraph.h"
#include "client/AuditPage.h"
#include "client/LineageStart.h"
#include "client/ClientResult.h"
#include "client/GatewayInfo.h"
#include "client/PolicyVersion.h"
#include "client/StreamEvents.h"
#include "common/Result.h"
#include "identity/Agent.h"
#include "identity/Human.h"
#include "identity/Machine.h"
#include "identity/Tool.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslCertificate>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <optional>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace mandate::client {

/// Asynchronous, typed client of one gateway's admin API over QNetworkAccessManager.
/// Every method returns at once; the callback runs later on the caller's thread, and only while
/// `context` is alive (like a connect() with a context object). Every request has a timeout.
class GatewayClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayClient)

public:
    template<typename T>
    using Callback = std::function<void(ClientResult<T>)>;

    explicit GatewayClient(QObject *parent = nullptr);
    ~GatewayClient() override;

    void setBaseUrl(const QUrl &url);
    QUrl baseUrl() const { return m_baseUrl; }
    void setApiKey(const QByteArray &key);
    /// Trust these CA certificates (PEM or DER file) in addition to the system's, for gateways
    /// with a private CA. An empty path goes back to the system store alone.
    Status setCaCertificateFile(const QString &path);
    /// The certificates setCaCertificateFile() added to the system's, for other connections to the gateway.
    QList<QSslCertificate> extraCaCertificates() const { return m_extraCaCertificates; }
    /// Per request, from sending to the last byte. Registry export, import and validation get
    /// kRegistryTransferTimeoutMs at least: the gateway checks and writes a whole registry in one
    /// transaction, and a timeout would hide an import that happened.
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }
    static constexpr int kRegistryTransferTimeoutMs = 120'000;
    int timeout() const { return m_timeoutMs; }
    /// Requests sent but not answered yet.
    int pendingRequests() const { return static_cast<int>(m_inFlight.size()); }
    /// Aborts every request in flight; their callbacks receive Cancelled.
    void cancelAll();

    void health(QObject *context, Callback<Health> done);
    void whoami(QObject *context, Callback<WhoAmI> done);

    void listAgents(QObject *context, Callback<std::vector<identity::Agent>> done);
    void getAgent(const QString &id, QObject *context, Callback<identity::Agent> done);
    void createAgent(const identity::Agent &agent, QObject *context, Callback<identity::Agent> done);
    /// PUT with If-Match: `baseVersion`; a Conflict error carries the gateway's current record.
    void updateAgent(const identity::Agent &agent, qint64 baseVersion, QObject *context, Callback<identity::Agent> done);
    void deleteAgent(const QString &id, qint64 baseVersion, QObject *context, Callback<Done> done);
    void retireAgent(const QString &id, qint64 baseVersion, QObject *context, Callback<identity::Agent> done);

    void listTools(QObject *context, Callback<std::vector<identity::Tool>> done);
    void getTool(const QString &id, QObject *context, Callback<identity::Tool> done);
    void createTool(const identity::Tool &tool, QObject *context, Callback<identity::Tool> done);
    void updateTool(const identity::Tool &tool, qint64 baseVersion, QObject *context, Callback<identity::Tool> done);
    void deleteTool(const QString &id, qint64 baseVersion, QObject *context, Callback<Done> done);

    void listHumans(QObject *context, Callback<std::vector<identity::Human>> done);
    void listMachines(QObject *context, Callback<std::vector<identity::Machine>> done);

    void exportRegistry(QObject *context, Callback<QJsonObject> done);
    /// All-or-nothing import; an Invalid error lists every bad record in fieldErrors.
    void importRegistry(const QJsonObject &registry, QObject *context, Callback<ImportSummary> done);
    void validateRegistry(const QJsonObject &registry, QObject *context, Callback<Done> done);

    /// GET /v1/executions?status=active.
    void listActiveExecutions(QObject *context, Callback<std::vector<ActiveExecution>> done);
    /// POST /v1/executions/{id}/revoke (admin); the result lists every revoked id, descendants too.
    void revokeExecution(const QString &id, const QString &reason, QObject *context, Callback<QStringList> done);

    /// GET /v1/audit: one page of records in chain order. `filter` holds the items of
    /// audit::AuditFilter::fromQuery (from, to, human, agent, execution, tool, decision, trace_id, …);
    /// `cursor` is the previous page's nextCursor (empty for the first page); `limit` is 1 to 1000
    /// (0: the gateway's default).
    void queryAudit(const QUrlQuery &filter, const QString &cursor, int limit, QObject *context,
                    Callback<AuditPage> done);
    /// GET /v1/lineage: the provenance graph from one starting point (see LineageStart).
    void lineage(const LineageStart &start, QObject *context, Callback<audit::LineageGraph> done);
    /// GET /v1/executions/{id}: an execution's state (capabilities, budget, remaining, risk, chain).
    void executionState(const QString &id, QObject *context, Callback<QJsonObject> done);

    /// GET /v1/policies: the current Cedar policy set with its version (0 when there is none).
    void currentPolicy(QObject *context, Callback<PolicyVersion> done);
    /// GET /v1/policies/schema: the text of the Cedar schema the gateway decides against.
    void policySchema(QObject *context, Callback<QString> done);
    /// GET /v1/policies/versions/{n}: one earlier version, with its source.
    void policyVersion(qint64 version, QObject *context, Callback<PolicyVersion> done);
    /// PUT /v1/policies (admin) with If-Match: `baseVersion`; a Conflict error carries the current set.
    void publishPolicy(const QString &source, const QString &comment, qint64 baseVersion, QObject *context,
                       Callback<PolicyVersion> done);
    /// GET /v1/policies/versions: every version, newest first, without their sources.
    void policyHistory(QObject *context, Callback<std::vector<PolicyVersion>> done);
    /// POST /v1/policies/versions/{n}/restore (admin): republishes version n as a new version.
    void restorePolicy(qint64 version, qint64 baseVersion, QObject *context, Callback<PolicyVersion> done);

Q_SIGNALS:
    /// The number of requests in flight changed (for busy indicators).
    void pendingRequestsChanged(int pending);

private:
    struct RawReply
    {
        int status = 0;
        QByteArray body;
    };
    using RawCallback = std::function<void(ClientResult<RawReply>)>;

    /// `minimumTimeoutMs`: this request gets at least so long, whatever setTimeout() says.
    void send(const QByteArray &method, const QString &path, const std::optional<QJsonObject> &body,
              std::optional<qint64> ifMatch, QObject *context, RawCallback done, int minimumTimeoutMs = 0);
    void finish(QNetworkReply *reply, const QPointer<QObject> &context, bool hadContext, const RawCallback &done);
    QUrl urlFor(const QString &path) const;

    template<typename T, typename Decode>
    void request(const QByteArray &method, const QString &path, const std::optional<QJsonObject> &body,
                 std::optional<qint64> ifMatch, QObject *context, Callback<T> done, Decode decode, int minimumTimeoutMs = 0);
    template<typename Record>
    void getList(const QString &path, QObject *context, Callback<std::vector<Record>> done);
    template<typename Record>
    void getOne(const QString &path, QObject *context, Callback<Record> done);
    template<typename Record>
    void write(const QByteArray &method, const QString &path, const std::optional<QJsonObject> &body,
               std::optional<qint64> ifMatch, QObject *context, Callback<Record> done);

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    QByteArray m_apiKey;
    QList<QSslCertificate> m_extraCaCertificates;
    int m_timeoutMs = 15'000;
    QSet<QNetworkReply *> m_inFlight;
};

} // namespace mandate::client
