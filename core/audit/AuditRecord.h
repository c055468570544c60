// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace mandate::audit {

/// What happened. One record per event; the names are the `mandate.event.type` values.
enum class EventType { Delegation, Decision, ShadowDecision, Forward, FlaggedResponse, Revocation, Expiry, AdminChange };

QString eventTypeName(EventType type);
std::optional<EventType> eventTypeFromName(QStringView name);

/// Appends a record time as the body spells it (without quotes): Qt::ISODateWithMs of the UTC time.
void appendRecordTime(QByteArray &out, const QDateTime &time);
/// Appends `value` exactly as AuditRecord::canonicalBytes() writes it (compact, keys sorted), for
/// callers that encode a part of their records once and reuse it (cedarRequestCanonical).
void appendCanonicalJson(QByteArray &out, const QJsonValue &value);

/// One audit record: everything needed to attribute, investigate and replay one event.
/// Field names on the wire are OpenTelemetry-style attributes (docs/audit-schema.md); empty
/// fields are omitted. The chain position (sequence, hashes) is not part of the record: the
/// AuditLog assigns it and StoredRecord carries it.
struct AuditRecord
{
    QDateTime time;                 ///< UTC, millisecond precision
    QString gatewayId;
    QString traceId;                ///< W3C trace-id, 32 lower-case hex digits
    QString spanId;                 ///< W3C parent-id, 16 lower-case hex digits
    EventType event = EventType::Decision;

    QString rootHuman;              ///< on whose behalf (the token's sub)
    QStringList delegationChain;    ///< root human first, immediate delegator last
    QString agent;
    QString execution;
    QString parentExecution;
    QString purpose;

    QString tool;
    QString action;                 ///< "refund:create"
    QJsonObject resource;           ///< {"type":"Tool","id":"refund"}
    QString decision;               ///< "allow" | "deny" (decision and shadow_decision)
    QString decisionId;
    QStringList policies;           ///< determining policies
    QStringList errors;
    std::optional<double> riskBefore;
    std::optional<double> riskAfter;
    QJsonObject budgetBefore;       ///< {"calls":…,"tokens":…,"amount":"…"}
    QJsonObject budgetAfter;
    std::optional<qint64> latencyUs;
    QString statedReason;           ///< X-Mandate-Reason
    std::optional<int> upstreamStatus;
    QJsonObject cedarRequest;       ///< {principal, action, resource, context, entities}
    /// cedarRequest as canonicalBytes() writes it, when the caller has it already (the per-call
    /// pipeline encodes an execution's entities once); empty: encoded from cedarRequest. It
    /// must be exactly that encoding: the body is what the chain covers and the simulator replays.
    QByteArray cedarRequestCanonical;

    QString adminActor;             ///< admin_change: who
    QString adminTarget;            ///< admin_change: what ("agent:support-agent", "policy:p1", "key:k2")
    QJsonValue adminBefore;         ///< admin_change: the state before / after (null when none)
    QJsonValue adminAfter;
    QJsonObject details;            ///< anything else an event needs (response findings, revocation cause)

    /// The record as its canonical JSON object (attribute keys, empty fields left out).
    QJsonObject toJson() const;
    /// Inverse of toJson(); unknown keys are an error so that nothing is silently lost.
    static Result<AuditRecord> fromJson(const QJsonObject &object);
    /// The exact bytes the hash chain covers: compact JSON, keys sorted, no whitespace.
    QByteArray canonicalBytes() const;
    /// Checks what every record needs (time, gateway) and the W3C id formats.
    Status validate() const;
};

/// A record as stored: its canonical body and its place in the chain.
struct StoredRecord
{
    qint64 sequence = 0;
    QString gatewayId;
    QByteArray prevHash;            ///< 32 bytes; all zero for the first record
    QByteArray hash;                ///< 32 bytes
    QByteArray body;                ///< canonical JSON, exactly as hashed
    QByteArray seal;                ///< Ed25519 signature of the head at this record, when sealed

    /// body plus "mandate.audit.sequence", "mandate.audit.hash", "mandate.audit.prev_hash" (hex):
    /// the form exported to SIEMs and the admin API.
    QJsonObject toExportJson() const;
};

} // namespace mandate::audit
