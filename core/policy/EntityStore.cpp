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
    if (m_sorted && !m_entities.empty() && m_entities.back().uid.uid >= entity.uid.uid)
        m_sorted = false;
    m_entities.push_back(std::move(entity));
}

const Entity *EntityStore::findUnsorted(UidId uid) const
{
    for (auto it = m_entities.rbegin(); it != m_entities.rend(); ++it) {
        if (it->uid.uid == uid)
            return &*it;
    }
    return nullptr;
}

void EntityStore::sortUnique()
{
    if (m_sorted)
        return;
    const auto less = [](const Entity &a, const Entity &b) { return a.uid.uid < b.uid.uid; };
    if (m_entities.size() <= 32) {
        // Insertion sort, stable, without the buffer std::stable_sort allocates.
        for (size_t i = 1; i < m_entities.size(); ++i) {
            for (size_t j = i; j > 0 && less(m_entities[j], m_entities[j - 1]); --j)
                std::swap(m_entities[j], m_entities[j - 1]);
        }
    } else {
        std::stable_sort(m_entities.begin(), m_entities.end(), less);
    }
    // Of equal uids, in insertion order, the last one replaces the others.
    size_t out = 0;
    for (size_t i = 0; i < m_entities.size(); ++i) {
        if (i + 1 < m_entities.size() && m_entities[i + 1].uid.uid == m_entities[i].uid.uid)
            continue;
        if (out != i)
            m_entities[out] = std::move(m_entities[i]);
        ++out;
    }
    m_entities.erase(m_entities.begin() + std::ptrdiff_t(out), m_entities.end());
    m_sorted = true;
}

bool EntityStore::finalize(EntityRef *cycle)
{
    sortUnique();
    const size_t n = m_entities.size();
    const auto position = [&](UidId uid) -> size_t {
        const Entity *e = find(EntityRef{uid, 0});
        return e ? size_t(e - m_entities.data()) : n;
    };
    // Iterative DFS with memoisation; a parent still in progress closes a cycle. The scratch
    // buffers are the thread's own, so that a store built per request allocates only its
    // ancestor sets.
    thread_local std::vector<uint8_t> state;
    thread_local std::vector<std::pair<size_t, size_t>> stack;
    thread_local std::vector<UidId> ancestors;
    state.assign(n, 0); // 0 unvisited, 1 in progress, 2 done
    for (size_t root = 0; root < n; ++root) {
        if (state[root] == 2)
            continue;
        stack.assign(1, {root, 0});
        state[root] = 1;
        while (!stack.empty()) {
            auto &[index, next] = stack.back();
            Entity &entity = m_entities[index];
            if (next < entity.parents.size()) {
                const size_t parent = position(entity.parents[next++].uid);
                if (parent != n && state[parent] == 1) {
                    if (cycle)
                        *cycle = m_entities[parent].uid;
                    return false;
                }
                if (parent != n && state[parent] == 0) {
                    state[parent] = 1;
                    stack.emplace_back(parent, 0);
                }
                continue;
            }
            ancestors.clear();
            for (const EntityRef parent : entity.parents) {
                ancestors.push_back(parent.uid);
                if (const size_t at = position(parent.uid); at != n)
                    ancestors.insert(ancestors.end(), m_entities[at].ancestors.begin(), m_entities[at].ancestors.end());
            }
            std::sort(ancestors.begin(), ancestors.end());
            ancestors.erase(std::unique(ancestors.begin(), ancestors.end()), ancestors.end());
            entity.ancestors.assign(ancestors.begin(), ancestors.end());
            state[index] = 2;
            stack.pop_back();
        }
    }
    return true;
}

bool EntityStore::isDescendantOrSelf(EntityRef a, EntityRef b) const
{
    if (a.uid == b.uid)
        return true;
    const Entity *e = find(a);
    return e && std::binary_search(e->ancestors.begin(), e->ancestors.end(), b.uid);
}

size_t EntityStore::size() const
{
    return m_sorted ? m_entities.size() : all().size();
}

std::vector<const Entity *> EntityStore::all() const
{
    std::vector<const Entity *> out;
    out.reserve(m_entities.size());
    if (m_sorted) {
        for (const Entity &e : m_entities)
            out.push_back(&e);
        return out;
    }
    for (const Entity &e : m_entities) {
        if (findUnsorted(e.uid.uid) == &e)
            out.push_back(&e);
    }
    std::sort(out.begin(), out.end(), [](const Entity *x, const Entity *y) { return x->uid.uid < y->uid.uid; });
    return out;
}

} // namespace mandate::policy
