// SPDX-License-Identifier: Apache-2.0
// DelegationBroker::exchangeThen(), the exchange for a server that moves on while the record is
// written: the same token as exchange()'s, told once its record is committed, on the thread that
// committed it; refusals before the record told at once; a record that fails keeps the token
// from leaving, with the OAuth error exchange() gives.
#include "BrokerFixture.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QTest>

#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>

using namespace mandate;
using namespace mandate::testing;

class tst_BrokerExchangeThen final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void exchangeThenIssuesOnceRecorded();
    void exchangeThenRecordFailures_data();
    void exchangeThenRecordFailures();

private:
    std::unique_ptr<BrokerFixture> f;
};

void tst_BrokerExchangeThen::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false\nmandate.*.warning=false"));
}

void tst_BrokerExchangeThen::init()
{
    f = std::make_unique<BrokerFixture>();
    QVERIFY2(f->setUp(), qPrintable(f->error));
}

namespace {

/// What exchangeThen() told, and on which thread.
struct Told
{
    std::optional<Result<broker::IssuedToken>> issued;
    std::thread::id thread;
};

/// exchangeThen()'s completion, awaited.
class AwaitIssued
{
public:
    broker::DelegationBroker::Issued callback()
    {
        return [this](Result<broker::IssuedToken> issued) {
            std::lock_guard lock(m_mutex);
            m_told.issued = std::move(issued);
            m_told.thread = std::this_thread::get_id();
            ++m_times;
            m_ready.release();
        };
    }
    /// The outcome, once told (within 30 s); nullopt otherwise.
    std::optional<Told> wait()
    {
        if (!m_ready.try_acquire_for(std::chrono::seconds(30)))
            return std::nullopt;
        std::lock_guard lock(m_mutex);
        return m_told;
    }
    int times()
    {
        std::lock_guard lock(m_mutex);
        return m_times;
    }

private:
    std::mutex m_mutex;
    std::binary_semaphore m_ready{0};
    Told m_told;
    int m_times = 0;
};

} // namespace

void tst_BrokerExchangeThen::exchangeThenIssuesOnceRecorded()
{
    // The same token as exchange()'s, told once its record is committed (by the store's
    // committer, on its thread): the record exists and the gateway accepts the token.
    AwaitIssued root;
    f->broker->exchangeThen(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("refund:create ticket:read"),
                                           {{QStringLiteral("purpose"), QStringLiteral("refund ticket T-1001")}, {QStringLiteral("ttl"), 900}}),
                            root.callback());
    const std::optional<Told> told = root.wait();
    QVERIFY(told);
    QVERIFY2(*told->issued, qPrintable(*told->issued ? QString() : told->issued->error().message));
    QVERIFY(told->thread != std::this_thread::get_id());
    const broker::IssuedToken issued = told->issued->value();
    QCOMPARE(issued.expiresIn, 900);
    QCOMPARE(issued.scope, QStringLiteral("refund:create ticket:read"));
    QCOMPARE(BrokerFixture::claimsOf(issued.accessToken).value(QStringLiteral("sub")).toString(), QStringLiteral("user:alice"));
    auto record = f->executions->get(issued.execution.id);
    QVERIFY(record);
    QCOMPARE(record->toJson(), [&] {
        identity::Execution active = issued.execution;
        active.status = identity::Execution::Status::Active;
        return active.toJson();
    }());
    QVERIFY(f->broker->verifyExecutionToken(issued.accessToken));

    // A sub-delegation from it, narrowing; its budget reserved from the parent.
    AwaitIssued sub;
    f->broker->exchangeThen(f->subRequest(QStringLiteral("refund-subagent"), issued.accessToken, QStringLiteral("refund:create"),
                                          {{QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 5}}}}),
                            sub.callback());
    const std::optional<Told> subTold = sub.wait();
    QVERIFY(subTold && *subTold->issued);
    QCOMPARE(subTold->issued->value().execution.parent, issued.execution.id);
    QCOMPARE(f->executions->state(issued.execution.id)->remaining.calls, 95);

    // A refusal before the record is told at once, on this thread, and nothing is minted.
    const qsizetype before = f->executions->list({}).value().size();
    AwaitIssued refused;
    f->broker->exchangeThen(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("account:delete"), {}), refused.callback());
    QCOMPARE(refused.times(), 1);
    const std::optional<Told> refusal = refused.wait();
    QVERIFY(refusal && !*refusal->issued);
    QCOMPARE(refusal->thread, std::this_thread::get_id());
    QCOMPARE(refusal->issued->error().code, QStringLiteral("invalid_scope"));
    QCOMPARE(f->executions->list({}).value().size(), before);
}

void tst_BrokerExchangeThen::exchangeThenRecordFailures_data()
{
    QTest::addColumn<QString>("storeCode");
    QTest::addColumn<QString>("oauthCode");
    QTest::addColumn<QString>("mention");
    QTest::addRow("parent's budget taken meanwhile") << QStringLiteral("budget_exhausted") << QStringLiteral("invalid_request")
                                                     << QStringLiteral("remaining budget");
    QTest::addRow("parent revoked meanwhile") << QStringLiteral("inactive") << QStringLiteral("invalid_grant") << QStringLiteral("no longer");
    QTest::addRow("store down") << QStringLiteral("store_error") << QStringLiteral("temporarily_unavailable")
                               << QStringLiteral("store is unavailable");
    QTest::addRow("audit cannot record") << QStringLiteral("temporarily_unavailable") << QStringLiteral("temporarily_unavailable")
                                         << QStringLiteral("no longer");
}

void tst_BrokerExchangeThen::exchangeThenRecordFailures()
{
    // A record that fails, whenever it fails, keeps its token from leaving: the caller is told
    // the OAuth error the synchronous exchange() gives for it.
    QFETCH(QString, storeCode);
    QFETCH(QString, oauthCode);
    QFETCH(QString, mention);
    const Error failure{storeCode, QStringLiteral("the execution is no longer there")};
    AwaitIssued told;
    std::vector<std::thread> recorders;
    const auto joinRecorders = qScopeGuard([&] {
        for (std::thread &recorder : recorders)
            recorder.join();
    });
    const auto failingLater = [&](const identity::Execution &, broker::DelegationBroker::Recorded recorded) {
        recorders.emplace_back([recorded = std::move(recorded), failure] { recorded(failure); });
    };
    f->broker->exchangeThen(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("ticket:read"), {}), told.callback(),
                            failingLater);
    const std::optional<Told> outcome = told.wait();
    QVERIFY(outcome && !*outcome->issued);
    const Error &error = outcome->issued->error();
    QCOMPARE(error.code, oauthCode);
    QVERIFY2(error.message.contains(mention), qPrintable(error.message));

    const auto synchronous = f->broker->exchange(f->rootRequest(QStringLiteral("support-agent"), QStringLiteral("ticket:read"), {}),
                                                 [&](const identity::Execution &) { return Status(failure); });
    QVERIFY(!synchronous);
    QCOMPARE(synchronous.error().code, error.code);
}

QTEST_GUILESS_MAIN(tst_BrokerExchangeThen)
#include "tst_broker_exchange_then.moc"
