// SPDX-License-Identifier: Apache-2.0
// mandatectl audit verify|head|query|export|lineage on a real data directory.
#include "AuditTestUtil.h"

#include "audit/AuditLog.h"
#include "crypto/Base64Url.h"
#include "store/Database.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTest>

#include <atomic>
#include <csignal>

#include <sys/resource.h>
#include <unistd.h>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;

namespace {

/// An OTLP collector on a thread of its own (ctl() blocks the test's thread): answers every
/// POST 200 and counts the log records it was sent.
class ThreadedCollector
{
public:
    ThreadedCollector()
    {
        m_context.moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(&m_context, [this] {
            auto *server = new QTcpServer(&m_context);
            QObject::connect(server, &QTcpServer::newConnection, &m_context, [this, server] {
                while (QTcpSocket *socket = server->nextPendingConnection())
                    QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { read(socket); });
            });
            if (server->listen(QHostAddress::LocalHost))
                m_port = server->serverPort();
        }, Qt::BlockingQueuedConnection);
    }
    ~ThreadedCollector()
    {
        QMetaObject::invokeMethod(&m_context, [this] { qDeleteAll(m_context.children()); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    quint16 port() const { return m_port; }
    int records() const { return m_records.load(); }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
        for (;;) {  // requests on a kept connection, one after another
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            const qsizetype at = buffer.toLower().indexOf("content-length:");
            if (end < 0 || at < 0 || at > end)
                break;
            const qsizetype length = buffer.mid(at + 15, buffer.indexOf('\n', at) - at - 15).trimmed().toLongLong();
            if (buffer.size() < end + 4 + length)
                break;
            m_records += int(buffer.mid(end + 4, length).count("\"timeUnixNano\""));
            buffer.remove(0, end + 4 + length);
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        }
        socket->setProperty("buffer", buffer);
    }

    QThread m_thread;
    QObject m_context;
    std::atomic<quint16> m_port{0};
    std::atomic<int> m_records{0};
};

} // namespace

class TestAuditCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    Run ctl(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral(MANDATECTL), QStringList{QStringLiteral("audit")} + args);
        Run r;
        if (!p.waitForFinished(60'000))
            return r;
        r.exitCode = p.exitCode();
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }
    QStringList dataDir() const { return {QStringLiteral("--data-dir"), m_dir.path()}; }
    /// Runs `sql` on the SQLite file `path` as another program would, outside Mandate's Database.
    static bool execOn(const QString &path, const QString &sql)
    {
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("execOn"));
            db.setDatabaseName(path);
            ok = db.open() && QSqlQuery(db).exec(sql);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("execOn"));
        return ok;
    }
    /// The export formats, as test data rows.
    static void addFormats()
    {
        QTest::addColumn<QString>("format");
        QTest::addRow("jsonl") << QStringLiteral("jsonl");
        QTest::addRow("otlp") << QStringLiteral("otlp");
    }

private slots:
    void initTestCase()
    {
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("mandate.db")));
        QVERIFY(db.ok());
        AuditLog::Options options;
        options.gatewayId = kGateway;
        auto log = AuditLog::open(*db.value(), options);
        QVERIFY(log.ok());
        QVERIFY(log.value()->append(delegation(QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"))).ok());
        QVERIFY(log.value()->append(delegation(QStringLiteral("alice"), QStringLiteral("refund-subagent"), QStringLiteral("e2"), QStringLiteral("e1"), 1)).ok());
        for (int i = 0; i < 6; ++i)
            QVERIFY(log.value()->append(decision(QStringLiteral("alice"), QStringLiteral("refund-subagent"), QStringLiteral("e2"),
                                                 QStringLiteral("refund:create"), i % 2 == 0, QStringLiteral("e1"), 2 + i)).ok());
        QFile key(m_dir.filePath(QStringLiteral("gateway.key")));
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.write("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"" + crypto::Base64Url::encode(QByteArray(32, '\x07')) + "\"}");
    }

    void verifyFailsOnAnUnreadableLog()
    {
        // A log whose records cannot be read is not verified: exit 1 (as tampering), not 0, and
        // not the usage error (2) that a wrong command line gets.
        QTemporaryDir copy;
        QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("mandate.db")), copy.filePath(QStringLiteral("mandate.db"))));
        {
            auto db = store::Database::open(copy.filePath(QStringLiteral("mandate.db")));
            QVERIFY(db.ok());
            QSqlQuery q(db.value()->connection());
            QVERIFY(q.exec(QStringLiteral("ALTER TABLE audit_records RENAME COLUMN body TO body_gone")));
        }
        Run unreadable = ctl({QStringLiteral("verify"), QStringLiteral("--data-dir"), copy.path()});
        QCOMPARE(unreadable.exitCode, 1);
        QVERIFY2(unreadable.out.isEmpty() && !unreadable.err.isEmpty(), unreadable.err.constData());
        QVERIFY2(!unreadable.err.contains("intact"), unreadable.err.constData());
    }

    void verifyHeadAndTruncation()
    {
        Run ok = ctl(QStringList{QStringLiteral("verify")} + dataDir());
        QCOMPARE(ok.exitCode, 0);
        QVERIFY(ok.out.startsWith("intact: 8 records"));
        const QString headFile = m_dir.filePath(QStringLiteral("head.json"));
        Run head = ctl(QStringList{QStringLiteral("head"), QStringLiteral("--key"), m_dir.filePath(QStringLiteral("gateway.key")),
                                   QStringLiteral("--output"), headFile} + dataDir());
        QCOMPARE(head.exitCode, 0);
        QCOMPARE(ctl(QStringList{QStringLiteral("verify"), QStringLiteral("--head"), headFile} + dataDir()).exitCode, 0);
        // To a device, written in place: not replaced by a file beside it.
        QFile saved(headFile);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const Run toStdout = ctl(QStringList{QStringLiteral("head"), QStringLiteral("--key"), m_dir.filePath(QStringLiteral("gateway.key")),
                                             QStringLiteral("--output"), QStringLiteral("/dev/stdout")} + dataDir());
        QVERIFY2(toStdout.exitCode == 0, toStdout.err.constData());
        QCOMPARE(toStdout.out.left(40), saved.readAll().left(40));
        // A chain named that holds nothing is not "intact", and has no head to sign.
        Run nothing = ctl(QStringList{QStringLiteral("verify"), QStringLiteral("--gateway"), QStringLiteral("gw-typo")} + dataDir());
        QCOMPARE(nothing.exitCode, 1);
        QVERIFY2(nothing.err.contains("no audit records for gateway gw-typo"), nothing.err.constData());
        QCOMPARE(ctl(QStringList{QStringLiteral("head"), QStringLiteral("--key"), m_dir.filePath(QStringLiteral("gateway.key")),
                                 QStringLiteral("--gateway"), QStringLiteral("gw-typo")} + dataDir()).exitCode, 1);

        auto db = store::Database::open(m_dir.filePath(QStringLiteral("mandate.db")));
        QVERIFY(db.ok());
        QSqlQuery q(db.value()->connection());
        QVERIFY(q.exec(QStringLiteral("DELETE FROM audit_records WHERE seq >= 7")));
        Run truncated = ctl(QStringList{QStringLiteral("verify"), QStringLiteral("--head"), headFile} + dataDir());
        QCOMPARE(truncated.exitCode, 1);
        QVERIFY2(truncated.out.contains("truncated") && truncated.out.contains("record 7"), truncated.out.constData());
        Run json = ctl(QStringList{QStringLiteral("verify"), QStringLiteral("--json"), QStringLiteral("--head"), headFile} + dataDir());
        QCOMPARE(json.exitCode, 1);
        QVERIFY(json.out.contains("\"problem\": \"truncated\""));
    }

    void queryExportLineage()
    {
        Run query = ctl(QStringList{QStringLiteral("query"), QStringLiteral("--execution"), QStringLiteral("e1")} + dataDir());
        QCOMPARE(query.exitCode, 0);
        QCOMPARE(query.out.count('\n'), 6); // e1 and its sub-execution e2 (two were truncated above)
        Run deny = ctl(QStringList{QStringLiteral("query"), QStringLiteral("--decision"), QStringLiteral("deny")} + dataDir());
        QCOMPARE(deny.out.count('\n'), 2);
        Run paged = ctl(QStringList{QStringLiteral("query"), QStringLiteral("--limit"), QStringLiteral("2")} + dataDir());
        QCOMPARE(paged.out.count('\n'), 2);
        QVERIFY(paged.err.startsWith("next cursor: "));
        Run jsonl = ctl(QStringList{QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("jsonl")} + dataDir());
        QCOMPARE(jsonl.exitCode, 0);
        QCOMPARE(jsonl.out.count('\n'), 6);
        Run otlp = ctl(QStringList{QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("otlp")} + dataDir());
        QCOMPARE(otlp.exitCode, 0);
        QVERIFY(otlp.out.startsWith("{\"resourceLogs\":"));
        Run dot = ctl(QStringList{QStringLiteral("lineage"), QStringLiteral("--execution"), QStringLiteral("e2"),
                                  QStringLiteral("--format"), QStringLiteral("dot")} + dataDir());
        QCOMPARE(dot.exitCode, 0);
        QVERIFY(dot.out.contains("\"execution:e1\" -> \"execution:e2\""));
        QCOMPARE(ctl(QStringList{QStringLiteral("lineage")} + dataDir()).exitCode, 2);
        QCOMPARE(ctl(QStringList{QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("xml")} + dataDir()).exitCode, 2);
    }

    void exportPostsToACollector()
    {
        // Every record reaches the collector; what is printed names it without the credential
        // the URL carries.
        ThreadedCollector collector;
        QVERIFY(collector.port() != 0);
        const QString endpoint = QStringLiteral("http://agent:s3cret@127.0.0.1:%1/v1/logs").arg(collector.port());
        Run posted = ctl(QStringList{QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("otlp"),
                                     QStringLiteral("--endpoint"), endpoint} + dataDir());
        QVERIFY2(posted.exitCode == 0, posted.err.constData());
        QCOMPARE(collector.records(), 6);
        QVERIFY2(posted.err.contains(QStringLiteral("exported 6 of 6 records to http://127.0.0.1:%1/v1/logs").arg(collector.port()).toUtf8()),
                 posted.err.constData());
        QVERIFY2(!posted.err.contains("s3cret") && !posted.out.contains("s3cret"), posted.err.constData());
    }

    void exportFailsWhenStdoutFails_data() { addFormats(); }

    void exportFailsWhenStdoutFails()
    {
        // A small export sits in the output buffer until the end: its failure shows only then.
        QFETCH(QString, format);
        QProcess p;
        p.setChildProcessModifier([] {
            ::signal(SIGPIPE, SIG_IGN);
            int fds[2];
            if (::pipe(fds) == 0) {
                ::close(fds[0]);  // nobody reads: every write fails (EPIPE)
                ::dup2(fds[1], STDOUT_FILENO);
            }
        });
        p.start(QStringLiteral(MANDATECTL), QStringList{QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"), format} + dataDir());
        QVERIFY(p.waitForFinished(60'000));
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains("mandatectl: cannot write the export"), err.constData());
    }

    void exportToAFileIsWholeOrNothing_data() { addFormats(); }

    void exportToAFileIsWholeOrNothing()
    {
        // An export larger than the file size limit the command runs under (standing in for a
        // full disk) fails and leaves no file; without the limit it is written, owner-only.
        QFETCH(QString, format);
        QTemporaryDir dir;
        {
            auto db = store::Database::open(dir.filePath(QStringLiteral("mandate.db")));
            QVERIFY(db.ok());
            auto log = AuditLog::open(*db.value(), {kGateway, std::nullopt, false});
            QVERIFY(log.ok());
            for (int i = 0; i < 60; ++i) {
                AuditRecord record = decision(QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"),
                                              QStringLiteral("ticket:read"), true, {}, i);
                record.statedReason = QString(2000, QLatin1Char('r'));
                QVERIFY(log.value()->append(record).ok());
            }
        }
        const QString target = dir.filePath(QStringLiteral("export.") + format);
        constexpr rlim_t kLimit = 64 << 10;  // above the database's shared-memory file, below the export
        const auto run = [&](bool limited) {
            QProcess p;
            if (limited) {
                p.setChildProcessModifier([] {
                    ::signal(SIGXFSZ, SIG_IGN);
                    const rlimit limit{kLimit, kLimit};
                    ::setrlimit(RLIMIT_FSIZE, &limit);
                });
            }
            p.start(QStringLiteral(MANDATECTL), {QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"), format,
                                                 QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--output"), target});
            p.waitForFinished(60'000);
            return std::pair{p.exitCode(), p.readAllStandardError()};
        };
        const auto [code, err] = run(true);
        QCOMPARE(code, 1);
        const QByteArray message = QByteArray("mandatectl: cannot write ").append(target.toUtf8());
        QVERIFY2(err.contains(message), err.constData());
        QVERIFY(!QFile::exists(target));  // nothing half written is left under the name
        QCOMPARE(run(false).first, 0);
        QVERIFY(QFileInfo(target).size() > qint64(kLimit));
        // Not a regular file: written in place, not replaced.
        QProcess toStdout;
        toStdout.start(QStringLiteral(MANDATECTL), {QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"), format,
                                                    QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--output"), QStringLiteral("/dev/stdout")});
        QVERIFY(toStdout.waitForFinished(60'000));
        QCOMPARE(toStdout.exitCode(), 0);
        QVERIFY(toStdout.readAllStandardOutput().size() > qint64(kLimit));
        QCOMPARE(QFileInfo(target).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    }

    void readsADatabaseWithoutChangingIt()
    {
        // The audit commands inspect, as on a forensic copy: nothing is created, migrated or
        // written, and a file that is no Mandate database at this schema is refused.
        QTemporaryDir dir;
        const QString copy = dir.filePath(QStringLiteral("copy.db"));
        QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("mandate.db")), copy));
        const auto digest = [](const QString &path) {
            QFile file(path);
            return file.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256) : QByteArray();
        };
        const QByteArray intactCopy = digest(copy);
        for (const QString &command : {QStringLiteral("verify"), QStringLiteral("query")}) {
            const Run read = ctl({command, QStringLiteral("--db"), copy});
            QVERIFY2(read.exitCode == 0, read.err.constData());
        }
        QCOMPARE(digest(copy), intactCopy);

        // Another program's SQLite file.
        const QString foreign = dir.filePath(QStringLiteral("foreign.db"));
        QVERIFY(execOn(foreign, QStringLiteral("CREATE TABLE foo (x)")));
        const QByteArray foreignBefore = digest(foreign);
        const Run refused = ctl({QStringLiteral("verify"), QStringLiteral("--db"), foreign});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("is not a Mandate database"), refused.err.constData());
        QVERIFY(!refused.out.contains("intact"));
        QCOMPARE(digest(foreign), foreignBefore);
        QVERIFY(!QFile::exists(foreign + QStringLiteral("-wal")) && !QFile::exists(foreign + QStringLiteral("-shm")));

        // A database of an older schema: the gateway migrates it, not the CLI.
        QVERIFY(execOn(copy, QStringLiteral("UPDATE meta SET value = '3' WHERE key = 'schema_version'")));
        const QByteArray olderBefore = digest(copy);
        const Run older = ctl({QStringLiteral("query"), QStringLiteral("--db"), copy});
        QCOMPARE(older.exitCode, 2);
        QVERIFY2(older.err.contains("schema version 3, older than this build reads"), older.err.constData());
        QCOMPARE(digest(copy), olderBefore);
    }

    void optionsNeedRealValues()
    {
        // An unset shell variable or a forgotten value must not widen a query to everything.
        const Run empty = ctl(QStringList{QStringLiteral("query"), QStringLiteral("--human"), QString()} + dataDir());
        QCOMPARE(empty.exitCode, 2);
        QVERIFY(empty.out.isEmpty());
        const Run next = ctl(QStringList{QStringLiteral("export"), QStringLiteral("--output"), QStringLiteral("--format"),
                                         QStringLiteral("jsonl")} + dataDir());
        QCOMPARE(next.exitCode, 2);
        QVERIFY(!QFile::exists(QStringLiteral("--format")));
        const Run twice = ctl(QStringList{QStringLiteral("query"), QStringLiteral("--human"), QStringLiteral("alice"), QStringLiteral("--human"),
                                          QStringLiteral("bob")} + dataDir());
        QCOMPARE(twice.exitCode, 2);
        QVERIFY2(twice.err.contains("--human is given twice") && twice.out.isEmpty(), twice.err.constData());
        const Run both = ctl({QStringLiteral("verify"), QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--db"),
                              m_dir.filePath(QStringLiteral("mandate.db"))});
        QCOMPARE(both.exitCode, 2);
        QVERIFY2(both.err.contains("not both"), both.err.constData());
    }

    void queryFailsWhenStdoutFails()
    {
        // Records that did not reach their reader are a failure, not a silent success.
        QProcess p;
        p.setChildProcessModifier([] {
            ::signal(SIGPIPE, SIG_IGN);
            int fds[2];
            if (::pipe(fds) == 0) {
                ::close(fds[0]);
                ::dup2(fds[1], STDOUT_FILENO);
            }
        });
        p.start(QStringLiteral(MANDATECTL), QStringList{QStringLiteral("audit"), QStringLiteral("query")} + dataDir());
        QVERIFY(p.waitForFinished(60'000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("cannot write to standard output"));
    }
};

QTEST_GUILESS_MAIN(TestAuditCli)
#include "tst_audit_cli.moc"
