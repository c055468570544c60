// SPDX-License-Identifier: Apache-2.0
// ExecutionStateCache alone (freshness, invalidation racing a read, bounds, expiry by time) and
// ExecutionStore::recentState() on a real SQLite file: every change made through the store is
// seen at once (revocation above all), a change made by another gateway's store within
// ExecutionStateCache::kMaxAgeSecs.
#include "session/ChargeLedger.h"
#include "session/ExecutionStateCache.h"
#include "session/ExecutionStore.h"
#include "session/SessionRecorder.h"
#include "store/Database.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace mandate;
using namespace mandate::session;
using identity::Amount;
using identity::Budget;
using identity::Execution;

class tst_ExecutionRecentState final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    // ExecutionStateCache
    void cacheEntriesAgeOut();
    void cacheRefusesAReadOlderThanAnInvalidation();
    void cacheRefusesOnlyAReadOfWhatWasInvalidated();
    void cacheIsBounded();
    void cachedActiveStatePastExpiryReadsExpired();
    void cacheDistrustsAClockThatWentBack();
    void recordOutlivesItsState();
    void cacheEvictsOldestFirst();
    // ExecutionStore::recentState
    void mintedStateIsCachedAndExact();
    void mintedSubExecutionIsCachedWhateverChangedMeanwhile();
    void revocationIsSeenAtOnce();
    void revocationOfAnAncestorIsSeenAtOnce();
    void completionIsSeenAtOnce();
    void chargesAndSessionUpdatesAreSeenAtOnce();
    void writeBehindIsSeenOnceCommitted();
    void ledgerChargeIsSeenOnceSettled();
    void anotherGatewaysRevocationIsSeenWithinTheBound();
    void unknownExecutionIsNotCached();
    void recordStaysCachedAcrossChanges();

private:
    Execution make(const QString &id, const QString &parent = {});

    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<ExecutionStore> m_store;
    int m_counter = 0;
};

void tst_ExecutionRecentState::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false"));
}

void tst_ExecutionRecentState::init()
{
    auto db = store::Database::open(m_dir.filePath(QStringLiteral("recent-%1.db").arg(++m_counter)));
    QVERIFY2(db, qPrintable(db ? QString() : db.error().toString()));
    m_db = std::move(db).value();
    m_clock = std::make_unique<ManualClock>();
    m_store = std::make_unique<ExecutionStore>(*m_db, *m_clock);
}

void tst_ExecutionRecentState::cleanup()
{
    m_store.reset();
    m_db.reset();
}

Execution tst_ExecutionRecentState::make(const QString &id, const QString &parent)
{
    Execution e;
    e.id = id;
    e.agent = QStringLiteral("support-agent");
    e.chain = {QStringLiteral("alice")};
    if (!parent.isEmpty())
        e.chain.append(QStringLiteral("support-agent"));
    e.purpose = QStringLiteral("refund ticket T-1");
    e.capabilities = {{QStringLiteral("refund:create"), {}}};
    e.budget = Budget{10, 1000, *Amount::parse(QStringLiteral("50.00"))};
    e.riskCeiling = 40;
    e.issuedAt = m_clock->now();
    e.expiresAt = m_clock->now().addSecs(900);
    e.parent = parent;
    return e;
}

namespace {

ExecutionState stateOf(const QString &id, const QDateTime &expiresAt)
{
    ExecutionState state;
    state.execution.id = id;
    state.execution.expiresAt = expiresAt;
    return state;
}

} // namespace

void tst_ExecutionRecentState::cacheEntriesAgeOut()
{
    ExecutionStateCache cache(*m_clock);
    QVERIFY(cache.insert(stateOf(QStringLiteral("e1"), m_clock->now().addSecs(900)), cache.generation()));
    QVERIFY(cache.find(QStringLiteral("e1")));
    m_clock->advanceSecs(ExecutionStateCache::kMaxAgeSecs - 1);
    QVERIFY(cache.find(QStringLiteral("e1")));
    m_clock->advanceSecs(1);
    QVERIFY(!cache.find(QStringLiteral("e1")));
}

void tst_ExecutionRecentState::cacheRefusesAReadOlderThanAnInvalidation()
{
    ExecutionStateCache cache(*m_clock);
    const quint64 readAt = cache.generation();
    // The store is read here; meanwhile another thread changes the execution and invalidates.
    cache.invalidate(QStringLiteral("e1"));
    QVERIFY(!cache.insert(stateOf(QStringLiteral("e1"), m_clock->now().addSecs(900)), readAt));
    QVERIFY(!cache.find(QStringLiteral("e1")));
    QVERIFY(cache.insert(stateOf(QStringLiteral("e1"), m_clock->now().addSecs(900)), cache.generation()));
    cache.invalidate(QStringLiteral("e1"));
    QVERIFY(!cache.find(QStringLiteral("e1")));
    QVERIFY(cache.insert(stateOf(QStringLiteral("e2"), m_clock->now().addSecs(900)), cache.generation()));
    cache.invalidateAll();
    QCOMPARE(cache.size(), 0);
}

void tst_ExecutionRecentState::cacheRefusesOnlyAReadOfWhatWasInvalidated()
{
    ExecutionStateCache cache(*m_clock);
    const auto state = [this](const char *id) { return stateOf(QLatin1String(id), m_clock->now().addSecs(900)); };
    // Others' changes meanwhile do not make a read stale.
    quint64 readAt = cache.generation();
    cache.invalidate(QStringLiteral("other"));
    cache.invalidate(QStringLiteral("e10"));  // a prefix of nothing: ids are compared whole
    QVERIFY(cache.insert(state("e1"), readAt));
    QVERIFY(cache.find(QStringLiteral("e1")));
    // Its own does, among others.
    readAt = cache.generation();
    cache.invalidate(QStringLiteral("other"));
    cache.invalidate(QStringLiteral("e2"));
    cache.invalidate(QStringLiteral("another"));
    QVERIFY(!cache.insert(state("e2"), readAt));
    // So does clearing everything.
    readAt = cache.generation();
    cache.invalidateAll();
    QVERIFY(!cache.insert(state("e3"), readAt));
    // And so does any, once more have happened than the cache remembers.
    readAt = cache.generation();
    for (size_t i = 0; i <= ExecutionStateCache::kInvalidationsKept; ++i)
        cache.invalidate(QStringLiteral("x%1").arg(i));
    QVERIFY(!cache.insert(state("e4"), readAt));
    readAt = cache.generation();
    for (size_t i = 0; i < ExecutionStateCache::kInvalidationsKept; ++i)
        cache.invalidate(QStringLiteral("y%1").arg(i));
    QVERIFY(cache.insert(state("e5"), readAt));  // just within what it remembers
}

void tst_ExecutionRecentState::cacheIsBounded()
{
    ExecutionStateCache cache(*m_clock, 8);
    for (int i = 0; i < 100; ++i) {
        QVERIFY(cache.insert(stateOf(QStringLiteral("e%1").arg(i), m_clock->now().addSecs(900)), cache.generation()));
        QVERIFY(cache.size() <= 8);
    }
    QVERIFY(cache.find(QStringLiteral("e99")));
}

void tst_ExecutionRecentState::cachedActiveStatePastExpiryReadsExpired()
{
    ExecutionStateCache cache(*m_clock);
    QVERIFY(cache.insert(stateOf(QStringLiteral("e1"), m_clock->now().addSecs(2)), cache.generation()));
    QCOMPARE(cache.find(QStringLiteral("e1"))->status, Execution::Status::Active);
    m_clock->advanceSecs(2);
    const auto found = cache.find(QStringLiteral("e1"));
    QVERIFY(found);
    QCOMPARE(found->status, Execution::Status::Expired);
    QVERIFY(!found->isActive());
}

void tst_ExecutionRecentState::cacheDistrustsAClockThatWentBack()
{
    ExecutionStateCache cache(*m_clock);
    QVERIFY(cache.insert(stateOf(QStringLiteral("e1"), m_clock->now().addSecs(900)), cache.generation()));
    m_clock->advanceSecs(-1);
    QVERIFY(!cache.find(QStringLiteral("e1")));
}

void tst_ExecutionRecentState::recordOutlivesItsState()
{
    // The record is as minted and never changes: an invalidation drops the live state only, and
    // a read refused for being older than an invalidation still leaves its record.
    ExecutionStateCache cache(*m_clock);
    QVERIFY(!cache.record(QStringLiteral("e1")));
    QVERIFY(cache.insert(stateOf(QStringLiteral("e1"), m_clock->now().addSecs(900)), cache.generation()));
    cache.invalidate(QStringLiteral("e1"));
    QVERIFY(!cache.find(QStringLiteral("e1")));
    QCOMPARE(cache.record(QStringLiteral("e1"))->id, QStringLiteral("e1"));
    const quint64 readAt = cache.generation();
    cache.invalidate(QStringLiteral("e2"));
    QVERIFY(!cache.insert(stateOf(QStringLiteral("e2"), m_clock->now().addSecs(900)), readAt));
    QVERIFY(!cache.find(QStringLiteral("e2")));
    QCOMPARE(cache.record(QStringLiteral("e2"))->id, QStringLiteral("e2"));
    // A record alone is not a state.
    Execution alone;
    alone.id = QStringLiteral("e3");
    cache.insertRecord(alone.id, alone);
    QVERIFY(!cache.find(QStringLiteral("e3")));
    QCOMPARE(cache.record(QStringLiteral("e3"))->id, QStringLiteral("e3"));
    QVERIFY(cache.insert(stateOf(QStringLiteral("e3"), m_clock->now().addSecs(900)), cache.generation()));
    QVERIFY(cache.find(QStringLiteral("e3")));
    cache.invalidateAll();
    QVERIFY(!cache.record(QStringLiteral("e1")));
}

void tst_ExecutionRecentState::cacheEvictsOldestFirst()
{
    ExecutionStateCache cache(*m_clock, 3);
    for (const char *id : {"e1", "e2"})
        QVERIFY(cache.insert(stateOf(QLatin1String(id), m_clock->now().addSecs(900)), cache.generation()));
    // Refreshing e1 does not make it younger: entries leave in the order they came.
    QVERIFY(cache.insert(stateOf(QStringLiteral("e1"), m_clock->now().addSecs(900)), cache.generation()));
    for (const char *id : {"e3", "e4"})
        QVERIFY(cache.insert(stateOf(QLatin1String(id), m_clock->now().addSecs(900)), cache.generation()));
    QCOMPARE(cache.size(), 3);
    QVERIFY(!cache.find(QStringLiteral("e1")));
    QVERIFY(!cache.record(QStringLiteral("e1")));
    for (const char *id : {"e2", "e3", "e4"})
        QVERIFY2(cache.find(QLatin1String(id)), id);
}

void tst_ExecutionRecentState::mintedStateIsCachedAndExact()
{
    QVERIFY(m_store->create(make(QStringLiteral("e1"))).ok());
    auto recent = m_store->recentState(QStringLiteral("e1"));
    auto stored = m_store->state(QStringLiteral("e1"));
    QVERIFY(recent && stored);
    QCOMPARE(recent->execution.toJson(), stored->execution.toJson());
    QCOMPARE(recent->status, stored->status);
    QCOMPARE(recent->used, stored->used);
    QCOMPARE(recent->remaining, stored->remaining);
    QCOMPARE(recent->riskScore, stored->riskScore);
    QCOMPARE(recent->sessionCalls, stored->sessionCalls);
    QCOMPARE(recent->sessionActions, stored->sessionActions);
    QCOMPARE(recent->toJson(), stored->toJson());
}

void tst_ExecutionRecentState::mintedSubExecutionIsCachedWhateverChangedMeanwhile()
{
    // A mint whose row waits for a commit (the gateway's waits for its delegation record's)
    // caches its first state even if other executions change meanwhile, its parent included.
    QVERIFY(m_store->create(make(QStringLiteral("root"))).ok());
    QVERIFY(m_store->create(make(QStringLiteral("other"))).ok());
    auto created = m_store->prepareNew(make(QStringLiteral("child"), QStringLiteral("root")));
    QVERIFY(created.ok());
    QVERIFY(m_store->charge(QStringLiteral("other"), Budget{1, 0, {}}).ok());
    QVERIFY(m_db->transaction([&] { return m_store->writeNew(created.value()); }).ok());
    m_store->announceNew(std::move(created).value());
    // Cached, not read again: another gateway's revocation is not seen until the bound.
    ExecutionStore otherGateway(*m_db, *m_clock);
    QVERIFY(otherGateway.revoke(QStringLiteral("child"), QStringLiteral("elsewhere")).ok());
    QVERIFY(m_store->recentState(QStringLiteral("child"))->isActive());
    QCOMPARE(m_store->state(QStringLiteral("child"))->status, Execution::Status::Revoked);
    // The parent's reservation is seen at once.
    QCOMPARE(m_store->recentState(QStringLiteral("root"))->used, m_store->state(QStringLiteral("root"))->used);
}

void tst_ExecutionRecentState::revocationIsSeenAtOnce()
{
    QVERIFY(m_store->create(make(QStringLiteral("e1"))).ok());
    QVERIFY(m_store->recentState(QStringLiteral("e1"))->isActive());
    QVERIFY(m_store->revoke(QStringLiteral("e1"), QStringLiteral("by test")).ok());
    const auto recent = m_store->recentState(QStringLiteral("e1"));
    QVERIFY(recent);
    QCOMPARE(recent->status, Execution::Status::Revoked);
    QCOMPARE(recent->endReason, QStringLiteral("by test"));
}

void tst_ExecutionRecentState::revocationOfAnAncestorIsSeenAtOnce()
{
    QVERIFY(m_store->create(make(QStringLiteral("root"))).ok());
    QVERIFY(m_store->create(make(QStringLiteral("child"), QStringLiteral("root"))).ok());
    QVERIFY(m_store->recentState(QStringLiteral("child"))->isActive());
    QVERIFY(m_store->revoke(QStringLiteral("root"), QStringLiteral("by test")).ok());
    QCOMPARE(m_store->recentState(QStringLiteral("child"))->status, Execution::Status::Revoked);
}

void tst_ExecutionRecentState::completionIsSeenAtOnce()
{
    QVERIFY(m_store->create(make(QStringLiteral("e1"))).ok());
    QVERIFY(m_store->recentState(QStringLiteral("e1"))->isActive());
    QVERIFY(m_store->complete(QStringLiteral("e1")).ok());
    QCOMPARE(m_store->recentState(QStringLiteral("e1"))->status, Execution::Status::Completed);
}

void tst_ExecutionRecentState::chargesAndSessionUpdatesAreSeenAtOnce()
{
    QVERIFY(m_store->create(make(QStringLiteral("e1"))).ok());
    QVERIFY(m_store->create(make(QStringLiteral("child"), QStringLiteral("e1"))).ok());
    QCOMPARE(m_store->recentState(QStringLiteral("e1"))->remaining.calls, 0);  // reserved by the child
    QCOMPARE(m_store->recentState(QStringLiteral("child"))->remaining.calls, 10);
    QVERIFY(m_store->charge(QStringLiteral("child"), Charge{2, 0, {}}).ok());
    QCOMPARE(m_store->recentState(QStringLiteral("child"))->remaining.calls, 8);
    QVERIFY(m_store->recordCall(QStringLiteral("child"), QStringLiteral("refund:create"), true, 7).ok());
    auto recent = m_store->recentState(QStringLiteral("child"));
    QCOMPARE(recent->sessionCalls, 1);
    QCOMPARE(recent->riskScore, 7);
    QCOMPARE(recent->sessionActions, QStringList{QStringLiteral("refund:create")});
    QVERIFY(m_store->adjustRisk(QStringLiteral("child"), 5).ok());
    QCOMPARE(m_store->recentState(QStringLiteral("child"))->riskScore, 12);
}

void tst_ExecutionRecentState::writeBehindIsSeenOnceCommitted()
{
    QVERIFY(m_store->create(make(QStringLiteral("e1"))).ok());
    SessionRecorder recorder(*m_store);
    QCOMPARE(m_store->recentState(QStringLiteral("e1"))->riskScore, 0);
    recorder.record({QStringLiteral("e1"), QStringLiteral("refund:create"), true, false, 30});
    // Written in a transaction of the caller's (the audit batch), then acknowledged.
    QVERIFY(m_db->transaction([&]() { return recorder.writePending(); }).ok());
    recorder.finishWrite(true);
    QCOMPARE(recorder.pending(QStringLiteral("e1")).risk, 0);
    const auto recent = m_store->recentState(QStringLiteral("e1"));
    QCOMPARE(recent->riskScore, 30);
    QCOMPARE(recent->sessionDenied, 1);
}

void tst_ExecutionRecentState::ledgerChargeIsSeenOnceSettled()
{
    QVERIFY(m_store->create(make(QStringLiteral("e1"))).ok());
    ChargeLedger ledger(*m_store);
    QCOMPARE(m_store->recentState(QStringLiteral("e1"))->remaining.calls, 10);
    QVERIFY(ledger.hold(QStringLiteral("e1"), Charge{3, 0, {}}).ok());
    bool charged = false;
    QVERIFY(m_db->transaction([&]() -> Status {
        auto committed = ledger.commit(QStringLiteral("e1"), Charge{3, 0, {}});
        if (!committed)
            return committed.error();
        charged = committed.value();
        return Status::success();
    }).ok());
    QVERIFY(charged);
    ledger.settle(QStringLiteral("e1"), Charge{3, 0, {}}, true);
    QCOMPARE(m_store->recentState(QStringLiteral("e1"))->remaining.calls, 7);
}

void tst_ExecutionRecentState::anotherGatewaysRevocationIsSeenWithinTheBound()
{
    QVERIFY(m_store->create(make(QStringLiteral("e1"))).ok());
    QVERIFY(m_store->recentState(QStringLiteral("e1"))->isActive());
    ExecutionStore otherGateway(*m_db, *m_clock);
    QVERIFY(otherGateway.revoke(QStringLiteral("e1"), QStringLiteral("elsewhere")).ok());
    // The exact read sees it at once; the recent one within kMaxAgeSecs of when it was read.
    QCOMPARE(m_store->state(QStringLiteral("e1"))->status, Execution::Status::Revoked);
    m_clock->advanceSecs(ExecutionStateCache::kMaxAgeSecs);
    QCOMPARE(m_store->recentState(QStringLiteral("e1"))->status, Execution::Status::Revoked);
}

void tst_ExecutionRecentState::unknownExecutionIsNotCached()
{
    QCOMPARE(m_store->recentState(QStringLiteral("later")).error().code, QStringLiteral("not_found"));
    ExecutionStore otherGateway(*m_db, *m_clock);
    QVERIFY(otherGateway.create(make(QStringLiteral("later"))).ok());
    QVERIFY(m_store->recentState(QStringLiteral("later"))->isActive());
}

void tst_ExecutionRecentState::recordStaysCachedAcrossChanges()
{
    // Each change drops the cached state, not the parsed record: the state read after it comes
    // from the columns and the cached record, not from parsing the JSON body again (replaced
    // here by one that cannot be parsed, which a read would report as store_corrupt).
    QVERIFY(m_store->create(make(QStringLiteral("e1"))).ok());
    QSqlQuery spoil(m_db->connection());
    QVERIFY(spoil.exec(QStringLiteral("UPDATE executions SET body = 'not json' WHERE id = 'e1'")));
    QVERIFY(m_store->charge(QStringLiteral("e1"), Charge{2, 0, {}}).ok());
    auto recent = m_store->recentState(QStringLiteral("e1"));
    QVERIFY2(recent, qPrintable(recent ? QString() : recent.error().message));
    QCOMPARE(recent->remaining.calls, 8);
    QCOMPARE(recent->execution.purpose, QStringLiteral("refund ticket T-1"));
    // Another gateway has no record cached: it parses the body, and says it is unreadable.
    ExecutionStore otherGateway(*m_db, *m_clock);
    QCOMPARE(otherGateway.state(QStringLiteral("e1")).error().code, QStringLiteral("store_corrupt"));
}

QTEST_GUILESS_MAIN(tst_ExecutionRecentState)
#include "tst_execution_recent_state.moc"
