// SPDX-License-Identifier: Apache-2.0
#include "broker/TrustedIssuers.h"

#include "common/Logging.h"
#include "crypto/CompactJws.h"
#include "crypto/JoseError.h"
#include "json/JsonReader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <mutex>

namespace mandate::broker {

namespace {

Result<QJsonObject> readJsonFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    auto object = json::parseObject(file.read(1 << 20));
    if (!object)
        return Error{QStringLiteral("invalid"), QStringLiteral("%1: %2").arg(path, object.error().toString())};
    return object.value();
}

} // namespace

TrustedIssuers::TrustedIssuers(const Clock &clock, QString audience, qint64 clockSkewSecs)
    : m_clock(clock), m_audience(std::move(audience)), m_skew(clockSkewSecs)
{
}

void TrustedIssuers::trust(const QString &issuer, const crypto::Jwks &keys)
{
    crypto::ClaimsPolicy claims;
    claims.issuer = issuer;
    claims.audience = m_audience;
    claims.clockSkewSecs = m_skew;
    claims.requireExpiry = true;
    claims.requireIssuedAt = true;
    auto verifier = std::make_shared<crypto::TokenVerifier>(crypto::JwsPolicy::idTokens(), claims, keys, m_clock, 4096);
    std::unique_lock lock(m_mutex);
    m_verifiers.insert(issuer, std::move(verifier));
    qCInfo(lcBroker) << "trusting identity provider" << issuer;
}

void TrustedIssuers::distrust(const QString &issuer)
{
    std::unique_lock lock(m_mutex);
    m_verifiers.remove(issuer);
}

Status TrustedIssuers::loadFile(const QString &path)
{
    auto document = readJsonFile(path);
    if (!document)
        return document.error();
    const QJsonValue list = document->value(QStringLiteral("issuers"));
    if (!list.isArray())
        return Error{QStringLiteral("invalid"), QStringLiteral("%1: expected {\"issuers\":[...]}").arg(path)};
    QList<QPair<QString, crypto::Jwks>> loaded;
    const QJsonArray entries = list.toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QString where = QStringLiteral("%1: issuers[%2]").arg(path).arg(i);
        const QJsonObject entry = entries[i].toObject();
        const QString issuer = entry.value(QStringLiteral("issuer")).toString();
        if (issuer.isEmpty())
            return Error{QStringLiteral("invalid"), where + QStringLiteral(": \"issuer\" is required")};
        QJsonObject jwks = entry.value(QStringLiteral("jwks")).toObject();
        const QString file = entry.value(QStringLiteral("jwks_file")).toString();
        if (jwks.isEmpty() == file.isEmpty())
            return Error{QStringLiteral("invalid"), where + QStringLiteral(": give exactly one of \"jwks\" and \"jwks_file\"")};
        if (!file.isEmpty()) {
            auto fromFile = readJsonFile(QFileInfo(path).dir().filePath(file));
            if (!fromFile)
                return fromFile.error();
            jwks = fromFile.value();
        }
        auto keys = crypto::Jwks::fromJson(jwks);
        if (!keys)
            return Error{QStringLiteral("invalid"), where + QStringLiteral(": ") + keys.error().message};
        loaded.append({issuer, keys.value()});
    }
    for (const auto &[issuer, keys] : std::as_const(loaded))
        trust(issuer, keys);
    return Status::success();
}

bool TrustedIssuers::isTrusted(const QString &issuer) const
{
    std::shared_lock lock(m_mutex);
    return m_verifiers.contains(issuer);
}

QStringList TrustedIssuers::issuers() const
{
    std::shared_lock lock(m_mutex);
    return m_verifiers.keys();
}

Result<crypto::VerifiedToken> TrustedIssuers::verify(QByteArrayView idToken) const
{
    // The issuer is read before the signature is checked only to pick the key set; the chosen
    // verifier then checks the signature and that "iss" is exactly that issuer.
    auto jws = crypto::CompactJws::parse(idToken, crypto::JwsPolicy::idTokens().maxTokenBytes);
    if (!jws)
        return jws.error();
    auto claims = json::parseObject(jws->payload());
    if (!claims)
        return crypto::joseError(crypto::JoseError::MalformedJson, QStringLiteral("ID token claims: %1").arg(claims.error().toString()));
    const QJsonValue iss = claims->value(QStringLiteral("iss"));
    if (!iss.isString())
        return crypto::joseError(crypto::JoseError::MissingClaim, QStringLiteral("the ID token has no \"iss\""));
    std::shared_ptr<crypto::TokenVerifier> verifier;
    {
        std::shared_lock lock(m_mutex);
        verifier = m_verifiers.value(iss.toString());
    }
    if (!verifier)
        return Error{QStringLiteral("untrusted_issuer"), QStringLiteral("issuer %1 is not a trusted identity provider").arg(iss.toString())};
    return verifier->verify(idToken);
}

} // namespace mandate::broker
