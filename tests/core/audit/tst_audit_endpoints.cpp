// SPDX-License-Identifier: Apache-2.0
// The audit admin API: GET /v1/audit, POST /v1/audit/verify, GET /v1/lineage, without sockets.
#include "AuditTestUtil.h"

#include "api/AuditEndpoints.h"
#include "common/Clock.h"
#include "store/Database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTest>

using namespace mandate;
using namespace mandate::api;
using namespace mandate::audit::testing;

class TestAuditEndpoints : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<audit::AuditLog> m_log;
    ManualClock m_clock;
    std::unique_ptr<ApiKeyStore> m_keys;
    std::unique_ptr<AdminAuth> m_auth;
    Router m_router;
    QThreadPool m_readers;  ///< as GatewayApi's: the endpoints answer from it
    QByteArray m_auditor;

    HttpResponse get(const QString &path, const QString &query, const QByteArray &key)
    {
        HttpRequest request;
        request.method = "GET";
        request.path = path;
        request.query = QUrlQuery(query);
        if (!key.isEmpty())
            request.headers.append({"authorization", "Bearer " + key});
        return m_router.dispatch(request);
    }
    static QJsonObject json(const HttpResponse &r) { return QJsonDocument::fromJson(r.body).object(); }

private slots:
    void initTestCase()
    {
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("mandate.db")));
        QVERIFY(db.ok());
        m_db = std::move(db).value();
        audit::AuditLog::Options options;
        options.gatewayId = kGateway;
        auto log = audit::AuditLog::open(*m_db, options);
        QVERIFY(log.ok());
        m_log = std::move(log).value();
        m_keys = std::make_unique<ApiKeyStore>(*m_db, m_clock);
        m_auth = std::make_unique<AdminAuth>(*m_keys);
        auto key = m_keys->create(QStringLiteral("auditor"), Role::Auditor);
        QVERIFY(key.ok());
        m_auditor = key->toLatin1();
        AuditEndpoints::install(m_router, m_readers, *m_log, *m_auth);

        QVERIFY(m_log->append(delegation(QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"))).ok());
        for (int i = 0; i < 5; ++i)
            QVERIFY(m_log->append(decision(QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"),
                                           QStringLiteral("refund:create"), i != 2, {}, i + 1)).ok());
    }

    void requiresAnAuditKey()
    {
        QCOMPARE(get(QStringLiteral("/v1/audit"), {}, {}).status, 401);
        QCOMPARE(get(QStringLiteral("/v1/lineage"), QStringLiteral("human=alice"), "mdk_bogus_key").status, 401);
    }

    void listsWithFiltersAndCursor()
    {
        HttpResponse first = get(QStringLiteral("/v1/audit"), QStringLiteral("execution=e1&limit=4"), m_auditor);
        QCOMPARE(first.status, 200);
        QCOMPARE(json(first).value(QStringLiteral("items")).toArray().size(), 4);
        const QString cursor = json(first).value(QStringLiteral("next_cursor")).toString();
        QVERIFY(!cursor.isEmpty());
        HttpResponse second = get(QStringLiteral("/v1/audit"), QStringLiteral("execution=e1&limit=4&cursor=") + cursor, m_auditor);
        QCOMPARE(json(second).value(QStringLiteral("items")).toArray().size(), 2);
        QVERIFY(!json(second).contains(QStringLiteral("next_cursor")));
        HttpResponse denied = get(QStringLiteral("/v1/audit"), QStringLiteral("decision=deny"), m_auditor);
        const QJsonArray items = json(denied).value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0][QStringLiteral("mandate.audit.sequence")].toInt(), 4);
        QCOMPARE(get(QStringLiteral("/v1/audit"), QStringLiteral("colour=red"), m_auditor).status, 422);
        QCOMPARE(get(QStringLiteral("/v1/audit"), QStringLiteral("cursor=zzz"), m_auditor).status, 422);
    }

    void lineageAsJsonAndDot()
    {
        HttpResponse graph = get(QStringLiteral("/v1/lineage"), QStringLiteral("execution=e1"), m_auditor);
        QCOMPARE(graph.status, 200);
        QCOMPARE(json(graph).value(QStringLiteral("nodes")).toArray().size(), 3 + 5);
        HttpResponse dot = get(QStringLiteral("/v1/lineage"), QStringLiteral("human=alice&format=dot"), m_auditor);
        QCOMPARE(dot.status, 200);
        QCOMPARE(dot.header("content-type"), QByteArray("text/vnd.graphviz"));
        QVERIFY(dot.body.startsWith("digraph lineage {"));
        QCOMPARE(get(QStringLiteral("/v1/lineage"), QStringLiteral("human=alice&agent=x"), m_auditor).status, 400);
        QCOMPARE(get(QStringLiteral("/v1/lineage"), QStringLiteral("execution=none"), m_auditor).status, 404);
        QCOMPARE(get(QStringLiteral("/v1/lineage"), QStringLiteral("from=yesterday&to=today"), m_auditor).status, 422);
        QCOMPARE(get(QStringLiteral("/v1/lineage"), QStringLiteral("trace_id=x&human=alice"), m_auditor).status, 400);
    }

    void verify()
    {
        HttpRequest request;
        request.method = "POST";
        request.path = QStringLiteral("/v1/audit/verify");
        request.headers.append({"authorization", "Bearer " + m_auditor});
        HttpResponse ok = m_router.dispatch(request);
        QCOMPARE(ok.status, 200);
        QCOMPARE(json(ok).value(QStringLiteral("intact")).toBool(), true);
        QCOMPARE(json(ok).value(QStringLiteral("records_checked")).toInt(), 6);

        QSqlQuery q(m_db->connection());
        QVERIFY(q.exec(QStringLiteral("UPDATE audit_records SET body = replace(body, 'deny', 'allow') WHERE seq = 4")));
        HttpResponse tampered = m_router.dispatch(request);
        QCOMPARE(tampered.status, 409);
        QCOMPARE(json(tampered).value(QStringLiteral("problem")).toString(), QStringLiteral("edited"));
        QCOMPARE(json(tampered).value(QStringLiteral("sequence")).toInt(), 4);
    }

    void cleanupTestCase()
    {
        m_log.reset();
    }
};

QTEST_GUILESS_MAIN(TestAuditEndpoints)
#include "tst_audit_endpoints.moc"
