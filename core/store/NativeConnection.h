// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

#include <memory>

struct sqlite3;

namespace mandate::store {

/// A connection of SQLite's own beside the Qt Sql ones (bulk readers, the checkpoint thread),
/// closed when it goes.
using NativeConnection = std::unique_ptr<sqlite3, int (*)(sqlite3 *)>;

/// How long every Mandate connection waits for another's lock before it reports "busy": a
/// checkpoint or a commit holds the WAL index only for a moment.
constexpr int kBusyTimeoutMs = 2000;

/// Opens `path` (SQLite's own name for a file: sqlite3_db_filename()) with `flags` and
/// kBusyTimeoutMs; null when it cannot be opened.
NativeConnection openNativeConnection(const char *path, int flags);

/// A memory-map size that covers any database: capped by SQLite's own limit.
constexpr qint64 kMapWholeFile = 17179869184;
/// Sets `connection`'s PRAGMA mmap_size: bulk readers map the file instead of copying every
/// page through read().
void setMmapSize(sqlite3 *connection, qint64 bytes);

} // namespace mandate::store
