// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "policy/Value.h"

#include <unordered_map>
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
    std::vector<uint32_t> ancestors; ///< sorted EntityRef::uid values
};

/// The entities of one authorization context, keyed by interned uid.
class EntityStore
{
public:
    EntityStore();
    /// Adds or replaces an entity. Call finalize() after the last insert.
    void insert(Entity entity);
    /// Computes every entity's ancestor set (parents may name entities that are not stored).
    void finalize();

    const Entity *find(EntityRef uid) const
    {
        const auto it = m_entities.find(uid.uid);
        return it == m_entities.end() ? nullptr : &it->second;
    }
    /// Cedar's `a in b` for entities: equal, or b is an ancestor of a.
    bool isDescendantOrSelf(EntityRef a, EntityRef b) const;
    size_t size() const { return m_entities.size(); }
    std::vector<const Entity *> all() const;

private:
    std::unordered_map<uint32_t, Entity> m_entities;
};

} // namespace mandate::policy
