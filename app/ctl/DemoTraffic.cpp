// SPDX-License-Identifier: Apache-2.0
#include "DemoTraffic.h"

#include "broker/DevIdentityProvider.h"
#include "common/Clock.h"
#include "json/JsonReader.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QUrlQuery>

namespace mandate::ctl {

namespace {

const QString idTokenType = QStringLiteral("urn:ietf:params:oauth:token-type:id_token");
const QString accessTokenType = QStringLiteral("urn:ietf:params:oauth:token-type:access_token");

} // namespace

DemoTraffic::DemoTraffic(Options options, QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_out(out), m_err(err), m_random(m_options.seed)
{
    m_network.setTransferTimeout(10'000);
}

bool DemoTraffic::loadClients()
{
    QFile file(QDir(m_options.dataDir).filePath(QStringLiteral("demo-clients.json")));
    if (!file.open(QIODevice::ReadOnly)) {
        m_err << "mandatectl: cannot read " << file.fileName() << ": " << file.errorString()
              << " (is this the data directory of a gateway started with --demo?)\n";
        return false;
    }
    const Result<QJsonValue> clients = json::parse(file.readAll());
    if (!clients || !clients->isObject()) {
        m_err << "mandatectl: " << file.fileName() << " is not a JSON object\n";
        return false;
    }
    const QJsonObject object = clients->toObject();
    const auto add = [&](const QString &id, const QString &user, const QString &scope) {
        const QJsonObject client = object.value(id).toObject();
        m_agents.insert(id, Agent{client.value(QStringLiteral("client_id")).toString(),
                                  client.value(QStringLiteral("client_secret")).toString(), user, scope, {}, 0});
    };
    add(QStringLiteral("support-agent"), QStringLiteral("alice"), QStringLiteral("ticket:read ticket:update refund:create"));
    add(QStringLiteral("finance-agent"), QStringLiteral("bob"), QStringLiteral("refund:create account:read"));
    add(QStringLiteral("refund-subagent"), QStringLiteral("alice"), QStringLiteral("refund:create"));
    for (const Agent &agent : std::as_const(m_agents)) {
        if (agent.secret.isEmpty()) {
            m_err << "mandatectl: demo-clients.json lacks a secret for " << agent.clientId << '\n';
            return false;
        }
    }
    return true;
}

DemoTraffic::Reply DemoTraffic::send(QNetworkRequest request, const QByteArray &method, const QByteArray &body)
{
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Reply result{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(), reply->errorString()};
    delete reply;
    return result;
}

QByteArray DemoTraffic::idToken(const QString &user)
{
    static const SystemClock clock;
    broker::DevIdentityProvider provider(m_options.dataDir, clock);
    if (Status opened = provider.open(broker::DevIdentityProvider::Mode::OpenExisting); !opened) {
        m_err << "mandatectl: " << opened.error().toString() << '\n';
        return {};
    }
    Result<QByteArray> token = provider.issueIdToken(user, {}, 600);
    if (!token) {
        m_err << "mandatectl: " << token.error().toString() << '\n';
        return {};
    }
    return token.value();
}

QByteArray DemoTraffic::exchange(Agent &agent, const QByteArray &subjectToken, const QString &subjectType, const QString &scope,
                                 const QJsonObject &details)
{
    QUrl url = m_options.gateway;
    url.setPath(QStringLiteral("/v1/token"));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/x-www-form-urlencoded"));
    request.setRawHeader("Authorization", "Basic " + (agent.clientId + u':' + agent.secret).toUtf8().toBase64());
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange"));
    form.addQueryItem(QStringLiteral("subject_token"), QString::fromLatin1(subjectToken));
    form.addQueryItem(QStringLiteral("subject_token_type"), subjectType);
    form.addQueryItem(QStringLiteral("scope"), scope);
    form.addQueryItem(QStringLiteral("authorization_details"),
                      QString::fromUtf8(QJsonDocument(QJsonArray{details}).toJson(QJsonDocument::Compact)));
    const Reply reply = send(request, "POST", form.toString(QUrl::FullyEncoded).toUtf8());
    const QJsonObject body = QJsonDocument::fromJson(reply.body).object();
    if (reply.status != 200) {
        if (reply.status == 0)
            m_err << "token exchange for " << agent.clientId << ": no answer from the gateway: " << reply.networkError << '\n';
        else
            m_err << "token exchange for " << agent.clientId << " refused (" << reply.status << "): "
                  << body.value(QStringLiteral("error_description")).toString() << '\n';
        ++m_failures;
        return {};
    }
    return body.value(QStringLiteral("access_token")).toString().toLatin1();
}

int DemoTraffic::call(const QByteArray &token, const QByteArray &method, const QString &path, const QJsonObject &body,
                      const QString &reason)
{
    QUrl url = m_options.gateway;
    url.setPath(path);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + token);
    request.setRawHeader("X-Mandate-Reason", reason.toUtf8());
    request.setRawHeader("X-Mandate-Model-Tokens", QByteArray::number(m_random.bounded(200, 2000)));
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    const Reply reply = send(request, method, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
    ++m_calls;
    if (reply.status == 0)
        ++m_unanswered;
    else if (reply.status >= 200 && reply.status < 300)
        ++m_allowed;
    else
        ++m_denied;
    return reply.status;
}

void DemoTraffic::step(Agent &agent)
{
    if (agent.token.isEmpty() || agent.callsLeft <= 0) {
        const QByteArray subject = idToken(agent.user);
        if (subject.isEmpty()) {
            m_exitCode = 1;
            QCoreApplication::exit(1);
            return;
        }
        const QJsonObject details{{QStringLiteral("type"), QStringLiteral("agent_execution")},
                                  {QStringLiteral("purpose"), agent.clientId == QLatin1String("support-agent")
                                                                  ? QStringLiteral("handle ticket T-%1").arg(1001 + m_random.bounded(5))
                                                                  : QStringLiteral("month-end reconciliation")},
                                  {QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 20},
                                                                         {QStringLiteral("tokens"), 50000},
                                                                         {QStringLiteral("amount"), QStringLiteral("900.00")}}},
                                  {QStringLiteral("risk_ceiling"), 90},
                                  {QStringLiteral("ttl"), 600}};
        agent.token = exchange(agent, subject, idTokenType, agent.scope, details);
        agent.callsLeft = 12;
        if (agent.token.isEmpty())
            return;
    }
    --agent.callsLeft;
    const int dice = static_cast<int>(m_random.bounded(100));
    const QString ticket = QStringLiteral("T-%1").arg(1001 + m_random.bounded(5));
    if (agent.clientId == QLatin1String("finance-agent")) {
        call(agent.token, "GET", QStringLiteral("/v1/tools/account/accounts/C-%1").arg(501 + m_random.bounded(5)), {},
             QStringLiteral("balance check"));
        return;
    }
    if (dice < 45) {
        call(agent.token, "GET", QStringLiteral("/v1/tools/ticket/tickets/") + ticket, {}, QStringLiteral("read the customer's ticket"));
    } else if (dice < 85) {
        // Mostly within the policy's 100.00 limit, sometimes over it.
        const QString amount = QStringLiteral("%1.%2").arg(10 + m_random.bounded(dice < 75 ? 90 : 200)).arg(m_random.bounded(100), 2, 10, QLatin1Char('0'));
        call(agent.token, "POST", QStringLiteral("/v1/tools/refund/refunds"),
             {{QStringLiteral("amount"), amount}, {QStringLiteral("ticket"), ticket}}, QStringLiteral("refund for a damaged parcel"));
    } else if (dice < 89) {
        // Not in the token: denied before any policy runs.
        call(agent.token, "DELETE", QStringLiteral("/v1/tools/account/accounts/C-501"), {}, QStringLiteral("customer asked to close"));
    } else {
        // Delegate one refund to the sub-agent, which may only narrow.
        Agent &sub = m_agents[QStringLiteral("refund-subagent")];
        const QJsonObject details{{QStringLiteral("type"), QStringLiteral("agent_execution")},
                                  {QStringLiteral("purpose"), QString(QStringLiteral("refund for ") + ticket)},
                                  {QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 2}, {QStringLiteral("tokens"), 1000},
                                                                         {QStringLiteral("amount"), QStringLiteral("40.00")}}},
                                  {QStringLiteral("risk_ceiling"), 60},
                                  {QStringLiteral("ttl"), 300}};
        const QByteArray subToken = exchange(sub, agent.token, accessTokenType, QStringLiteral("refund:create"), details);
        if (!subToken.isEmpty())
            call(subToken, "POST", QStringLiteral("/v1/tools/refund/refunds"),
                 {{QStringLiteral("amount"), QStringLiteral("35.00")}, {QStringLiteral("ticket"), ticket}},
                 QStringLiteral("delegated refund"));
    }
}

void DemoTraffic::tick()
{
    if (m_clock.elapsed() > qint64(m_options.durationSecs) * 1000 || m_calls >= m_options.maxCalls) {
        QCoreApplication::exit(m_exitCode);
        return;
    }
    const double roll = m_random.generateDouble();
    step(m_agents[roll < 0.75 ? QStringLiteral("support-agent") : QStringLiteral("finance-agent")]);
    if (m_calls > 0 && m_calls % 100 == 0)
        m_out << m_calls << " calls: " << m_allowed << " allowed, " << m_denied << " denied" << Qt::endl;
}

int DemoTraffic::run()
{
    if (!loadClients())
        return 2;
    m_clock.start();
    connect(&m_timer, &QTimer::timeout, this, &DemoTraffic::tick);
    m_timer.start(std::max(1, static_cast<int>(1000.0 / m_options.callsPerSecond)));
    const int code = QCoreApplication::exec();
    m_out << "done: " << m_calls << " calls, " << m_allowed << " allowed, " << m_denied << " denied, "
          << m_failures << " refused exchanges, " << m_unanswered << " calls unanswered\n";
    // Traffic that never reached a tool is no demo: a script waiting on it must know.
    if (code == 0 && m_allowed + m_denied == 0) {
        m_err << "mandatectl: demo traffic made no call through the gateway\n";
        return 1;
    }
    return code;
}

} // namespace mandate::ctl
