// SPDX-License-Identifier: Apache-2.0
#include "policy/PolicySet.h"

#include "policy/EntityStore.h"
#include "policy/Parser.h"
#include "policy/Request.h"

#include <algorithm>

namespace mandate::policy {

namespace {

// Index slots: which part of the request a key is taken from.
enum Slot : uint64_t { PrincipalEntity = 0, ResourceEntity = 1, ActionEntity = 2, PrincipalType = 3, ResourceType = 4 };

// Interned numbers count up from 1 and stay far below 2^61, which leaves room for the slot.
uint64_t key(Slot slot, uint64_t id)
{
    return (id << 3) | slot;
}

Error duplicateId(const QString &id)
{
    return Error{QStringLiteral("policy"), QStringLiteral("duplicate policy id `%1`").arg(id), {}};
}

} // namespace

Result<PolicySet> PolicySet::parse(std::string_view source)
{
    auto uids = std::make_shared<UidLease>();
    const UidLease::Scope scope(*uids);
    Parser parser(source);
    auto parsed = parser.parsePolicies();
    if (!parsed)
        return parsed.error();
    PolicySet set;
    set.keep(uids);
    for (Policy &p : parsed.value()) {
        const Status s = p.isTemplate ? set.addTemplate(std::move(p)) : set.add(std::move(p));
        if (!s)
            return s.error();
    }
    return set;
}

Result<PolicySet> PolicySet::parseStatic(std::string_view source)
{
    Result<PolicySet> set = parse(source);
    if (set && !set->templates().empty()) {
        const Policy &first = set->templates().front();
        return Error{QStringLiteral("policy"),
                     QStringLiteral("`%1` is a template (its scope has ?principal or ?resource), which nothing links and which "
                                    "would never apply; name the principal or resource instead")
                         .arg(first.id),
                     QStringLiteral("%1:%2").arg(first.line).arg(first.column)};
    }
    return set;
}

const Policy *PolicySet::find(const QString &id) const
{
    const auto it = m_ids.constFind(id);
    if (it == m_ids.constEnd())
        return nullptr;
    return it.value() >= 0 ? &m_policies[size_t(it.value())] : &m_templates[size_t(~it.value())];
}

Status PolicySet::add(Policy policy)
{
    if (policy.isTemplate)
        return Error{QStringLiteral("policy"), QStringLiteral("`%1` is a template; link it instead").arg(policy.id), {}};
    if (m_ids.contains(policy.id))
        return duplicateId(policy.id);
    m_policies.push_back(std::move(policy));
    m_ids.insert(m_policies.back().id, qint64(m_policies.size() - 1));
    index(m_policies.back(), uint32_t(m_policies.size() - 1));
    return {};
}

Status PolicySet::addTemplate(Policy policy)
{
    if (m_ids.contains(policy.id))
        return duplicateId(policy.id);
    m_templates.push_back(std::move(policy));
    m_ids.insert(m_templates.back().id, ~qint64(m_templates.size() - 1));
    return {};
}

Status PolicySet::link(const QString &templateId, const QString &newId, std::optional<EntityRef> principal,
                       std::optional<EntityRef> resource)
{
    const Policy *tmpl = find(templateId);
    if (!tmpl || !tmpl->isTemplate)
        return Error{QStringLiteral("policy"), QStringLiteral("no template with id `%1`").arg(templateId), {}};
    if (find(newId))
        return duplicateId(newId);
    if (tmpl->principal.slot != principal.has_value() || tmpl->resource.slot != resource.has_value())
        return Error{QStringLiteral("policy"),
                     QStringLiteral("template `%1` needs values for exactly its slots").arg(templateId), {}};
    Policy linked = *tmpl;
    linked.id = newId;
    linked.templateId = templateId;
    linked.isTemplate = false;
    if (principal) {
        linked.principal.entity = *principal;
        linked.principal.slot = false;
    }
    if (resource) {
        linked.resource.entity = *resource;
        linked.resource.slot = false;
    }
    return add(std::move(linked));
}

void PolicySet::index(const Policy &p, uint32_t position)
{
    using K = ScopeConstraint::Kind;
    auto entityKey = [](const ScopeConstraint &c) {
        return c.kind == K::Eq || c.kind == K::In || c.kind == K::IsIn;
    };
    if (entityKey(p.principal)) {
        m_index[key(PrincipalEntity, p.principal.entity.uid)].push_back(position);
    } else if (entityKey(p.resource)) {
        m_index[key(ResourceEntity, p.resource.entity.uid)].push_back(position);
    } else if (p.action.kind == K::Eq || p.action.kind == K::In) {
        m_index[key(ActionEntity, p.action.entity.uid)].push_back(position);
    } else if (p.action.kind == K::InSet) {
        for (const EntityRef e : p.action.entities)
            m_index[key(ActionEntity, e.uid)].push_back(position);
        // An empty set matches no action: the policy can never apply.
    } else if (p.principal.kind == K::Is) {
        m_index[key(PrincipalType, p.principal.type)].push_back(position);
    } else if (p.resource.kind == K::Is) {
        m_index[key(ResourceType, p.resource.type)].push_back(position);
    } else {
        m_unindexed.push_back(position);
    }
}

void PolicySet::candidates(const Request &request, const EntityStore &entities, std::vector<const Policy *> &out) const
{
    thread_local std::vector<uint32_t> positions; // reused: no allocation per request
    positions.clear();
    auto collect = [&](uint64_t k) {
        const auto it = m_index.find(k);
        if (it != m_index.end())
            positions.insert(positions.end(), it->second.begin(), it->second.end());
    };
    auto collectEntity = [&](Slot slot, EntityRef e) {
        collect(key(slot, e.uid));
        if (const Entity *entity = entities.find(e))
            for (const UidId ancestor : entity->ancestors)
                collect(key(slot, ancestor));
    };
    if (!m_index.empty()) {
        collectEntity(PrincipalEntity, request.principal);
        collectEntity(ResourceEntity, request.resource);
        collectEntity(ActionEntity, request.action);
        collect(key(PrincipalType, request.principal.type));
        collect(key(ResourceType, request.resource.type));
    }
    positions.insert(positions.end(), m_unindexed.begin(), m_unindexed.end());
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    for (const uint32_t pos : positions)
        out.push_back(&m_policies[pos]);
}

} // namespace mandate::policy
