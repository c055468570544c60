// SPDX-License-Identifier: Apache-2.0
#include "store/Database.h"

#include "common/Logging.h"
#include "store/Checkpointer.h"
#include "store/NativeConnection.h"
#include "store/Schema.h"
#include "store/SqliteSetup.h"

#include <QFileInfo>

#include <algorithm>
#include <array>
#include <atomic>
#include <optional>
#include <unordered_map>
#include <vector>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlResult>
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

/// The statements that open and close transactions and savepoints.
enum class Control { Begin, Commit, Rollback, Savepoint, Release, RollbackToSavepoint, Count };

QString controlSql(Control which)
{
    switch (which) {
    case Control::Begin: return QStringLiteral("BEGIN IMMEDIATE");  // the write lock up front: two writers never deadlock on upgrade
    case Control::Commit: return QStringLiteral("COMMIT");
    case Control::Rollback: return QStringLiteral("ROLLBACK");
    case Control::Savepoint: return QStringLiteral("SAVEPOINT nested");
    case Control::Release: return QStringLiteral("RELEASE nested");
    case Control::RollbackToSavepoint: return QStringLiteral("ROLLBACK TO nested");
    case Control::Count: break;
    }
    return {};
}

/// What a thread keeps per database: its connection's name, the transaction statements
/// prepared on that connection, and its open transactions (depth, and the effects waiting for
/// the outermost one to commit).
struct ThreadState
{
    quint64 serial = 0;
    QString connectionName;
    QSqlDatabase connection;  ///< once open: looking it up by name took two locks and a copy per call
    sqlite3 *handle = nullptr;  ///< the connection `control` was prepared on
    std::array<std::optional<QSqlQuery>, size_t(Control::Count)> control;
    int depth = 0;
    std::vector<std::function<void()>> afterCommit;
};
using ThreadStates = std::unordered_map<const Database *, ThreadState>;

// The map is reached through a pointer that its owner clears when the thread's locals are
// destroyed: a Database destroyed after that (a static one, at exit) finds no map instead of a
// dead one. Both variables are trivially destructible, so reading them stays valid.
thread_local ThreadStates *t_states = nullptr;
thread_local bool t_statesGone = false;

ThreadStates *threadStates()
{
    struct Owner
    {
        ThreadStates map;
        ~Owner()
        {
            t_states = nullptr;
            t_statesGone = true;
        }
    };
    if (!t_states && !t_statesGone) {
        thread_local Owner owner;
        t_states = &owner.map;
    }
    return t_states;
}

std::atomic<quint64> g_nextSerial{1};

/// This thread's state for `database`, or nullptr once the thread's locals are gone.
ThreadState *threadState(const Database *database, quint64 serial)
{
    ThreadStates *states = threadStates();
    if (!states)
        return nullptr;
    ThreadState &state = (*states)[database];
    if (state.serial != serial) {  // a database that lived at this address before
        state = ThreadState();
        state.serial = serial;
    }
    return &state;
}

/// The prepared statement for `which` on `handle`. A connection closed and opened again may get
/// the old handle's address back while the cached statements were finalized with the old one:
/// a statement that no longer belongs to `handle` means all of them are prepared again.
Result<sqlite3_stmt *> controlStatement(ThreadState &state, const QSqlDatabase &db, sqlite3 *handle, Control which,
                                        const QString &what)
{
    const auto belongs = [handle](const std::optional<QSqlQuery> &query) -> sqlite3_stmt * {
        sqlite3_stmt *statement = query ? Database::nativeStatement(*query) : nullptr;
        return statement && sqlite3_db_handle(statement) == handle ? statement : nullptr;
    };
    std::optional<QSqlQuery> &query = state.control[size_t(which)];
    if (sqlite3_stmt *statement = handle == state.handle ? belongs(query) : nullptr)
        return statement;
    if (handle != state.handle || query) {
        for (std::optional<QSqlQuery> &cached : state.control)
            cached.reset();
        state.handle = handle;
    }
    query.emplace(db);
    sqlite3_stmt *statement = query->prepare(controlSql(which)) ? belongs(query) : nullptr;
    if (!statement) {
        const Error error = describe(what, query->lastError());
        query.reset();
        return error;
    }
    return statement;
}

/// Runs a transaction statement. Each is prepared once per connection by Qt Sql, which
/// finalizes it when the connection closes, and stepped natively: through QSqlQuery::exec()
/// every BEGIN, SAVEPOINT, RELEASE and COMMIT cost a parse and a dozen allocations, a third of
/// a mint's execution record.
Status runControl(ThreadState &state, const QSqlDatabase &db, Control which, const QString &what)
{
    sqlite3 *handle = Database::nativeHandle(db);
    if (!handle) {
        return db.lastError().text().isEmpty() ? storeError(what, QStringLiteral("the connection is not open"), false, false)
                                               : describe(what, db.lastError());
    }
    auto statement = controlStatement(state, db, handle, which, what);
    if (!statement)
        return statement.error();
    const int rc = sqlite3_step(statement.value());
    const Status status = rc == SQLITE_DONE ? Status::success() : Status(Database::nativeError(what, handle));
    sqlite3_reset(statement.value());
    return status;
}

/// A rollback on a path that already failed: the first error is the one reported. It fails
/// quietly when SQLite has already rolled the whole transaction back.
void rollBack(ThreadState &state, const QSqlDatabase &db, Control which)
{
    const Status undone = runControl(state, db, which, QStringLiteral("cannot roll back"));
    sqlite3 *handle = Database::nativeHandle(db);
    if (!undone && handle && sqlite3_get_autocommit(handle) == 0)
        qCWarning(lcStore) << undone.error().message;
}

} // namespace

Database::Database(QString path, Access access)
    : m_path(std::move(path)), m_access(access), m_id(QUuid::createUuid().toString(QUuid::WithoutBraces)), m_serial(g_nextSerial++),
      m_checkpointer(std::make_unique<Checkpointer>())
{
}

Database::~Database()
{
    // Connections of other threads are closed by their owners; ours is removed here.
    closeThreadConnection();
}

void Database::closeThreadConnection() const
{
    const QString name = connectionName();
    if (ThreadStates *states = threadStates())
        states->erase(this);  // its prepared statements and kept handle go before the connection
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
}

QString Database::connectionName() const
{
    ThreadState *state = threadState(this, m_serial);
    if (state && !state->connectionName.isEmpty())
        return state->connectionName;
    const QString name = QStringLiteral("mandate-%1-%2").arg(m_id).arg(reinterpret_cast<quintptr>(QThread::currentThread()));
    if (state)
        state->connectionName = name;
    return name;
}

QSqlDatabase Database::connection() const
{
    ThreadState *state = threadState(this, m_serial);
    if (state && state->connection.isOpen())
        return state->connection;
    const QString name = connectionName();
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name);
        if (state && db.isOpen())
            state->connection = db;
        return db;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(m_path);
    const bool readOnly = m_access == Access::ReadOnly;
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1%2").arg(kBusyTimeoutMs).arg(readOnly ? QStringLiteral(";QSQLITE_OPEN_READONLY") : QString()));
    if (db.open()) {
        QSqlQuery pragma(db);
        if (!readOnly) {
            // Taken by a new file only (SQLite keeps an existing file's page size): audit
            // records of ~1.5 KiB with their index entries fill 8 KiB pages with fewer splits
            // and less waste than 4 KiB ones; appends measured ~18% faster (bench_audit).
            pragma.exec(QStringLiteral("PRAGMA page_size=%1").arg(kNewFilePageBytes));
            pragma.exec(QStringLiteral("PRAGMA journal_mode=WAL"));  // a read-only connection reads the mode the file has
        }
        pragma.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        pragma.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        m_checkpointer->attach(nativeHandle(db));
        if (state)
            state->connection = db;
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
    setUpSqlite();
    std::unique_ptr<Database> database(new Database(path, Access::ReadWrite));
    if (const Status readable = database->probe(); !readable)
        return readable.error();
    if (const Status migrated = database->migrate(migrations); !migrated)
        return migrated.error();
    return database;
}

Result<std::unique_ptr<Database>> Database::openReadOnly(const QString &path)
{
    return openReadOnly(path, Schema::migrations());
}

Result<std::unique_ptr<Database>> Database::openReadOnly(const QString &path, const QList<Migration> &migrations)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error{QStringLiteral("store_error"), QStringLiteral("no database at %1").arg(path)};
    if (!info.isFile())
        return Error{QStringLiteral("store_error"), QStringLiteral("%1 is not a regular file").arg(path)};
    setUpSqlite();
    std::unique_ptr<Database> database(new Database(path, Access::ReadOnly));
    if (const Status readable = database->probe(); !readable)
        return readable.error();
    int newest = 0;
    for (const Migration &migration : migrations)
        newest = std::max(newest, migration.version);
    QSqlQuery query(database->connection());
    if (!query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")) || !query.next())
        return Error{QStringLiteral("store_error"), QStringLiteral("%1 is not a Mandate database (it has no schema version)").arg(path)};
    const int version = query.value(0).toInt();
    query.finish();
    if (version > newest) {
        return Error{QStringLiteral("store_too_new"), QStringLiteral("%1 has schema version %2, newer than this build reads (%3); use the "
                                                                     "mandatectl of the gateway that wrote it")
                                                          .arg(path).arg(version).arg(newest)};
    }
    if (version < newest) {
        return Error{QStringLiteral("store_too_old"), QStringLiteral("%1 has schema version %2, older than this build reads (%3); start "
                                                                     "mandated on it once to migrate it, or use the mandatectl of its version")
                                                          .arg(path).arg(version).arg(newest)};
    }
    return database;
}

Status Database::probe() const
{
    QSqlDatabase db = connection();
    if (!db.isOpen())
        return describe(QStringLiteral("cannot open %1").arg(m_path), db.lastError());
    // Touch the schema: a file that is not SQLite fails here, before anything is written.
    QSqlQuery probe(db);
    if (!probe.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")))
        return describe(QStringLiteral("cannot read %1").arg(m_path), probe.lastError());
    // A statement left pending would make SQLite refuse a migration that drops a table
    // ("database table is locked").
    probe.finish();
    return Status::success();
}

int Database::schemaVersion() const
{
    QSqlQuery query(connection());
    if (!query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")) || !query.next())
        return 0;
    return query.value(0).toInt();
}

Error Database::currentException(const char *what)
{
    // The exception's text is logged, not returned: it is the process's business, not a caller's.
    try {
        throw;
    } catch (const std::exception &e) {
        qCCritical(lcStore) << what << "threw:" << e.what();
    } catch (...) {
        qCCritical(lcStore) << what << "threw an unknown exception";
    }
    return Error{QStringLiteral("internal"), QStringLiteral("the write failed on an internal error (see the log)")};
}

Status Database::runCatching(const std::function<Status()> &work)
{
    try {
        return work();
    } catch (...) {
        return currentException();
    }
}

namespace {

/// Runs what waited for a commit; one that throws is logged and the others still run: the data
/// is committed, and whoever wrote it must not be told otherwise.
void runEffects(const std::vector<std::function<void()>> &effects)
{
    for (const std::function<void()> &effect : effects) {
        try {
            effect();
        } catch (...) {
            static_cast<void>(Database::currentException("an effect of a committed write"));
        }
    }
}

} // namespace

Status Database::transaction(const std::function<Status()> &work) const
{
    ThreadState *cached = threadState(this, m_serial);
    std::optional<ThreadState> exiting;  // this thread's locals are gone: nothing to keep
    ThreadState &open = cached ? *cached : exiting.emplace();
    const QSqlDatabase db = connection();
    if (open.depth > 0) {
        // Nested: a savepoint, whose effects wait for the outer commit like the rest.
        const size_t effectsBefore = open.afterCommit.size();
        if (Status started = runControl(open, db, Control::Savepoint, QStringLiteral("cannot start a nested transaction")); !started)
            return started;
        ++open.depth;
        Status status = runCatching(work);
        --open.depth;
        if (status)
            status = runControl(open, db, Control::Release, QStringLiteral("cannot end a nested transaction"));
        if (!status) {
            open.afterCommit.resize(effectsBefore);
            rollBack(open, db, Control::RollbackToSavepoint);
            rollBack(open, db, Control::Release);
        }
        // Some failures (a full disk, an I/O error) make SQLite roll back the whole transaction:
        // the outer one must not go on as if it were still open.
        if (!inTransaction(db))
            return Error{QStringLiteral("store_error"), QStringLiteral("the transaction was aborted%1")
                                                            .arg(status ? QString() : QStringLiteral(": ") + status.error().message)};
        return status;
    }
    if (Status begun = runControl(open, db, Control::Begin, QStringLiteral("cannot start a transaction")); !begun)
        return begun;
    std::vector<std::function<void()>> effects;
    try {
        open.depth = 1;
        const Status status = runCatching(work);
        open.depth = 0;
        effects.swap(open.afterCommit);
        if (!status) {
            rollBack(open, db, Control::Rollback);
            return status;
        }
        if (Status committed = runControl(open, db, Control::Commit, QStringLiteral("cannot commit")); !committed) {
            rollBack(open, db, Control::Rollback);
            return committed;
        }
    } catch (...) {
        // Our own statements threw (an allocation): no transaction may stay open behind it. SQLite
        // itself is asked directly, which allocates nothing of ours.
        open.depth = 0;
        open.afterCommit.clear();
        if (sqlite3 *native = nativeHandle(db); native && sqlite3_get_autocommit(native) == 0
            && sqlite3_exec(native, "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK)
            qCCritical(lcStore) << "cannot roll back after an exception, the transaction stays open:" << sqlite3_errmsg(native);
        return currentException();
    }
    runEffects(effects);
    return Status::success();
}

quint64 Database::walCheckpoints() const
{
    return m_checkpointer->checkpoints();
}

bool Database::inTransaction() const
{
    return inTransaction(connection());
}

bool Database::inTransaction(const QSqlDatabase &db)
{
    sqlite3 *handle = nativeHandle(db);
    return handle && sqlite3_get_autocommit(handle) == 0;
}

void Database::afterCommit(std::function<void()> effect) const
{
    ThreadState *open = threadState(this, m_serial);
    if (!open || open->depth == 0) {
        runEffects({std::move(effect)});
        return;
    }
    open->afterCommit.push_back(std::move(effect));
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
    const QString text = QString::fromUtf8(sqlite3_errmsg(db));
    // SQLITE_BUSY also says "cannot commit transaction - SQL statements in progress": a fault
    // of this process, not another's lock.
    const bool locked = (code == SQLITE_BUSY || code == SQLITE_LOCKED) && !text.contains(QLatin1String("in progress"));
    return storeError(what, text, locked, code == SQLITE_CORRUPT || code == SQLITE_NOTADB);
}

sqlite3_stmt *Database::nativeStatement(const QSqlQuery &query)
{
    const QSqlResult *result = query.result();
    const QVariant handle = result ? result->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3_stmt*") != 0)
        return nullptr;
    return *static_cast<sqlite3_stmt *const *>(handle.data());
}

sqlite3 *Database::nativeHandle(const QSqlDatabase &connection)
{
    const QVariant handle = connection.driver() ? connection.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.data());
}

} // namespace mandate::store
