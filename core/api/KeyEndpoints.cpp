// SPDX-License-Identifier: Apache-2.0
#include "api/KeyEndpoints.h"

#include "api/RequestBody.h"
#include "common/Logging.h"
#include "identity/Validator.h"

#include <QDateTime>
#include <QJsonArray>

namespace mandate::api {

namespace {

// A year: beyond the longest lifetime any token can have, so a larger value is a typo.
constexpr qint64 kMaxOverlapSecs = 366LL * 24 * 3600;

QString isoTime(qint64 secs)
{
    return QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate);
}

QJsonObject keyJson(const crypto::KeyRing::KeyInfo &key)
{
    QJsonObject json{{QStringLiteral("kid"), key.kid},
                     {QStringLiteral("createdAt"), isoTime(key.createdAt)},
                     {QStringLiteral("current"), key.current}};
    if (key.retireAfter > 0)
        json.insert(QStringLiteral("retireAfter"), isoTime(key.retireAfter));
    return json;
}

QJsonObject ringJson(const QString &currentKid, const QList<crypto::KeyRing::KeyInfo> &keys)
{
    QJsonArray list;
    for (const crypto::KeyRing::KeyInfo &key : keys)
        list.append(keyJson(key));
    return {{QStringLiteral("current"), currentKid}, {QStringLiteral("keys"), list}};
}

QJsonObject ringJson(const crypto::KeyRing &keys)
{
    return ringJson(keys.currentKid(), keys.keys());
}

/// Reads {"overlap_seconds": N} from an optional body.
Result<qint64> overlapFrom(const HttpRequest &request, qint64 fallback)
{
    if (request.body.trimmed().isEmpty())
        return fallback;
    Result<QJsonObject> body = RequestBody::jsonObject(request);
    if (!body)
        return body.error();
    for (auto it = body->constBegin(); it != body->constEnd(); ++it) {
        if (it.key() != QLatin1String("overlap_seconds"))
            return Error{QStringLiteral("bad_request"), QStringLiteral("unknown field \"%1\": only \"overlap_seconds\" is accepted").arg(it.key())};
    }
    const QJsonValue value = body->value(QStringLiteral("overlap_seconds"));
    if (value.isUndefined())
        return fallback;
    const double number = value.toDouble(-1);
    if (!value.isDouble() || number < 0 || number > double(kMaxOverlapSecs) || number != double(qint64(number)))
        return Error{QStringLiteral("bad_request"),
                     QStringLiteral("\"overlap_seconds\" must be a whole number of seconds from 0 to %1").arg(kMaxOverlapSecs)};
    return qint64(number);
}

} // namespace

qint64 KeyEndpoints::defaultOverlapSecs(qint64 clockSkewSecs)
{
    return identity::Validator::MaxTtlSecs + clockSkewSecs;
}

void KeyEndpoints::install(Router &router, crypto::KeyRing &keys, qint64 clockSkewSecs, const AdminAuth &auth, AuditTrail &trail)
{
    router.add("GET", QStringLiteral("/v1/keys"), [&keys, &auth](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::ReadRegistry, [&](const ApiPrincipal &) { return HttpResponse::json(ringJson(keys)); });
    });
    router.add("POST", QStringLiteral("/v1/keys/rotate"), [&keys, &auth, &trail, clockSkewSecs](const HttpRequest &request, const RouteParams &) {
        return auth.guard(request, Permission::RotateKeys, [&](const ApiPrincipal &caller) {
            const Result<qint64> overlap = overlapFrom(request, defaultOverlapSecs(clockSkewSecs));
            if (!overlap)
                return HttpResponse::fromError(overlap.error());
            const Result<crypto::KeyRing::Rotation> rotation = keys.prepareRotation(overlap.value());
            if (!rotation)
                return HttpResponse::fromError(rotation.error());
            const QJsonObject before = ringJson(rotation->retiringKid(), rotation->keysBefore());
            const QString target = QStringLiteral("key:") + rotation->kid();
            QJsonObject after = ringJson(rotation->kid(), rotation->keysAfter());
            after.insert(QStringLiteral("overlapSeconds"), overlap.value());
            // Recorded before it is made: a rotation the audit log cannot record does not happen.
            const QJsonObject details{{QStringLiteral("operation"), QStringLiteral("rotate")},
                                      {QStringLiteral("pruned"), rotation->pruned()}};
            if (const Status audited = trail.adminChange(request, caller, target, before, after, details); !audited)
                return HttpResponse::fromError(audited.error());
            if (const Result<QString> committed = keys.commit(rotation.value()); !committed) {
                // The record says it happened: a second one says it did not, or that what
                // happened is not known. Best effort: when the log cannot write it either,
                // AuditTrail logs that.
                const bool unknown = committed.error().code == QLatin1String("key_ring_state_unknown");
                const QJsonObject failed{{QStringLiteral("operation"), unknown ? QStringLiteral("rotate_state_unknown")
                                                                               : QStringLiteral("rotate_failed")},
                                         {QStringLiteral("error"), committed.error().message}};
                static_cast<void>(trail.adminChange(request, caller, target, after, before, failed));
                return HttpResponse::fromError(committed.error());
            }
            // Keys retired long ago go with the rotation that outdates them; a failure here
            // leaves a key file that is no longer published, and the next rotation retries.
            if (const Result<int> pruned = keys.prune(rotation->preparedAt()); !pruned)
                qCWarning(lcCrypto).noquote() << "retired keys not deleted:" << pruned.error().message;
            QJsonObject made = ringJson(keys);
            made.insert(QStringLiteral("overlapSeconds"), overlap.value());
            return HttpResponse::json(made);
        });
    });
}

} // namespace mandate::api
