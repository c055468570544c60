// SPDX-License-Identifier: Apache-2.0
#pragma once

// A complete broker on a temporary data directory: SQLite store with the demo registry, a
// manual clock, a key ring, the development IdP (trusted), OAuth clients for the demo agents
// (with cheap scrypt parameters: the tests are about the broker, not the KDF).
#include "broker/DelegationBroker.h"
#include "broker/DevIdentityProvider.h"
#include "broker/OAuthError.h"
#include "crypto/Base64Url.h"
#include "json/JsonReader.h"
#include "store/Database.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QUrlQuery>

namespace mandate::testing {

struct BrokerFixture
{
    static constexpr const char *kIssuer = "https://gateway.test";

    QTemporaryDir dir;
    ManualClock clock;
    std::unique_ptr<store::Database> db;
    std::unique_ptr<registry::Registry> registry;
    std::unique_ptr<session::ExecutionStore> executions;
    std::unique_ptr<broker::OAuthClientStore> clients;
    std::unique_ptr<broker::TrustedIssuers> issuers;
    std::unique_ptr<crypto::KeyRing> keyRing;
    std::unique_ptr<broker::DevIdentityProvider> idp;
    std::unique_ptr<broker::DelegationBroker> broker;
    QString error;

    bool setUp(const QJsonObject &registryDocument = {})
    {
        auto opened = store::Database::open(dir.filePath(QStringLiteral("mandate.db")));
        if (!opened)
            return fail(opened.error());
        db = std::move(opened).value();
        registry = std::make_unique<registry::Registry>(*db, clock);
        QJsonObject document = registryDocument;
        if (document.isEmpty()) {
            QFile file(QStringLiteral(MANDATE_SOURCE_DIR "/resources/demo/registry.json"));
            if (!file.open(QIODevice::ReadOnly))
                return fail(Error{QStringLiteral("io"), QStringLiteral("demo registry missing")});
            QByteArray text = file.readAll();
            text.replace("${DEMO_UPSTREAM}", "http://127.0.0.1:9");
            document = json::parse(text)->toObject();
        }
        if (auto imported = registry->importJson(document, QStringLiteral("test")); !imported)
            return fail(imported.error());
        executions = std::make_unique<session::ExecutionStore>(*db, clock);
        clients = std::make_unique<broker::OAuthClientStore>(*db, clock, crypto::SecretHasher::Params{4, 8, 1});
        const auto agents = registry->agents();
        if (!agents)
            return fail(agents.error());
        for (const identity::Agent &agent : agents.value()) {
            if (Status s = clients->setSecret(agent.id, secretOf(agent.id)); !s)
                return fail(s.error());
        }
        issuers = std::make_unique<broker::TrustedIssuers>(clock, QStringLiteral("mandate"));
        keyRing = std::make_unique<crypto::KeyRing>(dir.filePath(QStringLiteral("keys")), clock);
        if (Status s = keyRing->open(); !s)
            return fail(s.error());
        idp = std::make_unique<broker::DevIdentityProvider>(dir.path(), clock);
        if (Status s = idp->open(broker::DevIdentityProvider::Mode::CreateIfMissing); !s)
            return fail(s.error());
        issuers->trust(QLatin1String(broker::DevIdentityProvider::kIssuer), idp->publicKeys());
        broker = std::make_unique<broker::DelegationBroker>(broker::BrokerConfig{QLatin1String(kIssuer)}, *registry, *executions,
                                                            *clients, *issuers, *keyRing, clock);
        return true;
    }

    bool fail(const Error &e)
    {
        error = e.toString();
        for (const Error &detail : e.details)
            error += QStringLiteral("; ") + detail.toString();
        return false;
    }

    static QByteArray secretOf(const QString &agent) { return "secret-of-" + agent.toUtf8() + "-0123456789"; }

    QByteArray idToken(const QString &user = QStringLiteral("alice"), qint64 ttl = 300) const
    {
        return idp->issueIdToken(user, {}, ttl).value();
    }

    /// A root exchange request for `agent` with Alice's ID token.
    broker::ExchangeRequest rootRequest(const QString &agent, const QString &scope, const QJsonObject &details = {}) const
    {
        broker::ExchangeRequest r;
        r.client = {agent, secretOf(agent)};
        r.grantType = QLatin1String(broker::ExchangeRequest::kGrantType);
        r.subjectToken = idToken();
        r.subjectTokenType = QLatin1String(broker::ExchangeRequest::kIdTokenType);
        r.scope = scope;
        if (!details.isEmpty()) {
            QJsonObject d = details;
            d.insert(QStringLiteral("type"), QStringLiteral("agent_execution"));
            r.authorizationDetails = QString::fromUtf8(QJsonDocument(QJsonArray{d}).toJson(QJsonDocument::Compact));
        }
        return r;
    }

    broker::ExchangeRequest subRequest(const QString &agent, const QByteArray &parentToken, const QString &scope,
                                       const QJsonObject &details = {}) const
    {
        broker::ExchangeRequest r = rootRequest(agent, scope, details);
        r.subjectToken = parentToken;
        r.subjectTokenType = QLatin1String(broker::ExchangeRequest::kAccessTokenType);
        return r;
    }

    static QJsonObject claimsOf(const QByteArray &token)
    {
        const QList<QByteArray> parts = token.split('.');
        return json::parseObject(crypto::Base64Url::decode(parts.value(1)).value()).value();
    }
    static QJsonObject headerOf(const QByteArray &token)
    {
        return json::parseObject(crypto::Base64Url::decode(token.split('.').value(0)).value()).value();
    }
};

} // namespace mandate::testing
