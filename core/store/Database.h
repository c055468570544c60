// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "store/Migration.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace mandate::store {

class Checkpointer;

/// One gateway database file (SQLite, WAL) and its schema. Each thread that touches it gets
/// its own named Qt Sql connection, created on first use; the Database must outlive every
/// thread's use of it (their connections report their commits to its checkpoint thread). Opening migrates the schema inside
/// one transaction; a corrupt, locked or too-new file is reported and left untouched.
class Database final
{
public:
    /// The page size a database file gets when a Database creates it.
    static constexpr int kNewFilePageBytes = 8192;

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    /// Opens (creating if missing) the database at `path` and brings it to the newest of
    /// `migrations` (Schema::migrations() by default).
    static Result<std::unique_ptr<Database>> open(const QString &path);
    static Result<std::unique_ptr<Database>> open(const QString &path, const QList<Migration> &migrations);
    /// Opens an existing database for reading only, as tools that inspect one do (mandatectl
    /// audit verify on a forensic copy must not change it): nothing is created, migrated or
    /// written. A file that is not a Mandate database, or whose schema is older or newer than
    /// `migrations` (Schema::migrations() by default) bring it to, is refused with the reason.
    static Result<std::unique_ptr<Database>> openReadOnly(const QString &path);
    static Result<std::unique_ptr<Database>> openReadOnly(const QString &path, const QList<Migration> &migrations);

    /// The calling thread's connection.
    QSqlDatabase connection() const;
    /// Closes the calling thread's connection, for a thread that is done with the database
    /// before it ends (another call opens a new one).
    void closeThreadConnection() const;
    QString path() const { return m_path; }
    int schemaVersion() const;

    /// Runs `work` in a transaction: commits if it returns success, rolls back otherwise. Called
    /// inside a transaction of this thread's (another write riding on it, such as an audit
    /// record's companion), it runs in a savepoint of that transaction instead: all or nothing
    /// within it, and committed only with it. If `work` throws, the exception becomes an Error
    /// (runCatching()) and the transaction or savepoint is rolled back like any failure.
    Status transaction(const std::function<Status()> &work) const;
    /// work(), with an exception it throws turned into an Error (code "internal") and logged.
    /// Writes run in transactions and on other threads' behalf (GroupCommitter): an exception
    /// that unwound through them would leave a transaction open, holding the write lock, and the
    /// threads waiting for that batch blocked.
    static Status runCatching(const std::function<Status()> &work);
    /// Inside a catch handler: the exception being handled, logged as `what` having thrown, as
    /// runCatching() reports it.
    static Error currentException(const char *what = "a database write");
    /// Runs `effect` once what this thread has written is committed: at once outside a
    /// transaction, else after the outermost transaction commits; never if it rolls back. For
    /// what must not be seen before the data is (change signals, caches of the committed state).
    /// An effect that throws is logged; the others still run, and the commit stands.
    void afterCommit(std::function<void()> effect) const;
    /// WAL checkpoints completed so far by the database's checkpoint thread (store::Checkpointer).
    quint64 walCheckpoints() const;
    /// Whether this thread's connection has a transaction open.
    bool inTransaction() const;

    /// A string to bind: a null QString would bind as SQL NULL, which NOT NULL columns refuse
    /// and `= ''` never matches.
    static QString text(const QString &value) { return value.isNull() ? QStringLiteral("") : value; }

    /// The SQLite handle beneath a Qt Sql connection (QSqlDriver::handle()), for the paths that
    /// read or write in place; nullptr for another driver or a closed connection.
    static sqlite3 *nativeHandle(const QSqlDatabase &connection);
    /// The SQLite statement beneath a prepared Qt Sql query, to bind and step it natively on a
    /// hot path while Qt Sql keeps owning it (finalizing it when the connection closes);
    /// nullptr when the query is not prepared on SQLite.
    static sqlite3_stmt *nativeStatement(const class QSqlQuery &query);

    /// An Error describing a failed query, with the SQLite message translated for people.
    static Error sqlError(const QString &what, const class QSqlQuery &query);
    /// The same for a call on a native handle that failed (its sqlite3_errcode / errmsg).
    static Error nativeError(const QString &what, sqlite3 *db);

private:
    enum class Access { ReadWrite, ReadOnly };
    Database(QString path, Access access);
    /// The calling thread's connection opened and the file's schema readable (a file that is
    /// not SQLite fails here, before anything is written), or the error.
    Status probe() const;
    Status migrate(const QList<Migration> &migrations) const;
    QString connectionName() const;
    static bool inTransaction(const QSqlDatabase &db);

    QString m_path;
    Access m_access;
    QString m_id;
    quint64 m_serial;  ///< tells this database's per-thread state from a dead one's at its address
    std::unique_ptr<Checkpointer> m_checkpointer;
};

} // namespace mandate::store
