// SPDX-License-Identifier: Apache-2.0
// The gateway database file: schema creation, migration of an older file, all-or-nothing
// migrations, and the files it must refuse (too new, corrupt, locked) without touching them.
#include "store/Database.h"
#include "store/Schema.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

using namespace mandate;
using namespace mandate::store;

namespace {

QString s(const char *text) { return QString::fromUtf8(text); }

/// A plain Qt Sql connection to a database file, independent of Database: how the tests build
/// old files, inspect results and hold locks.
class RawDb
{
public:
    explicit RawDb(const QString &path)
        : m_name(QStringLiteral("raw-%1").arg(++s_counter))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        if (!db.open())
            qFatal("cannot open %s: %s", qPrintable(path), qPrintable(db.lastError().text()));
    }
    ~RawDb()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

    bool exec(const QString &statement) const
    {
        QSqlQuery query(db());
        if (!query.exec(statement)) {
            qWarning("%s: %s", qPrintable(statement), qPrintable(query.lastError().text()));
            return false;
        }
        return true;
    }
    QStringList column(const QString &select) const
    {
        QStringList values;
        QSqlQuery query(db());
        if (!query.exec(select))
            return {QStringLiteral("<error: %1>").arg(query.lastError().text())};
        while (query.next())
            values << query.value(0).toString();
        return values;
    }
    QString scalar(const QString &select) const { return column(select).value(0); }
    QStringList tables() const
    {
        return column(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
    }
    QStringList columnsOf(const QString &table) const
    {
        QStringList names;
        const QSqlRecord record = db().record(table);
        for (int i = 0; i < record.count(); ++i)
            names << record.fieldName(i);
        return names;
    }

private:
    static inline int s_counter = 0;
    QString m_name;
};

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}

QStringList filesIn(const QString &dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Hidden, QDir::Name);
}

const QString metaTable = QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)");

/// Writes a database at schema 1, exactly as the first migration left it, with `agentBodies`
/// as agent rows in the v1 layout (id, version, body, updated_at).
void createVersion1File(const QString &path, const QList<QPair<QString, QString>> &agentBodies, bool wal = false)
{
    RawDb raw(path);
    if (wal)
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode=WAL")), s("wal"));
    for (const QString &statement : Schema::migrations().at(0).statements)
        QVERIFY(raw.exec(statement));
    QVERIFY(raw.exec(metaTable));
    QVERIFY(raw.exec(QStringLiteral("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")));
    for (const auto &[id, body] : agentBodies) {
        QSqlQuery insert(raw.db());
        insert.prepare(QStringLiteral("INSERT INTO agents (id, version, body, updated_at) VALUES (:id, 1, :body, :at)"));
        insert.bindValue(QStringLiteral(":id"), id);
        insert.bindValue(QStringLiteral(":body"), body);
        insert.bindValue(QStringLiteral(":at"), QStringLiteral("2026-06-01T12:00:00.000Z"));
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
    }
}

QString agentBody(const char *id, const char *owner, const char *status)
{
    QString body = QStringLiteral(R"({"id":"%1","displayName":"%1","owner":"%2","allowedActions":["refund:create"],)"
                                  R"("maxBudget":{"calls":10,"tokens":0,"amount":"5.00"},"version":1)").arg(s(id), s(owner));
    if (status)
        body += QStringLiteral(R"(,"status":"%1")").arg(s(status));
    return body + u'}';
}

/// A migration list whose second step fails half-way.
QList<Migration> brokenMigrations()
{
    QList<Migration> list{Schema::migrations().at(0)};
    list.append({2, QStringLiteral("broken step"),
                 {QStringLiteral("ALTER TABLE agents ADD COLUMN status TEXT NOT NULL DEFAULT 'active'"),
                  QStringLiteral("CREATE TABLE api_keys (id TEXT PRIMARY KEY)"),
                  QStringLiteral("CREATE TABLEX nonsense (x)")}});
    return list;
}

} // namespace

class TestStoreMigrations : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void schemaHistoryIsContiguous();
    void freshDatabaseHasCurrentSchema();
    void reopenKeepsDataAndVersion();
    void migratesFromVersion1_data();
    void migratesFromVersion1();
    void failingMigrationRollsBack_data();
    void failingMigrationRollsBack();
    void transactionRollsBackOnFailure();
    void tooNewDatabaseIsRefused();
    void corruptFileIsRefusedUntouched_data();
    void corruptFileIsRefusedUntouched();
    void lockedDatabaseIsRefusedUntouched_data();
    void lockedDatabaseIsRefusedUntouched();
    void directoryIsNotADatabase();
};

void TestStoreMigrations::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false"));
}

void TestStoreMigrations::schemaHistoryIsContiguous()
{
    const QList<Migration> &migrations = Schema::migrations();
    QVERIFY(migrations.size() >= 3);
    for (qsizetype i = 0; i < migrations.size(); ++i) {
        QCOMPARE(migrations[i].version, int(i + 1));
        QVERIFY(!migrations[i].description.isEmpty());
        QVERIFY(!migrations[i].statements.isEmpty());
    }
    QCOMPARE(Schema::currentVersion(), int(migrations.size()));
}

void TestStoreMigrations::freshDatabaseHasCurrentSchema()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("mandate.db"));
    {
        auto opened = Database::open(path);
        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
        QCOMPARE(opened.value()->schemaVersion(), Schema::currentVersion());
        QCOMPARE(opened.value()->path(), path);
        QSqlQuery mode(opened.value()->connection());
        QVERIFY(mode.exec(QStringLiteral("PRAGMA journal_mode")) && mode.next());
        QCOMPARE(mode.value(0).toString(), s("wal"));
        QVERIFY(mode.exec(QStringLiteral("PRAGMA page_size")) && mode.next());
        QCOMPARE(mode.value(0).toInt(), Database::kNewFilePageBytes);
    }
    RawDb raw(path);
    // Exactly the tables the schema history creates (other modules add theirs), plus meta;
    // a table rebuilt by a later step is dropped and its replacement renamed into its place.
    QStringList expectedTables{s("meta")};
    static const QRegularExpression createTable(QStringLiteral("^CREATE TABLE (?:IF NOT EXISTS )?(\\w+)"));
    static const QRegularExpression dropTable(QStringLiteral("^DROP TABLE (?:IF EXISTS )?(\\w+)"));
    static const QRegularExpression renameTable(QStringLiteral("^ALTER TABLE (\\w+) RENAME TO (\\w+)"));
    for (const Migration &migration : Schema::migrations()) {
        for (const QString &statement : migration.statements) {
            if (const auto match = createTable.match(statement); match.hasMatch()) {
                expectedTables << match.captured(1);
            } else if (const auto drop = dropTable.match(statement); drop.hasMatch()) {
                QVERIFY2(expectedTables.removeOne(drop.captured(1)), qPrintable(statement));
            } else if (const auto rename = renameTable.match(statement); rename.hasMatch()) {
                QVERIFY2(expectedTables.removeOne(rename.captured(1)), qPrintable(statement));
                expectedTables << rename.captured(2);
            }
        }
    }
    expectedTables.sort();
    QCOMPARE(raw.tables(), expectedTables);
    for (const char *registryTable : {"agents", "api_keys", "humans", "machines", "tools"})
        QVERIFY(expectedTables.contains(QLatin1String(registryTable)));
    QCOMPARE(raw.columnsOf(s("agents")), (QStringList{s("id"), s("version"), s("body"), s("updated_at"), s("status"), s("owner")}));
    QCOMPARE(raw.columnsOf(s("humans")), (QStringList{s("id"), s("version"), s("body"), s("updated_at")}));
    QCOMPARE(raw.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")), QString::number(Schema::currentVersion()));
    QCOMPARE(raw.column(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'agents' AND name NOT LIKE 'sqlite_%' ORDER BY name")),
             (QStringList{s("agents_owner"), s("agents_status")}));
}

void TestStoreMigrations::reopenKeepsDataAndVersion()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mandate.db"));
    {
        auto opened = Database::open(path);
        QVERIFY(opened.ok());
        QSqlQuery insert(opened.value()->connection());
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO humans VALUES ('alice', 3, '{}', 'now')")));
    }
    auto reopened = Database::open(path);
    QVERIFY(reopened.ok());
    QCOMPARE(reopened.value()->schemaVersion(), Schema::currentVersion());
    QSqlQuery select(reopened.value()->connection());
    QVERIFY(select.exec(QStringLiteral("SELECT id, version FROM humans")) && select.next());
    QCOMPARE(select.value(0).toString(), s("alice"));
    QCOMPARE(select.value(1).toInt(), 3);
    QVERIFY(!select.next());
}

void TestStoreMigrations::migratesFromVersion1_data()
{
    QTest::addColumn<bool>("wal");
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("owner");

    QTest::addRow("active agent") << false << agentBody("support-agent", "alice", "active") << s("active") << s("alice");
    QTest::addRow("suspended agent") << false << agentBody("triage-agent", "bob", "suspended") << s("suspended") << s("bob");
    QTest::addRow("retired agent in WAL file") << true << agentBody("old-agent", "carol", "retired") << s("retired") << s("carol");
    QTest::addRow("body without status") << false << agentBody("quiet-agent", "alice", nullptr) << s("active") << s("alice");
}

void TestStoreMigrations::migratesFromVersion1()
{
    QFETCH(bool, wal);
    QFETCH(QString, body);
    QFETCH(QString, status);
    QFETCH(QString, owner);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("v1.db"));
    createVersion1File(path, {{s("agent-under-test"), body}, {s("zz-other"), agentBody("zz-other", "dave", "active")}}, wal);
    if (QTest::currentTestFailed())
        return;
    {
        RawDb before(path);
        QCOMPARE(before.columnsOf(s("agents")), (QStringList{s("id"), s("version"), s("body"), s("updated_at")}));
    }
    {
        auto opened = Database::open(path);
        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
        QCOMPARE(opened.value()->schemaVersion(), Schema::currentVersion());
    }
    RawDb raw(path);
    QCOMPARE(raw.columnsOf(s("agents")), (QStringList{s("id"), s("version"), s("body"), s("updated_at"), s("status"), s("owner")}));
    QCOMPARE(raw.column(QStringLiteral("SELECT status || '/' || owner FROM agents ORDER BY id")),
             (QStringList{status + u'/' + owner, s("active/dave")}));
    QCOMPARE(raw.scalar(QStringLiteral("SELECT body FROM agents WHERE id = 'agent-under-test'")), body);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT version FROM agents WHERE id = 'agent-under-test'")), s("1"));
    QCOMPARE(raw.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")), QString::number(Schema::currentVersion()));
    QVERIFY(raw.tables().contains(s("api_keys")));
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA page_size")), s("4096"));  // an existing file keeps its pages
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA integrity_check")), s("ok"));
}

void TestStoreMigrations::failingMigrationRollsBack_data()
{
    QTest::addColumn<bool>("startAtVersion1");
    QTest::addRow("fresh file") << false;
    QTest::addRow("file at version 1") << true;
}

void TestStoreMigrations::failingMigrationRollsBack()
{
    QFETCH(bool, startAtVersion1);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mandate.db"));
    if (startAtVersion1)
        createVersion1File(path, {{s("support-agent"), agentBody("support-agent", "alice", "active")}});
    if (QTest::currentTestFailed())
        return;

    auto opened = Database::open(path, brokenMigrations());
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, s("store_error"));
    QVERIFY2(opened.error().message.startsWith(s("migration to schema 2 (broken step) failed: ")), qPrintable(opened.error().message));
    QVERIFY2(opened.error().message.contains(s("syntax error")), qPrintable(opened.error().message));

    RawDb raw(path);
    if (startAtVersion1) {
        QCOMPARE(raw.tables(), (QStringList{s("agents"), s("humans"), s("machines"), s("meta"), s("tools")}));
        QCOMPARE(raw.columnsOf(s("agents")), (QStringList{s("id"), s("version"), s("body"), s("updated_at")}));
        QCOMPARE(raw.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")), s("1"));
        QCOMPARE(raw.column(QStringLiteral("SELECT id FROM agents")), QStringList{s("support-agent")});
    } else {
        // Step 1 ran in the same transaction as the failed step 2: nothing of it remains.
        QCOMPARE(raw.tables(), QStringList());
    }
}

void TestStoreMigrations::transactionRollsBackOnFailure()
{
    QTemporaryDir dir;
    auto opened = Database::open(dir.filePath(QStringLiteral("mandate.db")));
    QVERIFY(opened.ok());
    const Database &db = *opened.value();
    const Status failed = db.transaction([&]() -> Status {
        QSqlQuery insert(db.connection());
        if (!insert.exec(QStringLiteral("INSERT INTO humans VALUES ('alice', 1, '{}', 'now')")))
            return Database::sqlError(s("insert"), insert);
        return Error{s("test_failure"), s("work failed after writing")};
    });
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().code, s("test_failure"));
    {
        QSqlQuery count(db.connection());
        QVERIFY(count.exec(QStringLiteral("SELECT count(*) FROM humans")) && count.next());
        QCOMPARE(count.value(0).toInt(), 0);
    }
    const Status succeeded = db.transaction([&]() -> Status {
        QSqlQuery insert(db.connection());
        if (!insert.exec(QStringLiteral("INSERT INTO humans VALUES ('bob', 1, '{}', 'now')")))
            return Database::sqlError(s("insert"), insert);
        return Status::success();
    });
    QVERIFY(succeeded.ok());
    QSqlQuery names(db.connection());
    QVERIFY(names.exec(QStringLiteral("SELECT group_concat(id) FROM humans")) && names.next());
    QCOMPARE(names.value(0).toString(), s("bob"));
}

void TestStoreMigrations::tooNewDatabaseIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("future.db"));
    {
        auto opened = Database::open(path);
        QVERIFY(opened.ok());
    }
    const int future = Schema::currentVersion() + 1;
    {
        RawDb raw(path);
        QVERIFY(raw.exec(QStringLiteral("UPDATE meta SET value = '%1' WHERE key = 'schema_version'").arg(future)));
        QVERIFY(raw.exec(QStringLiteral("CREATE TABLE from_the_future (x)")));
    }
    auto opened = Database::open(path);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, s("store_too_new"));
    QCOMPARE(opened.error().message,
             QStringLiteral("%1 has schema version %2, newer than this build supports (%3); "
                            "upgrade Mandate or use a copy of an older database")
                 .arg(path).arg(future).arg(Schema::currentVersion()));
    RawDb raw(path);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")), QString::number(future));
    QVERIFY(raw.tables().contains(s("from_the_future")));
}

void TestStoreMigrations::corruptFileIsRefusedUntouched_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::addRow("text file") << QByteArray("These are my notes, not a database.\n").repeated(40);
    QByteArray random(8192, '\0');
    QRandomGenerator generator(20261129);
    for (char &c : random)
        c = static_cast<char>(generator.bounded(256));
    QTest::addRow("random bytes") << random;
    QTest::addRow("short text") << QByteArray("hello\n");
    QByteArray header("SQLite format 3");
    header.append('\0');
    header.append(QByteArray(4080, '\x5a'));
    QTest::addRow("sqlite magic then garbage") << header;
}

void TestStoreMigrations::corruptFileIsRefusedUntouched()
{
    QFETCH(QByteArray, bytes);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mandate.db"));
    writeFile(path, bytes);

    auto opened = Database::open(path);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, s("store_corrupt"));
    QVERIFY2(opened.error().message.contains(s("is not a valid Mandate database")), qPrintable(opened.error().message));
    QVERIFY2(opened.error().message.contains(path), qPrintable(opened.error().message));
    QCOMPARE(readFile(path), bytes);
    QCOMPARE(filesIn(dir.path()), QStringList{s("mandate.db")});
}

void TestStoreMigrations::lockedDatabaseIsRefusedUntouched_data()
{
    QTest::addColumn<bool>("wal");
    QTest::addRow("rollback journal file") << false;
    QTest::addRow("WAL file") << true;
}

void TestStoreMigrations::lockedDatabaseIsRefusedUntouched()
{
    QFETCH(bool, wal);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mandate.db"));
    // At schema 1, so that a successful open would have changed it.
    createVersion1File(path, {{s("support-agent"), agentBody("support-agent", "alice", "active")}}, wal);
    if (QTest::currentTestFailed())
        return;
    const QByteArray original = readFile(path);

    {
        RawDb holder(path);
        QVERIFY(holder.exec(QStringLiteral("BEGIN EXCLUSIVE")));
        auto opened = Database::open(path);
        QVERIFY(!opened.ok());
        QCOMPARE(opened.error().code, s("store_locked"));
        QVERIFY2(opened.error().message.contains(s("the database is locked by another process")), qPrintable(opened.error().message));
        QVERIFY(holder.exec(QStringLiteral("ROLLBACK")));
    }
    QCOMPARE(readFile(path), original);
    RawDb raw(path);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")), s("1"));
    QCOMPARE(raw.columnsOf(s("agents")), (QStringList{s("id"), s("version"), s("body"), s("updated_at")}));
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode")), wal ? s("wal") : s("delete"));
}

void TestStoreMigrations::directoryIsNotADatabase()
{
    QTemporaryDir dir;
    auto opened = Database::open(dir.path());
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, s("store_error"));
    QCOMPARE(opened.error().message, QStringLiteral("%1 is not a regular file").arg(dir.path()));
}

QTEST_GUILESS_MAIN(TestStoreMigrations)
#include "tst_store_migrations.moc"
