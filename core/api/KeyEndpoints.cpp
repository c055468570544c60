// SPDX-License-Identifier: Apache-2.0
#include "api/KeyEndpoints.h"

#include "api/RequestBody.h"
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

QJsonObject ringJson(const crypto::KeyRing &keys)
{
    QJsonArray list;
    for (const crypto::KeyRing::KeyInfo &key : keys.keys())
        list.append(keyJson(key));
    return {{QStringLiteral("current"), keys.currentKid()}, {QStringLiteral("keys"), list}};
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
            const QJsonObject before = ringJson(keys);
            const Result<QString> rotated = keys.rotate(overlap.value());
            if (!rotated)
                return HttpResponse::fromError(rotated.error());
            // Keys retired long ago go with the rotation that outdates them; a failure here
            // leaves a key file that is no longer published, and the next rotation retries.
            const Result<int> pruned = keys.prune();
            QJsonObject after = ringJson(keys);
            after.insert(QStringLiteral("overlapSeconds"), overlap.value());
            const QJsonObject details{{QStringLiteral("operation"), QStringLiteral("rotate")},
                                      {QStringLiteral("pruned"), pruned ? pruned.value() : 0}};
            const Status audited = trail.adminChange(request, caller, QStringLiteral("key:") + rotated.value(), before, after, details);
            return audited ? HttpResponse::json(after) : HttpResponse::fromError(audited.error());
        });
    });
}

} // namespace mandate::api
