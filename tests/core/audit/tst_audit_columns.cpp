// SPDX-License-Identifier: Apache-2.0
// The query columns of audit_records: what the writer stores must be what the body says (as
// BodyColumnReader and SQLite's json_extract read it), and a column changed on its own must be
// named by the verifier.
#include "AuditTestUtil.h"

#include "audit/AuditColumns.h"
#include "audit/AuditLog.h"
#include "audit/AuditVerifier.h"
#include "audit/BodyColumnReader.h"
#include "store/Database.h"

#include <QJsonArray>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace mandate;
using namespace mandate::audit;
using namespace mandate::audit::testing;

Q_DECLARE_METATYPE(mandate::audit::AuditRecord)

namespace {

/// json_extract's reading of one top-level field, as the schema-4 generated columns had it.
QVariant jsonExtract(const QByteArray &body, QByteArrayView key)
{
    QSqlQuery q(QSqlDatabase::database(QStringLiteral("columns-json")));
    q.prepare(QStringLiteral("SELECT json_extract(CAST(? AS TEXT), ?)"));
    q.bindValue(0, body);
    q.bindValue(1, QStringLiteral("$.\"%1\"").arg(QString::fromLatin1(key)));
    if (!q.exec() || !q.next())
        return QStringLiteral("<json_extract failed>");
    return q.value(0);
}

} // namespace

class TestAuditColumns : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("columns-json"));
        db.setDatabaseName(QStringLiteral(":memory:"));
        QVERIFY(db.open());
    }

    void writerColumnsAgreeWithTheBody_data()
    {
        QTest::addColumn<AuditRecord>("record");
        QTest::addRow("delegation") << delegation(QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"));
        QTest::addRow("sub-execution") << delegation(QStringLiteral("alice"), QStringLiteral("sub-agent"), QStringLiteral("e2"), QStringLiteral("e1"));
        QTest::addRow("decision") << decision(QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"),
                                              QStringLiteral("refund:create"), true, {}, 42);
        AuditRecord odd = decision(QStringLiteral("al\"ice\\"), QStringLiteral("agent\n\t\x01"), QStringLiteral("é-exec-😀"),
                                   QStringLiteral("refund:créate"), false, {}, 7);
        odd.time = QDateTime(QDate(2026, 2, 3), QTime(4, 5, 6, 7), Qt::UTC);
        QTest::addRow("escapes and non-ASCII") << odd;
        // Tool arguments are the caller's: a nested "mandate.decision" must not be taken for the record's.
        AuditRecord nested = decision(QStringLiteral("alice"), QStringLiteral("a"), QStringLiteral("e3"), QStringLiteral("x:y"), true);
        nested.cedarRequest.insert(QStringLiteral("context"),
                                   QJsonObject{{QStringLiteral("mandate.decision"), QStringLiteral("deny")},
                                               {QStringLiteral("time"), QStringLiteral("[{\"}")},
                                               {QStringLiteral("trace_id"), QJsonArray{QStringLiteral("]"), QStringLiteral("\\\"")}}});
        nested.details = QJsonObject{{QStringLiteral("mandate.agent.id"), QStringLiteral("mallory")}};
        QTest::addRow("column keys nested in arguments") << nested;
        AuditRecord admin;
        admin.time = baseTime();
        admin.gatewayId = kGateway;
        admin.event = EventType::AdminChange;
        admin.adminActor = QStringLiteral("root");
        admin.adminTarget = QStringLiteral("agent:a");
        admin.adminBefore = QJsonObject{{QStringLiteral("status"), QStringLiteral("active")}, {QStringLiteral("n"), 1.5}};
        admin.adminAfter = QJsonValue(true);
        QTest::addRow("admin change: most columns absent") << admin;
    }

    void writerColumnsAgreeWithTheBody()
    {
        QFETCH(AuditRecord, record);
        QVERIFY(record.validate().ok());
        const QByteArray body = record.canonicalBytes();
        const AuditColumns::Values written = AuditColumns::fromRecord(record);
        BodyColumnReader reader;
        QVERIFY2(reader.read(body), body.constData());
        for (int c = 0; c < AuditColumns::Count; ++c) {
            const auto column = AuditColumns::Column(c);
            const QByteArrayView read = reader.value(column);
            const QVariant extracted = jsonExtract(body, AuditColumns::jsonKey(column));
            const QByteArrayView stored = written.value(column);
            QVERIFY2(read.isNull() == stored.isNull(), AuditColumns::sqlName(column));
            QCOMPARE(read.toByteArray(), stored.toByteArray());
            QVERIFY2(extracted.isNull() == stored.isNull(), AuditColumns::sqlName(column));
            if (!stored.isNull())
                QCOMPARE(extracted.toString().toUtf8(), stored.toByteArray());
        }
    }

    void readerRefusesWhatIsNotCanonical_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("an array") << QByteArray("[]");
        QTest::addRow("whitespace") << QByteArray("{\"time\": \"2026-01-01T00:00:00.000Z\"}");
        QTest::addRow("duplicate column key") << QByteArray("{\"mandate.agent.id\":\"a\",\"mandate.agent.id\":\"b\"}");
        QTest::addRow("escaped key") << QByteArray("{\"mandate.agent\\u002eid\":\"a\"}");
        QTest::addRow("column not a string") << QByteArray("{\"mandate.agent.id\":7}");
        QTest::addRow("lone surrogate") << QByteArray("{\"mandate.agent.id\":\"\\ud800\"}");
        QTest::addRow("bad escape") << QByteArray("{\"mandate.agent.id\":\"\\x\"}");
        QTest::addRow("raw control character") << QByteArray("{\"mandate.agent.id\":\"a\nb\"}");
        QTest::addRow("unterminated string") << QByteArray("{\"mandate.agent.id\":\"a");
        QTest::addRow("unbalanced nested value") << QByteArray("{\"mandate.details\":{\"a\":[1,2}}");
        QTest::addRow("nothing after a comma") << QByteArray("{\"mandate.action\":\"a\",}");
        QTest::addRow("text after the object") << QByteArray("{\"mandate.action\":\"a\"}x");
        QTest::addRow("missing value") << QByteArray("{\"mandate.action\":}");
    }

    void readerRefusesWhatIsNotCanonical()
    {
        QFETCH(QByteArray, body);
        BodyColumnReader reader;
        QVERIFY(!reader.read(body));
    }

    void readerFollowsNestingAcrossBlocks()
    {
        // Nested values longer than the 64-byte blocks, with brackets and escaped quotes in
        // strings placed across block ends.
        QByteArray nested = "{";
        for (int i = 0; i < 40; ++i)
            nested += "\"k" + QByteArray::number(i) + "\":[\"]}{\\\"" + QByteArray(i, 'x') + "\",{\"a\":\"}\"}],";
        nested += "\"end\":\"mandate.agent.id\"}";
        const QByteArray body = R"({"mandate.action":"a","mandate.cedar.request":)" + nested
                              + R"(,"mandate.decision":"deny","trace_id":"t"})";
        BodyColumnReader reader;
        QVERIFY(reader.read(body));
        QCOMPARE(reader.value(AuditColumns::Action).toByteArray(), QByteArray("a"));
        QCOMPARE(reader.value(AuditColumns::Decision).toByteArray(), QByteArray("deny"));
        QCOMPARE(reader.value(AuditColumns::TraceId).toByteArray(), QByteArray("t"));
        QVERIFY(reader.value(AuditColumns::Agent).isNull());
        QCOMPARE(jsonExtract(body, "mandate.decision").toString(), QStringLiteral("deny"));
    }

    void columnTamperIsNamed_data()
    {
        QTest::addColumn<QString>("column");
        QTest::addColumn<QVariant>("value");
        const QVariant null{QMetaType(QMetaType::QString)};
        QTest::addRow("time changed") << "time" << QVariant(QStringLiteral("2030-01-01T00:00:00.000Z"));
        QTest::addRow("event changed") << "event" << QVariant(QStringLiteral("forward"));
        QTest::addRow("human changed") << "human" << QVariant(QStringLiteral("mallory"));
        QTest::addRow("agent cleared") << "agent" << null;
        QTest::addRow("execution changed") << "execution" << QVariant(QStringLiteral("e9"));
        QTest::addRow("parent set where the body has none") << "parent_execution" << QVariant(QStringLiteral("e0"));
        QTest::addRow("tool changed") << "tool" << QVariant(QStringLiteral("account"));
        QTest::addRow("action changed") << "action" << QVariant(QStringLiteral("refund:void"));
        QTest::addRow("decision changed") << "decision" << QVariant(QStringLiteral("allow"));
        QTest::addRow("trace cleared") << "trace_id" << null;
        QTest::addRow("same text stored as a blob") << "decision" << QVariant(QByteArray("deny"));
    }

    void columnTamperIsNamed()
    {
        QFETCH(QString, column);
        QFETCH(QVariant, value);
        Result<std::unique_ptr<store::Database>> db = intactLog(8);
        QVERIFY2(db.ok(), db.ok() ? "" : qPrintable(db.error().message));

        // Record 6 is a deny; only its column changes: body and chain stay as written.
        QVERIFY(execSql(*db.value(), QStringLiteral("UPDATE audit_records SET %1 = ? WHERE seq = 6").arg(column), {value}));
        const Result<VerifyReport> report = AuditVerifier(*db.value()).verify({});
        QVERIFY(report.ok());
        QCOMPARE(tamperKindName(report->problem), QStringLiteral("edited"));
        QCOMPARE(report->sequence, 6);
        QVERIFY2(report->reason.contains(column + QStringLiteral(" column")), qPrintable(report->reason));
    }

    void schemaChangeIsNamed_data()
    {
        QTest::addColumn<QStringList>("statements");
        QTest::addColumn<QString>("named");
        // Edited in place, as writable_schema allows: the human index then files records under
        // buckets no query looks in, while the chain and integrity_check stay clean.
        QTest::addRow("index expression edited")
            << QStringList{QStringLiteral("PRAGMA writable_schema=ON"),
                           QStringLiteral("UPDATE sqlite_schema SET sql = replace(sql, '% 64', '% 63') WHERE name = 'audit_human'"),
                           QStringLiteral("PRAGMA writable_schema=OFF")}
            << "index audit_human was changed";
        QTest::addRow("index removed") << QStringList{QStringLiteral("DROP INDEX audit_tool")} << "audit_tool was removed";
        QTest::addRow("trigger added")
            << QStringList{QStringLiteral("CREATE TRIGGER quiet AFTER INSERT ON audit_records BEGIN "
                                          "UPDATE audit_records SET decision = 'allow' WHERE id = new.id; END")}
            << "trigger quiet was added";
        QTest::addRow("trigger named with the table in capitals")
            << QStringList{QStringLiteral("CREATE TRIGGER shout BEFORE INSERT ON AUDIT_RECORDS WHEN new.human = 'mallory' "
                                          "BEGIN SELECT RAISE(ABORT, 'no'); END")}
            << "trigger shout was added";
        // The index's SQL untouched, the table's column given another collation: the index is
        // then searched case-insensitively though sorted case-sensitively, and misses rows.
        QTest::addRow("column collation edited in the table")
            << QStringList{QStringLiteral("PRAGMA writable_schema=ON"),
                           QStringLiteral("UPDATE sqlite_schema SET sql = replace(sql, 'event TEXT NOT NULL', 'event TEXT NOT NULL COLLATE NOCASE') "
                                          "WHERE name = 'audit_records'"),
                           QStringLiteral("PRAGMA writable_schema=OFF")}
            << "index audit_event was changed";
        QTest::addRow("partial index added")
            << QStringList{QStringLiteral("CREATE INDEX audit_agent_2 ON audit_records(agent) WHERE agent != 'support-agent'")}
            << "index audit_agent_2 was added";
    }

    void schemaChangeIsNamed()
    {
        QFETCH(QStringList, statements);
        QFETCH(QString, named);
        Result<std::unique_ptr<store::Database>> db = intactLog(2);
        QVERIFY2(db.ok(), db.ok() ? "" : qPrintable(db.error().message));

        for (const QString &statement : statements)
            QVERIFY2(execSql(*db.value(), statement, {}), qPrintable(statement));
        // As another process would: an edit of sqlite_schema is read when a connection opens.
        const QString path = db.value()->path();
        db.value().reset();
        auto reopened = store::Database::open(path);
        QVERIFY(reopened.ok());
        const Result<VerifyReport> report = AuditVerifier(*reopened.value()).verify({});
        QVERIFY(report.ok());
        QCOMPARE(tamperKindName(report->problem), QStringLiteral("schema_changed"));
        QVERIFY2(report->reason.contains(named), qPrintable(report->reason));
    }

private:
    /// A new database holding `records` decisions of alice's (allow, deny, ...), verified intact.
    Result<std::unique_ptr<store::Database>> intactLog(int records)
    {
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("log%1.db").arg(++m_case)));
        if (!db)
            return db.error();
        {
            AuditLog::Options options;
            options.gatewayId = kGateway;
            auto log = AuditLog::open(*db.value(), options);
            if (!log)
                return log.error();
            for (int i = 0; i < records; ++i) {
                Result<AppendReceipt> appended = log.value()->append(decision(
                    QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"), QStringLiteral("refund:create"), i % 2 == 0, {}, i));
                if (!appended)
                    return appended.error();
            }
        }
        Result<VerifyReport> report = AuditVerifier(*db.value()).verify({});
        if (!report)
            return report.error();
        if (!report->intact())
            return Error{QStringLiteral("test"), QStringLiteral("a fresh log does not verify: ") + report->reason};
        return db;
    }

    QTemporaryDir m_dir;
    int m_case = 0;
};

QTEST_GUILESS_MAIN(TestAuditColumns)
#include "tst_audit_columns.moc"
