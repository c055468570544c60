// SPDX-License-Identifier: Apache-2.0
// How the OTLP/HTTP export takes a (loopback) collector's answers: a batch refused for its
// content, redirects never followed, statuses that keep the records, a record the collector
// keeps failing on (isolated by halving and a probe) or a collector failing on everything, a
// batch too large halved, partial success, the byte cap, and Retry-After.
#include "AuditExportFixture.h"
#include "OtlpReceiver.h"

#include <QTest>

#include <set>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;

class TestOtlpAnswers : public AuditExportFixture
{
    Q_OBJECT

private slots:
    void otlpGivesUpOnlyOnABatchRefusedForItsContent()
    {
        // A 400 says the batch itself is wrong: sent again it would be refused again and hold up
        // every record behind it, so it is counted as rejected and the export goes on.
        Fixture f = open();
        OtlpReceiver receiver;
        receiver.failuresLeft = 1;
        receiver.failure = "400 Bad Request";
        QVERIFY(receiver.listen());
        OtlpExporter::Options options = otlpOptions(receiver.port(), QStringLiteral("spool-400"));
        const std::shared_ptr<OtlpExporter> otlp = startOtlp(options);
        QVERIFY(otlp);
        f.log->addSink(otlp);
        appendSome(*f.log, 10);
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent() + otlp->rejected(), 10u, 15000);
        QVERIFY(otlp->rejected() > 0);  // the first batch, counted
        QCOMPARE(otlp->failedAttempts(), 0u);
        QCOMPARE(quint64(receiver.sequences.size()), otlp->sent());
        appendSome(*f.log, 5);  // and what follows goes through
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent() + otlp->rejected(), 15u, 15000);
        QCOMPARE(otlp->pendingBytes(), 0);
        f.log.reset();
    }

    void otlpKeepsTheRecordsWhileTheCollectorRefusesEverything_data()
    {
        QTest::addColumn<QByteArray>("failure");
        QTest::addColumn<QByteArray>("headers");
        // A rotated credential, a wrong path, a broken collector: nothing of the batch is wrong.
        QTest::addRow("401") << QByteArray("401 Unauthorized") << QByteArray();
        QTest::addRow("403") << QByteArray("403 Forbidden") << QByteArray();
        QTest::addRow("404") << QByteArray("404 Not Found") << QByteArray();
        QTest::addRow("429") << QByteArray("429 Too Many Requests") << QByteArray();
        // A login page in front of the collector: followed, the POST would become a GET that
        // the page answers 200, and every record would count as sent.
        QTest::addRow("302 to a login page") << QByteArray("302 Found") << QByteArray("Location: /login\r\n");
        // 307 and 308 keep the POST: followed, they would take the credential to another host.
        QTest::addRow("308 to another collector") << QByteArray("308 Permanent Redirect")
                                                  << QByteArray("Location: http://user:secret@127.0.0.1:ELSEWHERE/v1/logs\r\n");
    }

    void otlpKeepsTheRecordsWhileTheCollectorRefusesEverything()
    {
        QFETCH(QByteArray, failure);
        QFETCH(QByteArray, headers);
        Fixture f = open();
        OtlpReceiver elsewhere;  // where a redirect points: it must never be asked
        QVERIFY(elsewhere.listen());
        OtlpReceiver receiver;
        receiver.failuresLeft = 3;
        receiver.failure = failure;
        receiver.failureHeaders = headers.replace("ELSEWHERE", QByteArray::number(elsewhere.port()));
        QVERIFY(receiver.listen());
        OtlpExporter::Options options = otlpOptions(receiver.port(), QStringLiteral("spool-refused-%1").arg(QString::fromLatin1(failure.left(3))));
        options.maxBackoffMs = 100;
        const std::shared_ptr<OtlpExporter> otlp = startOtlp(options);
        QVERIFY(otlp);
        appendSome(*f.log, 10);
        QVERIFY(f.log->addSink(otlp, 0));  // all ten spooled at once: one batch
        // Every record arrives once the collector takes them, none rejected, each exactly once.
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent(), 10u, 15000);
        QCOMPARE(otlp->rejected(), 0u);
        QCOMPARE(otlp->failedAttempts(), 3u);
        QCOMPARE(receiver.requests, 4);  // the same batch three times, then taken
        QCOMPARE(elsewhere.requests, 0);
        QCOMPARE(int(receiver.sequences.size()), 10);
        QCOMPARE(int(std::set<qint64>(receiver.sequences.begin(), receiver.sequences.end()).size()), 10);
        QCOMPARE(otlp->pendingBytes(), 0);
        f.log.reset();
    }

    void otlpIsolatesARecordTheCollectorKeepsFailingOn()
    {
        // A 500 (or 422) again and again for the same records may be one record the collector
        // cannot take: halving finds it, and it alone is refused; the others all arrive.
        Fixture f = open();
        OtlpReceiver receiver;
        receiver.failure = "500 Internal Server Error";
        receiver.poison = 6;
        QVERIFY(receiver.listen());
        OtlpExporter::Options options = otlpOptions(receiver.port(), QStringLiteral("spool-poison"));
        options.maxBackoffMs = 50;
        const std::shared_ptr<OtlpExporter> otlp = startOtlp(options);
        QVERIFY(otlp);
        appendSome(*f.log, 10);
        QVERIFY(f.log->addSink(otlp, 0));
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent() + otlp->rejected(), 10u, 15000);
        QCOMPARE(otlp->rejected(), 1u);
        // Every other record arrived (the one after it twice: once as the probe that showed the
        // collector takes other records).
        QCOMPARE(int(std::set<qint64>(receiver.sequences.begin(), receiver.sequences.end()).size()), 9);
        QVERIFY(receiver.sequences.find(6) == receiver.sequences.end());
        appendSome(*f.log, 3);  // and the export goes on
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent(), 12u, 15000);
        f.log.reset();
    }

    void otlpRefusesNothingWhileTheCollectorFailsOnEverything()
    {
        // 500 for every request looks, batch after batch, like a record the collector cannot
        // take; but the probe (the next record alone) fails too, so nothing is refused, and all
        // of it arrives once the collector recovers.
        Fixture f = open();
        OtlpReceiver receiver;
        receiver.failure = "500 Internal Server Error";
        receiver.failuresLeft = 1'000'000;
        QVERIFY(receiver.listen());
        OtlpExporter::Options options = otlpOptions(receiver.port(), QStringLiteral("spool-down-500"));
        options.maxBackoffMs = 20;
        const std::shared_ptr<OtlpExporter> otlp = startOtlp(options);
        QVERIFY(otlp);
        appendSome(*f.log, 4);
        QVERIFY(f.log->addSink(otlp, 0));
        // Halved to one record (3 failures at 4, 2 and 1), then probed again and again.
        QTRY_VERIFY_WITH_TIMEOUT(otlp->failedAttempts() >= 20, 15000);
        QCOMPARE(otlp->rejected(), 0u);
        QCOMPARE(otlp->sent(), 0u);
        QVERIFY(receiver.recordsPerRequest.contains(1));
        receiver.failuresLeft = 0;
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent(), 4u, 15000);
        QCOMPARE(otlp->rejected(), 0u);
        QCOMPARE(int(std::set<qint64>(receiver.sequences.begin(), receiver.sequences.end()).size()), 4);
        f.log.reset();
    }

    void otlpHalvesABatchTheCollectorFindsTooLarge()
    {
        // 413: the same records again in smaller requests, none lost; a record too large alone
        // is the one refusal that cannot be helped.
        Fixture f = open();
        OtlpReceiver receiver;
        receiver.failuresLeft = 2;
        receiver.failure = "413 Content Too Large";
        QVERIFY(receiver.listen());
        OtlpExporter::Options options = otlpOptions(receiver.port(), QStringLiteral("spool-413"));
        options.maxBatch = 8;
        const std::shared_ptr<OtlpExporter> otlp = startOtlp(options);
        QVERIFY(otlp);
        appendSome(*f.log, 8);  // spooled before the exporter joins: one batch of eight
        QVERIFY(f.log->addSink(otlp, 0));
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent(), 8u, 15000);
        QCOMPARE(otlp->rejected(), 0u);
        QCOMPARE(receiver.recordsPerRequest, (QList<int>{8, 4, 2, 2, 2, 2}));  // halved twice, and not grown past what a 413 refused
        QCOMPARE(int(std::set<qint64>(receiver.sequences.begin(), receiver.sequences.end()).size()), 8);

        OtlpReceiver strict;  // one record alone is refused as too large
        strict.failuresLeft = 1;
        strict.failure = "413 Content Too Large";
        QVERIFY(strict.listen());
        options = otlpOptions(strict.port(), QStringLiteral("spool-413-one"));
        options.maxBatch = 1;
        const std::shared_ptr<OtlpExporter> single = startOtlp(options);
        QVERIFY(single);
        f.log->addSink(single);
        appendSome(*f.log, 3);
        QTRY_COMPARE_WITH_TIMEOUT(single->sent() + single->rejected(), 3u, 15000);
        QCOMPARE(single->rejected(), 1u);
        QCOMPARE(strict.requests, 3);
        f.log.reset();
    }

    void otlpCountsWhatASuccessRejects_data()
    {
        QTest::addColumn<QByteArray>("count");
        QTest::addColumn<int>("perRequest");  // rejected per request, every request holding one or more
        QTest::addRow("as a string") << QByteArray(R"("1")") << 1;
        QTest::addRow("as a number") << QByteArray("1") << 1;
        QTest::addRow("negative") << QByteArray("-1") << 0;
        QTest::addRow("zero") << QByteArray(R"("0")") << 0;
    }

    void otlpCountsWhatASuccessRejects()
    {
        // OTLP's ExportLogsPartialSuccess: a 200 that refuses some records. They are rejected,
        // not sent. And each request stays under the byte cap, however many records wait.
        QFETCH(QByteArray, count);
        QFETCH(int, perRequest);
        Fixture f = open();
        OtlpReceiver receiver;
        receiver.successBody = R"({"partialSuccess":{"rejectedLogRecords":)" + count + R"(,"errorMessage":"too many attributes"}})";
        QVERIFY(receiver.listen());
        OtlpExporter::Options options = otlpOptions(receiver.port(), QStringLiteral("spool-partial-") + QString::fromLatin1(QTest::currentDataTag()));
        options.maxBatchBytes = 8 << 10;  // a handful of records per request
        const std::shared_ptr<OtlpExporter> otlp = startOtlp(options);
        QVERIFY(otlp);
        f.log->addSink(otlp);
        appendSome(*f.log, 40);
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent() + otlp->rejected(), 40u, 15000);
        QVERIFY(receiver.requests >= 4);
        QCOMPARE(otlp->rejected(), quint64(perRequest * receiver.requests));
        QCOMPARE(otlp->failedAttempts(), 0u);
        for (const qsizetype size : std::as_const(receiver.bodySizes))
            QVERIFY2(size < 64 << 10, qPrintable(QString::number(size)));  // the spool's 8 KiB, as OTLP JSON
        f.log.reset();
    }

    void otlpSendsARecordLargerThanTheByteCapAlone()
    {
        // At least one record per request, however small the cap: the export never stalls.
        Fixture f = open();
        OtlpReceiver receiver;
        QVERIFY(receiver.listen());
        OtlpExporter::Options options = otlpOptions(receiver.port(), QStringLiteral("spool-tiny-cap"));
        options.maxBatchBytes = 1;
        const std::shared_ptr<OtlpExporter> otlp = startOtlp(options);
        QVERIFY(otlp);
        f.log->addSink(otlp);
        appendSome(*f.log, 6);
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent(), 6u, 15000);
        QCOMPARE(receiver.requests, 6);
        f.log.reset();
    }

    void otlpWaitsWhatTheCollectorAsks_data()
    {
        QTest::addColumn<bool>("asDate");
        QTest::addRow("delay-seconds") << false;
        QTest::addRow("HTTP-date") << true;
    }

    void otlpWaitsWhatTheCollectorAsks()
    {
        // A 503 with Retry-After (one second, or a date two seconds ahead) is not retried after
        // the 20 ms backoff, but after that time.
        QFETCH(bool, asDate);
        Fixture f = open();
        OtlpReceiver receiver;
        receiver.failuresLeft = 1;
        if (asDate)
            receiver.retryAfterDateSecs = 2;  // a whole second at least, however the clock's second is cut
        else
            receiver.retryAfter = "1";
        QVERIFY(receiver.listen());
        OtlpExporter::Options options = otlpOptions(receiver.port(), QStringLiteral("spool-retry-after-%1").arg(asDate));
        const std::shared_ptr<OtlpExporter> otlp = startOtlp(options);
        QVERIFY(otlp);
        f.log->addSink(otlp);
        appendSome(*f.log, 5);
        QTRY_COMPARE(receiver.requests, 1);
        QTest::qWait(600);  // thirty backoffs' worth: no second attempt yet
        QCOMPARE(receiver.requests, 1);
        QTRY_COMPARE_WITH_TIMEOUT(otlp->sent(), 5u, 15000);
        QCOMPARE(otlp->failedAttempts(), 1u);
        f.log.reset();
    }
};

QTEST_GUILESS_MAIN(TestOtlpAnswers)
#include "tst_otlp_answers.moc"
