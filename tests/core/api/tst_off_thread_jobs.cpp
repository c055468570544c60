// SPDX-License-Identifier: Apache-2.0
// api::OffThreadJobs: admin requests answered on a pool, a bounded number running or waiting,
// each started only if its caller's key still exists when its turn comes.
#include "api/AdminAuth.h"
#include "api/ApiKeyStore.h"
#include "api/OffThreadJobs.h"
#include "common/Clock.h"
#include "store/Database.h"

#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <future>
#include <mutex>
#include <optional>

using namespace mandate;
using namespace mandate::api;

class TestOffThreadJobs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void busyBeyondTheLimitAndRevokedWhileWaiting();

private:
    /// One request's answer, set from whichever thread answers it.
    struct Answer
    {
        std::mutex mutex;
        std::optional<HttpResponse> response;
        Completion completion()
        {
            return [this](HttpResponse r) {
                const std::lock_guard lock(mutex);
                response = std::move(r);
            };
        }
        std::optional<int> status()
        {
            const std::lock_guard lock(mutex);
            return response ? std::optional<int>(response->status) : std::nullopt;
        }
    };
};

void TestOffThreadJobs::busyBeyondTheLimitAndRevokedWhileWaiting()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto db = store::Database::open(dir.filePath(QStringLiteral("jobs.db")));
    QVERIFY(db.ok());
    ManualClock clock;
    ApiKeyStore keys(*db.value(), clock);
    const AdminAuth auth(keys);
    const Result<QString> admin = keys.create(QStringLiteral("ops"), Role::Admin);
    const Result<QString> auditor = keys.create(QStringLiteral("audit"), Role::Auditor);
    QVERIFY(admin.ok() && auditor.ok());

    QThreadPool pool;
    pool.setMaxThreadCount(1);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> ran{0};
    Router router;
    auto jobs = std::make_shared<OffThreadJobs>(pool, auth, 2, QStringLiteral("busy now"));
    router.addAsync("GET", QStringLiteral("/slow"), OffThreadJobs::route(jobs, Permission::ReadAudit, [&](const HttpRequest &) {
        ++ran;
        released.wait();
        return HttpResponse::json(QJsonObject{{QStringLiteral("ok"), true}});
    }));
    const auto request = [](const QString &key) {
        HttpRequest r;
        r.method = "GET";
        r.path = QStringLiteral("/slow");
        r.headers.append({"authorization", "Bearer " + key.toLatin1()});
        return r;
    };

    Answer running, waiting, refused, unauthenticated;
    router.dispatch(request(admin.value()), running.completion());        // runs, and blocks
    QTRY_COMPARE(ran.load(), 1);
    router.dispatch(request(auditor.value()), waiting.completion());      // waits its turn
    router.dispatch(request(admin.value()), refused.completion());        // one too many
    QCOMPARE(refused.status(), std::optional<int>(503));
    {
        const std::lock_guard lock(refused.mutex);
        QCOMPARE(refused.response->header("Retry-After"), QByteArray("10"));
    }
    router.dispatch(request(QStringLiteral("mdk_nobody")), unauthenticated.completion());  // never queued
    QCOMPARE(unauthenticated.status(), std::optional<int>(401));

    // The waiting caller's key is revoked before its turn: it does not run.
    const Result<ApiPrincipal> waitingCaller = keys.authenticate(auditor->toLatin1());
    QVERIFY(waitingCaller.ok());
    QVERIFY(keys.revoke(waitingCaller->keyId).ok());
    release.set_value();
    QTRY_COMPARE(running.status(), std::optional<int>(200));
    QTRY_COMPARE(waiting.status(), std::optional<int>(401));
    QCOMPARE(ran.load(), 1);

    // Both places are free again.
    Answer again;
    router.dispatch(request(admin.value()), again.completion());
    QTRY_COMPARE(again.status(), std::optional<int>(200));
    pool.waitForDone();
}

QTEST_GUILESS_MAIN(TestOffThreadJobs)
#include "tst_off_thread_jobs.moc"
