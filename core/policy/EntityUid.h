// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace mandate::policy {

/// Interned entity type names and entity uids are numbered from 1 and never renumbered: a number
/// whose entry was released is not given to another name, so a stale one can never compare equal
/// to a different entity. 64 bits do not run out.
using TypeId = uint64_t;
using UidId = uint64_t;

/// An interned entity uid: `uid` identifies type + id, `type` the entity type alone. Both are
/// numbers from the process-wide UidTable, so comparing and hashing entities on the hot path is
/// an integer operation and evaluation never touches the table.
struct EntityRef
{
    UidId uid = 0;
    TypeId type = 0;
    friend bool operator==(EntityRef a, EntityRef b) { return a.uid == b.uid; }
    friend bool operator<(EntityRef a, EntityRef b) { return a.uid < b.uid; }
};

class UidLease;

/// Process-wide intern table for entity type names and entity uids, thread-safe. Number 0 is
/// "none".
///
/// Entries are kept by leases: what is interned while a UidLease::Scope is active on the thread
/// lives as long as that lease (or another holding it). What is interned with no scope active is
/// kept for the life of the process, which suits data loaded once and is what tests do. Anything
/// interned from input a caller controls must run under a lease: an execution id, a replayed
/// request or a posted policy would otherwise stay in memory for good.
class UidTable
{
public:
    static TypeId type(std::string_view typeName);
    /// `type` must be held (by the caller's lease, or pinned) for as long as this call runs.
    static EntityRef uid(TypeId type, std::string_view id);
    static EntityRef uid(std::string_view typeName, std::string_view id) { return uid(type(typeName), id); }
    /// The ref of `Type::"id"` if it is interned now, without interning it: for lookups in
    /// structures that hold their refs (what is not interned, no structure holds).
    static std::optional<EntityRef> find(std::string_view typeName, std::string_view id);
    /// Empty for a number that is not (or no longer) interned.
    static std::string typeName(TypeId type);
    static std::string id(EntityRef ref);
    /// `Type::"id"` with the id escaped the way Cedar prints it.
    static std::string display(EntityRef ref);

    struct Size
    {
        size_t types = 0;
        size_t uids = 0;
    };
    /// How many entries are interned now (for tests and diagnostics).
    static Size size();
};

/// Keeps what the table interned under it: the holder of entity refs (a policy set, a schema, an
/// entity store, a request) owns the lease of the refs it was built from, and when the last
/// holder goes, so do the entries that no other lease holds. A lease is filled by one thread at a
/// time, through a Scope.
class UidLease
{
public:
    UidLease() = default;
    UidLease(const UidLease &) = delete;
    UidLease &operator=(const UidLease &) = delete;
    ~UidLease();

    /// Makes `lease` the one the calling thread interns under, until the scope ends; scopes nest.
    class Scope
    {
    public:
        explicit Scope(UidLease &lease);
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;
        ~Scope();

    private:
        UidLease *m_previous;
    };

    size_t size() const { return m_types.size() + m_uids.size(); }

private:
    friend class UidTable;
    /// One hold per number: false when `id` is in `list` already. A replay's lease sees the same
    /// uids again and again, so long lists are indexed.
    static bool add(std::vector<uint64_t> &list, std::unordered_set<uint64_t> &index, uint64_t id);

    std::vector<TypeId> m_types;  ///< each counted once in the table
    std::vector<UidId> m_uids;
    std::unordered_set<TypeId> m_typeIndex;  ///< filled once m_types is long
    std::unordered_set<UidId> m_uidIndex;
};

/// Adds `lease` to what a structure keeps (once; a null lease is nothing to keep).
void keepLease(std::vector<std::shared_ptr<const UidLease>> &kept, std::shared_ptr<const UidLease> lease);

/// Cedar's string escaping (`\n`, `\"`, `\u{..}` for control characters).
std::string escapeCedarString(std::string_view text);

} // namespace mandate::policy
