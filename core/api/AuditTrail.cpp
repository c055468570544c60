// SPDX-License-Identifier: Apache-2.0
#include "api/AuditTrail.h"

#include "api/Role.h"
#include "broker/OAuthError.h"
#include "common/Logging.h"
#include "firewall/TraceContext.h"

#include <QJsonArray>

#include <future>
#include <memory>
#include <optional>

namespace mandate::api {

using audit::AuditRecord;
using audit::EventType;

AuditRecord AuditTrail::executionRecord(EventType type, const identity::Execution &execution)
{
    AuditRecord record;
    record.event = type;
    record.rootHuman = execution.rootHuman();
    record.delegationChain = execution.chain;
    record.agent = execution.agent;
    record.execution = execution.id;
    record.parentExecution = execution.parent;
    record.purpose = execution.purpose;
    return record;
}

AuditRecord AuditTrail::stamped(const HttpRequest &request, AuditRecord record) const
{
    const firewall::TraceContext trace = firewall::TraceContext::continueOrStart(QString::fromLatin1(request.header("traceparent")));
    record.time = m_clock.now();
    record.gatewayId = m_gatewayId;
    record.traceId = trace.traceId;
    record.spanId = trace.spanId;
    return record;
}

Status AuditTrail::append(const AuditRecord &record)
{
    if (!m_log)
        return Status::success();
    auto appended = m_log->append(record);
    if (appended)
        return Status::success();
    qCCritical(lcAudit) << "cannot write the" << audit::eventTypeName(record.event) << "record:" << appended.error().toString();
    return Error{QStringLiteral("store_error"),
                 QStringLiteral("the audit record could not be written: %1").arg(appended.error().message)};
}

Status AuditTrail::delegation(const HttpRequest &request, const identity::Execution &execution, const QString &client,
                              session::ExecutionStore &executions)
{
    std::promise<Status> done;
    std::future<Status> outcome = done.get_future();
    delegationThen(request, execution, client, executions, [&done](const Status &recorded) { done.set_value(recorded); });
    return outcome.get();
}

void AuditTrail::delegationThen(const HttpRequest &request, const identity::Execution &execution, const QString &client,
                                session::ExecutionStore &executions, std::function<void(const Status &)> recorded)
{
    if (!m_log)
        return executions.createThen(execution, std::move(recorded));
    // The row is written on the audit writer's connection: on another database it would land in
    // the wrong file, or nowhere, and the two would no longer commit together.
    if (&executions.database() != &m_log->database())
        return recorded(Error{QStringLiteral("internal"), QStringLiteral("the execution store and the audit log are on different databases: "
                                                                         "a delegation cannot commit with its execution")});
    auto created = executions.prepareNew(execution);
    if (!created)
        return recorded(created.error());
    AuditRecord record = stamped(request, executionRecord(EventType::Delegation, execution));
    const QJsonObject granted = execution.toJson();
    record.budgetAfter = execution.budget.toJson();
    record.details = {{QStringLiteral("client"), client},
                      {QStringLiteral("scope"), execution.actions().join(u' ')},
                      {QStringLiteral("capabilities"), granted.value(QStringLiteral("capabilities"))},
                      {QStringLiteral("risk_ceiling"), execution.riskCeiling},
                      {QStringLiteral("depth"), execution.depth()},
                      {QStringLiteral("issued_at"), granted.value(QStringLiteral("issuedAt"))},
                      {QStringLiteral("expires_at"), granted.value(QStringLiteral("expiresAt"))}};
    // What the writer thread's companion and the completion share.
    struct Minting
    {
        session::ExecutionStore::NewExecution created;
        std::optional<Error> refused;  ///< the store's own answer: the parent's budget or state, an id taken
    };
    auto minting = std::make_shared<Minting>(Minting{std::move(created).value(), std::nullopt});
    // Written on the audit writer's connection, in the record's batch. In a savepoint of its
    // own: a parent's reservation and its child's row stand or fall together.
    const store::Database &db = m_log->database();
    audit::AuditLog::Companion writeExecution{[&db, &executions, minting]() -> Result<bool> {
                                                  Status written = db.transaction([&] { return executions.writeNew(minting->created); });
                                                  if (written)
                                                      return true;
                                                  // The batch's transaction is lost (a full disk):
                                                  // the batch fails, this record with it.
                                                  if (!db.inTransaction())
                                                      return written.error();
                                                  minting->refused = written.error();
                                                  return false;
                                              },
                                              Error{QStringLiteral("refused"), QStringLiteral("the execution was refused")}, {}};
    const QString id = execution.id;
    m_log->appendThen(record, std::move(writeExecution),
                      [&executions, minting, id, recorded = std::move(recorded)](Result<audit::AppendReceipt> appended) {
                          if (appended) {
                              executions.announceNew(std::move(minting->created));
                              return recorded(Status::success());
                          }
                          if (minting->refused)
                              return recorded(*minting->refused);
                          qCCritical(lcAudit) << "execution" << id << "not minted: its delegation record cannot be written:"
                                              << appended.error().toString();
                          recorded(broker::OAuthError::temporarilyUnavailable(
                              QStringLiteral("the delegation could not be recorded; try again later")));
                      });
}

Status AuditTrail::revocations(const HttpRequest &request, const session::ExecutionStore &executions,
                               const QStringList &revoked, const QString &actor, const QString &cause,
                               const QString &cascadeRoot, const QJsonObject &details)
{
    for (const QString &id : revoked) {
        identity::Execution execution;
        if (auto found = executions.get(id))
            execution = std::move(found).value();
        else
            execution.id = id;  // still one record per revoked execution, with what is known
        AuditRecord record = stamped(request, executionRecord(EventType::Revocation, execution));
        record.details = details;
        record.details.insert(QStringLiteral("actor"), actor);
        record.details.insert(QStringLiteral("cause"), cause);
        record.details.insert(QStringLiteral("cascade_root"), cascadeRoot);
        if (Status written = append(record); !written)
            return written;
    }
    return Status::success();
}

AuditRecord AuditTrail::adminRecord(const HttpRequest &request, const ApiPrincipal &actor, const QString &target,
                                    const QJsonValue &before, const QJsonValue &after, const QJsonObject &details) const
{
    AuditRecord record;
    record.event = EventType::AdminChange;
    record.adminActor = actor.name;
    record.adminTarget = target;
    record.adminBefore = before;
    record.adminAfter = after;
    record.details = details;
    record.details.insert(QStringLiteral("role"), roleName(actor.role));
    // Key names are free text and need not be unique: the id says which key acted.
    if (!actor.keyId.isEmpty())
        record.details.insert(QStringLiteral("actor_key"), actor.keyId);
    return stamped(request, std::move(record));
}

Status AuditTrail::adminChange(const HttpRequest &request, const ApiPrincipal &actor, const QString &target,
                               const QJsonValue &before, const QJsonValue &after, const QJsonObject &details)
{
    return append(adminRecord(request, actor, target, before, after, details));
}

Status AuditTrail::applyAdminChange(const HttpRequest &request, const ApiPrincipal &actor, const QString &target,
                                    const QJsonValue &before, const QJsonValue &after, const std::function<Status()> &apply,
                                    const QJsonObject &details)
{
    if (!m_log)
        return apply();
    std::optional<Error> refused;
    std::optional<Error> failed;
    const store::Database &db = m_log->database();
    audit::AuditLog::Companion change{[&]() -> Result<bool> {
                                          // In a savepoint of the batch: whatever fails is undone alone.
                                          Status applied = db.transaction(apply);
                                          if (applied)
                                              return true;
                                          // SQLite aborted the batch's transaction (a full disk): the
                                          // batch must fail. Anything else skips this record alone, so
                                          // the calls committing with it are not refused for it.
                                          if (!db.inTransaction()) {
                                              failed = applied.error();
                                              return applied.error();
                                          }
                                          refused = applied.error();
                                          return false;
                                      },
                                      Error{QStringLiteral("refused"), QStringLiteral("the change was refused")}, {}};
    auto appended = m_log->append(adminRecord(request, actor, target, before, after, details), std::move(change));
    if (appended)
        return Status::success();
    if (refused)
        return *refused;  // a conflict, an invalid record, or a write the store refused
    if (failed)
        return *failed;  // the change itself could not be written; nothing was
    qCCritical(lcAudit) << "admin change" << target << "not made: its record cannot be written:" << appended.error().toString();
    return Error{QStringLiteral("store_error"),
                 QStringLiteral("the change was not made: its audit record could not be written (%1)").arg(appended.error().message)};
}

} // namespace mandate::api
