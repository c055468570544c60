// SPDX-License-Identifier: Apache-2.0
// JSON lines for SIEMs: the export's lines, where it resumes after a crash or a rotation (the
// file, the bookmark), files that are not audit logs, and lines kept while the file cannot be
// written. The OTLP export is in tst_otlp_export.
#include "AuditExportFixture.h"

#include "audit/AuditQuery.h"
#include "audit/JsonLinesPosition.h"
#include "audit/JsonLinesSink.h"
#include "audit/PositionNote.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTest>

#include <sys/stat.h>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;
using mandate::testing::sequenceRange;
using mandate::testing::sequencesInJsonLines;

class TestAuditExport : public AuditExportFixture
{
    Q_OBJECT

private slots:
    void jsonLines()
    {
        Fixture f = open();
        const QString path = m_dir.filePath(QStringLiteral("siem.jsonl"));
        auto sink = JsonLinesSink::open(path);
        QVERIFY(sink.ok());
        f.log->addSink(std::shared_ptr<AuditSink>(std::move(sink).value()));
        appendSome(*f.log, 25);
        f.log.reset(); // sinks have run for every commit once the writer stopped
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 25);
        for (int i = 0; i < lines.size(); ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines[i]).object();
            QCOMPARE(o.value(QStringLiteral("mandate.audit.sequence")).toInteger(), i + 1);
            QCOMPARE(o.value(QStringLiteral("mandate.action")).toString(), QStringLiteral("ticket:read"));
            QCOMPARE(o.value(QStringLiteral("mandate.audit.hash")).toString().size(), 64);
        }
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        auto count = JsonLinesSink::exportAll(AuditQuery(*f.db), {}, out);
        QVERIFY(count.ok());
        QCOMPARE(count.value(), 25);
        QCOMPARE(out.data().count('\n'), 25);
    }

    void jsonLinesCatchUpAfterACrash()
    {
        // Records commit before the sinks see them: a crash in between, or one in the middle of
        // a line, must not cost the SIEM a record when the gateway starts again.
        const QString path = m_dir.filePath(QStringLiteral("crash.jsonl"));
        const QString dbPath = m_dir.filePath(QStringLiteral("crash.sqlite"));
        auto db = store::Database::open(dbPath);
        QVERIFY(db);
        {
            auto log = AuditLog::open(*db.value(), {kGateway, std::nullopt, false});
            QVERIFY(log);
            QVERIFY(log.value()->addSink(std::shared_ptr<AuditSink>(JsonLinesSink::open(path).value()), 0));
            appendSome(*log.value(), 10);
        }
        QCOMPARE(sequencesInJsonLines(path), sequenceRange(1, 10));
        // The state a crash leaves: records 8 to 10 committed but never written, 8 half written.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        const QByteArray text = file.readAll();
        qsizetype cut = 0;
        for (int i = 0; i < 7; ++i)
            cut = text.indexOf('\n', cut) + 1;
        QVERIFY(file.resize(cut + 20));
        file.close();

        const auto position = lastPositionInJsonLines(path, kGateway);
        QVERIFY(position && position.value());
        QCOMPARE(position.value()->sequence, 7);
        QCOMPARE(position.value()->hash.size(), 32);
        QCOMPARE(QFileInfo(path).size(), cut);  // the partial line is gone
        QVERIFY(!lastPositionInJsonLines(path, QStringLiteral("another-gateway")).value());
        auto log = AuditLog::open(*db.value(), {kGateway, std::nullopt, false});
        QVERIFY(log);
        auto sink = std::shared_ptr<JsonLinesSink>(JsonLinesSink::open(path).value());
        // The record at the position must be this log's: another hash is another chain.
        const Status otherChain = log.value()->addSink(sink, 7, QByteArray(32, 'x'));
        QVERIFY(!otherChain);
        QCOMPARE(otherChain.error().code, QStringLiteral("conflict"));
        const Status caughtUp = log.value()->addSink(sink, 7, position.value()->hash);
        QVERIFY2(caughtUp, qPrintable(caughtUp ? QString() : caughtUp.error().message));
        QCOMPARE(sequencesInJsonLines(path), sequenceRange(1, 10));
        appendSome(*log.value(), 5);
        log.value().reset();
        QCOMPARE(sequencesInJsonLines(path), sequenceRange(1, 15));
        QCOMPARE(sink->writtenLines(), 8u);
        QCOMPARE(sink->failedLines(), 0u);

        // A file ahead of the database (another database, or another gateway's chain) is refused.
        auto again = AuditLog::open(*db.value(), {kGateway, std::nullopt, false});
        QVERIFY(again);
        const Status ahead = again.value()->addSink(std::shared_ptr<AuditSink>(JsonLinesSink::open(path).value()), 99);
        QVERIFY(!ahead);
        QCOMPARE(ahead.error().code, QStringLiteral("conflict"));
    }

    void jsonLinesResumeAfterARotationFromTheBookmark()
    {
        // The file was rotated away while the gateway was down: the bookmark knows where the
        // export stands, so the new file does not get the whole history again.
        const QString path = m_dir.filePath(QStringLiteral("bookmarked.jsonl"));
        const QString bookmark = m_dir.filePath(QStringLiteral("bookmarked.bookmark"));
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("bookmarked.sqlite")));
        QVERIFY(db);
        {
            auto log = AuditLog::open(*db.value(), {kGateway, std::nullopt, false});
            QVERIFY(log);
            QVERIFY(log.value()->addSink(std::shared_ptr<AuditSink>(JsonLinesSink::open(path, bookmark).value()), 0));
            appendSome(*log.value(), 6);
        }
        QVERIFY(QFile::rename(path, path + QStringLiteral(".1")));
        QVERIFY(!lastPositionInJsonLines(path, kGateway).value());
        // A bookmark a crash left empty or zeroed counts as none: it must not stop the gateway.
        for (const QByteArray &damaged : {QByteArray(), QByteArray(40, '\0')}) {
            QFile broken(m_dir.filePath(QStringLiteral("broken.bookmark")));
            QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
            broken.write(damaged);
            broken.close();
            const auto none = PositionNote::read(broken.fileName(), kGateway);
            QVERIFY(none && !none.value());
        }
        const auto bookmarked = PositionNote::read(bookmark, kGateway);
        QVERIFY(bookmarked && bookmarked.value());
        QCOMPARE(bookmarked.value()->sequence, 6);
        QVERIFY(!PositionNote::read(bookmark, QStringLiteral("another-gateway")).value());
        auto log = AuditLog::open(*db.value(), {kGateway, std::nullopt, false});
        QVERIFY(log);
        QVERIFY(log.value()->addSink(std::shared_ptr<AuditSink>(JsonLinesSink::open(path, bookmark).value()), 6, bookmarked.value()->hash));
        appendSome(*log.value(), 2);
        log.value().reset();
        QCOMPARE(sequencesInJsonLines(path), sequenceRange(7, 8));
        QCOMPARE(PositionNote::read(bookmark, kGateway).value()->sequence, 8);
    }

    void aNoteWrittenDurablyIsReplacedWhole()
    {
        // The place a first start notes goes through a new file and a rename; the note's later
        // in-place writes must reach that file, not the one the rename replaced.
        const QString path = m_dir.filePath(QStringLiteral("durable.note"));
        PositionNote note(path);
        note.write(NotedPosition{kGateway, {3, QByteArray(32, 'c')}});  // an older note, its file open
        const auto inode = [&path] {
            struct stat info{};
            return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? info.st_ino : ino_t(0);
        };
        const ino_t older = inode();
        QVERIFY(older != 0);
        QVERIFY(note.writeDurably(NotedPosition{kGateway, {5, QByteArray(32, 'a')}}));
        QCOMPARE(PositionNote::read(path, kGateway).value()->sequence, 5);
        // Another file under the name (made while the old one still existed, so their numbers
        // differ): renamed into place, never rewritten where a crash could leave it torn.
        QVERIFY(inode() != older);
        QVERIFY(!QFile::exists(path + QStringLiteral(".new")));
        note.write(NotedPosition{kGateway, {6, QByteArray(32, 'b')}});
        const std::optional<ChainPosition> after = PositionNote::read(path, kGateway).value();
        QVERIFY(after.has_value());
        QCOMPARE(after.value().sequence, 6);
        QCOMPARE(after.value().hash, QByteArray(32, 'b'));
    }

    void jsonLinesRefuseAFileThatIsNotAnAuditLog_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addRow("text lines") << QByteArray("127.0.0.1 localhost\n::1 localhost\n");
        QTest::addRow("text without a newline") << QByteArray("just some text");
        QTest::addRow("records, then something else") << QByteArray("{\"mandate.audit.sequence\":1}\nnot a record\n");
    }

    void jsonLinesRefuseAFileThatIsNotAnAuditLog()
    {
        // A jsonl-file set to the wrong path must stop the gateway, not lose that file's tail.
        QFETCH(QByteArray, content);
        const QString path = m_dir.filePath(QStringLiteral("not-audit.txt"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(content);
        file.close();
        const auto position = lastPositionInJsonLines(path, kGateway);
        QVERIFY(!position);
        QCOMPARE(position.error().code, QStringLiteral("invalid"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), content);
    }

    void jsonLinesKeepWhatTheyCannotWriteYet()
    {
        // The file cannot be written for a while (here: a directory stands at its path): the
        // lines wait and go first once it can, so the file has no gap.
        Fixture f = open();
        const QString path = m_dir.filePath(QStringLiteral("blocked.jsonl"));
        auto sink = std::shared_ptr<JsonLinesSink>(JsonLinesSink::open(path).value());
        f.log->addSink(sink);
        appendSome(*f.log, 3);
        QTRY_COMPARE(sink->writtenLines(), 3u);
        QVERIFY(QFile::rename(path, path + QStringLiteral(".1")) && QDir().mkdir(path));
        appendSome(*f.log, 3);
        QTRY_COMPARE(sink->failedLines(), 3u);
        QVERIFY(QDir().rmdir(path));
        appendSome(*f.log, 2);
        QTRY_COMPARE(sink->writtenLines(), 8u);
        QCOMPARE(sequencesInJsonLines(path), sequenceRange(4, 8));
        QCOMPARE(sequencesInJsonLines(path + QStringLiteral(".1")), sequenceRange(1, 3));
    }

    void jsonLinesPastTheirBacklogWaitForTheNextStart()
    {
        // More than the backlog may hold: the sink stops, and the next start's catch-up (from
        // the bookmark, the file having been moved away) writes every record after the last one
        // written, once.
        const QString path = m_dir.filePath(QStringLiteral("stalled.jsonl"));
        const QString bookmark = m_dir.filePath(QStringLiteral("stalled.bookmark"));
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("stalled.sqlite")));
        QVERIFY(db);
        {
            auto log = AuditLog::open(*db.value(), {kGateway, std::nullopt, false});
            QVERIFY(log);
            auto sink = std::shared_ptr<JsonLinesSink>(JsonLinesSink::open(path, bookmark, 1).value());
            QVERIFY(log.value()->addSink(sink, 0));
            appendSome(*log.value(), 3);
            QTRY_COMPARE(sink->writtenLines(), 3u);
            QVERIFY(QFile::rename(path, path + QStringLiteral(".1")) && QDir().mkdir(path));
            appendSome(*log.value(), 4);
            QTRY_COMPARE(sink->failedLines(), 4u);
            QVERIFY(QDir().rmdir(path));
            appendSome(*log.value(), 2);  // stopped: not written now
            QTRY_COMPARE(sink->failedLines(), 6u);
            QCOMPARE(sink->writtenLines(), 3u);
            QVERIFY(!QFile::exists(path));
        }
        QVERIFY(!lastPositionInJsonLines(path, kGateway).value());
        const auto resume = PositionNote::read(bookmark, kGateway);
        QVERIFY(resume && resume.value());
        QCOMPARE(resume.value()->sequence, 3);
        auto log = AuditLog::open(*db.value(), {kGateway, std::nullopt, false});
        QVERIFY(log);
        QVERIFY(log.value()->addSink(std::shared_ptr<AuditSink>(JsonLinesSink::open(path, bookmark).value()), 3, resume.value()->hash));
        QCOMPARE(sequencesInJsonLines(path), sequenceRange(4, 9));
    }

    void jsonLinesFollowRotation()
    {
        Fixture f = open();
        const QString path = m_dir.filePath(QStringLiteral("rotated.jsonl"));
        auto sink = std::shared_ptr<JsonLinesSink>(JsonLinesSink::open(path).value());
        f.log->addSink(sink);
        // An append is answered once committed; the sinks see it right after.
        appendSome(*f.log, 5);
        QTRY_COMPARE(sequencesInJsonLines(path), sequenceRange(1, 5));
        QVERIFY(QFile::rename(path, path + QStringLiteral(".1")));  // logrotate's create mode
        appendSome(*f.log, 5);
        QTRY_COMPARE(sequencesInJsonLines(path), sequenceRange(6, 10));
        QCOMPARE(sequencesInJsonLines(path + QStringLiteral(".1")), sequenceRange(1, 5));
        QVERIFY(QFile::remove(path));
        appendSome(*f.log, 5);
        QTRY_COMPARE(sequencesInJsonLines(path), sequenceRange(11, 15));
        QTRY_COMPARE(sink->writtenLines(), 15u);  // counted just after the lines are flushed
        QCOMPARE(sink->failedLines(), 0u);
    }
};

QTEST_GUILESS_MAIN(TestAuditExport)
#include "tst_audit_export.moc"
