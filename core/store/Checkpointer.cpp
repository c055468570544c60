// SPDX-License-Identifier: Apache-2.0
#include "store/Checkpointer.h"

#include "common/Logging.h"
#include "store/NativeConnection.h"

#include <sqlite3.h>

#include <system_error>

namespace mandate::store {

namespace {

/// A connection of the checkpoint thread's own. A connection that has read nothing has not
/// opened the WAL yet, and its checkpoints would do nothing at all: it reads first.
NativeConnection openForCheckpoints(const QByteArray &path)
{
    NativeConnection connection = openNativeConnection(path.constData(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    if (!connection) {
        qCWarning(lcStore) << "cannot open" << path << "for WAL checkpoints";
        return connection;
    }
    if (sqlite3_exec(connection.get(), "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) != SQLITE_OK) {
        qCWarning(lcStore) << "cannot read" << path << "for WAL checkpoints:" << sqlite3_errmsg(connection.get());
        return NativeConnection(nullptr, sqlite3_close);
    }
    return connection;
}

} // namespace

Checkpointer::~Checkpointer()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void Checkpointer::attach(sqlite3 *connection)
{
    if (!connection)
        return;
    {
        const std::lock_guard lock(m_mutex);
        if (m_path.isEmpty())
            m_path = sqlite3_db_filename(connection, "main");
    }
    sqlite3_wal_hook(connection, &Checkpointer::onCommit, this);  // also turns off SQLite's own
}

quint64 Checkpointer::checkpoints() const
{
    const std::lock_guard lock(m_mutex);
    return m_checkpoints;
}

int Checkpointer::onCommit(void *self, sqlite3 *connection, const char *schema, int walPages)
{
    auto *checkpointer = static_cast<Checkpointer *>(self);
    if (walPages >= kWalLimit || (checkpointer->m_broken && walPages >= kWalPages)) {
        catchUp(checkpointer, connection, schema);
        return SQLITE_OK;  // a failed checkpoint is not the commit's failure: the next one retries
    }
    // Several connections report the one WAL. Once it has been started over the count drops;
    // until then, one request per kWalPages written, not one per commit.
    int requestedAt = checkpointer->m_requestedAt.load();
    if (walPages < requestedAt) {
        checkpointer->m_requestedAt.compare_exchange_strong(requestedAt, 0);
        requestedAt = 0;
    }
    if (walPages - requestedAt >= kWalPages && checkpointer->m_requestedAt.compare_exchange_strong(requestedAt, walPages)
        && !checkpointer->request())
        sqlite3_wal_checkpoint_v2(connection, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
}

void Checkpointer::catchUp(Checkpointer *checkpointer, sqlite3 *connection, const char *schema)
{
    const int rc = sqlite3_wal_checkpoint_v2(connection, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    // Busy: a checkpoint is running, most likely the thread's. PASSIVE never waits, so the
    // thread's ends without waiting for this commit.
    if (rc == SQLITE_BUSY && checkpointer->waitForThreadCheckpoint())
        sqlite3_wal_checkpoint_v2(connection, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

bool Checkpointer::waitForThreadCheckpoint()
{
    // Waits for the end of the checkpoint running now, not for a moment without one: the thread
    // may start its next checkpoint without letting go of the mutex in between.
    std::unique_lock lock(m_mutex);
    if (!m_running)
        return true;
    const quint64 running = m_ended;
    return m_idle.wait_for(lock, std::chrono::milliseconds(kBusyTimeoutMs), [this, running] { return m_ended != running; });
}

bool Checkpointer::request()
{
    {
        const std::lock_guard lock(m_mutex);
        if (m_stopping || m_broken)
            return false;
        m_requested = true;
        if (!m_thread.joinable()) {
            // Started here, inside SQLite's commit: nothing may be thrown through its frames.
            try {
                m_thread = std::thread([this] { run(); });
            } catch (const std::system_error &e) {
                qCWarning(lcStore) << "cannot start the WAL checkpoint thread:" << e.what();
                m_broken = true;
                return false;
            }
        }
    }
    m_wake.notify_one();
    return true;
}

void Checkpointer::run()
{
    QByteArray path;
    {
        const std::lock_guard lock(m_mutex);
        path = m_path;
    }
    const NativeConnection db = openForCheckpoints(path);
    if (!db) {
        m_broken = true;  // commits checkpoint themselves from now on
        return;
    }
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || m_requested; });
        if (m_stopping)
            break;
        m_requested = false;
        m_running = true;
        lock.unlock();
        const int rc = sqlite3_wal_checkpoint_v2(db.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)  // busy: another checkpoint is running
            qCWarning(lcStore) << "WAL checkpoint of" << path << "failed:" << sqlite3_errmsg(db.get());
        lock.lock();
        m_running = false;
        ++m_ended;
        m_idle.notify_all();
        if (rc == SQLITE_OK)
            ++m_checkpoints;
    }
}

} // namespace mandate::store
