// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "RecordEntry.h"
#include "identity/Agent.h"
#include "identity/Human.h"
#include "identity/Tool.h"

#include <QObject>
#include <QStringList>

#include <optional>
#include <vector>

class QUndoStack;

namespace mandate::ui {

using AgentEntry = RecordEntry<identity::Agent>;
using ToolEntry = RecordEntry<identity::Tool>;

/// The console's working copy of one gateway's registry (agents and tools, plus the humans that
/// can own agents). Views never change it directly: edits become RecordCommands on its undo stack;
/// the document announces every change with typed signals that the table models translate.
/// Nothing here talks to the network; PushController moves pending changes to the gateway.
class RegistryDocument final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegistryDocument)

public:
    explicit RegistryDocument(QObject *parent = nullptr);

    QUndoStack *undoStack() const { return m_undoStack; }

    /// Replaces everything with what the gateway holds; clears pending changes and history.
    void load(std::vector<identity::Agent> agents, std::vector<identity::Tool> tools, std::vector<identity::Human> humans);

    const std::vector<AgentEntry> &agents() const { return m_agents; }
    const std::vector<ToolEntry> &tools() const { return m_tools; }
    const std::vector<identity::Human> &humans() const { return m_humans; }
    int agentRow(quint64 uid) const;
    int toolRow(quint64 uid) const;
    const AgentEntry *agent(quint64 uid) const;
    const ToolEntry *tool(quint64 uid) const;
    /// Every action the working copy's tools define, sorted.
    QStringList knownActions() const;
    int pendingCount() const;
    bool hasPendingChanges() const { return pendingCount() > 0; }

    // Undoable edits: each pushes one command. Consecutive edits of the same field of the same
    // record merge into one command (typing a name is one undo step).
    void editAgent(quint64 uid, const identity::Agent &after, const QString &field);
    void editTool(quint64 uid, const identity::Tool &after, const QString &field);
    /// Adds a new agent with a free id and returns its uid.
    quint64 createAgent();
    /// Marks an agent deleted (or drops it if it was never pushed).
    void deleteAgent(quint64 uid);

    // Outcomes of a push or a conflict resolution. Not undoable: they change what the gateway
    // holds, so they clear the history.
    void acceptPushedAgent(quint64 uid, const std::optional<identity::Agent> &onGateway);
    void acceptPushedTool(quint64 uid, const std::optional<identity::Tool> &onGateway);
    /// Conflict, keep mine: rebase the local edit on the gateway's current record.
    void rebaseAgent(quint64 uid, const identity::Agent &onGateway);
    void rebaseTool(quint64 uid, const identity::Tool &onGateway);
    /// Conflict, take theirs: drop the local edit.
    void takeAgent(quint64 uid, const identity::Agent &onGateway);
    void takeTool(quint64 uid, const identity::Tool &onGateway);

    /// For RecordCommand: put an entry in place (or remove it with nullopt) at `row`.
    void setAgentEntry(quint64 uid, int row, const std::optional<AgentEntry> &entry);
    void setToolEntry(quint64 uid, int row, const std::optional<ToolEntry> &entry);

Q_SIGNALS:
    void aboutToReset();
    void reset();
    void rowAboutToBeInserted(mandate::ui::RecordKind kind, int row);
    void rowInserted(mandate::ui::RecordKind kind, int row);
    void rowAboutToBeRemoved(mandate::ui::RecordKind kind, int row);
    void rowRemoved(mandate::ui::RecordKind kind, int row);
    void rowChanged(mandate::ui::RecordKind kind, int row, quint64 uid);
    void pendingCountChanged(int count);

private:
    template<typename Record>
    void setEntry(std::vector<RecordEntry<Record>> &entries, RecordKind kind, quint64 uid, int row,
                  const std::optional<RecordEntry<Record>> &entry);
    template<typename Record>
    void replaceOutsideHistory(std::vector<RecordEntry<Record>> &entries, RecordKind kind, quint64 uid,
                               const std::optional<RecordEntry<Record>> &entry);
    void announcePending();

    QUndoStack *m_undoStack;
    std::vector<AgentEntry> m_agents;
    std::vector<ToolEntry> m_tools;
    std::vector<identity::Human> m_humans;
    quint64 m_nextUid = 1;
    int m_lastPending = 0;
};

} // namespace mandate::ui
