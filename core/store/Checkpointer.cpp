// SPDX-License-Identifier: Apache-2.0
#include "store/Checkpointer.h"

#include "common/Logging.h"

#include <sqlite3.h>

namespace mandate::store {

Checkpointer::Checkpointer(QByteArray pathUtf8) : m_path(std::move(pathUtf8)) {}

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
    if (connection)
        sqlite3_wal_hook(connection, &Checkpointer::onCommit, this);  // also turns off SQLite's own
}

quint64 Checkpointer::checkpoints() const
{
    const std::lock_guard lock(m_mutex);
    return m_checkpoints;
}

int Checkpointer::onCommit(void *self, sqlite3 *, const char *, int walPages)
{
    // Several connections report the one WAL. Once a checkpoint has caught up, the next writer
    // starts the WAL over and the count drops; until then, a checkpoint per kWalPages written,
    // not one per commit.
    auto *checkpointer = static_cast<Checkpointer *>(self);
    int requestedAt = checkpointer->m_requestedAt.load();
    if (walPages < requestedAt) {
        checkpointer->m_requestedAt.compare_exchange_strong(requestedAt, 0);
        requestedAt = 0;
    }
    if (walPages - requestedAt >= kWalPages && checkpointer->m_requestedAt.compare_exchange_strong(requestedAt, walPages))
        checkpointer->request();
    return SQLITE_OK;
}

void Checkpointer::request()
{
    {
        const std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        m_requested = true;
        if (!m_thread.joinable())
            m_thread = std::thread([this] { run(); });
    }
    m_wake.notify_one();
}

void Checkpointer::run()
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(m_path.constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        qCWarning(lcStore) << "cannot open" << m_path << "for WAL checkpoints:" << sqlite3_errmsg(db);
        sqlite3_close(db);
        return;
    }
    // A connection that has read nothing has not opened the WAL yet: its checkpoints would do
    // nothing at all.
    if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) != SQLITE_OK)
        qCWarning(lcStore) << "cannot read" << m_path << "for WAL checkpoints:" << sqlite3_errmsg(db);
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || m_requested; });
        if (m_stopping)
            break;
        m_requested = false;
        lock.unlock();
        const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)  // busy: another checkpoint is running
            qCWarning(lcStore) << "WAL checkpoint of" << m_path << "failed:" << sqlite3_errmsg(db);
        lock.lock();
        ++m_checkpoints;
    }
    lock.unlock();
    sqlite3_close(db);
}

} // namespace mandate::store
