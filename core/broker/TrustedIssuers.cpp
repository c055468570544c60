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

/// One trusted issuer: its verifier and, for keys from a URL, the fetcher that feeds it.
struct TrustedIssuers::Issuer
{
    std::shared_ptr<crypto::TokenVerifier> verifier;
    std::unique_ptr<JwksFetcher> fetcher;  ///< null when the keys were given
    std::mutex syncMutex;
    quint64 keysVersion = 0;  ///< the fetcher snapshot the verifier holds

    /// Hands a fetched snapshot to the verifier unless it already has it (or a newer one).
    void sync(const JwksFetcher::Snapshot &snapshot)
    {
        std::lock_guard lock(syncMutex);
        if (snapshot.version > keysVersion) {
            verifier->setKeys(snapshot.keys);
            keysVersion = snapshot.version;
        }
    }
};

TrustedIssuers::TrustedIssuers(const Clock &clock, QString audience, qint64 clockSkewSecs)
    : TrustedIssuers(clock, Rules{std::move(audience), clockSkewSecs})
{
}

TrustedIssuers::TrustedIssuers(const Clock &clock, Rules rules) : m_clock(clock), m_rules(std::move(rules))
{
}

TrustedIssuers::~TrustedIssuers() = default;

std::shared_ptr<TrustedIssuers::Issuer> TrustedIssuers::makeIssuer(const QString &issuer, const crypto::Jwks &keys,
                                                                   const QString &audience) const
{
    crypto::ClaimsPolicy claims;
    claims.issuer = issuer;
    claims.audience = audience.isEmpty() ? m_rules.audience : audience;
    claims.clockSkewSecs = m_rules.clockSkewSecs;
    claims.requireExpiry = true;
    claims.requireIssuedAt = true;
    claims.maxLifetimeSecs = m_rules.maxLifetimeSecs;
    claims.maxAgeSecs = m_rules.maxAgeSecs;
    claims.checkAuthorizedParty = true;
    auto entry = std::make_shared<Issuer>();
    entry->verifier = std::make_shared<crypto::TokenVerifier>(crypto::JwsPolicy::idTokens(), claims, keys, m_clock, 4096);
    return entry;
}

void TrustedIssuers::install(const QString &issuer, std::shared_ptr<Issuer> entry)
{
    std::unique_lock lock(m_mutex);
    m_issuers.insert(issuer, std::move(entry));
    qCInfo(lcBroker) << "trusting identity provider" << issuer;
}

void TrustedIssuers::trust(const QString &issuer, const crypto::Jwks &keys, const QString &audience)
{
    install(issuer, makeIssuer(issuer, keys, audience));
}

Status TrustedIssuers::trustJwksUrl(const QString &issuer, const JwksFetcher::Options &options)
{
    if (Status s = JwksFetcher::checkUrl(options.url); !s)
        return s;
    auto entry = makeIssuer(issuer, crypto::Jwks());
    entry->fetcher = std::make_unique<JwksFetcher>(options, m_clock);
    install(issuer, std::move(entry));
    return Status::success();
}

void TrustedIssuers::setFetchDefaults(const JwksFetcher::Options &defaults)
{
    std::unique_lock lock(m_mutex);
    m_fetchDefaults = defaults;
}

void TrustedIssuers::distrust(const QString &issuer)
{
    std::unique_lock lock(m_mutex);
    m_issuers.remove(issuer);
}

Status TrustedIssuers::loadFile(const QString &path)
{
    auto document = readJsonFile(path);
    if (!document)
        return document.error();
    const QJsonValue list = document->value(QStringLiteral("issuers"));
    if (!list.isArray() || document->size() != 1)
        return Error{QStringLiteral("invalid"), QStringLiteral("%1: expected {\"issuers\":[...]} and nothing else").arg(path)};
    JwksFetcher::Options fetchDefaults;
    {
        std::shared_lock lock(m_mutex);
        fetchDefaults = m_fetchDefaults;
    }
    QList<QPair<QString, std::shared_ptr<Issuer>>> loaded;
    const QJsonArray entries = list.toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QString where = QStringLiteral("%1: issuers[%2]").arg(path).arg(i);
        if (!entries[i].isObject())
            return Error{QStringLiteral("invalid"), where + QStringLiteral(": expected an object")};
        const QJsonObject entry = entries[i].toObject();
        for (auto member = entry.constBegin(); member != entry.constEnd(); ++member) {
            static const QStringList known{QStringLiteral("issuer"), QStringLiteral("audience"), QStringLiteral("jwks"),
                                           QStringLiteral("jwks_file"), QStringLiteral("jwks_uri")};
            if (!known.contains(member.key()))
                return Error{QStringLiteral("invalid"), where + QStringLiteral(": unknown member \"%1\" (known: %2)").arg(member.key(), known.join(QStringLiteral(", ")))};
            if (member.key() != QLatin1String("jwks") && !member.value().isString())
                return Error{QStringLiteral("invalid"), where + QStringLiteral(": \"%1\" must be a string").arg(member.key())};
        }
        const QString issuer = entry.value(QStringLiteral("issuer")).toString();
        if (issuer.isEmpty())
            return Error{QStringLiteral("invalid"), where + QStringLiteral(": \"issuer\" is required")};
        const QJsonValue audienceValue = entry.value(QStringLiteral("audience"));
        const QString audience = audienceValue.toString();
        if (!audienceValue.isUndefined() && audience.isEmpty())
            return Error{QStringLiteral("invalid"), where + QStringLiteral(": \"audience\" must not be empty")};
        QJsonObject jwks = entry.value(QStringLiteral("jwks")).toObject();
        const QString file = entry.value(QStringLiteral("jwks_file")).toString();
        const QString uri = entry.value(QStringLiteral("jwks_uri")).toString();
        if (int(!jwks.isEmpty()) + int(!file.isEmpty()) + int(!uri.isEmpty()) != 1)
            return Error{QStringLiteral("invalid"), where + QStringLiteral(": give exactly one of \"jwks\", \"jwks_file\" and \"jwks_uri\"")};
        if (!uri.isEmpty()) {
            JwksFetcher::Options options = fetchDefaults;
            options.url = QUrl(uri, QUrl::StrictMode);
            if (Status s = JwksFetcher::checkUrl(options.url); !s)
                return Error{QStringLiteral("invalid"), where + QStringLiteral(": ") + s.error().message};
            auto fetched = makeIssuer(issuer, crypto::Jwks(), audience);
            fetched->fetcher = std::make_unique<JwksFetcher>(options, m_clock);
            loaded.append({issuer, std::move(fetched)});
            continue;
        }
        if (!file.isEmpty()) {
            auto fromFile = readJsonFile(QFileInfo(path).dir().filePath(file));
            if (!fromFile)
                return fromFile.error();
            jwks = fromFile.value();
        }
        auto keys = crypto::Jwks::fromJson(jwks);
        if (!keys)
            return Error{QStringLiteral("invalid"), where + QStringLiteral(": ") + keys.error().message};
        loaded.append({issuer, makeIssuer(issuer, keys.value(), audience)});
    }
    for (auto &[issuer, entry] : loaded)
        install(issuer, std::move(entry));
    return Status::success();
}

bool TrustedIssuers::isTrusted(const QString &issuer) const
{
    std::shared_lock lock(m_mutex);
    return m_issuers.contains(issuer);
}

int TrustedIssuers::prefetch(std::stop_token stop) const
{
    QList<std::shared_ptr<Issuer>> fetched;
    {
        std::shared_lock lock(m_mutex);
        for (const std::shared_ptr<Issuer> &issuer : m_issuers) {
            if (issuer->fetcher)
                fetched << issuer;
        }
    }
    int ready = 0;
    for (const std::shared_ptr<Issuer> &issuer : std::as_const(fetched)) {
        if (stop.stop_requested())
            break;
        // Outside the lock: a fetch takes up to its timeout, and verify() must not wait for it.
        if (!issuer->fetcher->prefetch())
            continue;
        if (Result<JwksFetcher::Snapshot> snapshot = issuer->fetcher->current()) {
            issuer->sync(snapshot.value());
            ++ready;
        }
    }
    return ready;
}

QStringList TrustedIssuers::issuers() const
{
    std::shared_lock lock(m_mutex);
    return m_issuers.keys();
}

Result<crypto::VerifiedToken> TrustedIssuers::verify(QByteArrayView idToken) const
{
    if (idToken.size() > crypto::JwsPolicy::idTokens().maxTokenBytes)
        return crypto::CompactJws::parse(idToken, crypto::JwsPolicy::idTokens().maxTokenBytes).error();
    // Hashed once: the same digest keys the issuer remembered here and the verifier's cache.
    const crypto::HashedToken hashed(idToken);
    const QByteArray digest = QByteArray::fromRawData(reinterpret_cast<const char *>(hashed.digest().data()),
                                                      qsizetype(hashed.digest().size()));
    QString rememberedIssuer;
    {
        std::lock_guard lock(m_tokensMutex);
        rememberedIssuer = m_issuerOfToken.value(digest);
    }
    if (!rememberedIssuer.isEmpty()) {
        std::shared_ptr<Issuer> issuer;
        {
            std::shared_lock lock(m_mutex);
            issuer = m_issuers.value(rememberedIssuer);
        }
        if (issuer)
            return issuer->fetcher ? verifyFetched(*issuer, hashed) : issuer->verifier->verify(hashed);
    }
    // The issuer is read before the signature is checked only to pick the key set; the chosen
    // verifier then checks the signature and that "iss" is exactly that issuer.
    auto jws = crypto::CompactJws::parse(idToken, crypto::JwsPolicy::idTokens().maxTokenBytes);
    if (!jws)
        return jws.error();
    // Read as the verifier reads them after this, with its limits and error codes.
    auto claims = crypto::TokenVerifier::parseClaims(jws->payload(), crypto::JwsPolicy::idTokens().maxTokenBytes,
                                                     QStringLiteral("ID token claims"));
    if (!claims)
        return claims.error();
    const QJsonValue iss = claims->value(QLatin1StringView("iss"));
    if (!iss.isString())
        return crypto::joseError(crypto::JoseError::MissingClaim, QStringLiteral("the ID token has no \"iss\""));
    std::shared_ptr<Issuer> issuer;
    {
        std::shared_lock lock(m_mutex);
        issuer = m_issuers.value(iss.toString());
    }
    if (!issuer)
        return Error{QStringLiteral("untrusted_issuer"), QStringLiteral("issuer %1 is not a trusted identity provider").arg(iss.toString())};
    auto verified = issuer->fetcher ? verifyFetched(*issuer, hashed) : issuer->verifier->verify(hashed);
    if (verified) {
        std::lock_guard lock(m_tokensMutex);
        if (m_issuerOfToken.size() >= kRememberedTokens)
            m_issuerOfToken.clear();
        m_issuerOfToken.insert(QByteArray(digest.constData(), digest.size()), iss.toString());  // a copy of its own
    }
    return verified;
}

Result<crypto::VerifiedToken> TrustedIssuers::verifyFetched(Issuer &issuer, const crypto::HashedToken &idToken)
{
    auto snapshot = issuer.fetcher->current();
    if (!snapshot)
        return snapshot.error();
    issuer.sync(snapshot.value());
    auto verified = issuer.verifier->verify(idToken);
    if (verified || verified.error().code != QLatin1String("unknown_kid"))
        return verified;
    // The issuer may have rotated its keys since we fetched them.
    const auto newer = issuer.fetcher->refetchForUnknownKid(snapshot->version);
    if (!newer)
        return verified;
    issuer.sync(*newer);
    return issuer.verifier->verify(idToken);
}

} // namespace mandate::broker
