// SPDX-License-Identifier: Apache-2.0
#include "simulate/Replay.h"

#include <QJsonDocument>

namespace mandate::simulate {

namespace {

const QString kStep = QStringLiteral("mandate.decision.step");
const QString kAuditPrefix = QStringLiteral("mandate.audit.");
const QString kSequence = QStringLiteral("mandate.audit.sequence");

Error notReplayable(const QString &why)
{
    return Error{QStringLiteral("not_replayable"), why};
}

} // namespace

Result<RecordedRequest> RecordedRequest::fromAudit(const audit::AuditRecord &record, qint64 sequence, const QString &gatewayId)
{
    if (record.event != audit::EventType::Decision)
        return notReplayable(QStringLiteral("not a decision record"));
    // The pipeline builds the Cedar request only once the token, the tool, the capability, the
    // risk ceiling and the call budget have passed: without it, no policy was asked.
    if (record.cedarRequest.isEmpty())
        return notReplayable(QStringLiteral("the call was refused before the policy step"));

    Result<bool> allowed = policyVerdict(record.decision, record.details.value(kStep).toString());
    if (!allowed)
        return allowed.error();
    RecordedRequest r;
    r.policyAllowed = allowed.value();
    r.sequence = sequence;
    r.gatewayId = gatewayId.isEmpty() ? record.gatewayId : gatewayId;
    r.time = record.time;
    r.human = record.rootHuman;
    r.agent = record.agent;
    r.execution = record.execution;
    r.tool = record.tool;
    r.action = record.action;
    r.decisionId = record.decisionId;
    r.policies = record.policies;
    r.errors = record.errors;
    r.cedarRequest = record.cedarRequest;
    return r;
}

Result<bool> RecordedRequest::policyVerdict(const QString &decision, const QString &deniedAtStep)
{
    if (decision == QLatin1String("allow"))
        return true;
    // Steps after the policy (DecisionPipeline::decide): the policies allowed the call and a
    // rate limit, the budget charge or the audit write stopped it.
    if (deniedAtStep == QLatin1String("policy"))
        return false;
    if (deniedAtStep == QLatin1String("rate_limit") || deniedAtStep == QLatin1String("budget") || deniedAtStep == QLatin1String("audit"))
        return true;
    return notReplayable(QStringLiteral("denied at step \"%1\", before a policy decided").arg(deniedAtStep));
}

QJsonObject RecordedRequest::cedarRequestObject() const
{
    if (stored.isEmpty())
        return cedarRequest;
    return QJsonDocument::fromJson(stored.view(stored.whole).toByteArray()).object();
}

Result<RecordedRequest> RecordedRequest::fromExportJson(const QJsonObject &object)
{
    QJsonObject body = object;
    for (const QString &key : object.keys()) {
        if (key.startsWith(kAuditPrefix))
            body.remove(key);
    }
    Result<audit::AuditRecord> record = audit::AuditRecord::fromJson(body);
    if (!record)
        return record.error();
    return fromAudit(record.value(), object.value(kSequence).toInteger(), record->gatewayId);
}

} // namespace mandate::simulate
