// SPDX-License-Identifier: Apache-2.0
#include "store/SqliteSetup.h"

#include "store/PageCacheWrapper.h"
#include "store/WalWriteBuffer.h"

#include <sqlite3.h>

#include <mutex>

namespace mandate::store {

void setUpSqlite()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Only before SQLite is initialised; should something in the process have used it
        // already, this is refused (SQLITE_MISUSE) and statistics stay on: slower, not wrong.
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        installPageCacheWrapper();
        installWalWriteBuffer();  // initialises SQLite: last
    });
}

} // namespace mandate::store
