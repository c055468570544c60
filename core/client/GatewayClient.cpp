// SPDX-License-Identifier: Apache-2.0
#include "client/GatewayClient.h"

#include "client/RecordCodec.h"
#include "common/Logging.h"
#include "json/JsonWriter.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>

#include <algorithm>

namespace mandate::client {

using namespace mandate::identity;

namespace {

// Properties on the reply that remember why it ended, for finish().
constexpr char TimedOutProperty[] = "mandateTimedOut";
constexpr char CancelledProperty[] = "mandateCancelled";
constexpr char SslErrorsProperty[] = "mandateSslErrors";

ClientError transportError(QNetworkReply *reply)
{
    ClientError error;
    error.title = reply->errorString();
    if (reply->property(CancelledProperty).toBool()) {
        error.kind = ClientError::Kind::Cancelled;
        return error;
    }
    if (reply->property(TimedOutProperty).toBool()) {
        error.kind = ClientError::Kind::Timeout;
        error.title.clear();
        return error;
    }
    switch (reply->error()) {
    case QNetworkReply::SslHandshakeFailedError:
        error.kind = ClientError::Kind::Tls;
        if (const QString details = reply->property(SslErrorsProperty).toString(); !details.isEmpty())
            error.detail = details;
        break;
    case QNetworkReply::OperationCanceledError:
        error.kind = ClientError::Kind::Cancelled;
        break;
    default:
        error.kind = ClientError::Kind::Network;
        break;
    }
    return error;
}

} // namespace

GatewayClient::GatewayClient(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this))
{
    // Keep-alive connections to one gateway; no cookies, no caches, no redirects to elsewhere:
    // the API key goes with every request, so a redirect may not leave the gateway's origin
    // (NoLessSafeRedirectPolicy would follow one to any https host).
    m_network->setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
}

GatewayClient::~GatewayClient()
{
    cancelAll();
}

void GatewayClient::setBaseUrl(const QUrl &url)
{
    m_baseUrl = url;
}

void GatewayClient::setApiKey(const QByteArray &key)
{
    m_apiKey = key.trimmed();
}

Status GatewayClient::setCaCertificateFile(const QString &path)
{
    if (path.isEmpty()) {
        m_extraCaCertificates.clear();
        return Status::success();
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("ca_certificate"), tr("cannot read the CA certificate %1: %2").arg(path, file.errorString())};
    const QByteArray data = file.readAll();
    QList<QSslCertificate> certificates = QSslCertificate::fromData(data, QSsl::Pem);
    if (certificates.isEmpty())
        certificates = QSslCertificate::fromData(data, QSsl::Der);
    if (certificates.isEmpty())
        return Error{QStringLiteral("ca_certificate"), tr("%1 holds no PEM or DER certificate").arg(path)};
    m_extraCaCertificates = certificates;
    return Status::success();
}

void GatewayClient::cancelAll()
{
    const QSet<QNetworkReply *> replies = m_inFlight;
    for (QNetworkReply *reply : replies) {
        reply->setProperty(CancelledProperty, true);
        reply->abort();
    }
}

QUrl GatewayClient::urlFor(const QString &path) const
{
    QUrl url = m_baseUrl;
    QString basePath = url.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    const qsizetype query = path.indexOf(u'?');
    url.setPath(basePath + path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    return url;
}

void GatewayClient::send(const QByteArray &method, const QString &path, const std::optional<QJsonObject> &body,
                         std::optional<qint64> ifMatch, QObject *context, RawCallback done, int minimumTimeoutMs)
{
    QNetworkRequest request(urlFor(path));
    request.setRawHeader("Accept", "application/json, application/problem+json");
    if (!m_apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_apiKey);
    if (ifMatch)
        request.setRawHeader("If-Match", '"' + QByteArray::number(*ifMatch) + '"');
    if (!m_extraCaCertificates.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(m_extraCaCertificates);
        request.setSslConfiguration(tls);
    }
    QByteArray payload;
    if (body) {
        payload = json::writeCompact(*body);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    }
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, payload);
    m_inFlight.insert(reply);
    Q_EMIT pendingRequestsChanged(pendingRequests());

    // Our own timer rather than setTransferTimeout so that a timeout is told apart from a cancel.
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, reply, [reply] {
        reply->setProperty(TimedOutProperty, true);
        reply->abort();
    });
    timer->start(std::max(m_timeoutMs, minimumTimeoutMs));
    connect(reply, &QNetworkReply::sslErrors, reply, [reply](const QList<QSslError> &errors) {
        QStringList texts;
        for (const QSslError &error : errors)
            texts.append(error.errorString());
        reply->setProperty(SslErrorsProperty, texts.join(QStringLiteral("; ")));
    });
    const QPointer<QObject> guard(context);
    const bool hadContext = context != nullptr;
    connect(reply, &QNetworkReply::finished, this, [this, reply, guard, hadContext, done = std::move(done)] {
        finish(reply, guard, hadContext, done);
    });
    qCDebug(lcClient) << method << request.url().toString();
}

void GatewayClient::finish(QNetworkReply *reply, const QPointer<QObject> &context, bool hadContext, const RawCallback &done)
{
    reply->deleteLater();
    m_inFlight.remove(reply);
    Q_EMIT pendingRequestsChanged(pendingRequests());
    if (hadContext && context.isNull())
        return;  // whoever asked is gone

    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const bool aborted = reply->property(TimedOutProperty).toBool() || reply->property(CancelledProperty).toBool();
    if (!statusAttribute.isValid() || aborted) {
        ClientError error = transportError(reply);
        qCInfo(lcClient) << "request failed:" << reply->url().toString() << error.message();
        done(error);
        return;
    }
    RawReply raw;
    raw.status = statusAttribute.toInt();
    raw.body = reply->readAll();
    if (raw.status >= 200 && raw.status < 300) {
        done(raw);
        return;
    }
    QJsonObject problem;
    if (!raw.body.isEmpty()) {
        if (ClientResult<QJsonObject> parsed = RecordCodec::object(raw.body))
            problem = parsed.value();
    }
    done(ClientError::fromHttp(raw.status, problem));
}

template<typename T, typename Decode>
void GatewayClient::request(const QByteArray &method, const QString &path, const std::optional<QJsonObject> &body,
                            std::optional<qint64> ifMatch, QObject *context, Callback<T> done, Decode decode, int minimumTimeoutMs)
{
    send(method, path, body, ifMatch, context, [done = std::move(done), decode](ClientResult<RawReply> raw) {
        if (!raw) {
            done(raw.error());
            return;
        }
        done(decode(raw.value()));
    }, minimumTimeoutMs);
}

template<typename Record>
void GatewayClient::getList(const QString &path, QObject *context, Callback<std::vector<Record>> done)
{
    request<std::vector<Record>>("GET", path, std::nullopt, std::nullopt, context, std::move(done),
                                 [](const RawReply &raw) -> ClientResult<std::vector<Record>> {
                                     ClientResult<QJsonObject> object = RecordCodec::object(raw.body);
                                     if (!object)
                                         return object.error();
                                     return RecordCodec::list<Record>(object.value());
                                 });
}

template<typename Record>
void GatewayClient::write(const QByteArray &method, const QString &path, const std::optional<QJsonObject> &body,
                          std::optional<qint64> ifMatch, QObject *context, Callback<Record> done)
{
    request<Record>(method, path, body, ifMatch, context, std::move(done), [](const RawReply &raw) -> ClientResult<Record> {
        ClientResult<QJsonObject> object = RecordCodec::object(raw.body);
        if (!object)
            return object.error();
        return RecordCodec::record<Record>(object.value());
    });
}

template<typename Record>
void GatewayClient::getOne(const QString &path, QObject *context, Callback<Record> done)
{
    write<Record>("GET", path, std::nullopt, std::nullopt, context, std::move(done));
}

namespace {

QString item(const char *collection, const QString &id)
{
    return QStringLiteral("/v1/") + QLatin1String(collection) + u'/' + QString::fromLatin1(QUrl::toPercentEncoding(id));
}

/// The record without its version: the version travels in If-Match, not in the body.
template<typename Record>
QJsonObject bodyOf(const Record &record)
{
    QJsonObject json = record.toJson();
    json.remove(QStringLiteral("version"));
    return json;
}

} // namespace

void GatewayClient::health(QObject *context, Callback<Health> done)
{
    request<Health>("GET", QStringLiteral("/healthz"), std::nullopt, std::nullopt, context, std::move(done),
                    [](const RawReply &raw) -> ClientResult<Health> {
                        ClientResult<QJsonObject> object = RecordCodec::object(raw.body);
                        if (!object)
                            return object.error();
                        return Health{object->value(QStringLiteral("status")).toString(),
                                      object->value(QStringLiteral("gateway")).toString(),
                                      object->value(QStringLiteral("version")).toString()};
                    });
}

void GatewayClient::whoami(QObject *context, Callback<WhoAmI> done)
{
    request<WhoAmI>("GET", QStringLiteral("/v1/whoami"), std::nullopt, std::nullopt, context, std::move(done),
                    [](const RawReply &raw) -> ClientResult<WhoAmI> {
                        ClientResult<QJsonObject> object = RecordCodec::object(raw.body);
                        if (!object)
                            return object.error();
                        WhoAmI who{object->value(QStringLiteral("name")).toString(),
                                   object->value(QStringLiteral("role")).toString(),
                                   object->value(QStringLiteral("keyId")).toString()};
                        if (who.role.isEmpty()) {
                            return ClientError::protocol(tr("whoami names no role"));
                        }
                        return who;
                    });
}

void GatewayClient::listAgents(QObject *context, Callback<std::vector<Agent>> done)
{
    getList<Agent>(QStringLiteral("/v1/agents"), context, std::move(done));
}

void GatewayClient::getAgent(const QString &id, QObject *context, Callback<Agent> done)
{
    getOne<Agent>(item("agents", id), context, std::move(done));
}

void GatewayClient::createAgent(const Agent &agent, QObject *context, Callback<Agent> done)
{
    write<Agent>("POST", QStringLiteral("/v1/agents"), bodyOf(agent), std::nullopt, context, std::move(done));
}

void GatewayClient::updateAgent(const Agent &agent, qint64 baseVersion, QObject *context, Callback<Agent> done)
{
    write<Agent>("PUT", item("agents", agent.id), bodyOf(agent), baseVersion, context, std::move(done));
}

void GatewayClient::deleteAgent(const QString &id, qint64 baseVersion, QObject *context, Callback<Done> done)
{
    request<Done>("DELETE", item("agents", id), std::nullopt, baseVersion, context, std::move(done),
                  [](const RawReply &) -> ClientResult<Done> { return Done{}; });
}

void GatewayClient::retireAgent(const QString &id, qint64 baseVersion, QObject *context, Callback<Agent> done)
{
    request<Agent>("POST", item("agents", id) + QStringLiteral("/retire"), std::nullopt, baseVersion, context, std::move(done),
                   [](const RawReply &raw) -> ClientResult<Agent> {
                       ClientResult<QJsonObject> object = RecordCodec::object(raw.body);
                       if (!object)
                           return object.error();
                       return RecordCodec::record<Agent>(object.value());
                   });
}

void GatewayClient::listTools(QObject *context, Callback<std::vector<Tool>> done)
{
    getList<Tool>(QStringLiteral("/v1/tools"), context, std::move(done));
}

void GatewayClient::getTool(const QString &id, QObject *context, Callback<Tool> done)
{
    getOne<Tool>(item("tools", id), context, std::move(done));
}

void GatewayClient::createTool(const Tool &tool, QObject *context, Callback<Tool> done)
{
    write<Tool>("POST", QStringLiteral("/v1/tools"), bodyOf(tool), std::nullopt, context, std::move(done));
}

void GatewayClient::updateTool(const Tool &tool, qint64 baseVersion, QObject *context, Callback<Tool> done)
{
    write<Tool>("PUT", item("tools", tool.id), bodyOf(tool), baseVersion, context, std::move(done));
}

void GatewayClient::deleteTool(const QString &id, qint64 baseVersion, QObject *context, Callback<Done> done)
{
    request<Done>("DELETE", item("tools", id), std::nullopt, baseVersion, context, std::move(done),
                  [](const RawReply &) -> ClientResult<Done> { return Done{}; });
}

void GatewayClient::listHumans(QObject *context, Callback<std::vector<Human>> done)
{
    getList<Human>(QStringLiteral("/v1/humans"), context, std::move(done));
}

void GatewayClient::listMachines(QObject *context, Callback<std::vector<Machine>> done)
{
    getList<Machine>(QStringLiteral("/v1/machines"), context, std::move(done));
}

void GatewayClient::exportRegistry(QObject *context, Callback<QJsonObject> done)
{
    request<QJsonObject>("GET", QStringLiteral("/v1/registry"), std::nullopt, std::nullopt, context, std::move(done),
                         [](const RawReply &raw) { return RecordCodec::object(raw.body); }, kRegistryTransferTimeoutMs);
}

void GatewayClient::importRegistry(const QJsonObject &registry, QObject *context, Callback<ImportSummary> done)
{
    request<ImportSummary>("POST", QStringLiteral("/v1/registry/import"), registry, std::nullopt, context, std::move(done),
                           [](const RawReply &raw) -> ClientResult<ImportSummary> {
                               ClientResult<QJsonObject> object = RecordCodec::object(raw.body);
                               if (!object)
                                   return object.error();
                               return ImportSummary{object->value(QStringLiteral("created")).toInt(),
                                                    object->value(QStringLiteral("updated")).toInt()};
                           },
                           kRegistryTransferTimeoutMs);
}

void GatewayClient::validateRegistry(const QJsonObject &registry, QObject *context, Callback<Done> done)
{
    request<Done>("POST", QStringLiteral("/v1/registry/validate"), registry, std::nullopt, context, std::move(done),
                  [](const RawReply &) -> ClientResult<Done> { return Done{}; }, kRegistryTransferTimeoutMs);
}

} // namespace mandate::client

namespace mandate::client {

void GatewayClient::listActiveExecutions(QObject *context, Callback<std::vector<ActiveExecution>> done)
{
    request<std::vector<ActiveExecution>>(
        "GET", QStringLiteral("/v1/executions?status=active"), std::nullopt, std::nullopt, context, std::move(done),
        [](const RawReply &raw) -> ClientResult<std::vector<ActiveExecution>> {
            ClientResult<QJsonObject> object = RecordCodec::object(raw.body);
            if (!object)
                return object.error();
            const QJsonValue items = object->value(QStringLiteral("items"));
            if (!items.isArray()) {
                return ClientError::protocol(tr("the execution list has no items array"));
            }
            std::vector<ActiveExecution> rows;
            for (const QJsonValue &item : items.toArray())
                rows.push_back(ActiveExecution::fromJson(item.toObject()));
            return rows;
        });
}

void GatewayClient::revokeExecution(const QString &id, const QString &reason, QObject *context, Callback<QStringList> done)
{
    std::optional<QJsonObject> body;
    if (!reason.isEmpty())
        body = QJsonObject{{QStringLiteral("reason"), reason}};
    const QString path = QStringLiteral("/v1/executions/") + QString::fromLatin1(QUrl::toPercentEncoding(id)) + QStringLiteral("/revoke");
    request<QStringList>("POST", path, body, std::nullopt, context, std::move(done),
                         [](const RawReply &raw) -> ClientResult<QStringList> {
                             ClientResult<QJsonObject> object = RecordCodec::object(raw.body);
                             if (!object)
                                 return object.error();
                             QStringList ids;
                             for (const QJsonValue &value : object->value(QStringLiteral("revoked")).toArray())
                                 ids.append(value.toString());
                             return ids;
                         });
}

} // namespace mandate::client
