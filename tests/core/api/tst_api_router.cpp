// SPDX-License-Identifier: Apache-2.0
// The API plumbing without sockets: routing, problems, If-Match, metrics.
#include "api/HttpResponse.h"
#include "api/IfMatch.h"
#include "api/Metrics.h"
#include "api/Router.h"

#include <QJsonDocument>
#include <QTest>

using namespace mandate;
using namespace mandate::api;

class tst_ApiRouter final : public QObject
{
    Q_OBJECT

private slots:
    void routes_data();
    void routes();
    void methodNotAllowedListsTheAllowedOnes();
    void asyncHandlersAnswerLater();
    void problemsFollowRfc9457_data();
    void problemsFollowRfc9457();
    void ifMatch_data();
    void ifMatch();
    void metricsRenderPrometheusText();
};

namespace {

Router makeRouter()
{
    Router router;
    const auto echo = [](const char *name) {
        return [name](const HttpRequest &, const RouteParams &params) {
            QJsonObject body{{QStringLiteral("route"), QLatin1String(name)}};
            for (auto it = params.cbegin(); it != params.cend(); ++it)
                body.insert(it.key(), it.value());
            return HttpResponse::json(body);
        };
    };
    router.add("GET", QStringLiteral("/v1/agents"), echo("list"));
    router.add("POST", QStringLiteral("/v1/agents"), echo("create"));
    router.add("GET", QStringLiteral("/v1/agents/{id}"), echo("show"));
    router.add("DELETE", QStringLiteral("/v1/agents/{id}"), echo("delete"));
    router.add("GET", QStringLiteral("/v1/tools/{tool}/{path...}"), echo("tool"));
    return router;
}

HttpRequest request(const QByteArray &method, const QString &path)
{
    HttpRequest r;
    r.method = method;
    r.path = path;
    return r;
}

} // namespace

void tst_ApiRouter::routes_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("route");
    QTest::addColumn<QString>("param");

    QTest::addRow("list") << QByteArray("GET") << QStringLiteral("/v1/agents") << 200 << QStringLiteral("list") << QString();
    QTest::addRow("trailing slash") << QByteArray("GET") << QStringLiteral("/v1/agents/") << 200 << QStringLiteral("list") << QString();
    QTest::addRow("create") << QByteArray("POST") << QStringLiteral("/v1/agents") << 200 << QStringLiteral("create") << QString();
    QTest::addRow("capture") << QByteArray("GET") << QStringLiteral("/v1/agents/support-agent") << 200 << QStringLiteral("show") << QStringLiteral("support-agent");
    QTest::addRow("rest of the path") << QByteArray("GET") << QStringLiteral("/v1/tools/ticket/tickets/T-1") << 200 << QStringLiteral("tool") << QStringLiteral("tickets/T-1");
    QTest::addRow("rest needs a segment") << QByteArray("GET") << QStringLiteral("/v1/tools/ticket") << 404 << QString() << QString();
    QTest::addRow("too deep") << QByteArray("GET") << QStringLiteral("/v1/agents/a/b") << 404 << QString() << QString();
    QTest::addRow("unknown") << QByteArray("GET") << QStringLiteral("/nothing") << 404 << QString() << QString();
    QTest::addRow("wrong method") << QByteArray("PUT") << QStringLiteral("/v1/agents") << 405 << QString() << QString();
}

void tst_ApiRouter::routes()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(QString, route);
    QFETCH(QString, param);

    const Router router = makeRouter();
    const HttpResponse response = router.dispatch(request(method, path));
    QCOMPARE(response.status, status);
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    if (status == 200) {
        QCOMPARE(body.value(QStringLiteral("route")).toString(), route);
        if (!param.isEmpty()) {
            const QString value = body.contains(QStringLiteral("id")) ? body.value(QStringLiteral("id")).toString()
                                                                     : body.value(QStringLiteral("path")).toString();
            QCOMPARE(value, param);
        }
    } else {
        QCOMPARE(response.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(body.value(QStringLiteral("status")).toInt(), status);
    }
}

void tst_ApiRouter::methodNotAllowedListsTheAllowedOnes()
{
    const Router router = makeRouter();
    const HttpResponse response = router.dispatch(request("PATCH", QStringLiteral("/v1/agents/x")));
    QCOMPARE(response.status, 405);
    QCOMPARE(response.header("Allow"), QByteArray("GET, DELETE"));
}

void tst_ApiRouter::asyncHandlersAnswerLater()
{
    Router router;
    std::thread worker;
    router.addAsync("POST", QStringLiteral("/slow"), [&worker](const HttpRequest &, const RouteParams &, Completion done) {
        worker = std::thread([done]() { done(HttpResponse::json(QJsonObject{{QStringLiteral("late"), true}}, 202)); });
    });
    const HttpResponse response = router.dispatch(request("POST", QStringLiteral("/slow")));
    worker.join();
    QCOMPARE(response.status, 202);
}

void tst_ApiRouter::problemsFollowRfc9457_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("status");
    QTest::addRow("invalid") << QStringLiteral("invalid") << 422;
    QTest::addRow("conflict") << QStringLiteral("conflict") << 412;
    QTest::addRow("not found") << QStringLiteral("not_found") << 404;
    QTest::addRow("exists") << QStringLiteral("exists") << 409;
    QTest::addRow("forbidden") << QStringLiteral("forbidden") << 403;
    QTest::addRow("store down fails closed") << QStringLiteral("store_locked") << 503;
    QTest::addRow("unknown code") << QStringLiteral("surprise") << 500;
}

void tst_ApiRouter::problemsFollowRfc9457()
{
    QFETCH(QString, code);
    QFETCH(int, status);
    Error error{code, QStringLiteral("what went wrong")};
    error.details.push_back(Error{QStringLiteral("invalid"), QStringLiteral("is required"), QStringLiteral("owner")});
    const HttpResponse response = HttpResponse::fromError(error);
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("Content-Type"), QByteArray("application/problem+json"));
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    QVERIFY(body.value(QStringLiteral("type")).toString().startsWith(QLatin1String("urn:mandate:problem:")));
    QVERIFY(!body.value(QStringLiteral("title")).toString().isEmpty());
    QCOMPARE(body.value(QStringLiteral("status")).toInt(), status);
    QCOMPARE(body.value(QStringLiteral("detail")).toString(), QStringLiteral("what went wrong"));
    QCOMPARE(body.value(QStringLiteral("errors")).toArray().first().toObject().value(QStringLiteral("path")).toString(), QStringLiteral("owner"));
}

void tst_ApiRouter::ifMatch_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<bool>("allowZero");
    QTest::addColumn<qint64>("version");
    QTest::addColumn<int>("status");
    QTest::addRow("strong") << QByteArray("\"3\"") << false << qint64(3) << 0;
    QTest::addRow("weak never matches") << QByteArray("W/\"3\"") << false << qint64(0) << 412;
    QTest::addRow("missing") << QByteArray() << false << qint64(0) << 428;
    QTest::addRow("unquoted") << QByteArray("3") << false << qint64(0) << 400;
    QTest::addRow("garbage") << QByteArray("\"x\"") << false << qint64(0) << 400;
    QTest::addRow("zero refused") << QByteArray("\"0\"") << false << qint64(0) << 400;
    QTest::addRow("zero for a first version") << QByteArray("\"0\"") << true << qint64(0) << 0;
    QTest::addRow("negative") << QByteArray("\"-1\"") << true << qint64(0) << 400;
    // Strong comparison is of the exact text: other spellings of the number are other tags.
    QTest::addRow("leading zero") << QByteArray("\"03\"") << false << qint64(0) << 400;
    QTest::addRow("plus sign") << QByteArray("\"+3\"") << false << qint64(0) << 400;
    QTest::addRow("space inside") << QByteArray("\" 3\"") << false << qint64(0) << 400;
    QTest::addRow("any") << QByteArray("*") << false << qint64(0) << 400;
    QTest::addRow("a list") << QByteArray("\"3\", \"4\"") << false << qint64(0) << 400;
}

void tst_ApiRouter::ifMatch()
{
    QFETCH(QByteArray, header);
    QFETCH(bool, allowZero);
    QFETCH(qint64, version);
    QFETCH(int, status);
    HttpRequest r = request("PUT", QStringLiteral("/x"));
    if (!header.isEmpty())
        r.headers.append({"if-match", header});
    const auto result = IfMatch::required(r, allowZero);
    if (status == 0) {
        QVERIFY(std::holds_alternative<qint64>(result));
        QCOMPARE(std::get<qint64>(result), version);
    } else {
        QVERIFY(std::holds_alternative<HttpResponse>(result));
        QCOMPARE(std::get<HttpResponse>(result).status, status);
    }
}

void tst_ApiRouter::metricsRenderPrometheusText()
{
    Metrics metrics;
    metrics.countRequest(200);
    metrics.countRequest(403);
    metrics.countDecision(true, 80);
    metrics.countDecision(false, 3000);
    metrics.setActiveExecutionsSource([]() { return qint64(7); });
    const QByteArray text = metrics.render();
    QVERIFY(text.contains("mandate_http_requests_total{code=\"2xx\"} 1\n"));
    QVERIFY(text.contains("mandate_http_requests_total{code=\"4xx\"} 1\n"));
    QVERIFY(text.contains("mandate_decisions_total{decision=\"allow\"} 1\n"));
    QVERIFY(text.contains("mandate_decisions_total{decision=\"deny\"} 1\n"));
    QVERIFY(text.contains("mandate_decision_latency_seconds_bucket{le=\"0.0001\"} 1\n"));
    QVERIFY(text.contains("mandate_decision_latency_seconds_bucket{le=\"0.005\"} 2\n"));
    QVERIFY(text.contains("mandate_decision_latency_seconds_bucket{le=\"+Inf\"} 2\n"));
    QVERIFY(text.contains("mandate_decision_latency_seconds_count 2\n"));
    QVERIFY(text.contains("mandate_active_executions 7\n"));
}

QTEST_GUILESS_MAIN(tst_ApiRouter)
#include "tst_api_router.moc"
