// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "policy/Ast.h"

#include <QHash>
#include <QString>

#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

namespace mandate::policy {

struct Request;
class EntityStore;

/// The static and template-linked policies of one authorization domain, plus its templates, with
/// an index on the scope so that a request only looks at policies that can apply to it.
class PolicySet
{
public:
    /// Parses Cedar source; templates are kept as templates, everything else is active.
    static Result<PolicySet> parse(std::string_view source);
    /// Parses a set to enforce as written, as Cedar's static policy sets are: a template (a
    /// scope with ?principal or ?resource) is refused, since nothing links it and it would
    /// never apply.
    static Result<PolicySet> parseStatic(std::string_view source);

    /// Adds a static policy (must not be a template). Ids must be unique. A policy built from
    /// refs interned under a lease needs that lease kept too (keep()), as parse() does.
    Status add(Policy policy);
    Status addTemplate(Policy policy);
    /// Links template `templateId` as policy `newId`, filling ?principal / ?resource (whose lease,
    /// if any, the caller keeps).
    Status link(const QString &templateId, const QString &newId, std::optional<EntityRef> principal,
                std::optional<EntityRef> resource);

    /// Keeps `uids` for as long as the set or a copy of it lives.
    void keep(std::shared_ptr<const UidLease> uids) { keepLease(m_uids, std::move(uids)); }

    const std::deque<Policy> &policies() const { return m_policies; }
    const std::deque<Policy> &templates() const { return m_templates; }
    const Policy *find(const QString &id) const;

    /// Appends to `out` the policies whose scope may match `request` (never misses one), in
    /// policy order and without duplicates. Does not allocate once `out` has capacity.
    void candidates(const Request &request, const EntityStore &entities, std::vector<const Policy *> &out) const;

private:
    void index(const Policy &policy, uint32_t position);

    std::deque<Policy> m_policies;
    std::deque<Policy> m_templates;
    /// Policy id -> position; templates are stored as ~position (so the set stays copyable).
    QHash<QString, qint64> m_ids;
    std::unordered_map<uint64_t, std::vector<uint32_t>> m_index; ///< (slot, uid or type) -> positions
    std::vector<uint32_t> m_unindexed;
    std::vector<std::shared_ptr<const UidLease>> m_uids;  ///< what parsing the policies interned
};

} // namespace mandate::policy
