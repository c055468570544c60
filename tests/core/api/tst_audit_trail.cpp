// SPDX-License-Identifier: Apache-2.0
// AuditTrail on a real audit log. applyAdminChange: a change and its admin_change record commit
// together, and a change whose own write fails is refused alone, never taking down the other
// records (tool calls, delegations) that commit in the same batch. delegation: an execution and
// its delegation record commit together, or neither does (nor the parent's reservation).
#include "../audit/AuditTestUtil.h"

#include "api/AuditTrail.h"
#include "audit/AuditLog.h"
#include "session/ExecutionStore.h"
#include "store/Database.h"

#include <QSignalSpy>
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

identity::Execution execution(const QString &id, const QString &parent, qint64 calls)
{
    identity::Execution e;
    e.id = id;
    e.agent = QStringLiteral("support-agent");
    e.chain = {QStringLiteral("alice")};
    if (!parent.isEmpty())
        e.chain.append(QStringLiteral("support-agent"));
    e.purpose = QStringLiteral("refund ticket T-1");
    e.capabilities = {{QStringLiteral("refund:create"), {}}};
    e.budget.calls = calls;
    e.riskCeiling = 40;
    e.issuedAt = QDateTime::currentDateTimeUtc();
    e.expiresAt = e.issuedAt.addSecs(900);
    e.parent = parent;
    return e;
}

} // namespace

class TestAuditTrail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("trail-%1.db").arg(++m_opened)));
        QVERIFY(db.ok());
        m_db = std::move(db).value();
        audit::AuditLog::Options options;
        options.gatewayId = kGateway;
        options.fullSync = false;
        auto log = audit::AuditLog::open(*m_db, options);
        QVERIFY(log.ok());
        m_log = std::move(log).value();
    }
    void cleanup()
    {
        m_log.reset();
        m_db.reset();
    }

    void failedChangeLeavesItsBatch()
    {
        const store::Database &d = *m_db;
        QVERIFY(execSql(d, QStringLiteral("CREATE TABLE changes (name TEXT NOT NULL)")));
        api::AuditTrail trail(m_log.get(), m_clock, kGateway);
        const api::ApiPrincipal admin{QStringLiteral("k1"), QStringLiteral("ops"), api::Role::Admin};
        api::HttpRequest request;
        request.method = "PUT";
        request.path = QStringLiteral("/v1/agents/a1");

        // The writer is held by a first record's companion, so that the failing change and a
        // call queue into a batch together (with the first record, or right behind it).
        std::binary_semaphore release(0);
        auto held = m_log->appendAsync(decision(QStringLiteral("alice"), QStringLiteral("a1"), QStringLiteral("e0"),
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
        auto call = m_log->appendAsync(decision(QStringLiteral("alice"), QStringLiteral("a1"), QStringLiteral("e1"),
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

    void delegationNeedsTheLogsDatabase()
    {
        // An execution store on another file cannot commit with the record: refused, nothing written.
        auto other = store::Database::open(m_dir.filePath(QStringLiteral("elsewhere-%1.db").arg(++m_opened)));
        QVERIFY(other.ok());
        session::ExecutionStore executions(*other.value(), m_clock);
        api::AuditTrail trail(m_log.get(), m_clock, kGateway);
        api::HttpRequest request;
        request.method = "POST";
        request.path = QStringLiteral("/v1/token");
        const Status refused = trail.delegation(request, execution(QStringLiteral("exe_apart"), {}, 10), QStringLiteral("support-agent"), executions);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("internal"));
        QCOMPARE(count(*other.value(), QStringLiteral("SELECT count(*) FROM executions")), qint64(0));
        QCOMPARE(count(*m_db, QStringLiteral("SELECT count(*) FROM executions")), qint64(0));
        QCOMPARE(count(*m_db, QStringLiteral("SELECT count(*) FROM audit_records")), qint64(0));
    }

    void delegationCommitsWithItsExecution()
    {
        const store::Database &d = *m_db;
        session::ExecutionStore executions(d, m_clock);
        QSignalSpy started(&executions, &session::ExecutionStore::changed);
        api::AuditTrail trail(m_log.get(), m_clock, kGateway);
        api::HttpRequest request;
        request.method = "POST";
        request.path = QStringLiteral("/v1/token");
        const auto rows = [&](const QString &id) {
            return count(d, QStringLiteral("SELECT count(*) FROM executions WHERE id = '%1'").arg(id));
        };
        const auto delegations = [&](const QString &id) {
            return count(d, QStringLiteral("SELECT count(*) FROM audit_records WHERE event = 'delegation' AND execution = '%1'").arg(id));
        };
        const auto parentUsed = [&] { return executions.state(QStringLiteral("exe_parent"))->used.calls; };

        QVERIFY(trail.delegation(request, execution(QStringLiteral("exe_parent"), {}, 10), QStringLiteral("support-agent"), executions).ok());
        QCOMPARE(rows(QStringLiteral("exe_parent")), qint64(1));
        QCOMPARE(delegations(QStringLiteral("exe_parent")), qint64(1));
        QCOMPARE(started.size(), 1);
        QCOMPARE(executions.recentState(QStringLiteral("exe_parent"))->remaining.calls, qint64(10));

        // A child reserves its budget from its parent with its record.
        QVERIFY(trail.delegation(request, execution(QStringLiteral("exe_child"), QStringLiteral("exe_parent"), 4),
                                 QStringLiteral("support-agent"), executions).ok());
        QCOMPARE(parentUsed(), qint64(4));
        QCOMPARE(delegations(QStringLiteral("exe_child")), qint64(1));

        // Refused by the store: its own code, and nothing written, no record.
        Status over = trail.delegation(request, execution(QStringLiteral("exe_over"), QStringLiteral("exe_parent"), 7),
                                       QStringLiteral("support-agent"), executions);
        QVERIFY(!over.ok());
        QCOMPARE(over.error().code, QStringLiteral("budget_exhausted"));
        QCOMPARE(rows(QStringLiteral("exe_over")), qint64(0));
        QCOMPARE(delegations(QStringLiteral("exe_over")), qint64(0));
        QCOMPARE(parentUsed(), qint64(4));

        // The reservation succeeds and the row fails (an id taken): the reservation goes too.
        Status taken = trail.delegation(request, execution(QStringLiteral("exe_child"), QStringLiteral("exe_parent"), 2),
                                        QStringLiteral("support-agent"), executions);
        QVERIFY(!taken.ok());
        QCOMPARE(parentUsed(), qint64(4));
        QCOMPARE(delegations(QStringLiteral("exe_child")), qint64(1));

        // The record cannot be written: neither is the execution, nor its reservation.
        QVERIFY(execSql(d, QStringLiteral("CREATE TRIGGER audit_down BEFORE INSERT ON audit_records "
                                          "BEGIN SELECT RAISE(ABORT, 'injected audit failure'); END")));
        Status unrecorded = trail.delegation(request, execution(QStringLiteral("exe_lost"), QStringLiteral("exe_parent"), 3),
                                             QStringLiteral("support-agent"), executions);
        QVERIFY(execSql(d, QStringLiteral("DROP TRIGGER audit_down")));
        QVERIFY(!unrecorded.ok());
        QCOMPARE(unrecorded.error().code, QStringLiteral("temporarily_unavailable"));
        QCOMPARE(rows(QStringLiteral("exe_lost")), qint64(0));
        QCOMPARE(parentUsed(), qint64(4));
        QVERIFY(!executions.recentState(QStringLiteral("exe_lost")).ok());
        QCOMPARE(started.size(), 2);  // the parent and the child alone
    }

private:
    QTemporaryDir m_dir;
    int m_opened = 0;
    SystemClock m_clock;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<audit::AuditLog> m_log;
};

QTEST_GUILESS_MAIN(TestAuditTrail)
#include "tst_audit_trail.moc"
