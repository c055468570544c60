// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mandate::policy {

/// An interned entity uid: `uid` identifies type + id, `type` the entity type alone. Both are
/// indexes into the process-wide UidTable, so comparing and hashing entities on the hot path is
/// an integer operation and evaluation never touches the table.
struct EntityRef
{
    uint32_t uid = 0;
    uint32_t type = 0;
    friend bool operator==(EntityRef a, EntityRef b) { return a.uid == b.uid; }
    friend bool operator<(EntityRef a, EntityRef b) { return a.uid < b.uid; }
};

/// Process-wide intern table for entity type names and entity uids. Interning happens when
/// policies, entities and requests are loaded (thread-safe, behind a lock); reads for display
/// only. Index 0 of both tables is reserved as "none".
class UidTable
{
public:
    static uint32_t type(std::string_view typeName);
    static EntityRef uid(uint32_t type, std::string_view id);
    static EntityRef uid(std::string_view typeName, std::string_view id) { return uid(type(typeName), id); }
    static std::string typeName(uint32_t type);
    static std::string id(EntityRef ref);
    /// `Type::"id"` with the id escaped the way Cedar prints it.
    static std::string display(EntityRef ref);
};

/// Cedar's string escaping (`\n`, `\"`, `\u{..}` for control characters).
std::string escapeCedarString(std::string_view text);

} // namespace mandate::policy
