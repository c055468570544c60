// SPDX-License-Identifier: Apache-2.0
#include "client/EventStream.h"

#include "common/Logging.h"
#include "json/JsonReader.h"

#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>

namespace mandate::client {

namespace {

constexpr int FirstBackoffMs = 500;
constexpr int MaxBackoffMs = 10'000;

} // namespace

EventStream::EventStream(QObject *parent)
    : QObject(parent), m_socket(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this)), m_retry(new QTimer(this))
{
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, &EventStream::connectSocket);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &EventStream::onText);
    connect(m_socket, &QWebSocket::disconnected, this, &EventStream::onDisconnected);
    connect(m_socket, &QWebSocket::connected, this, [this] { setState(State::Open); });
}

EventStream::~EventStream()
{
    m_state = State::Closed;
    m_socket->disconnect(this);
    m_socket->abort();
}

void EventStream::open(const QUrl &baseUrl, const QByteArray &apiKey, const QList<QSslCertificate> &extraCaCertificates)
{
    QUrl url = baseUrl;
    url.setScheme(baseUrl.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + QStringLiteral("/v1/events"));
    m_url = url;
    m_apiKey = apiKey.trimmed();
    m_extraCaCertificates = extraCaCertificates;
    m_backoffMs = FirstBackoffMs;
    m_refusal.clear();
    m_retry->stop();
    m_socket->abort();
    setState(State::Connecting);
    connectSocket();
}

void EventStream::close()
{
    m_retry->stop();
    setState(State::Closed);
    m_socket->abort();
}

void EventStream::connectSocket()
{
    if (m_state == State::Closed)
        return;
    QNetworkRequest request(m_url);
    request.setRawHeader("Authorization", "Bearer " + m_apiKey);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.addCaCertificates(m_extraCaCertificates);
    m_socket->setSslConfiguration(tls);
    qCDebug(lcClient) << "event stream: connecting to" << m_url.toString();
    m_socket->open(request);
}

void EventStream::onDisconnected()
{
    if (m_state == State::Closed || m_state == State::Refused)
        return;
    if (m_socket->closeCode() == QWebSocketProtocol::CloseCodePolicyViolated) {
        m_refusal = m_socket->closeReason();
        qCWarning(lcClient) << "event stream refused by the gateway:" << m_refusal;
        setState(State::Refused);
        return;
    }
    qCInfo(lcClient) << "event stream lost:" << m_socket->errorString() << "retrying in" << m_backoffMs << "ms";
    setState(State::Reconnecting);
    m_retry->start(m_backoffMs);
    m_backoffMs = std::min(m_backoffMs * 2, MaxBackoffMs);
}

void EventStream::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void EventStream::onText(const QString &message)
{
    json::Limits limits;
    limits.maxBytes = 1 << 20;
    Result<QJsonObject> parsed = json::parseObject(message.toUtf8(), limits);
    if (!parsed) {
        Q_EMIT protocolError(parsed.error().toString());
        return;
    }
    const QJsonObject &json = parsed.value();
    const QString type = json.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("decision")) {
        DecisionEvent event;
        event.allowed = json.value(QStringLiteral("decision")).toString() == QLatin1String("allow");
        event.decisionId = json.value(QStringLiteral("decision_id")).toString();
        event.execution = json.value(QStringLiteral("execution")).toString();
        event.agent = json.value(QStringLiteral("agent")).toString();
        event.action = json.value(QStringLiteral("action")).toString();
        event.tool = json.value(QStringLiteral("tool")).toString();
        event.latencyUs = json.value(QStringLiteral("latency_us")).toInteger();
        event.risk = json.value(QStringLiteral("risk")).toDouble();
        event.time = QDateTime::fromString(json.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
        Q_EMIT decision(event);
    } else if (type.startsWith(QLatin1String("execution"))) {
        ExecutionEvent event;
        const qsizetype dot = type.indexOf(u'.');
        event.kind = dot < 0 ? QString() : type.mid(dot + 1);
        event.execution = json.value(QStringLiteral("execution")).toString();
        event.agent = json.value(QStringLiteral("agent")).toString();
        event.rootHuman = json.value(QStringLiteral("root")).toString();
        event.parent = json.value(QStringLiteral("parent")).toString();
        Q_EMIT executionChanged(event);
    } else if (type == QLatin1String("hello")) {
        m_backoffMs = FirstBackoffMs;
        m_role = json.value(QStringLiteral("role")).toString();
        Q_EMIT hello(m_role);
    } else if (type == QLatin1String("dropped")) {
        Q_EMIT dropped(json.value(QStringLiteral("count")).toInteger());
    } else if (type.startsWith(QLatin1String("registry"))) {
        Q_EMIT registryChanged();
    } else if (type.startsWith(QLatin1String("policy"))) {
        Q_EMIT policyChanged();
    } else if (type.isEmpty()) {
        Q_EMIT protocolError(tr("event without a type"));
    }
}

} // namespace mandate::client
