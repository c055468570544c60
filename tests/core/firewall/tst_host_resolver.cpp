// SPDX-License-Identifier: Apache-2.0
// The firewall's host name lookups against a scripted name service that answers only when the
// test lets it: a caller waits no longer than its deadline, callers share one lookup, answers
// are kept, and the resolver can go while a lookup it started still hangs.
#include "firewall/HostResolver.h"

#include <QTest>

#include <netdb.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

using namespace mandate::firewall;

namespace {

/// A name service that holds every lookup until release(), then answers 192.0.2.10 for
/// names ending in ".test" and "not found" for the rest. Shared with the lookup threads,
/// which can outlive a test's resolver.
class HeldNameService : public std::enable_shared_from_this<HeldNameService>
{
public:
    HostResolver::Lookup lookup()
    {
        return [self = shared_from_this()](const QString &host) { return self->answer(host); };
    }
    void release()
    {
        const std::lock_guard lock(m_mutex);
        m_released = true;
        m_changed.notify_all();
    }
    int calls() const { return m_calls.load(); }
    int answered() const { return m_answered.load(); }

private:
    HostResolver::Found answer(const QString &host)
    {
        ++m_calls;
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return m_released; });
        HostResolver::Found found;
        if (host.endsWith(QLatin1String(".test")))
            found.addresses = {QHostAddress(QStringLiteral("192.0.2.10"))};
        else if (host.endsWith(QLatin1String(".flaky")))
            found = {{}, QStringLiteral("Temporary failure in name resolution"), true};
        else
            found.error = QStringLiteral("Host %1 not found").arg(host);
        ++m_answered;
        return found;
    }

    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_released = false;
    std::atomic<int> m_calls = 0;
    std::atomic<int> m_answered = 0;
};

std::shared_ptr<HeldNameService> heldNameService()
{
    return std::make_shared<HeldNameService>();
}

/// Waits (bounded) until `done` holds; the lookup threads report on their own time.
template <typename Condition>
bool eventually(Condition done)
{
    QDeadlineTimer limit(10'000);
    while (!done() && !limit.hasExpired())
        QTest::qWait(5);
    return done();
}

} // namespace

class tst_HostResolver : public QObject
{
    Q_OBJECT

private slots:
    void addressLiteralsNeedNoLookup();
    void aHangingLookupEndsAtTheDeadline();
    void callersShareOneLookupAndItsAnswer();
    void aFailedLookupSaysWhy();
    void pendingLookupsAreBounded();
    void namesDifferingInCaseOrTrailingDotAreOne();
    void theSystemResolverFindsLocalhost();
    void temporaryFailuresAreTold();
    void theResolverCanGoBeforeItsLookup();
};

void tst_HostResolver::addressLiteralsNeedNoLookup()
{
    auto service = heldNameService();
    HostResolver resolver(service->lookup());
    for (const QString &literal : {QStringLiteral("127.0.0.1"), QStringLiteral("::1")}) {
        const HostResolver::Answer answer = resolver.resolve(literal, QDeadlineTimer(0));
        QCOMPARE(answer.addresses, QList<QHostAddress>{QHostAddress(literal)});
        QVERIFY(!answer.timedOut);
    }
    QCOMPARE(service->calls(), 0);
}

void tst_HostResolver::aHangingLookupEndsAtTheDeadline()
{
    auto service = heldNameService();
    HostResolver resolver(service->lookup());
    // The name service answers nothing until released, so returning at all means the deadline held.
    const HostResolver::Answer answer = resolver.resolve(QStringLiteral("slow.test"), QDeadlineTimer(50));
    QVERIFY(answer.timedOut);
    QVERIFY(answer.addresses.isEmpty());
    QVERIFY2(answer.error.contains(QStringLiteral("slow.test")) && answer.error.contains(QStringLiteral("timeout")),
             qPrintable(answer.error));
    QCOMPARE(service->answered(), 0);
    service->release();
    QVERIFY(eventually([&] { return service->answered() == 1; }));
}

void tst_HostResolver::callersShareOneLookupAndItsAnswer()
{
    auto service = heldNameService();
    HostResolver resolver(service->lookup());
    QVERIFY(resolver.resolve(QStringLiteral("tools.test"), QDeadlineTimer(20)).timedOut);
    QVERIFY(resolver.resolve(QStringLiteral("tools.test"), QDeadlineTimer(20)).timedOut);
    QVERIFY(eventually([&] { return service->calls() == 1; }));
    service->release();
    const HostResolver::Answer answer = resolver.resolve(QStringLiteral("tools.test"), QDeadlineTimer(10'000));
    QVERIFY(!answer.timedOut);
    QCOMPARE(answer.addresses, QList<QHostAddress>{QHostAddress(QStringLiteral("192.0.2.10"))});
    // Kept: asking again does not look it up again, even with no time to wait.
    QCOMPARE(resolver.resolve(QStringLiteral("tools.test"), QDeadlineTimer(0)).addresses.size(), 1);
    QCOMPARE(service->calls(), 1);
}

void tst_HostResolver::aFailedLookupSaysWhy()
{
    auto service = heldNameService();
    service->release();
    HostResolver::Options options;
    options.failureTtlMs = 600'000;  // the second look below must find the answer kept, however slow the machine
    HostResolver resolver(service->lookup(), options);
    const HostResolver::Answer answer = resolver.resolve(QStringLiteral("nowhere.invalid"), QDeadlineTimer(10'000));
    QVERIFY(!answer.timedOut);
    QVERIFY(answer.addresses.isEmpty());
    QCOMPARE(answer.error, QStringLiteral("Host nowhere.invalid not found"));
    QVERIFY(!answer.temporary);
    // A name server failing for now is told apart, and its answer kept like any failure.
    const HostResolver::Answer flaky = resolver.resolve(QStringLiteral("tools.flaky"), QDeadlineTimer(10'000));
    QVERIFY(flaky.addresses.isEmpty());
    QVERIFY(flaky.temporary);
    QCOMPARE(flaky.error, QStringLiteral("Temporary failure in name resolution"));
    QVERIFY(resolver.resolve(QStringLiteral("tools.flaky"), QDeadlineTimer(0)).temporary);
    QCOMPARE(service->calls(), 2);
}

void tst_HostResolver::pendingLookupsAreBounded()
{
    auto service = heldNameService();
    HostResolver::Options options;
    options.maxPending = 2;
    HostResolver resolver(service->lookup(), options);
    QVERIFY(resolver.resolve(QStringLiteral("a.test"), QDeadlineTimer(0)).timedOut);
    QVERIFY(resolver.resolve(QStringLiteral("b.test"), QDeadlineTimer(0)).timedOut);
    const HostResolver::Answer refused = resolver.resolve(QStringLiteral("c.test"), QDeadlineTimer(10'000));
    QVERIFY(!refused.timedOut);
    QVERIFY(refused.addresses.isEmpty());
    QCOMPARE(refused.error, QStringLiteral("too many host name lookups are pending"));
    QVERIFY(refused.busy);  // the firewall answers 503: worth trying again
    service->release();
    // Once the others end, the third name is looked up like any other.
    QVERIFY(eventually([&] { return resolver.resolve(QStringLiteral("c.test"), QDeadlineTimer(10'000)).addresses.size() == 1; }));
    QCOMPARE(service->calls(), 3);
}

void tst_HostResolver::theResolverCanGoBeforeItsLookup()
{
    auto service = heldNameService();
    {
        HostResolver resolver(service->lookup());
        QVERIFY(resolver.resolve(QStringLiteral("late.test"), QDeadlineTimer(0)).timedOut);
        QVERIFY(eventually([&] { return service->calls() == 1; }));
    }
    service->release();  // the lookup ends after its resolver, into the state it shares
    QVERIFY(eventually([&] { return service->answered() == 1; }));
}

void tst_HostResolver::namesDifferingInCaseOrTrailingDotAreOne()
{
    auto service = heldNameService();
    service->release();
    HostResolver resolver(service->lookup());
    QCOMPARE(resolver.resolve(QStringLiteral("Tools.Test."), QDeadlineTimer(10'000)).addresses.size(), 1);
    QCOMPARE(resolver.resolve(QStringLiteral("tools.test"), QDeadlineTimer(0)).addresses.size(), 1);
    QCOMPARE(service->calls(), 1);
}

void tst_HostResolver::theSystemResolverFindsLocalhost()
{
    HostResolver resolver;  // getaddrinfo()
    const HostResolver::Answer answer = resolver.resolve(QStringLiteral("localhost"), QDeadlineTimer(10'000));
    QVERIFY2(!answer.addresses.isEmpty(), qPrintable(answer.error));
    for (const QHostAddress &address : answer.addresses)
        QVERIFY2(address.isLoopback(), qPrintable(address.toString()));
    const HostResolver::Answer none = resolver.resolve(QStringLiteral("no-such-host.invalid"), QDeadlineTimer(3000));
    QVERIFY(none.addresses.isEmpty());
    QVERIFY2(none.error.contains(QStringLiteral("no-such-host.invalid")), qPrintable(none.error));
}

void tst_HostResolver::temporaryFailuresAreTold()
{
    for (const int temporary : {EAI_AGAIN, EAI_MEMORY, EAI_SYSTEM})
        QVERIFY2(HostResolver::isTemporaryFailure(temporary), gai_strerror(temporary));
    for (const int lasting : {EAI_NONAME, EAI_FAIL, EAI_FAMILY, EAI_SERVICE})
        QVERIFY2(!HostResolver::isTemporaryFailure(lasting), gai_strerror(lasting));
}

QTEST_GUILESS_MAIN(tst_HostResolver)
#include "tst_host_resolver.moc"
