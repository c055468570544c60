// SPDX-License-Identifier: Apache-2.0
// The audit log's companions and batch participant: a companion's write commits with its record
// or refuses that record alone, one that loses the transaction fails its batch, and what
// accepted records hand the participant commits with them.
#include "AuditLogFixture.h"

#include <QSqlError>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <vector>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;

namespace {

/// Appends `count` records whose companions run `write(i)`: the first alone in a batch, the
/// others together in the next (queued while the writer waits in the first one's companion).
std::vector<std::future<Result<AppendReceipt>>> appendSharingABatch(AuditLog &log, int count, const std::function<Result<bool>(int)> &write)
{
    auto started = std::make_shared<std::promise<void>>();
    auto queued = std::make_shared<std::promise<void>>();
    std::shared_future<void> allQueued = queued->get_future().share();
    std::future<void> firstStarted = started->get_future();
    std::vector<std::future<Result<AppendReceipt>>> pending;
    for (int i = 0; i < count; ++i) {
        const auto companion = [i, write, started, allQueued]() -> Result<bool> {
            if (i == 0) {
                started->set_value();
                allQueued.wait_for(std::chrono::seconds(10));
            }
            return write(i);
        };
        pending.push_back(log.appendAsync(delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e%1").arg(i)),
                                          AuditLog::Companion{companion, {}, {}}));
        if (i == 0)
            firstStarted.wait_for(std::chrono::seconds(10));
    }
    queued->set_value();
    return pending;
}

} // namespace

class TestAuditCompanions : public AuditLogFixture
{
    Q_OBJECT

private slots:
    void companionRefusesOnlyItsRecord()
    {
        auto db = openDb();
        auto log = openLog(*db, crypto::Ed25519Key::generate().value());
        const auto companion = [](bool accept) {
            return AuditLog::Companion{[accept]() -> Result<bool> { return accept; },
                                       Error{QStringLiteral("budget_exhausted"), QStringLiteral("refused")}, {}};
        };
        // Queued together so that they share batches: the refused one (also the last) alone fails.
        std::vector<std::future<Result<AppendReceipt>>> pending;
        for (int i = 0; i < 6; ++i)
            pending.push_back(log->appendAsync(delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e%1").arg(i)),
                                               companion(i % 3 != 2)));
        int written = 0;
        for (size_t i = 0; i < pending.size(); ++i) {
            auto receipt = pending[i].get();
            if (i % 3 == 2) {
                QVERIFY(!receipt.ok());
                QCOMPARE(receipt.error().code, QStringLiteral("budget_exhausted"));
            } else {
                QVERIFY2(receipt.ok(), qPrintable(receipt.ok() ? QString() : receipt.error().message));
                ++written;
            }
        }
        QCOMPARE(log->head().sequence, written);
        const VerifyReport report = verify(*db);
        QVERIFY2(report.intact(), qPrintable(report.reason));
        QCOMPARE(report.recordsChecked, written);
    }

    void companionErrorRefusesOnlyItsRecord()
    {
        // A companion that fails (a statement error in its write) takes its own writes back and
        // refuses its record with the error; the other records of its batch are written.
        auto db = openDb();
        exec(*db, QStringLiteral("CREATE TABLE side (n INTEGER NOT NULL)"));
        auto log = openLog(*db);
        auto pending = appendSharingABatch(*log, 6, [&db](int i) -> Result<bool> {
            QSqlQuery q(db->connection());
            if (!q.exec(QStringLiteral("INSERT INTO side VALUES (%1)").arg(i)))
                return Error{QStringLiteral("store_error"), q.lastError().text()};
            if (i % 3 == 1 && !q.exec(QStringLiteral("INSERT INTO no_such_table VALUES (1)")))
                return Error{QStringLiteral("store_error"), q.lastError().text()};
            return true;
        });
        int written = 0;
        for (size_t i = 0; i < pending.size(); ++i) {
            auto receipt = pending[i].get();
            if (i % 3 == 1) {
                QVERIFY(!receipt.ok());
                QCOMPARE(receipt.error().code, QStringLiteral("store_error"));
            } else {
                QVERIFY2(receipt.ok(), qPrintable(receipt.ok() ? QString() : receipt.error().message));
                ++written;
            }
        }
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM side")), written);
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM side WHERE n IN (1, 4)")), 0);
        log.reset();
        const VerifyReport report = verify(*db);
        QVERIFY2(report.intact(), qPrintable(report.reason));
        QCOMPARE(report.recordsChecked, written);
    }

    void companionThatLosesTheTransactionFailsItsBatch()
    {
        // An error that costs the whole transaction (here a companion rolls it back itself, as
        // SQLite does on a full disk) fails every record of the batch: nothing of it commits.
        auto db = openDb();
        exec(*db, QStringLiteral("CREATE TABLE side (n INTEGER NOT NULL)"));
        auto log = openLog(*db);
        auto pending = appendSharingABatch(*log, 4, [&db](int i) -> Result<bool> {
            QSqlQuery q(db->connection());
            if (!q.exec(QStringLiteral("INSERT INTO side VALUES (%1)").arg(i)))
                return Error{QStringLiteral("store_error"), q.lastError().text()};
            if (i == 2) {
                q.exec(QStringLiteral("ROLLBACK"));
                return Error{QStringLiteral("store_error"), QStringLiteral("disk full")};
            }
            return true;
        });
        QVERIFY(pending[0].get().ok());  // alone in the batch before
        for (size_t i = 1; i < pending.size(); ++i)
            QVERIFY(!pending[i].get().ok());
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM side")), 1);
        QVERIFY(log->append(delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("after"))).ok());
        log.reset();
        const VerifyReport report = verify(*db);
        QVERIFY2(report.intact(), qPrintable(report.reason));
        QCOMPARE(report.recordsChecked, 2);
    }

    void companionAndParticipantCommitWithTheRecord()
    {
        auto db = openDb();
        exec(*db, QStringLiteral("CREATE TABLE side (n INTEGER NOT NULL)"));
        auto log = openLog(*db);
        std::atomic<int> committed{0};
        std::atomic<int> rolledBack{0};
        log->setBatchParticipant({[&db]() -> Status {
                                      QSqlQuery q(db->connection());
                                      return q.exec(QStringLiteral("INSERT INTO side VALUES (1)")) ? Status::success()
                                                                                                   : Status(Error{QStringLiteral("store_error"), q.lastError().text()});
                                  },
                                  [&](bool ok) { ++(ok ? committed : rolledBack); }});
        const AuditLog::Companion companion{[&db]() -> Result<bool> {
                                                QSqlQuery q(db->connection());
                                                return q.exec(QStringLiteral("INSERT INTO side VALUES (2)"));
                                            },
                                            {},
                                            {}};
        QVERIFY(log->append(delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e1")), companion).ok());
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM side WHERE n = 2")), 1);
        QVERIFY(count(*db, QStringLiteral("SELECT count(*) FROM side WHERE n = 1")) >= 1);
        QVERIFY(committed.load() >= 1);
        // A record that cannot be written takes its companion's write back with it (fail closed).
        exec(*db, QStringLiteral("CREATE TRIGGER refuse BEFORE INSERT ON audit_records BEGIN SELECT RAISE(ABORT, 'disk full'); END"));
        QVERIFY(!log->append(delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e2")), companion).ok());
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM side WHERE n = 2")), 1);
        QVERIFY(rolledBack.load() >= 1);
    }

    void acceptedRecordsHandTheirWritesToTheParticipant()
    {
        // A record's `accepted` runs only if the record is written, after every record of its
        // batch and before the participant, whose write then commits (or rolls back) with them.
        auto db = openDb();
        exec(*db, QStringLiteral("CREATE TABLE side (n INTEGER NOT NULL)"));
        auto log = openLog(*db);
        std::mutex mutex;
        QList<int> handed;       // to the participant, which takes them
        std::set<int> everHanded;
        std::atomic<int> participantRuns{0};
        log->setBatchParticipant({[&]() -> Status {
                                      ++participantRuns;
                                      const std::lock_guard lock(mutex);
                                      for (int n : std::exchange(handed, {})) {
                                          QSqlQuery q(db->connection());
                                          // Runs after the records: the one that handed `n` is in the table already.
                                          if (!q.exec(QStringLiteral("INSERT INTO side SELECT %1 FROM audit_records WHERE execution = 'e%1'").arg(n)))
                                              return Error{QStringLiteral("store_error"), q.lastError().text()};
                                      }
                                      return Status::success();
                                  },
                                  [](bool) {}});
        const auto handing = [&](int n, bool accept) {
            return AuditLog::Companion{[accept]() -> Result<bool> { return accept; },
                                       Error{QStringLiteral("budget_exhausted"), QStringLiteral("refused")},
                                       [&, n]() {
                                           const std::lock_guard lock(mutex);
                                           handed.append(n);
                                           everHanded.insert(n);
                                       }};
        };
        std::vector<std::future<Result<AppendReceipt>>> appended;
        for (int n = 1; n <= 6; ++n)
            appended.push_back(log->appendAsync(delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e%1").arg(n)),
                                                handing(n, n != 4)));
        for (int n = 1; n <= 6; ++n)
            QCOMPARE(appended[size_t(n - 1)].get().ok(), n != 4);
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM side")), 5);
        QCOMPARE(everHanded, (std::set<int>{1, 2, 3, 5, 6}));  // refused: nothing handed
        QVERIFY(participantRuns.load() >= 1);

        // A batch that fails takes what its records handed back with it.
        exec(*db, QStringLiteral("CREATE TRIGGER refuse BEFORE INSERT ON side BEGIN SELECT RAISE(ABORT, 'disk full'); END"));
        QVERIFY(!log->append(delegation(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e7")), handing(7, true)).ok());
        exec(*db, QStringLiteral("DROP TRIGGER refuse"));
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM audit_records WHERE execution = 'e7'")), 0);
        QCOMPARE(count(*db, QStringLiteral("SELECT count(*) FROM side")), 5);
    }
};

QTEST_GUILESS_MAIN(TestAuditCompanions)
#include "tst_audit_companions.moc"
