// SPDX-License-Identifier: Apache-2.0
#include "PushController.h"

#include "RegistryDocument.h"
#include "client/GatewayClient.h"
#include "client/RecordCodec.h"

#include <optional>
#include <type_traits>

namespace mandate::ui {

using namespace mandate::client;
using identity::Agent;
using identity::Tool;

PushController::PushController(RegistryDocument *document, GatewayClient *client, QObject *parent)
    : QObject(parent), m_document(document), m_client(client)
{
}

QList<PushController::Operation> PushController::plan(const RegistryDocument &document)
{
    QList<Operation> tools;
    QList<Operation> agents;
    QList<Operation> deletions;
    for (const ToolEntry &entry : document.tools()) {
        if (entry.change == PendingChange::None)
            continue;
        Operation op{RecordKind::Tool, entry.uid, entry.change, entry.record.id};
        (entry.change == PendingChange::Deleted ? deletions : tools).append(op);
    }
    for (const AgentEntry &entry : document.agents()) {
        if (entry.change == PendingChange::None)
            continue;
        Operation op{RecordKind::Agent, entry.uid, entry.change, entry.record.id};
        if (entry.change == PendingChange::Deleted)
            deletions.prepend(op);  // agents before the tools they use
        else
            agents.append(op);
    }
    return tools + agents + deletions;
}

void PushController::start()
{
    m_plan = plan(*m_document);
    m_index = 0;
    m_pushed = 0;
    m_failures.clear();
    m_cancelled = false;
    m_running = true;
    next();
}

void PushController::cancel()
{
    m_cancelled = true;
}

void PushController::next()
{
    if (m_cancelled || m_index >= m_plan.size()) {
        m_running = false;
        Q_EMIT finished(m_pushed, m_failures, m_cancelled && m_index < m_plan.size());
        return;
    }
    const Operation &operation = m_plan[m_index];
    Q_EMIT progress(m_index, static_cast<int>(m_plan.size()), operation.id);
    run(operation);
}

void PushController::succeeded()
{
    ++m_pushed;
    ++m_index;
    next();
}

void PushController::failed(const Operation &operation, const ClientError &error)
{
    if (error.kind == ClientError::Kind::Conflict && !error.current.isEmpty()) {
        m_conflictTheirs = error.current;
        QJsonObject base;
        QJsonObject mine;
        if (operation.kind == RecordKind::Agent) {
            if (const AgentEntry *entry = m_document->agent(operation.uid)) {
                base = entry->base ? entry->base->toJson() : QJsonObject();
                mine = entry->deleted ? QJsonObject() : entry->record.toJson();
            }
        } else if (const ToolEntry *entry = m_document->tool(operation.uid)) {
            base = entry->base ? entry->base->toJson() : QJsonObject();
            mine = entry->deleted ? QJsonObject() : entry->record.toJson();
        }
        Q_EMIT conflict(operation, base, mine, error.current, error.currentVersion);
        return;  // resumes in resolveConflict()
    }
    m_failures.append(tr("%1 %2: %3").arg(operation.kind == RecordKind::Agent ? tr("Agent") : tr("Tool"), operation.id, error.message()));
    for (const Error &field : error.fieldErrors)
        m_failures.append(QStringLiteral("    ") + field.toString());
    ++m_index;
    if (error.kind == ClientError::Kind::Unauthorized || error.isTransient()) {
        m_cancelled = true;  // the rest would fail the same way
    }
    next();
}

void PushController::resolveConflict(Resolution resolution)
{
    if (!m_running || m_index >= m_plan.size())
        return;
    const Operation &operation = m_plan[m_index];
    if (resolution == Resolution::Skip) {
        m_failures.append(tr("%1: conflict left unresolved; your edit is still pending").arg(operation.id));
        ++m_index;
        next();
        return;
    }
    if (operation.kind == RecordKind::Agent) {
        ClientResult<Agent> theirs = RecordCodec::record<Agent>(m_conflictTheirs);
        if (!theirs) {
            failed(operation, theirs.error());
            return;
        }
        if (resolution == Resolution::TakeTheirs) {
            m_document->takeAgent(operation.uid, theirs.value());
            ++m_index;
            next();
            return;
        }
        m_document->rebaseAgent(operation.uid, theirs.value());
    } else {
        ClientResult<Tool> theirs = RecordCodec::record<Tool>(m_conflictTheirs);
        if (!theirs) {
            failed(operation, theirs.error());
            return;
        }
        if (resolution == Resolution::TakeTheirs) {
            m_document->takeTool(operation.uid, theirs.value());
            ++m_index;
            next();
            return;
        }
        m_document->rebaseTool(operation.uid, theirs.value());
    }
    run(operation);  // again, now If-Match the gateway's current version
}

namespace {

/// How one kind of record is pushed: the client's calls for it, and how the document takes
/// the gateway's answer (nullopt once deleted there).
template <typename Record>
struct PushCalls
{
    void (GatewayClient::*create)(const Record &, QObject *, GatewayClient::Callback<Record>);
    void (GatewayClient::*update)(const Record &, qint64, QObject *, GatewayClient::Callback<Record>);
    void (GatewayClient::*remove)(const QString &, qint64, QObject *, GatewayClient::Callback<Done>);
    void (RegistryDocument::*accept)(quint64, const std::optional<Record> &);
};

const PushCalls<Agent> kAgentCalls{&GatewayClient::createAgent, &GatewayClient::updateAgent, &GatewayClient::deleteAgent,
                                   &RegistryDocument::acceptPushedAgent};
const PushCalls<Tool> kToolCalls{&GatewayClient::createTool, &GatewayClient::updateTool, &GatewayClient::deleteTool,
                                 &RegistryDocument::acceptPushedTool};

} // namespace

void PushController::run(const Operation &operation)
{
    if (operation.kind == RecordKind::Agent)
        push(operation, m_document->agent(operation.uid), kAgentCalls);
    else
        push(operation, m_document->tool(operation.uid), kToolCalls);
}

template <typename Entry, typename Calls>
void PushController::push(const Operation &operation, const Entry *entry, const Calls &calls)
{
    if (!entry) {
        ++m_index;
        next();
        return;
    }
    using Record = std::decay_t<decltype(entry->record)>;
    const quint64 uid = operation.uid;
    const qint64 version = entry->base ? entry->base->version : 0;
    const auto accept = [this, uid, operation, take = calls.accept](ClientResult<Record> result) {
        if (!result)
            return failed(operation, result.error());
        (m_document->*take)(uid, result.value());
        succeeded();
    };
    switch (operation.change) {
    case PendingChange::Created: (m_client->*calls.create)(entry->record, this, accept); break;
    case PendingChange::Modified: (m_client->*calls.update)(entry->record, version, this, accept); break;
    case PendingChange::Deleted:
        (m_client->*calls.remove)(entry->record.id, version, this, [this, uid, operation, take = calls.accept](ClientResult<Done> result) {
            if (!result)
                return failed(operation, result.error());
            (m_document->*take)(uid, std::nullopt);
            succeeded();
        });
        break;
    case PendingChange::None: succeeded(); break;
    }
}

} // namespace mandate::ui
