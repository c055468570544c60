// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/Value.h"

#include <algorithm>
#include <memory>
#include <vector>

namespace mandate::policy {

/// One entity: attributes, tags, direct parents and (after EntityStore::finalize) the sorted
/// transitive closure of its ancestors, so that `in` is a binary search.
struct Entity
{
    EntityRef uid;
    RecordPtr attrs;
    RecordPtr tags;
    std::vector<EntityRef> parents;
    std::vector<UidId> ancestors; ///< sorted EntityRef::uid values
};

/// The entities of one authorization context, keyed by interned uid. Kept in one vector
/// sorted by uid: a request's store holds a handful of entities, and a replay builds one for
/// every distinct entity set, so building, finding and freeing them must be cheap.
class EntityStore
{
public:
    EntityStore();
    /// Adds or replaces an entity (the last one inserted with a uid wins). Call finalize()
    /// after the last insert; pointers from find() do not survive an insert.
    void insert(Entity entity);
    void reserve(size_t count) { m_entities.reserve(count); }
    /// Computes every entity's ancestor set (parents may name entities that are not stored).
    /// False when the parents form a cycle, which Cedar refuses (an entity set, not a
    /// decision): `cycle` then names an entity on it, and the ancestor sets are incomplete.
    [[nodiscard]] bool finalize(EntityRef *cycle = nullptr);

    const Entity *find(EntityRef uid) const
    {
        if (!m_sorted)
            return findUnsorted(uid.uid);
        const auto it = std::lower_bound(m_entities.begin(), m_entities.end(), uid.uid,
                                         [](const Entity &e, UidId key) { return e.uid.uid < key; });
        return it != m_entities.end() && it->uid.uid == uid.uid ? &*it : nullptr;
    }
    /// Cedar's `a in b` for entities: equal, or b is an ancestor of a.
    bool isDescendantOrSelf(EntityRef a, EntityRef b) const;
    /// Keeps `uids` for as long as the store or a copy of it lives. Whoever inserts entities
    /// whose refs were interned under a lease passes it here (JsonFormats::entities does).
    void keep(std::shared_ptr<const UidLease> uids) { keepLease(m_uids, std::move(uids)); }
    /// What the store keeps: for a structure built from its entities to keep too.
    const std::vector<std::shared_ptr<const UidLease>> &leases() const { return m_uids; }
    size_t size() const;
    std::vector<const Entity *> all() const;

private:
    const Entity *findUnsorted(UidId uid) const;
    /// Sorts by uid, keeping the last inserted of each uid.
    void sortUnique();

    std::vector<Entity> m_entities;
    bool m_sorted = true;
    std::vector<std::shared_ptr<const UidLease>> m_uids;
};

} // namespace mandate::policy
