// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace mandate::store {

/// Process-wide SQLite settings, applied once, before the first connection opens (Database::open
/// and openNativeConnection call it): no memory statistics, which SQLite keeps under a global
/// mutex taken around every allocation it makes (about 2 µs of each execution record a mint
/// writes), the page cache wrapper (installPageCacheWrapper) and the WAL write buffer
/// (installWalWriteBuffer). Idempotent.
void setUpSqlite();

} // namespace mandate::store
