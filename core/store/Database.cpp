// SPDX-License-Identifier: Apache-2.0
#include "store/Database.h"

#include "common/Logging.h"
#include "store/Schema.h"

#include <QFileInfo>

#include <algorithm>
#include <unordered_map>
#include <vector>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

#include <sqlite3.h>

namespace mandate::store {

namespace {

Error storeError(const QString &what, const QString &text, bool locked, bool corrupt)
{
    if (locked)
        return Error{QStringLiteral("store_locked"), what + QStringLiteral(": the database is locked by another process (%1)").arg(text)};
    if (corrupt)
        return Error{QStringLiteral("store_corrupt"), what + QStringLiteral(": the file is not a valid Mandate database (%1)").arg(text)};
    return Error{QStringLiteral("store_error"), what + QStringLiteral(": ") + text};
}

/// Qt Sql reports SQLite's message, not its code: the kind is read from the text.
Error describe(const QString &what, const QSqlError &error)
{
    const QString text = error.text();
    return storeError(what, text,
                      text.contains(QLatin1String("locked"), Qt::CaseInsensitive) || text.contains(QLatin1String("busy"), Qt::CaseInsensitive),
                      text.contains(QLatin1String("not a database"), Qt::CaseInsensitive)
                          || text.contains(QLatin1String("malformed"), Qt::CaseInsensitive));
}

} // namespace

Database::Database(QString path)
    : m_path(std::move(path)), m_id(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

Database::~Database()
{
    // Connections of other threads are closed by their owners; ours is removed here.
    const QString name = connectionName();
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
}

QString Database::connectionName() const
{
    return QStringLiteral("mandate-%1-%2").arg(m_id).arg(reinterpret_cast<quintptr>(QThread::currentThread()));
}

QSqlDatabase Database::connection() const
{
    const QString name = connectionName();
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));
    if (db.open()) {
        QSqlQuery pragma(db);
        pragma.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        pragma.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        pragma.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
    }
    return db;
}

Error Database::sqlError(const QString &what, const QSqlQuery &query)
{
    return describe(what, query.lastError());
}

Result<std::unique_ptr<Database>> Database::open(const QString &path)
{
    return open(path, Schema::migrations());
}

Result<std::unique_ptr<Database>> Database::open(const QString &path, const QList<Migration> &migrations)
{
    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        return Error{QStringLiteral("store_error"), QStringLiteral("%1 is not a regular file").arg(path)};
    std::unique_ptr<Database> database(new Database(path));
    QSqlDatabase db = database->connection();
    if (!db.isOpen())
        return describe(QStringLiteral("cannot open %1").arg(path), db.lastError());
    // Touch the schema: a file that is not SQLite fails here, before anything is written.
    QSqlQuery probe(db);
    if (!probe.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")))
        return describe(QStringLiteral("cannot read %1").arg(path), probe.lastError());
    // A statement left pending would make SQLite refuse a migration that drops a table
    // ("database table is locked").
    probe.finish();
    if (const Status migrated = database->migrate(migrations); !migrated)
        return migrated.error();
    return database;
}

int Database::schemaVersion() const
{
    QSqlQuery query(connection());
    if (!query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")) || !query.next())
        return 0;
    return query.value(0).toInt();
}

namespace {

/// This thread's open transactions, per database: their depth and the effects waiting for the
/// outermost one to commit.
struct OpenTransaction
{
    int depth = 0;
    std::vector<std::function<void()>> afterCommit;
};
thread_local std::unordered_map<const Database *, OpenTransaction> t_open;

} // namespace

Status Database::transaction(const std::function<Status()> &work) const
{
    OpenTransaction &open = t_open[this];
    QSqlDatabase db = connection();
    if (open.depth > 0) {
        // Nested: a savepoint, whose effects wait for the outer commit like the rest.
        const size_t effectsBefore = open.afterCommit.size();
        QSqlQuery savepoint(db);
        if (!savepoint.exec(QStringLiteral("SAVEPOINT nested")))
            return describe(QStringLiteral("cannot start a nested transaction"), savepoint.lastError());
        ++open.depth;
        Status status = work();
        --open.depth;
        QSqlQuery end(db);
        if (status && !end.exec(QStringLiteral("RELEASE nested")))
            status = describe(QStringLiteral("cannot end a nested transaction"), end.lastError());
        if (!status) {
            open.afterCommit.resize(effectsBefore);
            end.exec(QStringLiteral("ROLLBACK TO nested"));
            end.exec(QStringLiteral("RELEASE nested"));
        }
        // Some failures (a full disk, an I/O error) make SQLite roll back the whole transaction:
        // the outer one must not go on as if it were still open.
        if (!inTransaction())
            return Error{QStringLiteral("store_error"), QStringLiteral("the transaction was aborted%1")
                                                            .arg(status ? QString() : QStringLiteral(": ") + status.error().message)};
        return status;
    }
    QSqlQuery begin(db);
    // IMMEDIATE takes the write lock up front, so two writers never deadlock on upgrade.
    if (!begin.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return describe(QStringLiteral("cannot start a transaction"), begin.lastError());
    open.depth = 1;
    const Status status = work();
    open.depth = 0;
    std::vector<std::function<void()>> effects;
    effects.swap(open.afterCommit);
    QSqlQuery end(db);
    if (!status) {
        end.exec(QStringLiteral("ROLLBACK"));
        return status;
    }
    if (!end.exec(QStringLiteral("COMMIT"))) {
        const Error error = describe(QStringLiteral("cannot commit"), end.lastError());
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return error;
    }
    for (const std::function<void()> &effect : effects)
        effect();
    return Status::success();
}

bool Database::inTransaction() const
{
    sqlite3 *handle = nativeHandle(connection());
    return handle && sqlite3_get_autocommit(handle) == 0;
}

void Database::afterCommit(std::function<void()> effect) const
{
    const auto open = t_open.find(this);
    if (open == t_open.end() || open->second.depth == 0) {
        effect();
        return;
    }
    open->second.afterCommit.push_back(std::move(effect));
}

Status Database::migrate(const QList<Migration> &migrations) const
{
    QSqlDatabase db = connection();
    return transaction([&]() -> Status {
        QSqlQuery query(db);
        if (!query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")))
            return describe(QStringLiteral("cannot create the meta table"), query.lastError());
        int version = 0;
        if (query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")) && query.next())
            version = query.value(0).toInt();
        int newest = 0;
        for (const Migration &migration : migrations)
            newest = std::max(newest, migration.version);
        if (version > newest) {
            return Error{QStringLiteral("store_too_new"),
                         QStringLiteral("%1 has schema version %2, newer than this build supports (%3); "
                                        "upgrade Mandate or use a copy of an older database")
                             .arg(m_path).arg(version).arg(newest)};
        }
        QList<Migration> ordered = migrations;
        std::stable_sort(ordered.begin(), ordered.end(), [](const Migration &a, const Migration &b) { return a.version < b.version; });
        for (const Migration &migration : ordered) {
            if (migration.version <= version)
                continue;
            for (const QString &statement : migration.statements) {
                if (!query.exec(statement)) {
                    return describe(QStringLiteral("migration to schema %1 (%2) failed")
                                        .arg(migration.version).arg(migration.description),
                                    query.lastError());
                }
            }
            qCInfo(lcStore) << "migrated" << m_path << "to schema" << migration.version << migration.description;
            version = migration.version;
        }
        query.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('schema_version', :v) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
        query.bindValue(QStringLiteral(":v"), QString::number(version));
        if (!query.exec())
            return describe(QStringLiteral("cannot record the schema version"), query.lastError());
        return Status::success();
    });
}

Error Database::nativeError(const QString &what, sqlite3 *db)
{
    const int code = sqlite3_errcode(db) & 0xFF;
    return storeError(what, QString::fromUtf8(sqlite3_errmsg(db)), code == SQLITE_BUSY || code == SQLITE_LOCKED,
                      code == SQLITE_CORRUPT || code == SQLITE_NOTADB);
}

sqlite3 *Database::nativeHandle(const QSqlDatabase &connection)
{
    const QVariant handle = connection.driver() ? connection.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.data());
}

} // namespace mandate::store
