// SPDX-License-Identifier: Apache-2.0
#include "firewall/CedarEntityCache.h"

#include "audit/AuditRecord.h"
#include "policy/JsonFormats.h"

namespace mandate::firewall {

namespace {

/// Length-prefixed, so that no two different field lists give the same key.
void addField(QString &key, const QString &field)
{
    key += QString::number(field.size());
    key += u':';
    key += field;
}

void addExecution(QString &key, const identity::Execution &execution)
{
    addField(key, execution.id);
    addField(key, execution.agent);
    addField(key, execution.parent);
    addField(key, execution.purpose);
    key += QString::number(execution.depth());
    key += u';';
    addField(key, execution.rootHuman());
}

} // namespace

QString CedarEntityCache::keyOf(const CedarRequestBuilder::Input &input)
{
    const ExecutionView &view = *input.view;
    QString key;
    key.reserve(256);
    addExecution(key, view.execution);
    key += QString::number(view.ancestors.size());
    key += u'|';
    for (const identity::Execution &ancestor : view.ancestors)
        addExecution(key, ancestor);
    key += QString::number(input.agents.size());
    key += u'|';
    for (const identity::Agent &agent : input.agents) {
        addField(key, agent.id);
        addField(key, agent.owner);
        key += QString::number(agent.trustLevel);
        key += u';';
    }
    addField(key, input.tool);
    return key;
}

QByteArray CedarEntityCache::canonicalRequest(const QJsonObject &request, const Entry &entry)
{
    // The request's five members in the sorted order of the canonical encoding.
    QByteArray out;
    out.reserve(entry.canonical.size() + 1024);
    out.append("{\"action\":");
    audit::appendCanonicalJson(out, request.value(QStringLiteral("action")));
    out.append(",\"context\":");
    audit::appendCanonicalJson(out, request.value(QStringLiteral("context")));
    out.append(",\"entities\":");
    out.append(entry.canonical);
    out.append(",\"principal\":");
    audit::appendCanonicalJson(out, request.value(QStringLiteral("principal")));
    out.append(",\"resource\":");
    audit::appendCanonicalJson(out, request.value(QStringLiteral("resource")));
    out.append('}');
    return out;
}

Result<std::shared_ptr<const CedarEntityCache::Entry>> CedarEntityCache::entities(const CedarRequestBuilder::Input &input,
                                                                                  const std::shared_ptr<const policy::Schema> &schema)
{
    const QString key = keyOf(input);
    // Dropped entries are freed after the lock is released: freeing lets go of their interned
    // uids, which takes the intern table's exclusive lock.
    QHash<QString, std::shared_ptr<const Entry>> dropped;
    {
        const std::lock_guard lock(m_mutex);
        if (m_schema != schema) {
            dropped.swap(m_entries);
            m_schema = schema;
        }
        if (const auto it = m_entries.constFind(key); it != m_entries.constEnd())
            return *it;
    }
    // Built outside the lock: concurrent misses of one key build the same entry twice, harmlessly.
    auto entry = std::make_shared<Entry>();
    entry->json = CedarRequestBuilder::entitiesJson(input);
    auto store = policy::JsonFormats::entities(entry->json, schema.get());
    if (!store)
        return Error{QStringLiteral("request"), QStringLiteral("entities: ") + store.error().toString()};
    entry->store = std::move(store).value();
    audit::appendCanonicalJson(entry->canonical, entry->json);
    std::shared_ptr<const Entry> built = std::move(entry);
    QHash<QString, std::shared_ptr<const Entry>> full;  // destroyed after `lock`, as `dropped`
    const std::lock_guard lock(m_mutex);
    if (m_schema == schema) {  // a newer schema may have arrived meanwhile: then not kept
        if (m_entries.size() >= MaxEntries)
            full.swap(m_entries);
        m_entries.insert(key, built);
    }
    return built;
}

} // namespace mandate::firewall
