// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "broker/AgentExecutionRequest.h"
#include "broker/BrokerConfig.h"
#include "broker/CachedRegistry.h"
#include "broker/ExchangeRequest.h"
#include "broker/IssuedToken.h"
#include "broker/OAuthClientStore.h"
#include "broker/TrustedIssuers.h"
#include "broker/VerifiedExecution.h"
#include "common/Clock.h"
#include "crypto/KeyRing.h"
#include "crypto/TokenVerifier.h"
#include "registry/Registry.h"
#include "session/ExecutionStore.h"

#include <functional>
#include <memory>
#include <shared_mutex>

namespace mandate::broker {

/// Turns a human's consent into an execution identity: RFC 8693 token exchange with RFC 9396
/// authorization details of type agent_execution. The agent authenticates as its OAuth client;
/// the subject token is either a trusted IdP's ID token (root delegation) or a parent
/// execution token (sub-delegation, which may only narrow). Each grant is an execution record
/// in the ExecutionStore and an Ed25519 capability token signed by the KeyRing.
///
/// Refusals are Errors whose code is the OAuth error (invalid_request, invalid_client,
/// invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope, invalid_target,
/// invalid_authorization_details, server_error, temporarily_unavailable) and whose message
/// names the constraint. Thread-safe.
class DelegationBroker
{
public:
    DelegationBroker(BrokerConfig config, registry::Registry &registry, session::ExecutionStore &executions,
                     OAuthClientStore &clients, const TrustedIssuers &issuers, const crypto::KeyRing &keyRing,
                     const Clock &clock);
    ~DelegationBroker();
    Q_DISABLE_COPY_MOVE(DelegationBroker)

    /// Writes a new execution's record durably before its token leaves; errors as
    /// ExecutionStore::create()'s, or an OAuth temporarily_unavailable, passed on as it is.
    using RecordExecution = std::function<Status(const identity::Execution &)>;

    /// `record` defaults to ExecutionStore::create(); the gateway's commits the record together
    /// with the delegation's audit record.
    Result<IssuedToken> exchange(const ExchangeRequest &request, const RecordExecution &record = {});

    /// Like RecordExecution, without waiting: `recorded` is told the outcome once the record is
    /// committed (or has failed), on whichever thread that happened.
    using Recorded = std::function<void(const Status &)>;
    using RecordExecutionThen = std::function<void(const identity::Execution &, Recorded recorded)>;
    using Issued = std::function<void(Result<IssuedToken>)>;
    /// exchange() for a server that goes on with its next request while the execution's record
    /// is written: `issued` is told the outcome once the record is committed, on the thread that
    /// committed it, or at once, on this thread, for a refusal before the record. The token
    /// leaves only with its record committed, as exchange()'s. `record` defaults to
    /// ExecutionStore::createThen(), whose records share commits with the other mints in flight.
    void exchangeThen(const ExchangeRequest &request, Issued issued, const RecordExecutionThen &record = {});

    /// The gateway's check of a bearer execution token: signature, header and claims
    /// (crypto::TokenVerifier with its cache), then the execution itself, which must exist and
    /// be active (ExecutionStore::recentState: changes through this gateway's store count at
    /// once, another gateway's within ExecutionStateCache::kMaxAgeSecs). Codes: those of TokenVerifier (bad_signature, alg_none, unknown_kid, expired,
    /// not_yet_valid, wrong_audience, wrong_issuer, malformed_token, oversized_token, ...), plus
    /// invalid_claim (no agent_execution details), unknown_execution, revoked, expired,
    /// completed.
    Result<VerifiedExecution> verifyExecutionToken(QByteArrayView token) const;
    /// The execution a token names, from its signature, header and claims alone (the first half
    /// of verifyExecutionToken(), with the same codes): whose state to read, not yet whether the
    /// execution may act.
    Result<QString> executionIdOf(QByteArrayView token) const;

    /// RFC 7009: the client revokes a token it holds, or one issued to an execution it delegated
    /// (an ancestor of the token's execution). Revocation cascades to descendants. Invalid,
    /// expired or unknown tokens are not an error (RFC 7009 §2.2). Codes: invalid_client,
    /// unauthorized_client, and store errors.
    Result<QStringList> revokeToken(const ClientCredentials &client, QByteArrayView token);
    /// Revokes an execution and its descendants (the admin API).
    Result<QStringList> revokeExecution(const QString &executionId, const QString &reason);

    /// Sets the issuer once the gateway knows its base URL; call before serving requests.
    void setIssuer(const QString &issuer);
    const BrokerConfig &config() const { return m_config; }
    const crypto::KeyRing &keyRing() const { return m_keyRing; }

private:
    struct Parent;
    struct SignedMint;
    Result<crypto::VerifiedToken> verifySignedToken(QByteArrayView token) const;
    Result<Parent> rootSubject(const ExchangeRequest &request) const;
    Result<Parent> parentSubject(const ExchangeRequest &request, const identity::Agent &agent) const;
    /// Every check of the exchange, then the token signed: all but its execution's record.
    Result<SignedMint> signMint(const ExchangeRequest &request);
    Result<SignedMint> sign(const identity::Agent &agent, const Parent &parent, const AgentExecutionRequest &wanted);
    /// The token once its record was written (`written` success), or why it cannot leave.
    static Result<IssuedToken> issue(const SignedMint &mint, const Status &written);

    BrokerConfig m_config;
    session::ExecutionStore &m_executions;
    OAuthClientStore &m_clients;
    const TrustedIssuers &m_issuers;
    const crypto::KeyRing &m_keyRing;
    const Clock &m_clock;
    CachedRegistry m_cachedRegistry;  ///< the reads of every exchange
    // Our own tokens' verifier; rebuilt when the key ring's current key changes (rotation).
    mutable std::shared_mutex m_verifierMutex;
    mutable std::unique_ptr<crypto::TokenVerifier> m_verifier;
    mutable QString m_verifierKid;
    mutable qint64 m_verifierKeysUntil = 0;  ///< when a key the verifier holds retires
};

} // namespace mandate::broker
