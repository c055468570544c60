// SPDX-License-Identifier: Apache-2.0
#include "policy/EntityStore.h"

#include <algorithm>

namespace mandate::policy {

namespace {
const RecordPtr &emptyRecord()
{
    static const RecordPtr empty = std::make_shared<const Record>();
    return empty;
}
} // namespace

EntityStore::EntityStore() = default;

void EntityStore::insert(Entity entity)
{
    if (!entity.attrs)
        entity.attrs = emptyRecord();
    if (!entity.tags)
        entity.tags = emptyRecord();
    const uint32_t key = entity.uid.uid;
    m_entities.insert_or_assign(key, std::move(entity));
}

void EntityStore::finalize()
{
    // Iterative DFS with memoisation; `state` guards against cycles in the parent graph.
    std::unordered_map<uint32_t, int> state; // 0 unvisited, 1 in progress, 2 done
    for (auto &[key, root] : m_entities) {
        if (state[key] == 2)
            continue;
        std::vector<std::pair<Entity *, size_t>> stack{{&root, 0}};
        state[key] = 1;
        while (!stack.empty()) {
            auto &[entity, next] = stack.back();
            if (next < entity->parents.size()) {
                const EntityRef parent = entity->parents[next++];
                const auto it = m_entities.find(parent.uid);
                if (it != m_entities.end() && state[parent.uid] == 0) {
                    state[parent.uid] = 1;
                    stack.emplace_back(&it->second, 0);
                }
                continue;
            }
            std::vector<uint32_t> ancestors;
            for (const EntityRef parent : entity->parents) {
                ancestors.push_back(parent.uid);
                const auto it = m_entities.find(parent.uid);
                if (it != m_entities.end())
                    ancestors.insert(ancestors.end(), it->second.ancestors.begin(), it->second.ancestors.end());
            }
            std::sort(ancestors.begin(), ancestors.end());
            ancestors.erase(std::unique(ancestors.begin(), ancestors.end()), ancestors.end());
            entity->ancestors = std::move(ancestors);
            state[entity->uid.uid] = 2;
            stack.pop_back();
        }
    }
    // A cycle leaves some members with partial sets; a fixpoint pass completes them.
    for (bool changed = true; changed;) {
        changed = false;
        for (auto &[key, entity] : m_entities) {
            const size_t before = entity.ancestors.size();
            std::vector<uint32_t> merged = entity.ancestors;
            for (const uint32_t a : entity.ancestors) {
                const auto it = m_entities.find(a);
                if (it != m_entities.end())
                    merged.insert(merged.end(), it->second.ancestors.begin(), it->second.ancestors.end());
            }
            std::sort(merged.begin(), merged.end());
            merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
            if (merged.size() != before) {
                entity.ancestors = std::move(merged);
                changed = true;
            }
        }
    }
}

bool EntityStore::isDescendantOrSelf(EntityRef a, EntityRef b) const
{
    if (a.uid == b.uid)
        return true;
    const Entity *e = find(a);
    return e && std::binary_search(e->ancestors.begin(), e->ancestors.end(), b.uid);
}

std::vector<const Entity *> EntityStore::all() const
{
    std::vector<const Entity *> out;
    out.reserve(m_entities.size());
    for (const auto &[key, e] : m_entities)
        out.push_back(&e);
    std::sort(out.begin(), out.end(), [](const Entity *x, const Entity *y) { return x->uid.uid < y->uid.uid; });
    return out;
}

} // namespace mandate::policy
