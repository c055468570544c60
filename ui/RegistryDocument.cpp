// SPDX-License-Identifier: Apache-2.0
#include "RegistryDocument.h"

#include "RecordCommand.h"

#include <QSet>
#include <QUndoStack>

#include <algorithm>

namespace mandate::ui {

using namespace mandate::identity;

namespace {

template<typename Record>
int rowOf(const std::vector<RecordEntry<Record>> &entries, quint64 uid)
{
    const auto it = std::find_if(entries.cbegin(), entries.cend(), [uid](const auto &entry) { return entry.uid == uid; });
    return it == entries.cend() ? -1 : static_cast<int>(it - entries.cbegin());
}

} // namespace

RegistryDocument::RegistryDocument(QObject *parent)
    : QObject(parent), m_undoStack(new QUndoStack(this))
{
}

void RegistryDocument::load(std::vector<Agent> agents, std::vector<Tool> tools, std::vector<Human> humans)
{
    Q_EMIT aboutToReset();
    m_undoStack->clear();
    m_agents.clear();
    m_agents.reserve(agents.size());
    for (Agent &agent : agents) {
        AgentEntry entry;
        entry.uid = m_nextUid++;
        entry.base = agent;
        entry.record = std::move(agent);
        m_agents.push_back(std::move(entry));
    }
    m_tools.clear();
    for (Tool &tool : tools) {
        ToolEntry entry;
        entry.uid = m_nextUid++;
        entry.base = tool;
        entry.record = std::move(tool);
        m_tools.push_back(std::move(entry));
    }
    m_humans = std::move(humans);
    Q_EMIT reset();
    announcePending();
}

int RegistryDocument::agentRow(quint64 uid) const { return rowOf(m_agents, uid); }
int RegistryDocument::toolRow(quint64 uid) const { return rowOf(m_tools, uid); }

const AgentEntry *RegistryDocument::agent(quint64 uid) const
{
    const int row = agentRow(uid);
    return row < 0 ? nullptr : &m_agents[static_cast<size_t>(row)];
}

const ToolEntry *RegistryDocument::tool(quint64 uid) const
{
    const int row = toolRow(uid);
    return row < 0 ? nullptr : &m_tools[static_cast<size_t>(row)];
}

QStringList RegistryDocument::knownActions() const
{
    QStringList actions;
    for (const ToolEntry &entry : m_tools) {
        if (entry.deleted)
            continue;
        for (const ToolAction &action : entry.record.actions)
            actions.append(action.name);
    }
    actions.sort();
    actions.removeDuplicates();
    return actions;
}

int RegistryDocument::pendingCount() const
{
    const auto pending = [](const auto &entry) { return entry.change != PendingChange::None; };
    return static_cast<int>(std::count_if(m_agents.cbegin(), m_agents.cend(), pending)
                            + std::count_if(m_tools.cbegin(), m_tools.cend(), pending));
}

void RegistryDocument::announcePending()
{
    const int count = pendingCount();
    if (count != m_lastPending) {
        m_lastPending = count;
        Q_EMIT pendingCountChanged(count);
    }
}

template<typename Record>
void RegistryDocument::setEntry(std::vector<RecordEntry<Record>> &entries, RecordKind kind, quint64 uid, int row,
                                const std::optional<RecordEntry<Record>> &entry)
{
    const int current = rowOf(entries, uid);
    if (!entry) {
        if (current < 0)
            return;
        Q_EMIT rowAboutToBeRemoved(kind, current);
        entries.erase(entries.begin() + current);
        Q_EMIT rowRemoved(kind, current);
    } else if (current >= 0) {
        entries[static_cast<size_t>(current)] = *entry;
        entries[static_cast<size_t>(current)].change = entry->computeChange();
        Q_EMIT rowChanged(kind, current, uid);
    } else {
        const int at = std::clamp(row, 0, static_cast<int>(entries.size()));
        Q_EMIT rowAboutToBeInserted(kind, at);
        entries.insert(entries.begin() + at, *entry);
        entries[static_cast<size_t>(at)].change = entry->computeChange();
        Q_EMIT rowInserted(kind, at);
    }
    announcePending();
}

void RegistryDocument::setAgentEntry(quint64 uid, int row, const std::optional<AgentEntry> &entry)
{
    setEntry(m_agents, RecordKind::Agent, uid, row, entry);
}

void RegistryDocument::setToolEntry(quint64 uid, int row, const std::optional<ToolEntry> &entry)
{
    setEntry(m_tools, RecordKind::Tool, uid, row, entry);
}

void RegistryDocument::editAgent(quint64 uid, const Agent &after, const QString &field)
{
    const int row = agentRow(uid);
    if (row < 0)
        return;
    const AgentEntry &before = m_agents[static_cast<size_t>(row)];
    if (before.record.toJson() == after.toJson())
        return;
    AgentEntry changed = before;
    changed.record = after;
    m_undoStack->push(new RecordCommand<Agent>(this, uid, row, before, changed,
                                               tr("Edit %1 of agent %2").arg(field, after.id), field));
}

void RegistryDocument::editTool(quint64 uid, const Tool &after, const QString &field)
{
    const int row = toolRow(uid);
    if (row < 0)
        return;
    const ToolEntry &before = m_tools[static_cast<size_t>(row)];
    if (before.record.toJson() == after.toJson())
        return;
    ToolEntry changed = before;
    changed.record = after;
    m_undoStack->push(new RecordCommand<Tool>(this, uid, row, before, changed,
                                              tr("Edit %1 of tool %2").arg(field, after.id), field));
}

quint64 RegistryDocument::createAgent()
{
    QSet<QString> taken;
    for (const AgentEntry &entry : m_agents)
        taken.insert(entry.record.id);
    QString id = QStringLiteral("new-agent");
    for (int n = 2; taken.contains(id); ++n)
        id = QStringLiteral("new-agent-%1").arg(n);

    AgentEntry entry;
    entry.uid = m_nextUid++;
    entry.record.id = id;
    entry.record.displayName = tr("New agent");
    entry.record.owner = m_humans.empty() ? QString() : m_humans.front().id;
    entry.record.maxBudget.calls = 10;
    const int row = static_cast<int>(m_agents.size());
    m_undoStack->push(new RecordCommand<Agent>(this, entry.uid, row, std::nullopt, entry, tr("Create agent %1").arg(id)));
    return entry.uid;
}

void RegistryDocument::deleteAgent(quint64 uid)
{
    const int row = agentRow(uid);
    if (row < 0)
        return;
    const AgentEntry &before = m_agents[static_cast<size_t>(row)];
    if (before.deleted)
        return;
    std::optional<AgentEntry> after;
    if (before.base) {  // on the gateway: mark it, the push deletes it there
        after = before;
        after->deleted = true;
    }
    m_undoStack->push(new RecordCommand<Agent>(this, uid, row, before, after, tr("Delete agent %1").arg(before.record.id)));
}

template<typename Record>
void RegistryDocument::replaceOutsideHistory(std::vector<RecordEntry<Record>> &entries, RecordKind kind, quint64 uid,
                                             const std::optional<RecordEntry<Record>> &entry)
{
    // The history's snapshots hold the old gateway versions; replaying them would be wrong.
    m_undoStack->clear();
    setEntry(entries, kind, uid, rowOf(entries, uid), entry);
}

void RegistryDocument::acceptPushedAgent(quint64 uid, const std::optional<Agent> &onGateway)
{
    const AgentEntry *current = agent(uid);
    if (!current)
        return;
    std::optional<AgentEntry> entry;
    if (onGateway) {
        entry = *current;
        entry->record = *onGateway;
        entry->base = *onGateway;
        entry->deleted = false;
    }
    replaceOutsideHistory(m_agents, RecordKind::Agent, uid, entry);
}

void RegistryDocument::acceptPushedTool(quint64 uid, const std::optional<Tool> &onGateway)
{
    const ToolEntry *current = tool(uid);
    if (!current)
        return;
    std::optional<ToolEntry> entry;
    if (onGateway) {
        entry = *current;
        entry->record = *onGateway;
        entry->base = *onGateway;
        entry->deleted = false;
    }
    replaceOutsideHistory(m_tools, RecordKind::Tool, uid, entry);
}

void RegistryDocument::rebaseAgent(quint64 uid, const Agent &onGateway)
{
    const AgentEntry *current = agent(uid);
    if (!current)
        return;
    AgentEntry entry = *current;
    entry.base = onGateway;
    entry.record.version = onGateway.version;
    replaceOutsideHistory(m_agents, RecordKind::Agent, uid, std::optional<AgentEntry>(entry));
}

void RegistryDocument::rebaseTool(quint64 uid, const Tool &onGateway)
{
    const ToolEntry *current = tool(uid);
    if (!current)
        return;
    ToolEntry entry = *current;
    entry.base = onGateway;
    entry.record.version = onGateway.version;
    replaceOutsideHistory(m_tools, RecordKind::Tool, uid, std::optional<ToolEntry>(entry));
}

void RegistryDocument::takeAgent(quint64 uid, const Agent &onGateway)
{
    acceptPushedAgent(uid, onGateway);
}

void RegistryDocument::takeTool(quint64 uid, const Tool &onGateway)
{
    acceptPushedTool(uid, onGateway);
}

} // namespace mandate::ui
