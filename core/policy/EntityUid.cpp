// SPDX-License-Identifier: Apache-2.0
#include "policy/EntityUid.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace mandate::policy {

namespace {

/// An entry lives while it is pinned (interned with no lease) or held: once per lease that
/// interned it and, for a type, once per interned uid of that type. Counts change atomically
/// under either lock; an entry is erased only under the exclusive lock, after checking that
/// nothing holds it, so one found and held again under the shared lock is never erased.
struct Holds
{
    std::atomic<uint64_t> count{0};
    std::atomic<bool> pinned{false};

    bool unheld() const { return count.load(std::memory_order_relaxed) == 0 && !pinned.load(std::memory_order_relaxed); }
};

struct TypeEntry
{
    std::string name;
    Holds holds;
};

struct UidEntry
{
    TypeId type = 0;
    std::string id;
    Holds holds;
};

struct UidKey
{
    TypeId type;
    std::string_view id;  ///< points into the entry's own string
    friend bool operator==(const UidKey &a, const UidKey &b) { return a.type == b.type && a.id == b.id; }
};

struct UidKeyHash
{
    size_t operator()(const UidKey &key) const
    {
        return std::hash<std::string_view>()(key.id) ^ size_t(key.type * 0x9E3779B97F4A7C15ull);
    }
};

// unordered_map keeps its nodes in place across rehashing, so the index can point into them.
struct Tables
{
    std::shared_mutex lock;
    TypeId nextType = 1;
    UidId nextUid = 1;
    std::unordered_map<TypeId, TypeEntry> types;
    std::unordered_map<std::string_view, TypeId> typeIndex;
    std::unordered_map<UidId, UidEntry> uids;
    std::unordered_map<UidKey, UidId, UidKeyHash> uidIndex;
};

Tables &tables()
{
    static Tables t;
    return t;
}

thread_local UidLease *currentLease = nullptr;

enum class Hold { Pin, Count, AlreadyHeld };

void apply(Holds &holds, Hold how)
{
    if (how == Hold::Count)
        holds.count.fetch_add(1, std::memory_order_relaxed);
    else if (how == Hold::Pin && !holds.pinned.load(std::memory_order_relaxed))
        holds.pinned.store(true, std::memory_order_relaxed);
}

/// Exclusive lock held. Erases the type if nothing holds it (any more).
void eraseTypeIfUnheld(Tables &t, TypeId type)
{
    const auto it = t.types.find(type);
    if (it != t.types.end() && it->second.holds.unheld()) {
        t.typeIndex.erase(it->second.name);
        t.types.erase(it);
    }
}

/// Exclusive lock held. Erases the uid if nothing holds it (any more), with its hold on its type.
void eraseUidIfUnheld(Tables &t, UidId uid)
{
    const auto it = t.uids.find(uid);
    if (it == t.uids.end() || !it->second.holds.unheld())
        return;
    const TypeId type = it->second.type;
    t.uidIndex.erase(UidKey{type, it->second.id});
    t.uids.erase(it);
    if (const auto typeEntry = t.types.find(type); typeEntry != t.types.end()) {
        typeEntry->second.holds.count.fetch_sub(1, std::memory_order_relaxed);
        eraseTypeIfUnheld(t, type);
    }
}

/// Lets go of one hold; true when that was the last (the entry may then be erased, under the
/// exclusive lock, unless someone took it again meanwhile).
bool release(Holds &holds)
{
    return holds.count.fetch_sub(1, std::memory_order_relaxed) == 1 && !holds.pinned.load(std::memory_order_relaxed);
}

} // namespace

UidLease::Scope::Scope(UidLease &lease) : m_previous(currentLease)
{
    currentLease = &lease;
}

UidLease::Scope::~Scope()
{
    currentLease = m_previous;
}

bool UidLease::add(std::vector<uint64_t> &list, std::unordered_set<uint64_t> &index, uint64_t id)
{
    constexpr size_t kScanned = 16;  // a request's handful is cheaper to scan than to hash
    if (list.size() < kScanned) {
        if (std::find(list.begin(), list.end(), id) != list.end())
            return false;
    } else {
        if (index.empty())
            index.insert(list.begin(), list.end());
        if (!index.insert(id).second)
            return false;
    }
    list.push_back(id);
    return true;
}

UidLease::~UidLease()
{
    if (m_types.empty() && m_uids.empty())
        return;
    // Counts go down under the shared lock, so that a request ending does not stop every other
    // thread; only entries left unheld need the exclusive one.
    Tables &t = tables();
    std::vector<UidId> lastUids;
    std::vector<TypeId> lastTypes;
    {
        std::shared_lock read(t.lock);
        for (const UidId uid : m_uids) {
            if (const auto it = t.uids.find(uid); it != t.uids.end() && release(it->second.holds))
                lastUids.push_back(uid);
        }
        for (const TypeId type : m_types) {
            if (const auto it = t.types.find(type); it != t.types.end() && release(it->second.holds))
                lastTypes.push_back(type);
        }
    }
    if (lastUids.empty() && lastTypes.empty())
        return;
    std::unique_lock write(t.lock);
    for (const UidId uid : lastUids)
        eraseUidIfUnheld(t, uid);
    for (const TypeId type : lastTypes)
        eraseTypeIfUnheld(t, type);
}

TypeId UidTable::type(std::string_view typeName)
{
    Tables &t = tables();
    UidLease *lease = currentLease;
    const auto how = [lease](TypeId type) {
        return !lease ? Hold::Pin : UidLease::add(lease->m_types, lease->m_typeIndex, type) ? Hold::Count : Hold::AlreadyHeld;
    };
    {
        std::shared_lock read(t.lock);
        if (const auto it = t.typeIndex.find(typeName); it != t.typeIndex.end()) {
            apply(t.types.find(it->second)->second.holds, how(it->second));
            return it->second;
        }
    }
    std::unique_lock write(t.lock);
    TypeId type = 0;
    if (const auto it = t.typeIndex.find(typeName); it != t.typeIndex.end()) {
        type = it->second;
    } else {
        type = t.nextType++;
        TypeEntry &entry = t.types[type];
        entry.name = std::string(typeName);
        t.typeIndex.emplace(entry.name, type);
    }
    apply(t.types.find(type)->second.holds, how(type));
    return type;
}

EntityRef UidTable::uid(TypeId type, std::string_view id)
{
    Tables &t = tables();
    UidLease *lease = currentLease;
    const auto how = [lease](UidId uid) {
        return !lease ? Hold::Pin : UidLease::add(lease->m_uids, lease->m_uidIndex, uid) ? Hold::Count : Hold::AlreadyHeld;
    };
    {
        std::shared_lock read(t.lock);
        if (const auto it = t.uidIndex.find(UidKey{type, id}); it != t.uidIndex.end()) {
            apply(t.uids.find(it->second)->second.holds, how(it->second));
            return {it->second, type};
        }
    }
    std::unique_lock write(t.lock);
    UidId uid = 0;
    if (const auto it = t.uidIndex.find(UidKey{type, id}); it != t.uidIndex.end()) {
        uid = it->second;
    } else {
        uid = t.nextUid++;
        UidEntry &entry = t.uids[uid];
        entry.type = type;
        entry.id = std::string(id);
        t.uidIndex.emplace(UidKey{type, entry.id}, uid);
        // The uid keeps its type's name for display, whoever else lets go of it.
        if (const auto typeEntry = t.types.find(type); typeEntry != t.types.end())
            typeEntry->second.holds.count.fetch_add(1, std::memory_order_relaxed);
    }
    apply(t.uids.find(uid)->second.holds, how(uid));
    return {uid, type};
}

std::optional<EntityRef> UidTable::find(std::string_view typeName, std::string_view id)
{
    Tables &t = tables();
    std::shared_lock read(t.lock);
    const auto type = t.typeIndex.find(typeName);
    if (type == t.typeIndex.end())
        return std::nullopt;
    const auto uid = t.uidIndex.find(UidKey{type->second, id});
    if (uid == t.uidIndex.end())
        return std::nullopt;
    return EntityRef{uid->second, type->second};
}

std::string UidTable::typeName(TypeId type)
{
    Tables &t = tables();
    std::shared_lock read(t.lock);
    const auto it = t.types.find(type);
    return it != t.types.end() ? it->second.name : std::string();
}

std::string UidTable::id(EntityRef ref)
{
    Tables &t = tables();
    std::shared_lock read(t.lock);
    const auto it = t.uids.find(ref.uid);
    return it != t.uids.end() ? it->second.id : std::string();
}

std::string UidTable::display(EntityRef ref)
{
    Tables &t = tables();
    std::shared_lock read(t.lock);
    const auto uid = t.uids.find(ref.uid);
    const auto type = t.types.find(ref.type);
    if (uid == t.uids.end() || type == t.types.end())
        return "<entity #" + std::to_string(ref.uid) + ", no longer interned>";
    return type->second.name + "::\"" + escapeCedarString(uid->second.id) + '"';
}

void keepLease(std::vector<std::shared_ptr<const UidLease>> &kept, std::shared_ptr<const UidLease> lease)
{
    if (lease && std::find(kept.begin(), kept.end(), lease) == kept.end())
        kept.push_back(std::move(lease));
}

UidTable::Size UidTable::size()
{
    Tables &t = tables();
    std::shared_lock read(t.lock);
    return {t.types.size(), t.uids.size()};
}

std::string escapeCedarString(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\0': out += "\\0"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                static const char hex[] = "0123456789abcdef";
                out += "\\u{";
                out += hex[(c >> 4) & 0xf];
                out += hex[c & 0xf];
                out += '}';
            } else {
                out += c;
            }
        }
    }
    return out;
}

} // namespace mandate::policy
