// SPDX-License-Identifier: Apache-2.0
// AuditTrail::applyAdminChange on a real audit log: a change and its admin_change record commit
// together, and a change whose own write fails is refused alone, never taking down the other
// records (tool calls, delegations) that commit in the same batch.
#include "../audit/AuditTestUtil.h"

#include "api/AuditTrail.h"
#include "audit/AuditLog.h"
#include "store/Database.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <semaphore>
#include <thread>

using namespace mandate;
using namespace mandate::audit::testing;

namespace {

qint64 count(const store::Database &db, const QString &sql)
{
    QSqlQuery query(db.connection());
    return query.exec(sql) && query.next() ? query.value(0).toLongLong() : -1;
}

} // namespace

class TestAuditTrail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void failedChangeLeavesItsBatch()
    {
        QTemporaryDir dir;
        auto db = store::Database::open(dir.filePath(QStringLiteral("trail.db")));
        QVERIFY(db.ok());
        const store::Database &d = *db.value();
        QVERIFY(execSql(d, QStringLiteral("CREATE TABLE changes (name TEXT NOT NULL)")));
        audit::AuditLog::Options options;
        options.gatewayId = kGateway;
        options.fullSync = false;
        auto log = audit::AuditLog::open(d, options);
        QVERIFY(log.ok());
        SystemClock clock;
        api::AuditTrail trail(log.value().get(), clock, kGateway);
        const api::ApiPrincipal admin{QStringLiteral("k1"), QStringLiteral("ops"), api::Role::Admin};
        api::HttpRequest request;
        request.method = "PUT";
        request.path = QStringLiteral("/v1/agents/a1");

        // The writer is held by a first record's companion, so that the failing change and a
        // call queue into a batch together (with the first record, or right behind it).
        std::binary_semaphore release(0);
        auto held = log.value()->appendAsync(decision(QStringLiteral("alice"), QStringLiteral("a1"), QStringLiteral("e0"),
                                                      QStringLiteral("refund:create"), true),
                                             {[&]() -> Result<bool> { release.acquire(); return true; }, {}, {}});
        Status failed;
        std::thread admin1([&] {
            failed = trail.applyAdminChange(request, admin, QStringLiteral("agent:a1"), QJsonValue(), QJsonObject{}, [&]() -> Status {
                // Writes, then fails in the store: the write must go, the batch must not.
                if (!execSql(d, QStringLiteral("INSERT INTO changes (name) VALUES ('half')")))
                    return Error{QStringLiteral("unexpected"), QStringLiteral("the insert failed")};
                return Error{QStringLiteral("store_error"), QStringLiteral("injected store failure")};
            });
        });
        auto call = log.value()->appendAsync(decision(QStringLiteral("alice"), QStringLiteral("a1"), QStringLiteral("e1"),
                                                      QStringLiteral("refund:create"), true));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both queued behind the held batch
        release.release();
        admin1.join();
        QVERIFY(held.get().ok());
        QVERIFY2(call.get().ok(), "a call in the same batch as the failed change was refused with it");
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().message, QStringLiteral("injected store failure"));
        QCOMPARE(count(d, QStringLiteral("SELECT count(*) FROM changes")), qint64(0));
        QCOMPARE(count(d, QStringLiteral("SELECT count(*) FROM audit_records WHERE event = 'admin_change'")), qint64(0));

        // A change that works commits with its record.
        const Status made = trail.applyAdminChange(request, admin, QStringLiteral("agent:a1"), QJsonValue(), QJsonObject{}, [&]() -> Status {
            return execSql(d, QStringLiteral("INSERT INTO changes (name) VALUES ('whole')")) ? Status::success()
                                                                                         : Status(Error{QStringLiteral("unexpected"), QStringLiteral("insert")});
        });
        QVERIFY(made.ok());
        QCOMPARE(count(d, QStringLiteral("SELECT count(*) FROM changes")), qint64(1));
        QCOMPARE(count(d, QStringLiteral("SELECT count(*) FROM audit_records WHERE event = 'admin_change'")), qint64(1));
    }
};

QTEST_GUILESS_MAIN(TestAuditTrail)
#include "tst_audit_trail.moc"
